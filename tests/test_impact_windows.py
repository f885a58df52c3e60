"""Issue 15 points 1 and 2: customer impact per window (a relapse opens a new one), apart from how
long the incident is open; every confirmed hypothesis a cause, in the order confirmed.

The scenario: three responders, two confirmed causes, a relapse after monitoring. Customers were
affected 09:12-09:39 and 11:02-11:05 (30m in two windows); the incident was open 09:12-13:03 (3h
51m)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from conftest import Run, entry_id, ij_subprocess, snapshot
from hypothesis import given
from hypothesis import strategies as st

from incjournal.core.fold import fold, impact_windows
from incjournal.core.model import Entry, IncidentMeta, Kind

T0 = datetime(2026, 12, 2, 9, 12, tzinfo=UTC)
ALICE, BOB, CAROL = (
    "Alice Chen <alice@example.com>",
    "Bob Okafor <bob@example.com>",
    "Carol Diaz <carol@example.com>",
)
WINDOWS = "09:12–09:39, 11:02–11:05 UTC"
IMPACT = f"customers were affected 30m in two windows: {WINDOWS}"
POOL, CACHE = "connection pool exhausted after the deploy", "cache stampede on warm-up"


def at(hh_mm: str) -> datetime:
    hours, minutes = map(int, hh_mm.split(":"))
    return T0.replace(hour=hours, minute=minutes)


class Story:
    """The relapse scenario written through the real CLI, the clock moved for every step."""

    def __init__(self, run: Run, traveller: time_machine.Coordinates) -> None:
        self.run, self.traveller = run, traveller

    def __call__(self, hh_mm: str, *args: str, by: str = ALICE) -> str:
        self.traveller.move_to(at(hh_mm))
        return entry_id(self.run(*args, "--by", by))

    def play(self) -> None:
        self("09:12", "open", "Checkout fails in EU", "--sev", "2", "--ic", "alice", "--id", "co")
        self("09:14", "role", "comms", "bob")
        pool = self("09:15", "hypothesis", POOL, by=BOB)
        dns = self("09:16", "hypothesis", "DNS answers are stale", by=CAROL)
        self("09:18", "sev", "1", "--why", "all EU checkouts fail")
        self("09:20", "impact", "EU customers cannot pay", "--public")
        self("09:30", "confirm", pool, "pool at 5/5", by=BOB)
        self("09:31", "rule-out", dns, by=CAROL)
        self("09:39", "status", "monitoring", "rolled back")
        self("10:00", "sev", "2", "--why", "recovered")
        self("11:02", "status", "investigating", "errors are back", by=CAROL)
        cache = self("11:03", "hypothesis", CACHE, by=CAROL)
        self("11:04", "confirm", cache, by=CAROL)
        self("11:05", "status", "monitoring", "cache warmed")
        self("13:03", "status", "resolved", "an hour and more without errors")
        self.traveller.move_to(at("13:10"))


@pytest.fixture
def story(run: Run) -> Iterator[Run]:
    with time_machine.travel(T0, tick=False) as traveller:
        Story(run, traveller).play()
        yield run


def brief(run: Run, audience: str) -> str:
    return str(run("brief", "--for", audience, "--markdown").stdout)


def test_exec_brief_states_impact_apart_from_the_incident_length_and_every_cause(
    story: Run,
) -> None:
    text = brief(story, "exec")
    assert "- **Status:** Resolved at 13:03 UTC · open for 3h 51m (since 09:12 UTC)" in text
    assert f"- **Customer impact:** {IMPACT} · first mitigated after 27m" in text
    assert (
        f"2 contributing causes confirmed, in order — 1. {POOL}; 2. {CACHE}; "
        "impact mitigated at 11:05 UTC"  # the mitigation that holds, after the relapse
    ) in text
    assert "lasted 3h 51m" not in text


def test_engineering_and_responders_list_the_causes_in_confirmation_order(story: Run) -> None:
    causes = f"**Contributing causes (confirmed, in order):** 1. {POOL}; 2. {CACHE}"
    engineering = brief(story, "engineering")
    assert causes in engineering
    assert f"**Customer impact:** {IMPACT} · incident open for 3h 51m." in engineering
    responders = brief(story, "responders")
    assert causes in responders
    assert "| Incident | open for 3h 51m (since 09:12 UTC) |" in responders
    assert f"| Customer impact | {IMPACT} |" in responders
    assert "| Mitigated | 09:39 UTC (TTM 27m) |" in responders  # TTM keeps its meaning
    assert "| Resolved | 13:03 UTC (TTR 3h 51m) |" in responders


def test_public_facing_briefs_give_the_impact_windows_not_the_incident_length(
    story: Run,
) -> None:
    for audience in ("public", "support"):
        text = brief(story, audience)
        assert f"- **Customers affected:** {WINDOWS} (30m in total)" in text
        assert "3h 51m" not in text
        assert POOL not in text  # causes are internal


def test_show_handoff_review_and_export_state_windows_total_and_open_length(
    story: Run,
) -> None:
    show = story("show", "--markdown").stdout
    assert "| Open for | 3h 51m |" in show
    assert f"| Customer impact | {IMPACT} |" in show
    handoff = story("handoff").stdout
    assert f"| Customer impact | {IMPACT} |" in handoff
    believed = handoff.split("## What we believe (confirmed causes, in order)\n")[1]
    assert believed.index(POOL) < believed.index(CACHE)
    review = story("review").stdout
    assert "the incident was open for 3h 51m; customers were affected 30m in two windows: " in (
        review
    )
    assert "| 2 | 2026-12-02 11:02 UTC | 2026-12-02 11:05 UTC | 3m |" in review
    factors = review.split("## Contributing factors")[1]
    assert factors.index(f"1. {POOL}") < factors.index(f"2. {CACHE}")
    exported = json.loads(story("export", "--format", "json").stdout)["state"]
    assert exported["impact_windows"] == [
        {"window": 1, "start": "2026-12-02T09:12:00Z", "end": "2026-12-02T09:39:00Z"},
        {"window": 2, "start": "2026-12-02T11:02:00Z", "end": "2026-12-02T11:05:00Z"},
    ]
    assert (exported["impact_s"], exported["open_s"]) == (30 * 60, 231 * 60)
    assert exported["metrics"]["ttm_s"] == 27 * 60
    markdown = story("export", "--format", "markdown").stdout
    assert "The incident was open for 3h 51m; customers were affected 30m" in markdown


def test_while_customers_are_affected_again_the_window_is_open(run: Run) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        tell = Story(run, traveller)
        tell("09:12", "open", "Checkout fails", "--id", "co")
        tell("09:39", "status", "monitoring")
        tell("11:02", "status", "identified")
        traveller.move_to(at("11:10"))
        text = brief(run, "exec")
        public = brief(run, "public")
    assert "- **Status:** Identified · open for 1h 58m (since 09:12 UTC)" in text
    assert "customers affected 35m so far in two windows: 09:12–09:39, 11:02–now UTC" in text
    assert "- **Customers affected:** 09:12–09:39, 11:02–now UTC (35m so far)" in public


def test_mark_corrects_a_window_and_adds_one_found_later(story: Run) -> None:
    story("mark", "mitigated", "--window", "2", "--at", "2026-12-02T11:09Z")
    story("mark", "started", "--window", "3", "--at", "2026-12-02T12:00Z")
    story("mark", "mitigated", "--window", "3", "--at", "2026-12-02T12:10Z")
    exported = json.loads(story("export", "--format", "json").stdout)["state"]
    assert [(w["start"][11:16], w["end"][11:16]) for w in exported["impact_windows"]] == [
        ("09:12", "09:39"),
        ("11:02", "11:09"),
        ("12:00", "12:10"),
    ]
    assert exported["impact_s"] == (27 + 7 + 10) * 60
    assert "customers were affected 44m in three windows" in brief(story, "exec")


def test_mark_refuses_a_window_that_does_not_exist(story: Run, journal_dir: Path) -> None:
    before = snapshot(journal_dir)
    result = story("mark", "mitigated", "--window", "3", "--at", "2026-12-02T12:10Z", code=2)
    assert result.stderr == (
        "ij: error: no impact window 3: this incident has 2 "
        "(`ij mark started --window 3 --at T` adds one)\n"
    )
    result = story("mark", "detected", "--window", "2", code=2)
    assert "--window goes with `started` or `mitigated`" in result.stderr
    assert snapshot(journal_dir) == before


def test_windows_from_the_subprocess_cli(journal_dir: Path) -> None:
    def ij(*args: str) -> str:
        done = ij_subprocess(journal_dir, *args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)

    def iso(minutes: int) -> str:
        return (start + timedelta(minutes=minutes)).isoformat()

    ij("open", "Checkout fails", "--id", "sub", "--at", iso(0))
    ij("status", "monitoring", "--at", iso(20))
    ij("status", "investigating", "--at", iso(60))
    ij("status", "resolved", "--at", iso(65))
    state = json.loads(ij("show", "--json"))
    assert [w["window"] for w in state["impact_windows"]] == [1, 2]
    assert (state["impact_s"], state["open_s"]) == (25 * 60, 65 * 60)
    assert "customers were affected 25m in two windows" in ij("brief", "--for", "exec")


# the fold alone ---------------------------------------------------------------------------------
META = IncidentMeta("2026-12-02-co", "Checkout", T0, ALICE)


def entry(n: int, kind: Kind, hh_mm: str, **fields: object) -> Entry:
    return Entry(f"e{n:07d}", kind, at(hh_mm), at(hh_mm), ALICE, **fields)  # type: ignore[arg-type]


def test_fold_windows_relapse_after_resolve_and_an_unended_window() -> None:
    state = fold(
        META,
        [
            entry(1, Kind.OPEN, "09:12", text="Checkout"),
            entry(2, Kind.STATUS, "09:20", state="identified"),  # still affected
            entry(3, Kind.STATUS, "09:40", state="resolved"),  # resolves without monitoring
            entry(4, Kind.STATUS, "10:00", state="investigating"),  # reopened: a relapse
        ],
    )
    assert [(w.start, w.end) for w in state.impact_windows] == [
        (at("09:12"), at("09:40")),
        (at("10:00"), None),
    ]
    assert state.customers_affected
    assert state.impact_length(at("10:05")) == timedelta(minutes=33)


def test_fold_an_explicit_start_and_mitigation_are_window_one() -> None:
    state = fold(
        META,
        [
            entry(1, Kind.OPEN, "09:12", text="Checkout"),
            entry(2, Kind.MILESTONE, "09:00", milestone="started"),
            entry(3, Kind.MILESTONE, "09:30", milestone="mitigated"),
            entry(4, Kind.STATUS, "09:45", state="monitoring"),
        ],
    )
    assert [(w.start, w.end) for w in state.impact_windows] == [(at("09:00"), at("09:30"))]
    assert state.milestones.ttm == timedelta(minutes=30)


def test_fold_window_marks_out_of_range_are_ignored() -> None:
    ms = fold(META, [entry(1, Kind.OPEN, "09:12", text="x")]).milestones
    marks = {("mitigated", 3): at("10:00"), ("started", 4): at("10:00")}
    assert [w.number for w in impact_windows(ms, [(None, None)], marks)] == [1]


def test_fold_causes_are_in_confirmation_order_not_creation_order() -> None:
    state = fold(
        META,
        [
            entry(1, Kind.OPEN, "09:12", text="x"),
            entry(2, Kind.HYPOTHESIS, "09:13", text="first raised"),
            entry(3, Kind.HYPOTHESIS, "09:14", text="second raised"),
            entry(4, Kind.CONFIRM, "09:20", ref="e0000003"),
            entry(5, Kind.CONFIRM, "09:30", ref="e0000002"),
        ],
    )
    assert [c.entry.text for c in state.causes] == ["second raised", "first raised"]


STATES = ("investigating", "identified", "monitoring", "resolved")


@given(st.lists(st.tuples(st.integers(1, 120), st.sampled_from(STATES)), max_size=12))
def test_fold_windows_are_ordered_apart_and_within_the_incident(
    steps: list[tuple[int, str]],
) -> None:
    """Whatever the status changes, the windows start at `started`, follow one another without
    overlapping, only the last may be open, and the impact never exceeds the incident's length."""
    entries = [entry(0, Kind.OPEN, "09:00", text="x")]
    minutes = 0
    for n, (gap, status) in enumerate(steps, 1):
        minutes += gap
        when = at("09:00") + timedelta(minutes=minutes)
        entries.append(Entry(f"s{n:07d}", Kind.STATUS, when, when, ALICE, state=status))
    state = fold(META, entries)
    windows = state.impact_windows
    assert windows[0].start == state.milestones.started
    assert all(w.end is not None for w in windows[:-1])
    for before, after in zip(windows, windows[1:], strict=False):
        assert before.end is not None and before.end <= after.start
    end = at("09:00") + timedelta(minutes=minutes + 1)
    assert state.impact_length(end) <= end - at("09:00")
    assert state.customers_affected == (state.status not in ("monitoring", "resolved"))


