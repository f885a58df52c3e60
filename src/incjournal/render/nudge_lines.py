"""Nudges as lines for briefs, pages and the live screen: alike urgent ones joined into one.

`ij nudges` lists every nudge with its id (for `ij snooze`); a one-line view joins the urgent
ones of one kind (four overdue updates are one thing to do) and shows the first few.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from incjournal.nudges import INFO, URGENT, WARN, Nudge
from incjournal.render.text import inline

COMPACT_MAX = 5


def collapsed(nudges: Sequence[Nudge]) -> list[Nudge]:
    """Urgent nudges of one kind joined into one (four overdue updates are one thing to do)."""
    alike: dict[str, list[Nudge]] = {}
    for nudge in nudges:
        if nudge.level == URGENT and nudge.subject:
            alike.setdefault(nudge.kind, []).append(nudge)
    out = []
    for nudge in nudges:
        group = alike.get(nudge.kind, []) if nudge.level == URGENT else []
        if len(group) < 2 or nudge not in group:
            out.append(nudge)
        elif nudge is group[0]:
            out.append(_joined(group))
    return out


def _joined(group: Sequence[Nudge]) -> Nudge:
    subjects = ", ".join(n.subject for n in group)
    entries = tuple(dict.fromkeys(e for n in group for e in n.entries))
    message = _JOINED.get(group[0].kind, "{first}; also {subjects}.").format(
        subjects=subjects, first=group[0].message.rstrip("."), tip=_tip(group[0].message)
    )
    return Nudge(group[0].kind, URGENT, entries, message)


def _tip(message: str) -> str:
    """The advice in an overdue-update nudge: what a short update may say."""
    found = re.search(r"“[^”]*”[^;]*", message)
    return f"{found[0]}" if found else "a short update is fine"


_JOINED = {
    "update-overdue": "Updates are overdue to {subjects}: send each a short one now — {tip}; "
    "then record each with ij update AUDIENCE.",
}


def compact(nudges: Sequence[Nudge], limit: int = COMPACT_MAX) -> str:
    """A few Markdown bullet lines for dashboards and briefs; "" when there is nothing to say."""
    marks = {URGENT: "**urgent**", WARN: "**warn**", INFO: "info"}
    nudges = collapsed(nudges)
    lines = [f"- {marks[n.level]} {inline(n.id)}: {inline(n.message)}" for n in nudges[:limit]]
    if len(nudges) > limit:
        lines.append(f"- … and {len(nudges) - limit} more: see ij nudges")
    return "\n".join(lines)
