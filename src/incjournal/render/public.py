"""The reduced view a public-facing template sees: public entries, status state, configured wording.

This module is the only place that chooses what may reach a public-facing audience. It copies
the text of entries marked public (in their last *public* correction) and the state's status and
times into plain strings; templates get no entry, author, e-mail, tag, command or output, and no
object through which one could be reached. A custom template that prints everything it can see
prints only this.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from incjournal.core.config import Config
from incjournal.core.fold import MITIGATED_STATE, IncidentState
from incjournal.core.model import Entry, Kind
from incjournal.core.times import human_duration, show
from incjournal.render.context import affected_of, impact_fields
from incjournal.render.due import NextUpdate, next_update
from incjournal.render.labels import clock
from incjournal.render.sent import PUBLIC_AUDIENCE, is_rendered
from incjournal.render.text import Md, Text, quote

# entries whose kind never reaches a public render, whatever their visibility (an update
# reaches the briefs of the audience it was sent to: `statements`)
NEVER = frozenset(
    {
        Kind.COMMAND,
        Kind.EVIDENCE,
        Kind.UPDATE,
        Kind.ROLE,
        Kind.SNOOZE,
        Kind.AMEND,
        Kind.STRIKE,
        Kind.LINK,
        Kind.ASSIGN,
    }
)
SPECIAL_TAGS = ("title", "eta", "workaround")

DEFAULT_WORDING: Mapping[str, str] = {
    "title": "Service disruption",
    "investigating": "We are investigating this issue.",
    "identified": "We have identified the cause and are working on a fix.",
    "monitoring": "A fix is in place and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
    "no_eta": "We do not have an estimate for a full fix yet.",
    "resolved_note": "",
}


@dataclass(frozen=True)
class Said:
    """One public statement and where it came from (for the lint; never given to templates)."""

    entry_id: str
    at: datetime
    kind: Kind
    text: str
    tags: tuple[str, ...]
    audience: str = ""  # an update: the audience it was sent to

    @property
    def special(self) -> bool:
        return any(t in SPECIAL_TAGS for t in self.tags)


def public_text(state: IncidentState, entry: Entry) -> str | None:
    """The entry's text as last corrected in public; None when only internal corrections exist."""
    amends = state.amendments.get(entry.id, ())
    if not amends:
        return entry.text
    public = [a for a in amends if a.public]
    return public[-1].text if public else None


def statements(state: IncidentState, audience: str = PUBLIC_AUDIENCE) -> list[Said]:
    """Every public statement the audience's brief may quote, in time order: public entries,
    among them the updates sent to the audience itself and to the status page (`ij update`
    records an update to a public-facing audience as public)."""
    out = []
    heard = {audience, PUBLIC_AUDIENCE}
    for entry in state.live_entries():
        if not entry.public:
            continue
        if entry.kind is Kind.UPDATE:
            if entry.audience not in heard or is_rendered(entry):
                continue
        elif entry.kind in NEVER:
            continue
        text = public_text(state, entry)
        if text is not None and text.strip():
            out.append(Said(entry.id, entry.at, entry.kind, text, entry.tags, entry.audience or ""))
    return out


def wording(config: Config) -> dict[str, str]:
    """The configured public wording (`[wording]` in incjournal.toml) over the defaults."""
    table = config.section("wording")
    out = dict(DEFAULT_WORDING)
    out.update({str(k): str(v) for k, v in table.items() if isinstance(v, str | int | float)})
    status = table.get("status", {})
    if isinstance(status, Mapping):
        out.update({str(k): str(v) for k, v in status.items() if isinstance(v, str)})
    return out


@dataclass(frozen=True)
class Message:
    at: str
    text: str
    to: str = ""  # an update: the audience it was sent to
    quote: Md = Md("")  # the text as a block quote, shown whole