def test_during_a_relapse_no_brief_says_the_mitigation_holds(run: Run) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        story = Story(run, traveller)
        story("09:12", "open", "Checkout fails in EU", "--sev", "2", "--id", "co")
        story("09:20", "impact", "EU customers cannot pay", "--public")
        story("09:39", "status", "monitoring", "rolled back")
        story("11:02", "status", "investigating", "errors are back", by=CAROL)
        traveller.move_to(at("11:04"))
        assert "- **Mitigation:** did not hold: the impact came back at 11:02 UTC" in brief(
            run, "engineering"
        )
        public = brief(run, "public")
        assert "- **Mitigation:** did not hold: the issue came back at 11:02 UTC" in public
        assert "in place since" not in public
        assert "mitigated:" not in brief(run, "support")
        assert "impact mitigated" not in brief(run, "exec")
        story("11:05", "status", "monitoring", "cache warmed")
        traveller.move_to(at("11:10"))
        assert "- **Mitigation:** in place since 11:05 UTC" in brief(run, "engineering")
        assert "**mitigated:** 11:05 UTC" in brief(run, "support")


def test_a_journal_written_up_afterwards_says_only_what_changed_since_each_update(
    run: Run,
) -> None:
    """The whole story typed in after the fact (every entry backdated, in the order it happened):
    the exec update sent at 09:35 was told of the first cause and SEV1, so neither is news."""
    with time_machine.travel(at("14:00"), tick=True):

        def say(hh_mm: str, *args: str) -> str:
            return entry_id(run(*args, "--at", at(hh_mm).isoformat()))

        say("09:12", "open", "Checkout fails in EU", "--sev", "2", "--id", "co")
        pool = say("09:15", "hypothesis", POOL)
        say("09:18", "sev", "1", "--why", "all EU checkouts fail")
        say("09:30", "confirm", pool, "pool at 5/5")
        say("09:35", "update", "exec", "Pool exhausted after the deploy; rolling back.")
        say("09:39", "status", "monitoring", "rolled back")
        say("10:00", "sev", "2", "--why", "recovered")
        say("11:02", "status", "investigating", "errors are back")
        cache = say("11:03", "hypothesis", CACHE)
        say("11:04", "confirm", cache)
        say("11:05", "status", "monitoring", "cache warmed")
        text = brief(run, "exec")
    assert (
        "**Since our last update (09:35 UTC):** status investigating → monitoring; SEV1 → SEV2; "
        f"cause confirmed: {CACHE}." in text
    )


