"""The `ij watch` screen: layout that fits 80x24, countdowns that turn red, refresh on change."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conftest import Run
from rich.console import Console, RenderableType

from incjournal.cli.watch import Source, frame, to_rich
from incjournal.core.config import from_dict
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Entry, IncidentMeta, Kind
from incjournal.render.dashboard import Screen, countdown, dashboard_lines, plain
from incjournal.store.journal import Journal

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CONFIG = from_dict({"timezone": "UTC"})


def entry(n: int, kind: Kind, text: str = "", minute: float = 0, **fields: object) -> Entry:
    at = T0 + timedelta(minutes=minute)
    return Entry(f"e{n:07d}", kind, at, at, "Bob Okafor <bob@example.com>", text, **fields)  # type: ignore[arg-type]


def busy_state(items: int = 30, notes: int = 40) -> IncidentState:
    meta = IncidentMeta("2026-11-23-checkout", "Checkout errors in EU", T0, "Bob")
    entries = [entry(0, Kind.OPEN, "Checkout errors in EU", level=2, person="Priya")]
    entries += [entry(100 + i, Kind.HYPOTHESIS, f"hypothesis number {i}", 1) for i in range(items)]
    entries += [entry(200 + i, Kind.NOTE, f"note {i} " + "word " * 30, 2 + i) for i in range(notes)]
    entries.append(entry(300, Kind.IMPACT, "About 30% of EU checkouts fail " * 5, 3))
    return fold(meta, entries)


def screen_text(shown: RenderableType, width: int = 80, height: int = 24) -> list[str]:
    """What an 80x24 terminal would show of a renderable."""
    console = Console(width=width, height=height, record=True, file=io.StringIO())
    console.print(shown)
    return console.export_text().splitlines()


def test_a_busy_incident_fits_80_by_24_with_header_and_footer() -> None:
    now = T0 + timedelta(minutes=50)
    lines = dashboard_lines(Screen(busy_state(), CONFIG, now, height=24, width=80))
    shown = screen_text(to_rich(lines))
    assert len(shown) <= 24 and all(len(line) <= 80 for line in shown)
    assert shown[0].startswith("Checkout errors in EU") and "SEV2" in shown[0]
    assert "INVESTIGATING" in shown[0] and shown[0].rstrip().endswith("50m")
    assert shown[-1].startswith("Ctrl-C quits · 10:50:00 · 2026-11-23-checkout")
    recent = shown.index(next(s for s in shown if s.startswith("── Recent")))
    assert len(shown) - 1 - recent - 1 >= 3  # at least three recent entries stay in view
    assert "── Open 30 hypotheses " in plain(lines)


def test_without_a_height_limit_everything_open_is_listed() -> None:
    lines = dashboard_lines(Screen(busy_state(), CONFIG, T0, height=None, live=False))
    text = plain(lines)
    assert text.count("\nHYP ") == 30
    assert "Ctrl-C" not in text


def test_countdown_per_audience_turns_red_when_overdue() -> None:
    state = busy_state(1, 1)
    now = T0 + timedelta(minutes=31, seconds=5)  # SEV2: responders/exec/public every 30m
    lines = dashboard_lines(Screen(state, CONFIG, now))
    text = plain(lines)
    assert "responders OVERDUE 1m 05s" in text
    assert "engineering in 28m 55s" in text  # every 60m
    overdue = [s for line in lines for s in line if s.text.startswith("OVERDUE")]
    assert overdue and all(s.style == "overdue" for s in overdue)
    console = Console(force_terminal=True, color_system="standard", width=80)
    with console.capture() as captured:
        console.print(to_rich(lines))
    assert "\x1b[1;31mOVERDUE 1m 05s" in captured.get()


def test_countdown_format() -> None:
    assert countdown(timedelta(minutes=4, seconds=5)) == "4m 05s"
    assert countdown(timedelta(seconds=42)) == "42s"
    assert countdown(timedelta(hours=1, minutes=20)) == "1h 20m"


def test_no_incident_commander_is_called_out() -> None:
    meta = IncidentMeta("2026-11-23-x", "X", T0, "Bob")
    state = fold(meta, [entry(0, Kind.OPEN, "X")])
    text = plain(dashboard_lines(Screen(state, CONFIG, T0)))
    assert "no incident commander: ij role ic NAME" in text
    assert "no statement yet: ij impact TEXT" in text
    assert "── Open nothing open " in text


def test_watch_once_prints_one_plain_frame(run: Run, incident: str) -> None:
    run("hypothesis", "connection pool exhaustion")
    run("ask", "did the deploy touch the pool?", "--owner", "bob")
    out = run("watch", "--once").stdout
    assert out.startswith("Checkout errors in EU")
    assert "IC alice" in out
    assert "HYP " in out and "connection pool exhaustion" in out
    assert "ASK " in out and "did the deploy touch the pool? — bob" in out
    assert "── Next update " in out and "responders in " in out
    assert "\x1b[" not in out


def test_watch_an_unknown_incident_is_one_line_exit_2(run: Run, incident: str) -> None:
    result = run("watch", "--once", "-i", "nope", code=2)
    assert result.stderr == "ij: error: no incident 'nope': `ij list --all` shows the incidents\n"


def test_source_reloads_only_when_an_entry_file_appears(
    run: Run, journal_dir: Path, incident: str
) -> None:
    source = Source(Journal(journal_dir), None)
    first = source.refresh()
    assert source.refresh() is first  # nothing changed: no re-read
    run("note", "written from another terminal")
    second = source.refresh()
    assert second is not first
    assert second.entries[-1].text == "written from another terminal"


def test_a_broken_file_is_skipped_and_the_screen_says_so(
    run: Run, journal_dir: Path, incident: str
) -> None:
    source = Source(Journal(journal_dir), None)
    good = source.refresh()
    broken = journal_dir / "incidents" / incident / "entries" / "20260101T000000Z-zzzzzzzz.toml"
    broken.write_text("kind = \n")
    assert source.refresh() == good  # the bad file is skipped, and the screen says so
    assert source.status().startswith(f"skipped {broken.relative_to(journal_dir)}:1: not valid")
    shown = screen_text(frame(source, Console(width=80, height=24)))
    assert any(line.startswith("skipped ") for line in shown)


def test_a_small_terminal_keeps_open_items_before_history() -> None:
    lines = dashboard_lines(Screen(busy_state(), CONFIG, T0, height=12, width=60))
    text = plain(lines)
    assert len(lines) <= 12
    assert "HYP  e00001 hypothesis number 0" in text
    assert text.splitlines()[-1].startswith("Ctrl-C quits")


def test_nudges_take_at_most_two_lines_most_pressing_first() -> None:
    nudges = (("urgent", "update-overdue:exec: send one"), ("warn", "b"), ("info", "c"))
    lines = dashboard_lines(Screen(busy_state(1, 1), CONFIG, T0, nudges=nudges))
    text = plain(lines).splitlines()
    assert text[-3:-1] == ["URGENT update-overdue:exec: send one", "… 2 more nudges: ij nudges"]
    two = dashboard_lines(Screen(busy_state(1, 1), CONFIG, T0, nudges=nudges[1:]))
    assert plain(two).splitlines()[-3:-1] == ["WARN   b", "INFO   c"]
