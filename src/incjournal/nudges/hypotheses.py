"""Hypotheses that stop moving: when each was last touched, and by which entries.

An entry "touches" a hypothesis when it refers to it (`ref`: amend, confirm, rule-out) or mentions
its id, or a prefix of it of 3+ characters, as a word of its text, reason or tags, e.g.
`ij note "h2x: pool metrics still flat"`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from datetime import datetime

from incjournal.core.fold import IncidentState
from incjournal.core.model import Entry
from incjournal.core.times import human_duration
from incjournal.nudges.nudge import INFO, Context, Nudge, clip, short_id

_WORD = re.compile(r"[0-9a-z]+")


def stale_hypotheses(c: Context) -> Iterator[Nudge]:
    if c.state.is_resolved:
        return
    hypotheses = [i.entry for i in c.state.open_items("hypotheses")]
    last = _last_touches(c.state, hypotheses, c.now)
    for entry in hypotheses:
        idle = c.now - last[entry.id]
        if idle >= c.limits.hypothesis_stale:
            short = short_id(entry)
            yield Nudge(
                f"hypothesis-stale:{entry.id}",
                INFO,
                (entry.id,),
                f"Hypothesis {short} {clip(entry)} has had no news for "
                f"{human_duration(idle)}: someone may be spinning their wheels. Ask for a "
                f"30-second status, then confirm it, rule it out, or note progress naming {short}.",
            )


def _last_touches(
    state: IncidentState, targets: Sequence[Entry], now: datetime
) -> dict[str, datetime]:
    """For each target, when it or the last entry touching it (up to `now`) happened.

    One pass over the entries: a word is looked up among the targets' id prefixes, in the entries
    whose text holds one of their first three characters at all (one regular-expression search
    each: most entries of a long incident name no open hypothesis).
    """
    last = {t.id: t.at for t in targets}
    prefixes: dict[str, list[str]] = {}
    for target in targets:
        for n in range(3, len(target.id) + 1):
            prefixes.setdefault(target.id[:n], []).append(target.id)
    shortest = sorted({p for p in prefixes if len(p) == 3})
    could_name = re.compile("|".join(map(re.escape, shortest))).search if shortest else None
    first = bisect_left(state.entries, min(last.values(), default=now), key=lambda e: e.at)
    for entry in state.entries[first:] if targets else ():
        if entry.at > now or entry.id in state.struck:
            continue
        text = _text(entry)
        named = (
            {i for w in _WORD.findall(text) for i in prefixes.get(w, ())}
            if could_name is not None and could_name(text)
            else set()
        )
        if entry.ref is not None and entry.ref in last:
            named.add(entry.ref)
        named.discard(entry.id)
        for target_id in named:
            last[target_id] = max(last[target_id], entry.at)
    return last


def touches(entry: Entry, target_id: str) -> bool:
    """Whether `entry` refers to `target_id`: by ref, or naming it (3+ char prefix) as a word."""
    if entry.ref == target_id:
        return True
    return any(len(w) >= 3 and target_id.startswith(w) for w in _words(entry))


def _words(entry: Entry) -> set[str]:
    return set(_WORD.findall(_text(entry)))


def _text(entry: Entry) -> str:
    """What an entry says, lower-cased: its text, why and tags."""
    return " ".join([entry.text, entry.why or "", *entry.tags]).lower()
