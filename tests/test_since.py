""" "Since our last update": golden openings for every audience, public ones leaking nothing
internal, the plain "no change", and `ij brief --since T` from the CLI.

Golden files live in tests/golden/since/; regenerate with
`INCJOURNAL_UPDATE_GOLDEN=1 pytest tests/test_since.py` and read every diff.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from brief_fixture import ACTIVE_ENTRIES, BOB, META, at, entry, make_journal, public, ref
from conftest import Run, set_zone

from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Kind
from incjournal.render.briefs import render_brief
from incjournal.store.journal import Journal

GOLDEN = Path(__file__).parent / "golden" / "since"
AUDIENCES = ["responders", "engineering", "support", "exec", "public"]
SECRET = "INTERNAL-ONLY"  # in every internal text written after the updates


def _after_updates() -> IncidentState:
    """The fixture incident, told to every audience at 11:10, then a busy quarter hour."""
    told = [
        entry(40 + n, Kind.UPDATE, "11:10", f"update to {a}", audience=a)
        for n, a in enumerate(AUDIENCES)
    ]
    later = [
        entry(
            50,
            Kind.STREAM,
            "11:12",
            f"replay stuck orders {SECRET}",
            state="open",
            stream="orders",
            person="carol",
        ),  # fmt: skip
        entry(51, Kind.SEVERITY, "11:13", level=2, why=f"error rate below 5% {SECRET}"),
        entry(52, Kind.DONE, "11:14", f"rolled back at 11:13 {SECRET}", ref=ref(17)),
        entry(53, Kind.DECISION, "11:15", f"Keep the old pool size {SECRET}", why="it is tested"),
        entry(54, Kind.RISK, "11:16", f"Retries may double-charge {SECRET}", author=BOB),
        public(
            entry(
                55,
                Kind.STATUS,
                "11:17",
                "A fix is in place; we are watching.",
                state="monitoring",
                author=BOB,
            )
        ),  # fmt: skip
        entry(56, Kind.ANSWER, "11:18", f"No: none stuck {SECRET}", ref=ref(24)),
        public(entry(57, Kind.NOTE, "11:19", "Card payments work again.", tags=("workaround",))),
        entry(58, Kind.NOTE, "11:20", f"pool graphs flat {SECRET}"),
        entry(59, Kind.STREAM, "11:21", f"done {SECRET}", state="closed", stream="orders"),
    ]
    return fold(META, [*ACTIVE_ENTRIES, *told, *later])


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Journal:
    return make_journal(tmp_path_factory.mktemp("since") / "journal")


def _opening(text: str) -> str:
    """The brief's title lines and its since block."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "Since" in line)
    end = start + 2 if lines[start].startswith("## ") else start + 1  # past a heading's blank
    while end < len(lines) and lines[end]:
        end += 1
    return "\n".join(lines[:end]) + "\n"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.md"
    if os.environ.get("INCJOURNAL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{path.name} changed; regenerate and review the diff"


@pytest.mark.parametrize("audience", AUDIENCES)
def test_golden_since_our_last_update(journal: Journal, audience: str) -> None:
    text = render_brief(journal, _after_updates(), audience, at("11:25"))
    _golden(audience, _opening(text))
    if journal.config.audiences[audience].public:
        assert SECRET not in text and "carol" not in text and "orders" not in text.lower()
        assert "Since our last update (11:10 UTC)" in text


def test_the_since_block_leads_the_brief(journal: Journal) -> None:
    for audience in AUDIENCES:
        text = render_brief(journal, _after_updates(), audience, at("11:25"))
        first_heading = next(line for line in text.splitlines()[1:] if line.startswith(("#", "**")))
        assert "Since our last update (11:10 UTC)" in first_heading, (audience, text)


@pytest.mark.parametrize("audience", AUDIENCES)
def test_nothing_changed_is_said_plainly(journal: Journal, audience: str) -> None:
    state = _after_updates().state_at(at("11:10") + timedelta(seconds=30))
    text = render_brief(journal, state, audience, at("11:25"))
    said = {
        "responders": "No change since 11:10 UTC: still identified — Checkout errors in EU.",
        "engineering": "No change since 11:10 UTC: still identified — Checkout errors in EU.",
        "support": "No change since 11:10 UTC: We have identified the cause and are working on",
        "exec": "**Since our last update (11:10 UTC):** no change: still identified.",
        "public": "No change since 11:10 UTC: We have identified the cause and are working on",
    }
    assert said[audience] in text


def test_an_audience_never_updated_gets_no_since_block(journal: Journal) -> None:
    state = fold(META, ACTIVE_ENTRIES[:5])
    assert "Since" not in render_brief(journal, state, "engineering", at("11:25"))


def test_brief_since_any_time_from_the_cli(run: Run, journal_dir: Path) -> None:
    set_zone(journal_dir, "UTC")
    with time_machine.travel(at("10:40"), tick=False):
        run("open", "Replica lag on orders-db", "--sev", "2", "--ic", "alice")
    with time_machine.travel(at("11:00"), tick=False):
        run("decide", "Fail over to replica 2", "--why", "replica 1 is 2h behind")
        run("note", "We moved orders to a healthy database.", "--public")
    with time_machine.travel(at("11:30"), tick=False):
        text = run("brief", "--for", "exec", "--since", "10:50").stdout
        assert "**Since 10:50 UTC:** 1 decision (latest: Fail over to replica 2)." in text
        public = run("brief", "--for", "public", "--since", "10:50").stdout
        assert "## Since 10:50 UTC\n\n- We moved orders to a healthy database.\n" in public
        assert "replica" not in public
        quiet = run("brief", "--for", "responders", "--since", "11:10").stdout
        assert "No change since 11:10 UTC: still investigating — Replica lag on orders-db." in quiet
        bad = run("brief", "--for", "exec", "--since", "yesterday-ish", code=2)
        assert bad.stderr.startswith("ij: error: cannot read time 'yesterday-ish'")
