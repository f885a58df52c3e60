"""The fold is the heart of the journal: state is a pure function of the entries."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from incjournal.core.fold import fold
from incjournal.core.model import Entry, IncidentMeta, Kind

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
META = IncidentMeta("2026-11-23-db", "DB down", T0, "alice")
_counter = iter(range(10**9))


def e(kind: Kind, minute: float, text: str = "", **fields: Any) -> Entry:
    n = next(_counter)
    at = T0 + timedelta(minutes=minute)
    return Entry(
        id=f"e{n:07d}", kind=kind, at=at, recorded_at=at, author="alice", text=text, **fields
    )


def test_open_sets_severity_ic_and_detection() -> None:
    state = fold(META, [e(Kind.OPEN, 0, "DB down", level=2, person="bob")])
    assert (state.status, state.severity, dict(state.roles)) == ("investigating", 2, {"ic": "bob"})
    assert state.milestones.detected == T0 == state.milestones.started
    assert state.milestones.mitigated is None and state.milestones.ttr is None


def test_questions_hypotheses_risks_actions_open_and_close() -> None:
    q, h, r, a = (
        e(Kind.QUESTION, 1, "q?", owner="bob"),
        e(Kind.HYPOTHESIS, 2, "h"),
        e(Kind.RISK, 3, "r"),
        e(Kind.ACTION, 4, "a", owner="carol"),
    )
    closers = [
        e(Kind.ANSWER, 5, "yes", ref=q.id),
        e(Kind.RULE_OUT, 6, "no", ref=h.id),
        e(Kind.RETIRE, 7, ref=r.id),
        e(Kind.DONE, 8, ref=a.id),
    ]
    before = fold(META, [q, h, r, a])
    assert [len(before.open_items(n)) for n in ("questions", "hypotheses", "risks", "actions")] == [
        1,
        1,
        1,
        1,
    ]
    after = fold(META, [q, h, r, a, *closers])
    assert [
        i.outcome for i in after.questions + after.hypotheses + after.risks + after.actions
    ] == ["answer", "rule-out", "retire", "done"]
    assert not any(after.open_items(n) for n in ("questions", "hypotheses", "risks", "actions"))


def test_a_close_referring_to_the_wrong_kind_changes_nothing() -> None:
    q = e(Kind.QUESTION, 1, "q?")
    state = fold(META, [q, e(Kind.DONE, 2, ref=q.id)])
    assert state.questions[0].is_open


def test_milestones_follow_status() -> None:
    entries = [
        e(Kind.OPEN, 0),
        e(Kind.STATUS, 10, state="identified"),
        e(Kind.STATUS, 20, state="monitoring"),
        e(Kind.STATUS, 30, state="monitoring"),
        e(Kind.STATUS, 50, state="resolved"),
    ]
    ms = fold(META, entries).milestones
    assert ms.mitigated == T0 + timedelta(minutes=20)
    assert ms.resolved == T0 + timedelta(minutes=50)
    assert (ms.ttd, ms.ttm, ms.ttr) == (timedelta(0), timedelta(minutes=20), timedelta(minutes=50))


def test_explicit_marks_win_and_backdated_start_moves_metrics() -> None:
    entries = [
        e(Kind.OPEN, 0),
        e(Kind.MILESTONE, 5, milestone="started"),
        e(Kind.STATUS, 20, state="resolved"),
    ]
    backdated = entries[1].__class__(**{**entries[1].__dict__, "at": T0 - timedelta(minutes=12)})
    ms = fold(META, [entries[0], backdated, entries[2]]).milestones
    assert ms.started == T0 - timedelta(minutes=12)
    assert ms.ttd == timedelta(minutes=12)
    assert ms.mitigated == ms.resolved == T0 + timedelta(minutes=20)  # resolved without monitoring


def test_reopen_clears_resolved_and_the_last_resolve_counts() -> None:
    entries = [
        e(Kind.OPEN, 0),
        e(Kind.STATUS, 10, state="resolved"),
        e(Kind.STATUS, 15, state="investigating"),
    ]
    reopened = fold(META, entries)
    assert reopened.reopened and reopened.milestones.resolved is None
    final = fold(META, [*entries, e(Kind.STATUS, 40, state="resolved")])
    assert final.milestones.ttr == timedelta(minutes=40)


def test_latest_impact_role_and_severity_are_current() -> None:
    entries = [
        e(Kind.OPEN, 0, level=3),
        e(Kind.IMPACT, 1, "some users"),
        e(Kind.SEVERITY, 2, level=1),
        e(Kind.IMPACT, 3, "all EU users"),
        e(Kind.ROLE, 4, role="ic", person="alice"),
        e(Kind.ROLE, 5, role="ic", person="dana"),
    ]
    state = fold(META, entries)
    assert state.impact is not None and state.impact.text == "all EU users"
    assert state.severity == 1
    assert state.roles["ic"] == "dana"
    assert [(c.person, c.previous) for c in state.role_history] == [
        ("alice", None),
        ("dana", "alice"),
    ]


def test_amend_corrects_text_and_strike_removes_from_the_view() -> None:
    note, q = e(Kind.NOTE, 1, "p99 4s"), e(Kind.QUESTION, 2, "wrong incident?")
    state = fold(
        META,
        [
            note,
            q,
            e(Kind.AMEND, 3, "p99 2.4s", ref=note.id),
            e(Kind.STRIKE, 4, ref=q.id, why="wrong incident"),
        ],
    )
    live = state.live_entries()
    assert [x.text for x in live] == ["p99 2.4s"]
    assert state.originals[note.id].text == "p99 4s"
    assert state.questions == () and q.id in state.struck


def test_order_is_at_then_recorded_at_then_id() -> None:
    late_typed = e(Kind.STATUS, 5, state="identified")
    backfilled = Entry(
        "zzzzzzzz",
        Kind.STATUS,
        T0 + timedelta(minutes=1),
        T0 + timedelta(minutes=30),
        "bob",
        state="monitoring",
    )
    assert fold(META, [late_typed, backfilled]).status == "identified"


def test_state_at_shows_what_was_known_then() -> None:
    h = e(Kind.HYPOTHESIS, 1, "dns")
    state = fold(
        META,
        [h, e(Kind.DECISION, 2, "fail over", why="dns suspect"), e(Kind.RULE_OUT, 3, ref=h.id)],
    )
    then = state.state_at(state.decisions[0].at)
    assert then.hypotheses[0].is_open and not state.hypotheses[0].is_open


kinds = st.sampled_from(
    [
        Kind.QUESTION,
        Kind.ANSWER,
        Kind.HYPOTHESIS,
        Kind.CONFIRM,
        Kind.ACTION,
        Kind.DONE,
        Kind.STATUS,
        Kind.NOTE,
        Kind.STRIKE,
    ]
)


@given(
    st.lists(st.tuples(kinds, st.integers(0, 500), st.integers(0, 30)), max_size=40), st.randoms()
)
def test_fold_invariants(spec: list[tuple[Kind, int, int]], rnd: random.Random) -> None:
    built: list[Entry] = []
    for i, (kind, minute, target) in enumerate(spec):
        ref = (
            built[target % len(built)].id
            if built and kind in (Kind.ANSWER, Kind.CONFIRM, Kind.DONE, Kind.STRIKE)
            else None
        )
        state = rnd.choice(["investigating", "monitoring", "resolved"])
        built.append(
            Entry(
                f"id{i:06d}",
                kind,
                T0 + timedelta(minutes=minute),
                T0,
                "a",
                "t",
                ref=ref,
                state=state if kind is Kind.STATUS else None,
            )
        )
    shuffled = built[:]
    rnd.shuffle(shuffled)
    state = fold(META, built)
    assert fold(META, shuffled) == state  # order of files on disk never matters
    for item in state.open_items("questions"):  # an answered question is never open
        q = item.entry
        assert not any(
            a.kind is Kind.ANSWER
            and a.ref == q.id
            and a.id not in state.struck
            and a.sort_key() > q.sort_key()
            for a in built
        )
    for item in state.questions:
        assert item.entry.id not in state.struck
    ms = state.milestones
    if ms.mitigated and ms.started:
        assert ms.ttm is not None
    assert (ms.resolved is not None) == (state.status == "resolved")
