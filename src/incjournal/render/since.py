""" "Since our last update": what changed for one audience since it last heard from us.

A brief for an audience that has had an `ij update` opens with this block (or, with
`ij brief --since T`, with what changed since T). An entry is news when it happened after that
time, or was recorded after the update was (a backdated note typed after the update went out is
news; entries typed in later, in the order they happened, are news only when they happened after
it). The team's own audiences hear about status, severity, impact, causes
confirmed or ruled out, decisions, new risks, actions done, questions answered and workstreams
opened or closed. Public-facing audiences hear only what `render.public` lets through: the status
state with its configured wording and entries marked public.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Entry, Kind
from incjournal.core.streams import CLOSED, OPENED
from incjournal.render.context import Md, escape, short
from incjournal.render.labels import clock, plural
from incjournal.render.public import statements, wording

MOST = 8  # lines per kind of change; the rest are counted
ONE_LINE = frozenset({"exec"})  # audiences told in one line (their brief fits one screen)
_CLOSERS = {
    Kind.CONFIRM: "Cause confirmed",
    Kind.RULE_OUT: "Ruled out",
    Kind.DONE: "Done",
    Kind.ANSWER: "Answered",
}


def since_block(
    state: IncidentState, config: Config, audience: str, now: datetime, since: datetime | None
) -> Md:
    """The block that opens the audience's brief; empty when it has had no update and no
    `since` was given."""
    last = state.updates.get(audience)
    if since is None and last is None:
        return Md("")
    start = since if since is not None else last.at if last is not None else now
    recorded = last.recorded_at if since is None and last is not None else start
    when = clock(start, config.tz, now)
    title = f"Since {when}" if since is not None else f"Since our last update ({when})"
    public = config.audiences[audience].public if audience in config.audiences else True
    if audience in ONE_LINE and not public:
        return Md(f"**{title}:** {_one_line(state, start, recorded, now)}")
    lines = (_public if public else _internal)(state, config, start, recorded, now)
    return Md("\n".join([f"## {title}", "", *lines]))


def is_news(entry: Entry, since: datetime, now: datetime, recorded: datetime | None = None) -> bool:
    """Whether the audience could not have heard of `entry` when told at `since` (by an update
    recorded at `recorded`, `since` if not given), and it is known by `now`."""
    told = since if recorded is None else recorded
    return (entry.at > since or entry.recorded_at > told) and entry.recorded_at <= now


def news(
    state: IncidentState, since: datetime, now: datetime, recorded: datetime | None = None
) -> list[Entry]:
    """The live entries that are news since `since`, updates to audiences left out."""
    return [
        e
        for e in state.live_entries()
        if e.kind is not Kind.UPDATE and is_news(e, since, now, recorded)
    ]


def known_then(
    state: IncidentState, since: datetime, recorded: datetime | None = None
) -> IncidentState:
    """The state as the audience knew it when told at `since` (see `is_news`)."""
    told = since if recorded is None else recorded
    return fold(state.meta, [e for e in state.entries if e.at <= since and e.recorded_at <= told])


def _internal(
    state: IncidentState, config: Config, since: datetime, recorded: datetime, now: datetime
) -> list[str]:
    new = news(state, since, now, recorded)
    lines = internal_changes(state, known_then(state, since, recorded), new)
    if lines:
        return lines
    said = f"No change since {clock(since, config.tz, now)}: "
    if state.is_resolved:
        return [f"{said}the incident is resolved."]
    return [f"{said}still {state.status} — {escape(state.title)}."]


def _one_line(state: IncidentState, since: datetime, recorded: datetime, now: datetime) -> str:
    """The changes counted in one sentence, with the latest decision and confirmed cause."""
    before, new = known_then(state, since, recorded), news(state, since, now, recorded)
    parts = []
    if before.status != state.status:
        parts.append(f"status {before.status} → {state.status}")
    if before.severity != state.severity:
        parts.append(f"{_sev(before.severity)} → {_sev(state.severity)}")
    if state.impact is not None and any(e.id == state.impact.id for e in new):
        parts.append("impact restated")
    raised = {e.id: e for e in state.live_entries()}
    causes = [raised[e.ref] for e in new if e.kind is Kind.CONFIRM and e.ref in raised]
    if causes:  # every one, in confirmation order: none is dropped for a later one
        named = "; ".join(escape(short(c.text, 100)) for c in causes)
        count = "cause confirmed" if len(causes) == 1 else f"{len(causes)} causes confirmed"
        parts.append(f"{count}: {named}")
    decisions = [e for e in new if e.kind is Kind.DECISION]
    if decisions:
        latest = escape(short(decisions[-1].text, 100))
        parts.append(f"{plural(len(decisions), 'decision')} (latest: {latest})")
    for kind, word in _COUNTED.items():
        found = sum(1 for e in new if e.kind is kind)
        if found:
            parts.append(plural(found, *word))
    if not parts:
        return f"no change: still {state.status}."
    return "; ".join(parts) + "."


_COUNTED = {
    Kind.RULE_OUT: ("hypothesis ruled out", "hypotheses ruled out"),
    Kind.RISK: ("new risk", "new risks"),
    Kind.DONE: ("action done", "actions done"),
    Kind.ANSWER: ("question answered", "questions answered"),
    Kind.STREAM: ("workstream change", "workstream changes"),
}


def internal_changes(state: IncidentState, before: IncidentState, new: list[Entry]) -> list[str]:
    """Markdown bullet lines, one per change the team's own audiences hear about."""
    return [f"- {line}" for line in _internal_lines(state, before, new)]


