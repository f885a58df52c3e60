"""Practice nudges: what a seasoned incident commander would point out, from state and clock.

`compute()` is a pure function of (folded state, config, now). Each rule looks at one habit of
good incident practice (an IC, updates on a cadence, mitigate first, hypotheses that move, work
with owners, a current impact statement, public text that follows the status, a tidy close) and,
when it is not being kept, yields a `Nudge`: a stable id, a level, the entries concerned and a
calm suggestion.

Thresholds come from `[nudges]` in incjournal.toml; each is a duration ("20m") or a table per
severity ({1 = "15m", 2 = "30m"}). A snooze entry (`ij snooze ID DURATION`) silences one nudge
id until its `until`; `[nudges] disabled = ["public-stale"]` turns a kind of nudge off.

An entry "touches" a hypothesis when it refers to it (`ref`: amend, confirm, rule-out) or mentions
its id, or a prefix of it of 3+ characters, as a word of its text, reason or tags, e.g.
`ij note "h2x: pool metrics still flat"`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from incjournal.core.cadence import Due, due_updates
from incjournal.core.config import Config
from incjournal.core.fold import IncidentState, Item
from incjournal.core.model import Entry, Kind
from incjournal.core.thresholds import Thresholds, thresholds
from incjournal.core.times import human_duration, show
from incjournal.render.text import first_line

URGENT, WARN, INFO = "urgent", "warn", "info"
LEVELS = (URGENT, WARN, INFO)

CLIP = 60
_WORD = re.compile(r"[0-9a-z]+")


@dataclass(frozen=True)
class Nudge:
    """One thing worth pointing out now."""

    id: str
    level: str
    entries: tuple[str, ...]
    message: str
    subject: str = ""  # what it is about, for a line that joins alike nudges: 'exec (20m late)'

    @property
    def kind(self) -> str:
        """The id without its subject: 'update-overdue' for 'update-overdue:exec'."""
        return self.id.split(":", 1)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "entries": list(self.entries),
            "message": self.message,
        }


@dataclass(frozen=True)
class _Ctx:
    state: IncidentState
    config: Config
    now: datetime
    limits: Thresholds
    review_written: bool

    def hhmm(self, when: datetime) -> str:
        return show(when, self.config.tz, date=False)


def compute(
    state: IncidentState, config: Config, now: datetime, *, review_written: bool = False
) -> list[Nudge]:
    """The nudges that apply at `now`, most pressing first; snoozed ones are left out."""
    return [
        n
        for n in candidates(state, config, now, review_written=review_written)
        if snoozed_until(state, n.id, now) is None
    ]


def candidates(
    state: IncidentState, config: Config, now: datetime, *, review_written: bool = False
) -> list[Nudge]:
    """Every nudge that applies at `now`, snoozed or not (what `ij snooze` may name)."""
    limits = thresholds(config, state.severity)
    ctx = _Ctx(state, config, now, limits, review_written)
    found = [
        n
        for rule in _RULES
        for n in rule(ctx)
        if n.kind not in limits.disabled and n.id not in limits.disabled
    ]
    order = {level: i for i, level in enumerate(LEVELS)}
    return sorted(found, key=lambda n: order[n.level])


def snoozed_until(state: IncidentState, nudge_id: str, now: datetime) -> datetime | None:
    """When the snooze on `nudge_id` ends, if it is still running at `now`."""
    until = state.snoozes.get(nudge_id)
    return until if until is not None and now < until else None


# --- the rules: each takes the context and yields its nudges -------------------------------------


def _no_ic(c: _Ctx) -> Iterator[Nudge]:
    if c.state.is_resolved or c.state.roles.get("ic"):
        return
    age, limit = c.now - c.state.meta.opened_at, c.limits.no_ic_after
    if age >= limit:
        yield Nudge(
            "no-ic",
            _escalating(age, limit),
            (),
            f"No incident commander yet, {human_duration(age)} in: ask someone to take the role "
            "so that decisions and updates have one owner — ij role ic NAME.",
        )


def _updates(c: _Ctx) -> Iterator[Nudge]:
    for due in due_updates(c.state, c.config, c.now):
        if due.state == "overdue":
            yield _overdue(c, due)
        elif due.state == "due":
            yield _due_soon(c, due)


def _overdue(c: _Ctx, due: Due) -> Nudge:
    assert due.next_due is not None and due.remaining is not None
    late, aud = human_duration(-due.remaining), due.audience
    if c.state.is_resolved:
        level = WARN
        say = f"The final {aud} update is {late} overdue: say it is resolved and what comes next"
    else:
        level = URGENT
        say = (
            f"The {aud} update is {late} overdue, it was due at {c.hhmm(due.next_due)}: send "
            f"a short one now — “{_SHORT_UPDATE.get(c.state.status, 'still ' + c.state.status)}"
            ", next update at …” is a fine update"
        )
    message = f"{say}; then record it with ij update {aud}."
    subject = f"{aud} ({late} late)"
    return Nudge(f"update-overdue:{aud}", level, _last_update(c, aud), message, subject)


# what a short update can say in each state (never "still investigating" once mitigated)
_SHORT_UPDATE = {
    "investigating": "still investigating",
    "identified": "we know the cause and are working on a fix",
    "monitoring": "the fix is in place and we are watching it",
}


def _due_soon(c: _Ctx, due: Due) -> Nudge:
    assert due.next_due is not None and due.remaining is not None
    aud = due.audience
    return Nudge(
        f"update-due:{aud}",
        INFO,
        _last_update(c, aud),
        f"The {aud} update is due at {c.hhmm(due.next_due)}, in {human_duration(due.remaining)}: "
        f"draft it with ij brief --for {aud}, then record it with ij update {aud}.",
    )


def _last_update(c: _Ctx, audience: str) -> tuple[str, ...]:
    last = c.state.updates.get(audience)
    return (last.id,) if last is not None else ()


def _mitigate_first(c: _Ctx) -> Iterator[Nudge]:
    state = c.state
    if state.is_resolved or state.milestones.mitigated is not None:
        return
    since = state.milestones.detected or state.meta.opened_at
    age, limit = c.now - since, c.limits.mitigate_after
    if age >= limit:
        yield Nudge(
            "mitigate-first",
            _escalating(age, limit),
            (),
            f"Still {state.status} {human_duration(age)} after detection with no mitigation "
            "recorded. Mitigate first: is a rollback, failover or feature flag possible? "
            "Once the impact stops, ij status monitoring records the mitigation.",
        )


def _stale_hypotheses(c: _Ctx) -> Iterator[Nudge]:
    if c.state.is_resolved:
        return
    hypotheses = [i.entry for i in c.state.open_items("hypotheses")]
    last = _last_touches(c.state, hypotheses, c.now)
    for entry in hypotheses:
        idle = c.now - last[entry.id]
        if idle >= c.limits.hypothesis_stale:
            short = _short(entry)
            yield Nudge(
                f"hypothesis-stale:{entry.id}",
                INFO,
                (entry.id,),
                f"Hypothesis {short} {_clip(entry)} has had no news for "
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


def _unowned(c: _Ctx) -> Iterator[Nudge]:
    if c.state.is_resolved:
        return
    open_work = [
        *c.state.open_items("questions"),
        *(i for i in c.state.open_items("actions") if not i.entry.follow_up),
    ]
    for item in open_work:
        age = c.now - item.entry.at
        if item.entry.owner or age < c.limits.unowned_after:
            continue
        what, why = _unowned_words(item)
        yield Nudge(
            f"unowned:{item.entry.id}",
            WARN,
            (item.entry.id,),
            f"{what} {_short(item.entry)} {_clip(item.entry)} has had no owner for "
            f"{human_duration(age)}: {why}",
        )


def _unowned_words(item: Item) -> tuple[str, str]:
    if item.entry.kind is Kind.QUESTION:
        return "Question", "ask who will find out; unowned questions tend to stay open."
    return "Action", "ask who is doing it; work without an owner tends not to happen."


def _overdue_actions(c: _Ctx) -> Iterator[Nudge]:
    for item in c.state.open_items("actions"):
        due = item.entry.due
        if due is None or c.now <= due:
            continue
        short, who = _short(item.entry), item.entry.owner or "whoever is on it"
        yield Nudge(
            f"action-overdue:{item.entry.id}",
            WARN,
            (item.entry.id,),
            f"Action {short} {_clip(item.entry)} was due at {c.hhmm(due)}, "
            f"{human_duration(c.now - due)} ago: check in with {who}. If it is done, "
            f"ij done {short}; if not, when will it be?",
        )


def _impact(c: _Ctx) -> Iterator[Nudge]:
    impact = c.state.impact
    if impact is None:
        age = c.now - c.state.meta.opened_at
        if age >= c.limits.impact_after:
            yield Nudge(
                "impact-missing",
                WARN,
                (),
                f"No impact statement yet, {human_duration(age)} in: say who is affected and "
                "how, in plain words — ij impact TEXT, with --public if customers may read it.",
            )
        return
    change = _last_change(c.state)
    if change is None or change.sort_key() < impact.sort_key():
        return
    if c.now - change.at >= c.limits.impact_stale_after:
        yield Nudge(
            "impact-stale",
            WARN,
            (impact.id, change.id),
            f"The impact statement from {c.hhmm(impact.at)} predates {_change_words(change)} "
            f"at {c.hhmm(change.at)}: is it still accurate? Restate it with ij impact TEXT.",
        )


def _last_change(state: IncidentState) -> Entry | None:
    changes = [*state.status_changes[-1:], *state.severity_changes[-1:]]
    return max(changes, key=Entry.sort_key, default=None)


def _change_words(change: Entry) -> str:
    if change.kind is Kind.SEVERITY:
        return f"the change to SEV{change.level}"
    return f"the move to {change.state}"


def _public_stale(c: _Ctx) -> Iterator[Nudge]:
    public = [name for name, aud in c.config.audiences.items() if aud.public]
    if not c.state.status_changes or not public:
        return
    change = c.state.status_changes[-1]
    if c.now - change.at < c.limits.public_stale_after:
        return
    live = c.state.live_entries()  # in fold order, which is sort order
    since = live[bisect_left(live, change.sort_key(), key=Entry.sort_key) :]
    if any(e.at <= c.now and _public_text(e, public) for e in since):
        return
    yield Nudge(
        "public-stale",
        WARN,
        (change.id,),
        f"The status moved to {change.state} at {c.hhmm(change.at)}, but the public-facing text "
        "has not changed since: post a message that matches — ij note TEXT --public — and send "
        f"it with ij update {public[0]}.",
    )


def _public_text(entry: Entry, public_audiences: Sequence[str]) -> bool:
    return entry.public or (entry.kind is Kind.UPDATE and entry.audience in public_audiences)


def _after_resolution(c: _Ctx) -> Iterator[Nudge]:
    if not c.state.is_resolved:
        return
    for item in c.state.open_items("actions"):
        if item.entry.follow_up and not item.entry.owner:
            yield Nudge(
                f"followup-unowned:{item.entry.id}",
                WARN,
                (item.entry.id,),
                f"Follow-up {_short(item.entry)} {_clip(item.entry)} has no owner: follow-ups "
                "without an owner rarely get done. Name one before the review.",
            )
    for item in c.state.open_items("questions"):
        short = _short(item.entry)
        yield Nudge(
            f"question-unanswered:{item.entry.id}",
            INFO,
            (item.entry.id,),
            f"Question {short} {_clip(item.entry)} was never answered: answer it with "
            f"ij answer {short} TEXT, or carry it into the review as an open question.",
        )
    yield from _review(c)


def _review(c: _Ctx) -> Iterator[Nudge]:
    resolved = c.state.milestones.resolved or c.state.status_changes[-1].at
    if c.review_written or c.now - resolved < c.limits.review_after:
        return
    yield Nudge(
        "review-missing",
        INFO,
        (),
        "Resolved, and no review written yet: start the draft with ij review --write while "
        "memories are fresh, and book the review meeting.",
    )


def _streams(c: _Ctx) -> Iterator[Nudge]:
    """A workstream without a lead; one with open work and no entry for a while."""
    if c.state.is_resolved or not any(e.kind is Kind.STREAM for e in c.state.entries):
        return
    from incjournal.core.streams import streams_of

    for stream in streams_of(c.state):
        if not stream.is_open:
            continue
        if not stream.lead:
            yield Nudge(
                f"stream-no-lead:{stream.name}",
                WARN,
                (stream.opened.id,),
                f"Stream {stream.name} has no lead: name who drives it, so that its work has one "
                f"owner — ij stream lead {stream.name} NAME.",
            )
        idle = c.now - stream.last.at
        if stream.open_work and idle >= c.limits.stream_idle_after:
            who = stream.lead or "whoever is on it"
            yield Nudge(
                f"stream-idle:{stream.name}",
                WARN,
                (stream.last.id,),
                f"Stream {stream.name} has {stream.open_work} open item(s) and no entry for "
                f"{human_duration(idle)}: is anyone stuck? Ask {who} for a 30-second status and "
                f"note it with ij note -s {stream.name} TEXT.",
            )


# --- small helpers -------------------------------------------------------------------------------


def _escalating(age: timedelta, limit: timedelta) -> str:
    """warn at the threshold, urgent at twice the threshold."""
    return URGENT if age >= 2 * limit else WARN


def _short(entry: Entry) -> str:
    return entry.id[:6]


def _clip(entry: Entry) -> str:
    line = first_line(entry.text)
    return f"“{line if len(line) <= CLIP else line[: CLIP - 1].rstrip() + '…'}”"


_RULES: tuple[Callable[[_Ctx], Iterator[Nudge]], ...] = (
    _updates,
    _no_ic,
    _mitigate_first,
    _impact,
    _public_stale,
    _overdue_actions,
    _unowned,
    _stale_hypotheses,
    _streams,
    _after_resolution,
)
