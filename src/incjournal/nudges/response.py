"""Rules for the response under way: an IC, updates on a cadence, mitigate first, work with
owners, a current impact statement, public text that follows the status."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence

from incjournal.core.cadence import Due, due_updates
from incjournal.core.fold import IncidentState, Item
from incjournal.core.model import Entry, Kind
from incjournal.core.times import human_duration
from incjournal.nudges.nudge import INFO, URGENT, WARN, Context, Nudge, clip, escalating, short_id


def no_ic(c: Context) -> Iterator[Nudge]:
    if c.state.is_resolved or c.state.roles.get("ic"):
        return
    age, limit = c.now - c.state.meta.opened_at, c.limits.no_ic_after
    if age >= limit:
        yield Nudge(
            "no-ic",
            escalating(age, limit),
            (),
            f"No incident commander yet, {human_duration(age)} in: ask someone to take the role "
            "so that decisions and updates have one owner — ij role ic NAME.",
        )


def updates(c: Context) -> Iterator[Nudge]:
    for due in due_updates(c.state, c.config, c.now):
        if due.state == "overdue":
            yield _overdue(c, due)
        elif due.state == "due":
            yield _due_soon(c, due)


def _overdue(c: Context, due: Due) -> Nudge:
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


def _due_soon(c: Context, due: Due) -> Nudge:
    assert due.next_due is not None and due.remaining is not None
    aud = due.audience
    return Nudge(
        f"update-due:{aud}",
        INFO,
        _last_update(c, aud),
        f"The {aud} update is due at {c.hhmm(due.next_due)}, in {human_duration(due.remaining)}: "
        f"draft it with ij brief --for {aud}, then record it with ij update {aud}.",
    )


def _last_update(c: Context, audience: str) -> tuple[str, ...]:
    last = c.state.updates.get(audience)
    return (last.id,) if last is not None else ()


def mitigate_first(c: Context) -> Iterator[Nudge]:
    state = c.state
    if state.is_resolved or state.milestones.mitigated is not None:
        return
    since = state.milestones.detected or state.meta.opened_at
    age, limit = c.now - since, c.limits.mitigate_after
    if age >= limit:
        yield Nudge(
            "mitigate-first",
            escalating(age, limit),
            (),
            f"Still {state.status} {human_duration(age)} after detection with no mitigation "
            "recorded. Mitigate first: is a rollback, failover or feature flag possible? "
            "Once the impact stops, ij status monitoring records the mitigation.",
        )


def unowned(c: Context) -> Iterator[Nudge]:
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
            f"{what} {short_id(item.entry)} {clip(item.entry)} has had no owner for "
            f"{human_duration(age)}: {why}",
        )


def _unowned_words(item: Item) -> tuple[str, str]:
    if item.entry.kind is Kind.QUESTION:
        return "Question", "ask who will find out; unowned questions tend to stay open."
    return "Action", "ask who is doing it; work without an owner tends not to happen."


def overdue_actions(c: Context) -> Iterator[Nudge]:
    for item in c.state.open_items("actions"):
        due = item.entry.due
        if due is None or c.now <= due:
            continue
        short, who = short_id(item.entry), item.entry.owner or "whoever is on it"
        yield Nudge(
            f"action-overdue:{item.entry.id}",
            WARN,
            (item.entry.id,),
            f"Action {short} {clip(item.entry)} was due at {c.hhmm(due)}, "
            f"{human_duration(c.now - due)} ago: check in with {who}. If it is done, "
            f"ij done {short}; if not, when will it be?",
        )


def impact(c: Context) -> Iterator[Nudge]:
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


def public_stale(c: Context) -> Iterator[Nudge]:
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