def test_the_exit_criteria_do_not_tick_mitigation_during_a_relapse(run: Run) -> None:
    with time_machine.travel(T0, tick=False) as traveller:
        story = Story(run, traveller)
        story("09:12", "open", "Checkout fails in EU", "--sev", "2", "--id", "co")
        story("09:39", "status", "monitoring", "rolled back")
        story("11:02", "status", "investigating", "errors are back", by=CAROL)
        traveller.move_to(at("11:04"))
        assert "[ ] Customer impact mitigated (not yet)" in brief(run, "responders")
        story("11:05", "status", "monitoring", "cache warmed")
        traveller.move_to(at("11:10"))
        assert "[x] Customer impact mitigated (mitigated at 11:05 UTC)" in brief(run, "responders")


def test_the_review_picture_shows_every_impact_window(story: Run) -> None:
    review = story("review").stdout
    gantt = review.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert "    section Customers affected\n" in gantt
    assert "    Window 1 :crit, i1, 2026-12-02 09:12, 2026-12-02 09:39\n" in gantt
    assert "    Window 2 :crit, i2, 2026-12-02 11:02, 2026-12-02 11:05\n" in gantt


def test_the_review_says_the_impact_came_back(story: Run) -> None:
    review = story("review").stdout
    assert "Impact was first mitigated 27m after it started." in review
    assert (
        "The impact came back once after a mitigation; customers were affected again for 3m."
        in review
    )
