"""`ij search`: case-insensitive, one incident or all, hits marked, JSON with stable keys."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Run, entry_id
from terminal import run_in_pty

from incjournal.search import FieldMatch, marked, snippet


def two_incidents(run: Run) -> dict[str, str]:
    run("open", "Checkout errors", "--sev", "2", "--id", "checkout")
    ids = {
        "hyp": entry_id(run("hypothesis", "Connection POOL exhausted")),
        "decision": entry_id(run("decide", "Roll back", "--why", "the pool size changed")),
        "note": entry_id(run("note", "DNS answers look right")),
    }
    run("open", "Search is slow", "--sev", "3", "--id", "search")
    ids["other"] = entry_id(run("note", "pool of workers saturated"))
    return ids


def test_case_insensitive_in_the_current_incident(run: Run) -> None:
    ids = two_incidents(run)
    out = run("search", "Pool", "-i", "checkout").stdout.splitlines()
    assert len(out) == 2
    assert ids["hyp"][:6] in out[0] and "Connection **POOL** exhausted" in out[0]
    assert ids["decision"][:6] in out[1] and "[why] the **pool** size changed" in out[1]


def test_all_searches_every_incident_and_names_it(run: Run) -> None:
    two_incidents(run)
    out = run("search", "pool", "--all").stdout.splitlines()
    assert len(out) == 3
    assert sum(line.split()[0].endswith("-checkout") for line in out) == 2
    assert out[-1].split()[0].endswith("-search") and "**pool** of workers" in out[-1]


def test_kind_filters_and_a_bad_kind_is_exit_2(run: Run) -> None:
    two_incidents(run)
    out = run("search", "pool", "--all", "--kind", "decision").stdout.splitlines()
    assert len(out) == 1 and "decision" in out[0]
    bad = run("search", "pool", "--kind", "gossip", code=2)
    assert bad.stderr.startswith("ij: error: unknown kind 'gossip': use one of open, note")


def test_no_match_exits_1_like_grep(run: Run) -> None:
    two_incidents(run)
    result = run("search", "kafka", "--all", code=1)
    assert result.stdout == ""
    assert result.stderr == "no entries match 'kafka'\n"
    assert json.loads(run("search", "kafka", "--json", code=1).stdout) == []


def test_empty_query_is_bad_input(run: Run) -> None:
    two_incidents(run)
    result = run("search", "  ", code=2)
    assert result.stderr == "ij: error: empty query: say what to look for, e.g. ij search 'pool'\n"


def test_json_has_stable_keys(run: Run) -> None:
    ids = two_incidents(run)
    [hit] = json.loads(run("search", "dns", "--json", "-i", "checkout").stdout)
    assert sorted(hit) == ["entry", "incident", "matches"]
    assert hit["incident"].endswith("-checkout")
    assert hit["entry"]["id"] == ids["note"] and hit["entry"]["kind"] == "note"
    assert hit["matches"] == {"text": [[0, 3]]}


def test_corrected_view_amended_text_found_struck_entries_not(run: Run) -> None:
    ids = two_incidents(run)
    run("amend", ids["note"][:5], "DNS answers are stale in eu-west-1", "-i", "checkout")
    run("strike", ids["hyp"][:5], "--why", "wrong incident", "-i", "checkout")
    assert "**stale**" in run("search", "stale", "-i", "checkout").stdout
    out = run("search", "pool", "-i", "checkout").stdout
    assert ids["hyp"][:6] not in out and ids["decision"][:6] in out


def test_snippet_keeps_the_hit_in_view_of_a_long_text() -> None:
    text = "x" * 200 + " the needle " + "y" * 200
    start = text.index("needle")
    line, spans = snippet(FieldMatch("text", text, ((start, start + 6),)), width=60)
    assert len(line) == 60 and line.startswith("…") and line.endswith("…")
    assert marked(line, spans).count("**needle**") == 1


def test_on_a_terminal_hits_are_highlighted_not_starred(run: Run, journal_dir: Path) -> None:
    two_incidents(run)
    shown = run_in_pty(journal_dir, "search", "pool", "-i", "checkout")
    assert shown.code == 0
    assert "**" not in shown.output
    assert "\x1b[1;30;43mPOOL" in shown.output  # bold black on yellow
