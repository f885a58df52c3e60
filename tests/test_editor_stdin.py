"""TEXT like `git commit`: omitted on a terminal opens $VISUAL/$EDITOR; '-' reads stdin."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from conftest import Run, entry_id, snapshot
from terminal import run_in_pty

from incjournal.cli.editor import edit_text, strip_comments, template
from incjournal.core.errors import BadValue

PODS = (
    "Pods after the deploy:\n"
    "NAME          READY   STATUS\n"
    "checkout-1    0/1     CrashLoopBackOff\n"
    "  indented line kept\n"
)


def editor_script(tmp_path: Path, body: str, name: str = "fake-editor") -> Path:
    """A stand-in for vim: saves what it was shown to seen.txt, then writes `body` (or exits)."""
    script = tmp_path / name
    seen = tmp_path / f"{name}.seen"
    script.write_text(f'#!/bin/sh\ncp "$1" "{seen}"\n{body}\n')
    script.chmod(0o755)
    return script


def only_entry_text(journal: Path, entry: str) -> str:
    [path] = journal.glob(f"incidents/*/entries/*-{entry}.toml")
    return str(tomllib.loads(path.read_text())["text"])


def test_template_names_the_entry_kind_and_where_it_goes() -> None:
    text = template("decision", ["Incident: 2026-11-23-checkout — Checkout errors"])
    assert text.startswith("\n# Write the decision above.")
    assert "an empty decision aborts and records nothing" in text
    assert "# Incident: 2026-11-23-checkout — Checkout errors\n" in text


def test_comment_lines_and_surrounding_blank_lines_go_inside_stays() -> None:
    raw = "\n\nfirst line\n\n  indented\n# a comment\nlast   \n\n# Write the note above.\n"
    assert strip_comments(raw) == "first line\n\n  indented\nlast"


def test_edit_text_runs_the_editor_on_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = editor_script(tmp_path, "printf 'db is slow\\n# not this\\n' > \"$1\"")
    monkeypatch.setenv("EDITOR", str(script))
    assert edit_text("note", ["Command:  ij note"]) == "db is slow"
    assert "# Command:  ij note" in (tmp_path / "fake-editor.seen").read_text()


def test_visual_wins_over_editor_unless_the_terminal_is_dumb(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    visual = editor_script(tmp_path, 'echo from visual > "$1"', "visual")
    editor = editor_script(tmp_path, 'echo from editor > "$1"', "editor")
    monkeypatch.setenv("VISUAL", str(visual))
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.setenv("TERM", "xterm")
    assert edit_text("note") == "from visual"
    monkeypatch.setenv("TERM", "dumb")
    assert edit_text("note") == "from editor"


def test_an_editor_that_fails_or_cannot_start_records_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "false")
    with pytest.raises(BadValue, match="exited with 1: nothing recorded"):
        edit_text("note")
    monkeypatch.setenv("EDITOR", str(tmp_path / "no-such-editor"))
    with pytest.raises(BadValue, match="cannot start editor"):
        edit_text("note")


def test_on_a_terminal_omitted_text_opens_the_editor_with_a_template(
    tmp_path: Path, journal_dir: Path, incident: str
) -> None:
    script = editor_script(tmp_path, f"cat > \"$1\" <<'EOF'\n{PODS}# ignored\nEOF")
    shown = run_in_pty(journal_dir, "note", env={"EDITOR": str(script)})
    assert shown.code == 0, shown.output
    assert "noted" in shown.output
    seen = (tmp_path / "fake-editor.seen").read_text()
    assert f"# Incident: {incident} — Checkout errors in EU" in seen
    assert "# Command:  ij note" in seen
    entry = shown.output.split("noted ")[1].split()[0]
    assert only_entry_text(journal_dir, entry) == PODS.rstrip("\n")


def test_an_empty_editor_result_aborts_like_git(
    tmp_path: Path, journal_dir: Path, incident: str
) -> None:
    before = snapshot(journal_dir)
    shown = run_in_pty(journal_dir, "decide", "--why", "x", env={"EDITOR": "true"})
    assert shown.code == 2
    assert "ij: error: aborting: the decision is empty, nothing recorded" in shown.output
    assert snapshot(journal_dir) == before


def test_no_incident_fails_before_the_editor_opens(tmp_path: Path, journal_dir: Path) -> None:
    script = editor_script(tmp_path, 'echo typed > "$1"')
    shown = run_in_pty(journal_dir, "note", env={"EDITOR": str(script)})
    assert shown.code == 2
    assert "no current incident" in shown.output
    assert not (tmp_path / "fake-editor.seen").exists()


def test_dash_reads_stdin_kept_intact(run: Run, journal_dir: Path, incident: str) -> None:
    note = entry_id(run("note", "-", input=PODS))
    assert only_entry_text(journal_dir, note) == PODS.rstrip("\n")
    [shown] = json.loads(run("timeline", "--kind", "note", "--json").stdout)
    assert shown["text"] == PODS.rstrip("\n")


def test_multi_line_text_is_rendered_as_a_block(run: Run, journal_dir: Path, incident: str) -> None:
    run("impact", "-", input=PODS)
    page = (journal_dir / "incidents" / incident / "README.md").read_text()
    assert "```text\nPods after the deploy:\nNAME          READY   STATUS\n" in page
    assert "\n  indented line kept\n```" in page
    assert "checkout-1    0/1     CrashLoopBackOff\n" in run("show", "--markdown").stdout


def test_stdin_that_is_not_utf8_is_refused(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    result = run("note", "-", input=b"\xff\xfe binary", code=2)  # type: ignore[arg-type]
    assert (
        result.stderr
        == "ij: error: stdin is not UTF-8 text: store binary output with `ij attach -`\n"
    )
    assert snapshot(journal_dir) == before


def test_empty_stdin_records_nothing(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    result = run("note", "-", input="\n\n", code=2)
    assert result.stderr.startswith("ij: error: empty text")
    assert snapshot(journal_dir) == before
