"""`ij timeline`: the corrected log as text, and as JSON with one entry per line."""

from __future__ import annotations

import json

from conftest import Run


def test_timeline_json_is_an_array_with_one_entry_per_line(run: Run, incident: str) -> None:
    run("note", "pool at 5/5\nsecond line", "--tag", "db")
    run("decide", "scale out", "--why", "cpu")
    out = run("timeline", "--json").stdout
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]" and len(lines) == 2 + 3
    rows = [json.loads(line.removesuffix(",")) for line in lines[1:-1]]
    assert json.loads(out) == rows
    assert [r["kind"] for r in rows] == ["open", "note", "decision"]
    assert rows[1]["text"] == "pool at 5/5\nsecond line" and rows[1]["tags"] == ["db"]


def test_timeline_json_of_nothing_is_an_empty_array(run: Run, incident: str) -> None:
    assert run("timeline", "--json", "--kind", "risk").stdout == "[]\n"
    assert run("timeline", "--kind", "risk").stdout == ""


def test_timeline_text_has_one_line_per_entry(run: Run, incident: str) -> None:
    run("note", "first")
    run("note", "second")
    lines = run("timeline").stdout.splitlines()
    assert len(lines) == 3
    assert lines[1].endswith("first  — Alice Example <alice@example.com>")
    assert "second" in lines[2]
