"""Milestones and TTD / TTM / TTR: the edge cases, through the fold, the renders and the CLI."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Run, set_zone

from incjournal.core.config import from_dict
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Entry, IncidentMeta, Kind
from incjournal.render.metrics import metrics_line, milestone_rows, precise, reopen_note
from incjournal.render.review import review_markdown

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
META = IncidentMeta("2026-03-02-api", "API errors", T0, "alice")
CONFIG = from_dict({"timezone": "UTC"})


_ids = itertools.count()


def e(kind: Kind, minute: float, text: str = "", **fields: Any) -> Entry:
    at = T0 + timedelta(minutes=minute)
    ident = f"m{next(_ids):07d}"
    return Entry(ident, kind, at, fields.pop("recorded", at), "alice", text, **fields)


def status(minute: float, state: str) -> Entry:
    return e(Kind.STATUS, minute, state=state)


def mark(minute: float, milestone: str, recorded: float | None = None) -> Entry:
    rec = T0 + timedelta(minutes=recorded) if recorded is not None else None
    fields: dict[str, Any] = {"milestone": milestone}
    if rec is not None:
        fields["recorded"] = rec
    return e(Kind.MILESTONE, minute, **fields)


def minutes(value: timedelta | None) -> float | None:
    return value.total_seconds() / 60 if value is not None else None


def metrics(state: IncidentState) -> tuple[float | None, float | None, float | None]:
    ms = state.milestones
    return minutes(ms.ttd), minutes(ms.ttm), minutes(ms.ttr)


def test_never_mitigated() -> None:
    state = fold(META, [e(Kind.OPEN, 0, level=2), status(10, "identified")])
    assert metrics(state) == (0, None, None)
    assert metrics_line(state.milestones) == "TTD 0s · TTM — · TTR —"
    review = review_markdown(state, CONFIG)
    assert "| mitigated | — | TTM — | not known yet |" in review
    assert "| resolved | — | TTR — | not known yet |" in review
    assert "mitigated after —, resolved after —" in review


def test_resolved_without_monitoring_counts_the_resolve_as_mitigation() -> None:
    state = fold(META, [e(Kind.OPEN, 0), status(25, "identified"), status(70, "resolved")])
    assert metrics(state) == (0, 70, 70)
    rows = "\n".join(milestone_rows(state, CONFIG.tz))
    assert "| mitigated | 2026-03-02 10:10 UTC | TTM 1h 10m | resolved without monitoring" in rows


def test_monitoring_then_resolved() -> None:
    entries = [e(Kind.OPEN, 0), status(20, "monitoring"), status(30, "monitoring")]
    state = fold(META, [*entries, status(90, "resolved")])
    assert metrics(state) == (0, 20, 90)


def test_backdated_start_moves_every_metric() -> None:
    entries = [e(Kind.OPEN, 0), mark(-40, "started", recorded=15), status(20, "monitoring")]
    state = fold(META, [*entries, status(60, "resolved")])
    assert metrics(state) == (40, 60, 100)
    assert state.milestones.explicit == frozenset({"started"})


def test_explicit_detected_and_mitigated_marks_win() -> None:
    entries = [
        e(Kind.OPEN, 0),
        mark(-5, "detected", recorded=3),
        status(30, "monitoring"),
        mark(12, "mitigated", recorded=40),
    ]
    state = fold(META, entries)
    assert metrics(state) == (0, 17, None)  # started defaults to the marked detection
    assert state.milestones.started == T0 - timedelta(minutes=5)


def test_reopened_after_resolve_ttr_is_the_final_resolve() -> None:
    entries = [e(Kind.OPEN, 0), status(30, "monitoring"), status(60, "resolved")]
    reopened = fold(META, [*entries, status(200, "investigating")])
    assert reopened.reopened
    assert metrics(reopened) == (0, 30, None)
    note = reopen_note(reopened, CONFIG.tz)
    assert note is not None and "It is not resolved now, so TTR is not known." in note
    final = fold(META, [*entries, status(200, "investigating"), status(300, "resolved")])
    assert metrics(final) == (0, 30, 300)
    review = review_markdown(final, CONFIG)
    assert (
        "**Reopened once:** resolved Mon 02 Mar 10:00, reopened Mon 02 Mar 12:20 "
        "(→ investigating). TTR counts to the final resolve." in review
    )


def test_a_repeated_resolved_status_does_not_move_the_resolve_time() -> None:
    entries = [e(Kind.OPEN, 0), status(45, "resolved"), status(120, "resolved")]
    assert metrics(fold(META, entries)) == (0, 45, 45)


def test_a_reopen_clears_an_explicit_resolved_mark() -> None:
    entries = [e(Kind.OPEN, 0), status(30, "resolved"), mark(28, "resolved", recorded=31)]
    assert metrics(fold(META, entries)) == (0, 28, 28)
    reopened = fold(META, [*entries, status(50, "investigating")])
    assert reopened.milestones.resolved is None
    assert metrics(fold(META, [*entries, status(50, "investigating"), status(80, "resolved")])) == (
        0,
        80,
        80,
    )


def test_state_at_gives_the_milestones_known_then() -> None:
    entries = [e(Kind.OPEN, 0), status(30, "monitoring"), status(60, "resolved")]
    then = fold(META, entries).state_at(T0 + timedelta(minutes=40))
    assert metrics(then) == (0, 30, None)


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (None, "—"),
        (timedelta(seconds=42), "42s"),
        (timedelta(minutes=28), "28m"),
        (timedelta(hours=3, minutes=5), "3h 05m"),
        (timedelta(days=1, minutes=48), "1d 0h 48m"),
        (timedelta(days=2, hours=3, minutes=4, seconds=59), "2d 3h 04m"),
        (-timedelta(days=1, hours=1), "-1d 1h 00m"),
    ],
)
def test_precise_durations(delta: timedelta | None, shown: str) -> None:
    assert precise(delta) == shown


# through the CLI -----------------------------------------------------------------------------


def show_json(run: Run) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(run("show", "--json").stdout)
    return data


def test_mark_backdates_the_start_through_the_cli(run: Run, journal_dir: Path) -> None:
    set_zone(journal_dir, "UTC")
    run("open", "API errors", "--sev", "2", "--at", "2026-03-02T09:00:00Z")
    run("mark", "started", "--at", "2026-03-02T08:35:00Z", "first 5xx in the load balancer logs")
    run("status", "monitoring", "--at", "2026-03-02T09:50:00Z")
    run("status", "resolved", "--at", "2026-03-02T10:35:00Z")
    data = show_json(run)
    assert data["milestones"]["started"] == "2026-03-02T08:35:00Z"
    assert data["metrics"] == {"ttd_s": 25 * 60, "ttm_s": 75 * 60, "ttr_s": 120 * 60}
    review = run("review").stdout
    assert "| started | 2026-03-02 08:35 UTC | — | marked (`ij mark`) |" in review
    assert "| resolved | 2026-03-02 10:35 UTC | TTR 2h 00m | last move to resolved |" in review


def test_reopen_through_the_cli(run: Run, journal_dir: object) -> None:
    run("open", "API errors", "--at", "2026-03-02T09:00:00Z")
    run("status", "resolved", "--at", "2026-03-02T09:30:00Z")
    run("status", "investigating", "--at", "2026-03-02T10:00:00Z")
    assert show_json(run)["metrics"] == {"ttd_s": 0, "ttm_s": None, "ttr_s": None}
    run("status", "resolved", "--at", "2026-03-02T11:00:00Z")
    data = show_json(run)
    assert data["reopened"] is True
    assert data["metrics"] == {"ttd_s": 0, "ttm_s": 7200, "ttr_s": 7200}
