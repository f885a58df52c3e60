"""The update cadence clock (explicit `now`, no sleeping) and `ij due` / `ij show`'s countdown."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import Run, git

from incjournal.core.cadence import due_updates
from incjournal.core.config import from_dict
from incjournal.core.fold import fold
from incjournal.core.model import Entry, IncidentMeta, Kind
from incjournal.render.due import due_line, due_view

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
META = IncidentMeta("2026-11-23-x", "X", T0, "A <a@x.org>")
CONFIG = from_dict({})


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def e(n: int, kind: Kind, minutes: float, **fields: object) -> Entry:
    return Entry(f"id{n:05d}", kind, at(minutes), at(minutes), "A <a@x.org>", **fields)  # type: ignore[arg-type]


OPEN_SEV2 = e(0, Kind.OPEN, 0, text="X", level=2)


def clocks(entries: list[Entry], minutes: float, config: object = CONFIG) -> dict[str, tuple]:
    state = fold(META, entries)
    return {
        d.audience: (d.state, d.next_due, d.remaining)
        for d in due_updates(state, config, at(minutes))  # type: ignore[arg-type]
    }


def test_clock_starts_at_detection_with_the_severity_cadence() -> None:
    now = clocks([OPEN_SEV2], 20)
    assert now["exec"] == ("ok", at(30), timedelta(minutes=10))
    assert now["public"] == ("ok", at(30), timedelta(minutes=10))
    assert now["engineering"] == ("ok", at(60), timedelta(minutes=40))  # twice the cadence
    assert now["support"][1] == at(60)
    assert clocks([OPEN_SEV2], 25)["exec"][0] == "due"  # within 5 minutes
    assert clocks([OPEN_SEV2], 30)["exec"][0] == "due"
    assert clocks([OPEN_SEV2], 30.5)["exec"] == ("overdue", at(30), timedelta(seconds=-30))


def test_a_detected_mark_moves_the_start() -> None:
    detected = e(1, Kind.MILESTONE, -20, milestone="detected")
    assert clocks([OPEN_SEV2, detected], 5)["exec"][1] == at(10)


def test_an_update_restarts_that_audience_only() -> None:
    sent = e(1, Kind.UPDATE, 25, text="sent", audience="exec")
    now = clocks([OPEN_SEV2, sent], 40)
    assert now["exec"] == ("ok", at(55), timedelta(minutes=15))
    assert now["public"][0] == "overdue"


def test_next_promised_overrides_the_cadence() -> None:
    sent = e(1, Kind.UPDATE, 25, text="sent", audience="exec", next_at=at(35))
    assert clocks([OPEN_SEV2, sent], 30)["exec"] == ("due", at(35), timedelta(minutes=5))


def test_severity_changes_the_cadence() -> None:
    sev1 = e(1, Kind.SEVERITY, 5, level=1)
    now = clocks([OPEN_SEV2, sev1], 10)
    assert now["exec"][1] == at(15) and now["engineering"][1] == at(30)


def test_configured_cadences() -> None:
    config = from_dict(
        {
            "severities": {"2": {"cadence": "20m"}},
            "audiences": {
                "exec": {"cadence": "10m"},
                "public": {"cadence": {"2": "45m"}},
                "board": {"cadence": "2h"},
            },
        }
    )
    now = clocks([OPEN_SEV2], 1, config)
    assert now["exec"][1] == at(10)
    assert now["public"][1] == at(45)
    assert now["responders"][1] == at(20)
    assert now["engineering"][1] == at(40)
    assert now["board"][1] == at(120)
    assert list(now) == ["responders", "engineering", "support", "exec", "public", "board"]


def test_no_severity_means_no_clock() -> None:
    unrated = e(0, Kind.OPEN, 0, text="X")
    assert {s for s, _, _ in clocks([unrated], 500).values()} == {"none"}


def test_after_resolution_one_final_update_is_owed() -> None:
    resolved = e(1, Kind.STATUS, 50, state="resolved")
    before = e(2, Kind.UPDATE, 45, text="nearly", audience="exec")
    now = clocks([OPEN_SEV2, before, resolved], 60)
    assert now["exec"] == ("ok", at(80), timedelta(minutes=20))  # resolve + cadence
    final = e(3, Kind.UPDATE, 55, text="all clear", audience="exec")
    assert clocks([OPEN_SEV2, before, resolved, final], 60)["exec"] == ("none", None, None)
    reopened = e(4, Kind.STATUS, 70, state="investigating")
    assert clocks([OPEN_SEV2, before, resolved, final, reopened], 75)["exec"][1] == at(85)


def test_due_line_reads_like_a_countdown() -> None:
    state = fold(META, [OPEN_SEV2, e(1, Kind.UPDATE, 5, text="x", audience="exec")])
    lines = [due_line(due_view(d, CONFIG.tz, at(33))) for d in due_updates(state, CONFIG, at(33))]
    assert lines[0] == "responders: OVERDUE, 3m overdue (was due 10:30 UTC); none sent yet"
    assert lines[3] == "exec: due in 2m (10:35 UTC); last sent 10:05 UTC"
    assert lines[1] == "engineering: next in 27m (11:00 UTC); none sent yet"
    assert lines[4].startswith("public (public): OVERDUE")


# CLI ---------------------------------------------------------------------------------------------


def test_due_exits_1_when_an_update_is_overdue(run: Run, journal_dir: Path) -> None:
    run("open", "Slow search", "--sev", "2", "--at", "40m ago", "--id", "search")
    result = run("due", code=1)
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("responders: OVERDUE, 10m overdue (was due ")
    assert lines[1].startswith("engineering: next in 19m") or lines[1].startswith(
        "engineering: next in 20m"
    )
    for audience in ("responders", "exec", "public"):
        run("update", audience, f"{audience} told", "--next", "30m")
    result = run("due")
    assert "OVERDUE" not in result.stdout


def test_due_json_and_all(run: Run, journal_dir: Path) -> None:
    run("open", "Old one", "--sev", "3", "--at", "3h ago", "--id", "old")
    run("open", "New one", "--sev", "1", "--id", "new")
    data = json.loads(run("due", "--json").stdout)  # the current one, "new", is on time
    assert len(data) == 5 and all(d["incident"].endswith("-new") for d in data)
    assert data[0] == data[0] | {"audience": "responders", "public": False, "state": "ok"}
    assert data[0]["cadence_s"] == 900 and data[0]["last_update"] is None
    assert set(data[0]) == {
        "incident",
        "audience",
        "public",
        "state",
        "next_due",
        "last_update",
        "remaining_s",
        "cadence_s",
    }
    every = run("due", "--all", code=1).stdout.splitlines()
    assert any("-old: responders: OVERDUE" in line for line in every)
    assert any("-new: exec: next in 1" in line for line in every)


def test_due_nothing_owed(run: Run, journal_dir: Path) -> None:
    run("open", "Unrated", "--id", "unrated")
    assert run("due").stdout == "no update is owed\n"
    assert json.loads(run("due", "--json").stdout) == []


def test_show_counts_down_but_the_committed_page_does_not(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("update", "exec", "first update", "--next", "25m")
    shown = run("show").stdout
    assert "## Next updates" in shown
    assert "- exec: next in 2" in shown and "last sent" in shown
    page = (journal_dir / "incidents" / incident / "README.md").read_text()
    assert "Next updates" not in page and "OVERDUE" not in page
    assert git(journal_dir, "status", "--porcelain") == ""