def _internal_lines(state: IncidentState, before: IncidentState, new: list[Entry]) -> Iterator[str]:
    if before.status != state.status:
        yield f"**Status:** {before.status} → {state.status}"
    if before.severity != state.severity:
        changes = [e for e in new if e.kind is Kind.SEVERITY and e.why]
        why = f" — {escape(changes[-1].why or '')}" if changes else ""
        yield f"**Severity:** {_sev(before.severity)} → {_sev(state.severity)}{why}"
    if state.impact is not None and any(e.id == state.impact.id for e in new):
        yield f"**Impact now:** {escape(state.impact.text)}"
    raised = {e.id: e for e in state.live_entries()}
    for kind, label in _CLOSERS.items():
        yield from _capped(label, [e for e in new if e.kind is kind], _closed(raised))
    yield from _capped("Decided", [e for e in new if e.kind is Kind.DECISION], _decision)
    yield from _capped("New risk", [e for e in new if e.kind is Kind.RISK], _text)
    yield from _capped("Workstream", [e for e in new if e.kind is Kind.STREAM], _stream)


def _capped(label: str, entries: list[Entry], say: Callable[[Entry], str]) -> Iterator[str]:
    for entry in entries[:MOST]:
        yield f"**{label}:** {say(entry)}"
    if len(entries) > MOST:
        yield f"**{label}:** … and {len(entries) - MOST} more"


def _sev(level: int | None) -> str:
    return f"SEV{level}" if level is not None else "not set"


def _text(entry: Entry) -> str:
    return escape(entry.text)


def _closed(raised: dict[str, Entry]) -> Callable[[Entry], str]:
    def say(closer: Entry) -> str:
        item = raised.get(closer.ref or "")
        what = escape(item.text) if item is not None else f"`{closer.ref}`"
        return what + (f" — {escape(closer.text)}" if closer.text.strip() else "")

    return say


def _decision(entry: Entry) -> str:
    why = f" — because {escape(entry.why)}" if entry.why else ""
    return f"{escape(entry.text)}{why}"


def _stream(entry: Entry) -> str:
    name = escape(entry.stream or "")
    lead = f" (lead: {escape(entry.person)})" if entry.person else ""
    text = f" — {escape(entry.text)}" if entry.text.strip() else ""
    if entry.state == OPENED:
        return f"{name} opened{lead}{text}"
    if entry.state == CLOSED:
        return f"{name} closed{text}"
    return f"{name} has a new lead{lead}"


def _public(
    state: IncidentState, config: Config, since: datetime, recorded: datetime, now: datetime
) -> list[str]:
    """Only the status state, its configured wording and public statements."""
    words = wording(config)
    before = known_then(state, since, recorded)
    lines = []
    if before.status != state.status and state.status in config.statuses:
        lines.append(
            f"- **Status:** {_label(before.status, config)} → {_label(state.status, config)}"
        )
    fresh = {e.id for e in news(state, since, now, recorded)}
    for said in statements(state):
        if said.entry_id not in fresh or "title" in said.tags:
            continue
        label = _public_label(said.kind, said.tags)
        lines.append(f"- **{label}:** {escape(said.text)}" if label else f"- {escape(said.text)}")
    if lines:
        return lines
    known = state.status if state.status in config.statuses else ""
    return [f"No change since {clock(since, config.tz, now)}: {escape(words.get(known, ''))}"]


def _label(status: str, config: Config) -> str:
    return status.capitalize() if status in config.statuses else "Update"


def _public_label(kind: Kind, tags: tuple[str, ...]) -> str:
    if kind is Kind.IMPACT:
        return "Impact"
    if "workaround" in tags:
        return "Workaround"
    if "eta" in tags:
        return "Estimated fix"
    return ""