@dataclass(frozen=True)
class PublicBrief:
    """Everything a public-facing template may see, and nothing else."""

    audience: str
    headline: str
    status: str
    status_label: str
    status_text: str
    severity: str
    started: str
    mitigated: str | None
    resolved: str | None
    duration: str
    open_for: str
    impact_summary: str
    impact_total: str
    impact_windows: tuple[str, ...]
    impact_times: str
    customers_affected: bool
    status_since: str  # when the status became what it is
    mitigation_since: str | None  # the mitigation holds since (the end of the last window)
    returned_at: str | None  # the impact came back (a relapse) and is not mitigated yet
    impact: Message | None
    affected: tuple[str, ...]
    sent: Message | None  # the latest update to this audience (with its date): it leads
    told: Message | None  # what customers were last told (for support's "what to tell")
    latest: Message | None
    messages: tuple[Message, ...]
    earlier: tuple[Message, ...]  # every message but `told` and `sent`, newest first
    workarounds: tuple[Message, ...]
    eta: Message | None
    no_eta: str
    closing: str
    next_update: NextUpdate
    as_of: str
    restored: bool  # service restored (monitoring or resolved): no fix estimate is owed
    since: Md = Md("")  # "Since our last update" (render.since), set by brief_context


def public_context(
    state: IncidentState, config: Config, audience: str, now: datetime
) -> PublicBrief:
    said = statements(state, audience)
    words = wording(config)
    messages = _messages(said, config, now)
    sent = [s for s in said if s.kind is Kind.UPDATE and s.audience == audience]
    told = next((m for m in messages if m.to in ("", PUBLIC_AUDIENCE)), None)
    own = next((m for m in messages if m.to == audience), None)  # shown as `sent`
    return PublicBrief(
        audience=audience,
        headline=_headline(said, words),
        **_status(state, config, words, now),
        impact=_last(said, config, now, lambda s: s.kind is Kind.IMPACT),
        affected=affected_of(t for s in said for t in s.tags),
        sent=_sent(sent[-1], config) if sent else None,
        told=told,
        latest=messages[0] if messages else None,
        messages=messages,
        earlier=tuple(m for m in messages if m is not told and m is not own),
        workarounds=_all(said, config, now, lambda s: "workaround" in s.tags),
        eta=None if state.is_resolved else _last(said, config, now, lambda s: "eta" in s.tags),
        no_eta=words["no_eta"],
        closing=words["resolved_note"] if state.is_resolved else "",
        next_update=next_update(state, config, audience, now),
        as_of=clock(now, config.tz, now),
        restored=state.status == MITIGATED_STATE or state.is_resolved,
    )


def _status(
    state: IncidentState, config: Config, words: Mapping[str, str], now: datetime
) -> dict[str, Any]:
    tz = config.tz
    ms = state.milestones
    known = state.status if state.status in config.statuses else ""
    changed = state.status_changes[-1].at if state.status_changes else state.meta.opened_at
    return {
        "status": known,
        "status_label": known.capitalize() if known else "Update",
        "status_text": words.get(known, "") if known else "",
        "status_since": clock(changed, tz, now),
        "severity": f"SEV{state.severity}" if state.severity is not None else "",
        "started": clock(ms.started, tz, now),
        "mitigated": clock(ms.mitigated, tz, now) if ms.mitigated else None,
        "resolved": clock(ms.resolved, tz, now) if ms.resolved else None,
        "duration": human_duration((ms.resolved or now) - ms.started if ms.started else None),
        **impact_fields(state, tz, now),
    }


def _headline(said: Sequence[Said], words: Mapping[str, str]) -> str:
    titles = [s for s in said if "title" in s.tags] or [s for s in said if s.kind is Kind.OPEN]
    return titles[-1].text if titles else words["title"]


def _messages(said: Sequence[Said], config: Config, now: datetime) -> tuple[Message, ...]:
    plain = [s for s in said if s.kind not in (Kind.OPEN, Kind.IMPACT) and not s.special]
    return tuple(_message(s, config, now) for s in reversed(plain))


def _message(said: Said, config: Config, now: datetime) -> Message:
    return Message(clock(said.at, config.tz, now), Text(said.text), said.audience, quote(said.text))


def _sent(said: Said, config: Config) -> Message:
    """The latest update to the audience, always with its date."""
    return Message(show(said.at, config.tz), Text(said.text), said.audience, quote(said.text))


def _last(said: Sequence[Said], config: Config, now: datetime, want: Any) -> Message | None:
    found = [s for s in said if want(s)]
    return _message(found[-1], config, now) if found else None


def _all(said: Sequence[Said], config: Config, now: datetime, want: Any) -> tuple[Message, ...]:
    return tuple(_message(s, config, now) for s in reversed(said) if want(s))
