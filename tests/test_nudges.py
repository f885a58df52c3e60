"""Practice nudges: each fires at its threshold and not a minute before, stops when fixed, and
stays quiet while snoozed. States are folded from in-memory entries; the clock is `now`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incjournal.core import config as config_mod
from incjournal.core.errors import BadValue
from incjournal.core.fold import fold
from incjournal.core.model import Entry, IncidentMeta, Kind
from incjournal.core.thresholds import thresholds
from incjournal.nudges import Nudge, candidates, compute, touches
from incjournal.render.nudge_lines import collapsed, compact

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
META = IncidentMeta("2026-11-23-db", "DB down", T0, "alice")
CONFIG = config_mod.from_dict({"timezone": "UTC"})
MIN = timedelta(minutes=1)
_counter = iter(range(10**9))


def at(minute: float) -> datetime:
    return T0 + timedelta(minutes=minute)


def e(kind: Kind, minute: float, text: str = "", **fields: Any) -> Entry:
    n = next(_counter)
    when = at(minute)
    return Entry(
        id=f"x{n:07d}", kind=kind, at=when, recorded_at=when, author="alice", text=text, **fields
    )


def opened(sev: int | None = 2, ic: str | None = "alice") -> Entry:
    return e(Kind.OPEN, 0, "DB down", level=sev, person=ic)


def nudges(
    entries: Sequence[Entry],
    now: datetime,
    config: config_mod.Config = CONFIG,
    review_written: bool = False,
) -> dict[str, Nudge]:
    """The nudges at `now`, from the entries that existed by then."""
    state = fold(META, [x for x in entries if x.at <= now])
    return {n.id: n for n in compute(state, config, now, review_written=review_written)}


# --- one case per nudge: the situation, the moment it fires, and what fixes it ------------------


@dataclass
class Case:
    name: str
    entries: list[Entry]
    nudge_id: str
    fires_at: datetime
    fix: Callable[[datetime], list[Entry]] = lambda when: []
    review_fixes: bool = False
    level: str = ""
    words: tuple[str, ...] = ()


def _minute(when: datetime) -> float:
    return (when - T0).total_seconds() / 60


def _cases() -> list[Case]:
    hyp = e(Kind.HYPOTHESIS, 2, "pool exhaustion after the deploy")
    question = e(Kind.QUESTION, 1, "Did the deploy touch the pool size?")
    action = e(Kind.ACTION, 1, "Check the pool metrics")
    late = e(Kind.ACTION, 1, "Roll back 2026.11.3", owner="bob", due=at(10))
    follow_up = e(Kind.ACTION, 2, "Alert on pool saturation", follow_up=True)
    open_q = e(Kind.QUESTION, 1, "Why did the canary miss it?", owner="bob")
    impact = e(Kind.IMPACT, 1, "30% of EU checkouts fail")
    resolved = e(Kind.STATUS, 40, state="resolved")
    return [
        Case(
            "no incident commander",
            [opened(ic=None)],
            "no-ic",
            at(5),
            lambda w: [e(Kind.ROLE, _minute(w), role="ic", person="bob")],
            level="warn",
            words=("ij role ic",),
        ),
        Case(
            "update due soon",
            [opened()],
            "update-due:exec",
            at(25),  # SEV2 exec cadence 30m; "due" is the last 5 minutes
            lambda w: [e(Kind.UPDATE, _minute(w), "all hands on it", audience="exec")],
            level="info",
            words=("ij brief --for exec", "ij update exec"),
        ),
        Case(
            "update overdue",
            [opened()],
            "update-overdue:exec",
            at(30) + timedelta(seconds=1),
            lambda w: [e(Kind.UPDATE, _minute(w), "still looking", audience="exec")],
            level="urgent",
            words=("overdue", "ij update exec"),
        ),
        Case(
            "no mitigation",
            [opened()],
            "mitigate-first",
            at(30),  # SEV2
            lambda w: [e(Kind.STATUS, _minute(w), state="monitoring")],
            level="warn",
            words=("Mitigate first: is a rollback, failover or feature flag possible?",),
        ),
        Case(
            "stale hypothesis",
            [opened(), hyp],
            f"hypothesis-stale:{hyp.id}",
            at(22),
            lambda w: [e(Kind.NOTE, _minute(w), f"{hyp.id[:4]}: pool at 5/5 busy")],
            level="info",
            words=("30-second status",),
        ),
        Case(
            "unowned question",
            [opened(), question],
            f"unowned:{question.id}",
            at(6),
            lambda w: [e(Kind.ANSWER, _minute(w), "yes", ref=question.id)],
            level="warn",
            words=("no owner", "who will find out"),
        ),
        Case(
            "unowned action",
            [opened(), action],
            f"unowned:{action.id}",
            at(6),
            lambda w: [e(Kind.DONE, _minute(w), ref=action.id)],
            level="warn",
            words=("no owner", "who is doing it"),
        ),
        Case(
            "action past due",
            [opened(), late],
            f"action-overdue:{late.id}",
            at(10) + timedelta(seconds=1),
            lambda w: [e(Kind.DONE, _minute(w), ref=late.id)],
            level="warn",
            words=("check in with bob", f"ij done {late.id[:6]}"),
        ),
        Case(
            "impact missing",
            [opened()],
            "impact-missing",
            at(10),  # SEV2
            lambda w: [e(Kind.IMPACT, _minute(w), "checkouts fail for 30% of EU")],
            level="warn",
            words=("ij impact",),
        ),
        Case(
            "impact older than a severity change",
            [opened(), impact, e(Kind.SEVERITY, 3, level=1)],
            "impact-stale",
            at(13),
            lambda w: [e(Kind.IMPACT, _minute(w), "all EU checkouts fail")],
            level="warn",
            words=("the change to SEV1", "still accurate"),
        ),
        Case(
            "public text older than the status",
            [opened(), e(Kind.STATUS, 4, state="identified")],
            "public-stale",
            at(14),
            lambda w: [e(Kind.NOTE, _minute(w), "We found the cause.", visibility="public")],
            level="warn",
            words=("identified", "--public"),
        ),
        Case(
            "follow-up without owner at resolution",
            [opened(), follow_up, resolved],
            f"followup-unowned:{follow_up.id}",
            at(40),
            lambda w: [e(Kind.DONE, _minute(w), ref=follow_up.id)],
            level="warn",
            words=("Name one before the review",),
        ),
        Case(
            "question never answered",
            [opened(), open_q, resolved],
            f"question-unanswered:{open_q.id}",
            at(40),
            lambda w: [e(Kind.ANSWER, _minute(w), "canary only covers US", ref=open_q.id)],
            level="info",
            words=(f"ij answer {open_q.id[:6]}",),
        ),
        Case(
            "no review",
            [opened(), resolved],
            "review-missing",
            at(40),
            review_fixes=True,
            level="info",
            words=("ij review --write",),
        ),
    ]


CASES = _cases()


@pytest.fixture(params=CASES, ids=[c.name for c in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    case: Case = request.param
    return case


def test_fires_at_its_threshold_and_not_a_minute_before(case: Case) -> None:
    assert case.nudge_id not in nudges(case.entries, case.fires_at - MIN)
    fired = nudges(case.entries, case.fires_at)[case.nudge_id]
    assert fired.level == case.level
    for words in case.words:
        assert words in fired.message


def test_stops_when_the_condition_is_fixed(case: Case) -> None:
    fixed = case.entries + case.fix(case.fires_at + MIN)
    later = case.fires_at + 2 * MIN
    assert case.nudge_id in nudges(case.entries, later)
    assert case.nudge_id not in nudges(fixed, later, review_written=case.review_fixes)


def test_silent_while_snoozed_and_back_when_the_snooze_expires(case: Case) -> None:
    until = case.fires_at + 2 * MIN
    snooze = e(Kind.SNOOZE, _minute(case.fires_at), nudge=case.nudge_id, until=until)
    entries = [*case.entries, snooze]
    assert case.nudge_id not in nudges(entries, case.fires_at)
    assert case.nudge_id not in nudges(entries, until - timedelta(seconds=1))
    assert case.nudge_id in nudges(entries, until)
    state = fold(META, entries)
    assert case.nudge_id in {n.id for n in candidates(state, CONFIG, case.fires_at)}


def test_every_message_names_its_entries_and_reads_as_advice(case: Case) -> None:
    fired = nudges(case.entries, case.fires_at)[case.nudge_id]
    subject = case.nudge_id.partition(":")[2]
    if subject.startswith("x"):  # an entry id
        assert fired.entries[0] == subject and subject[:6] in fired.message
    assert fired.message[0].isupper() and fired.message.endswith((".", "?"))


# --- details of single nudges --------------------------------------------------------------------


def test_no_ic_and_mitigate_first_escalate_to_urgent_at_twice_the_threshold() -> None:
    entries = [opened(ic=None)]
    assert nudges(entries, at(10) - MIN)["no-ic"].level == "warn"
    assert nudges(entries, at(10))["no-ic"].level == "urgent"
    assert nudges(entries, at(60) - MIN)["mitigate-first"].level == "warn"
    assert nudges(entries, at(60))["mitigate-first"].level == "urgent"


@pytest.mark.parametrize(("sev", "minutes"), [(1, 15), (2, 30), (3, 60), (4, 240), (None, 30)])
def test_mitigate_first_threshold_follows_severity(sev: int | None, minutes: int) -> None:
    entries = [opened(sev=sev)]
    assert "mitigate-first" not in nudges(entries, at(minutes) - MIN)
    assert "mitigate-first" in nudges(entries, at(minutes))


def test_mitigate_first_counts_from_detection_and_stops_at_a_marked_mitigation() -> None:
    early = [opened(sev=1), e(Kind.MILESTONE, -10, milestone="detected")]
    assert "mitigate-first" in nudges(early, at(5))
    identified = [opened(sev=1), e(Kind.STATUS, 5, state="identified")]
    assert "identified" in nudges(identified, at(15))["mitigate-first"].message
    marked = [*identified, e(Kind.MILESTONE, 16, milestone="mitigated")]
    assert "mitigate-first" not in nudges(marked, at(17))


def test_escalation_after_a_severity_change_uses_the_new_threshold() -> None:
    entries = [opened(sev=3), e(Kind.SEVERITY, 1, level=1)]
    assert "mitigate-first" in nudges(entries, at(15))


def test_update_overdue_after_resolution_asks_for_the_final_update_calmly() -> None:
    entries = [opened(), e(Kind.STATUS, 20, state="resolved")]
    found = nudges(entries, at(50) + timedelta(seconds=1))
    assert found["update-overdue:exec"].level == "warn"
    assert "final exec update" in found["update-overdue:exec"].message
    assert "update-overdue:engineering" not in found  # 60m cadence: not yet


def test_a_hypothesis_is_touched_by_ref_mention_or_tag_but_not_by_chance() -> None:
    hyp = e(Kind.HYPOTHESIS, 0, "DNS")
    assert touches(e(Kind.AMEND, 1, "DNS in eu-west", ref=hyp.id), hyp.id)
    assert touches(e(Kind.NOTE, 1, f"re {hyp.id[:3].upper()}: resolvers fine"), hyp.id)
    assert touches(e(Kind.NOTE, 1, "dig output", tags=(hyp.id,)), hyp.id)
    assert touches(e(Kind.DECISION, 1, "drain", why=f"see {hyp.id}"), hyp.id)
    assert not touches(e(Kind.NOTE, 1, f"{hyp.id[:2]} is too short to count"), hyp.id)
    assert not touches(e(Kind.NOTE, 1, f"inside a word: q{hyp.id[:5]}z"), hyp.id)


def test_a_touch_restarts_the_stale_clock_and_a_struck_touch_does_not() -> None:
    hyp = e(Kind.HYPOTHESIS, 2, "DNS")
    note = e(Kind.NOTE, 15, f"{hyp.id[:5]} resolvers look fine")
    key = f"hypothesis-stale:{hyp.id}"
    assert key not in nudges([opened(), hyp, note], at(35) - MIN)
    assert key in nudges([opened(), hyp, note], at(35))
    struck = e(Kind.STRIKE, 16, ref=note.id, why="wrong incident")
    assert key in nudges([opened(), hyp, note, struck], at(22))


def test_closed_hypotheses_and_resolved_incidents_do_not_go_stale() -> None:
    hyp = e(Kind.HYPOTHESIS, 2, "DNS")
    ruled_out = e(Kind.RULE_OUT, 3, "resolvers fine", ref=hyp.id)
    assert not any(
        k.startswith("hypothesis-stale") for k in nudges([opened(), hyp, ruled_out], at(60))
    )
    resolved = e(Kind.STATUS, 4, state="resolved")
    assert not any(
        k.startswith("hypothesis-stale") for k in nudges([opened(), hyp, resolved], at(60))
    )


def test_owned_work_and_follow_ups_during_the_incident_are_not_unowned() -> None:
    owned = e(Kind.QUESTION, 1, "pool size?", owner="bob")
    follow_up = e(Kind.ACTION, 1, "add an alert", follow_up=True)
    found = nudges([opened(), owned, follow_up], at(30))
    assert not any(k.startswith("unowned") for k in found)


def test_impact_after_a_status_change_is_current() -> None:
    entries = [
        opened(),
        e(Kind.IMPACT, 1, "slow"),
        e(Kind.STATUS, 5, state="identified"),
        e(Kind.IMPACT, 5, "slow, fix known"),
    ]
    assert "impact-stale" not in nudges(entries, at(30))
    stale = nudges(entries[:3], at(15))["impact-stale"]
    assert "the move to identified at 10:05" in stale.message
    assert stale.entries == (entries[1].id, entries[2].id)


def test_a_public_status_entry_or_public_update_keeps_public_text_current() -> None:
    public_status = e(
        Kind.STATUS, 4, "We found the cause.", state="identified", visibility="public"
    )
    assert "public-stale" not in nudges([opened(), public_status], at(30))
    status = e(Kind.STATUS, 4, state="identified")
    update = e(Kind.UPDATE, 6, "Cause found; fixing.", audience="public")
    assert "public-stale" not in nudges([opened(), status, update], at(30))
    internal = e(Kind.UPDATE, 6, "Cause found.", audience="exec")
    assert "public-stale" in nudges([opened(), status, internal], at(30))


def test_no_public_audience_means_no_public_stale_nudge() -> None:
    config = config_mod.from_dict(
        {
            "timezone": "UTC",
            "audiences": {"support": {"public": False}, "public": {"public": False}},
        }
    )
    found = nudges([opened(), e(Kind.STATUS, 4, state="identified")], at(30), config)
    assert "public-stale" not in found


def test_active_phase_nudges_stop_at_resolution() -> None:
    question = e(Kind.QUESTION, 1, "why?")
    entries = [opened(ic=None), question, e(Kind.STATUS, 2, state="resolved")]
    found = nudges(entries, at(120))
    for gone in ("no-ic", "mitigate-first", f"unowned:{question.id}"):
        assert gone not in found
    assert f"question-unanswered:{question.id}" in found


def test_review_nudge_waits_for_review_after() -> None:
    config = config_mod.from_dict({"timezone": "UTC", "nudges": {"review_after": "1d"}})
    entries = [opened(), e(Kind.STATUS, 40, state="resolved")]
    assert "review-missing" not in nudges(entries, at(40 + 24 * 60) - MIN, config)
    assert "review-missing" in nudges(entries, at(40 + 24 * 60), config)


def test_a_reopened_incident_is_investigated_again() -> None:
    entries = [
        opened(),
        e(Kind.STATUS, 10, state="resolved"),
        e(Kind.STATUS, 20, state="investigating", text="errors are back"),
    ]
    found = nudges(entries, at(21))
    assert "review-missing" not in found
    assert "public-stale" not in found  # its threshold counts from the reopen
    assert "public-stale" in nudges(entries, at(30))


def test_a_later_snooze_replaces_an_earlier_one() -> None:
    entries = [
        opened(ic=None),
        e(Kind.SNOOZE, 5, nudge="no-ic", until=at(60)),
        e(Kind.SNOOZE, 6, nudge="no-ic", until=at(7)),
    ]
    assert "no-ic" in nudges(entries, at(7))


# --- configuration -------------------------------------------------------------------------------


def test_thresholds_defaults_per_severity() -> None:
    sev1, sev4 = thresholds(CONFIG, 1), thresholds(CONFIG, 4)
    assert (sev1.mitigate_after, sev4.mitigate_after) == (timedelta(minutes=15), timedelta(hours=4))
    assert (sev1.impact_after, sev4.impact_after) == (timedelta(minutes=5), timedelta(minutes=30))
    assert sev1.hypothesis_stale == sev4.hypothesis_stale == timedelta(minutes=20)
    assert sev1.no_ic_after == timedelta(minutes=5)


def test_thresholds_from_config_a_duration_or_a_table_per_severity() -> None:
    config = config_mod.from_dict(
        {
            "timezone": "UTC",
            "nudges": {"mitigate_after": {"1": "5m", "3": "1h"}, "hypothesis_stale": "45m"},
        }
    )
    assert thresholds(config, 1).mitigate_after == timedelta(minutes=5)
    assert thresholds(config, 2).mitigate_after == timedelta(minutes=5)  # nearest, the worse one
    assert thresholds(config, 4).mitigate_after == timedelta(hours=1)
    assert thresholds(config, 2).hypothesis_stale == timedelta(minutes=45)
    assert "mitigate-first" in nudges([opened(sev=1)], at(5), config)


def test_disabled_turns_a_kind_of_nudge_off() -> None:
    config = config_mod.from_dict(
        {"timezone": "UTC", "nudges": {"disabled": ["update-overdue", "no-ic"]}}
    )
    found = nudges([opened(ic=None)], at(45), config)
    assert not any(k.startswith("update-overdue") or k == "no-ic" for k in found)
    assert "mitigate-first" in found


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"mitigate_after": "soon"}, "[nudges] mitigate_after: cannot read duration 'soon'"),
        ({"mitigate_after": {"one": "5m"}}, "[nudges] mitigate_after: 'one' is not a severity"),
        ({"mitigate_after": 5}, '[nudges] mitigate_after: use a duration like "20m"'),
        ({"hypothesis_stael": "5m"}, "[nudges]: unknown key 'hypothesis_stael'"),
        ({"disabled": "no-ic"}, "[nudges] disabled: use a list"),
    ],
)
def test_bad_nudge_config_is_one_clear_error(table: dict[str, Any], message: str) -> None:
    config = config_mod.from_dict({"timezone": "UTC", "nudges": table})
    with pytest.raises(BadValue) as err:
        compute(fold(META, [opened()]), config, at(1))
    assert message in str(err.value)


# --- ordering, output shapes ---------------------------------------------------------------------


def test_most_pressing_first_and_stable_ids() -> None:
    hyp = e(Kind.HYPOTHESIS, 1, "DNS")
    found = compute(fold(META, [opened(ic=None), hyp]), CONFIG, at(45))
    levels = [n.level for n in found]
    assert levels == sorted(levels, key=["urgent", "warn", "info"].index)
    assert [n.id for n in found][:3] == [
        "update-overdue:responders",
        "update-overdue:exec",
        "update-overdue:public",
    ]


def test_compute_is_pure() -> None:
    state = fold(META, [opened(ic=None), e(Kind.QUESTION, 1, "why?")])
    assert compute(state, CONFIG, at(45)) == compute(state, CONFIG, at(45))


def test_nothing_to_say_right_after_opening() -> None:
    assert nudges([opened()], at(1)) == {}
    assert compact([]) == ""


def test_compact_is_a_few_markdown_lines_with_user_text_escaped() -> None:
    question = e(Kind.QUESTION, 1, "is *pool* | size [5]?\n- second line")
    found = compute(fold(META, [opened(ic=None), question]), CONFIG, at(45))
    text = compact(found, limit=3)
    lines = text.splitlines()
    shown = collapsed(found)  # the three overdue updates are one line
    assert len(lines) == 4 and lines[-1] == f"- … and {len(shown) - 3} more: see ij nudges"
    assert lines[0].startswith(
        "- **urgent** update-overdue: Updates are overdue to responders (15m late), exec (15m "
        "late), public (15m late): send each a short one now — “still investigating, next "
        "update at …” is a fine update; then record each with ij update AUDIENCE."
    )
    mine = compact([n for n in found if n.id.startswith("unowned")])
    assert "`*pool*` \\| size `[5]`?" in mine and "second line" not in mine


def test_to_json() -> None:
    nudge = nudges([opened(ic=None)], at(6))["no-ic"]
    assert nudge.to_json() == {
        "id": "no-ic",
        "level": "warn",
        "entries": [],
        "message": nudge.message,
    }
    assert nudge.kind == "no-ic"
    assert Nudge("update-due:exec", "info", (), "").kind == "update-due"


def test_entries_after_now_do_not_count_as_touches() -> None:
    hyp = e(Kind.HYPOTHESIS, 2, "DNS")
    state = fold(META, [opened(), hyp, e(Kind.NOTE, 30, f"{hyp.id}: resolvers fine")])
    assert f"hypothesis-stale:{hyp.id}" in {n.id for n in compute(state, CONFIG, at(22))}
    assert f"hypothesis-stale:{hyp.id}" not in {n.id for n in compute(state, CONFIG, at(31))}


_ID_CHARS = "abcdefgh0123"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.text(_ID_CHARS, min_size=8, max_size=8), min_size=1, max_size=4, unique=True),
    st.lists(
        st.tuples(
            st.lists(st.text(_ID_CHARS + "XY -:", max_size=10), max_size=4),
            st.integers(0, 3),
            st.booleans(),
        ),
        max_size=12,
    ),
)
def test_the_last_touch_of_each_hypothesis_is_what_touches_says(
    ids: list[str], notes: list[tuple[list[str], int, bool]]
) -> None:
    """The one-pass search (words looked up among id prefixes, entries skipped when their text
    holds no first three characters of any target) finds the touches `touches` finds one by one."""
    from incjournal.nudges.hypotheses import _last_touches

    targets = [
        Entry(id=i, kind=Kind.HYPOTHESIS, at=at(n), recorded_at=at(n), author="a", text="h")
        for n, i in enumerate(ids)
    ]
    later = []
    for n, (words, pick, by_ref) in enumerate(notes):
        target = ids[pick % len(ids)]
        text = " ".join(w.replace("X", target[:3]).replace("Y", target[:5].upper()) for w in words)
        ref = target if by_ref and n % 3 == 0 else None
        later.append(e(Kind.NOTE, 10 + n, text, ref=ref))
    state = fold(META, [opened(), *targets, *later])
    now = at(100)
    expected = {
        t.id: max([t.at, *(x.at for x in later if x.id != t.id and touches(x, t.id))])
        for t in targets
    }
    assert _last_touches(state, targets, now) == expected
