"""Audience briefs: golden renders of a realistic incident, templates, errors, and the CLI.

Golden files live in tests/golden/briefs/; after a deliberate change, regenerate them with
`INCJOURNAL_UPDATE_GOLDEN=1 pytest tests/test_briefs.py` and read every diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from brief_fixture import (
    ALICE,
    META,
    NOW,
    active_state,
    at,
    entry,
    make_journal,
    resolved_state,
)
from conftest import Run, git, snapshot

from incjournal.core.errors import BadValue, CorruptFile
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Kind
from incjournal.render.briefs import audience_names, render_brief
from incjournal.store.journal import Journal

GOLDEN = Path(__file__).parent / "golden" / "briefs"
BUILT_IN = ["responders", "engineering", "support", "exec", "public"]


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Journal:
    return make_journal(tmp_path_factory.mktemp("briefs") / "journal")


def early_state() -> IncidentState:
    return active_state().state_at(at("10:51"))


STATES = {
    "early": (early_state, at("10:51")),
    "active": (active_state, NOW),
    "resolved": (resolved_state, at("11:50")),
}


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / f"{name}.md"
    if os.environ.get("INCJOURNAL_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text(), f"{path.name} changed; regenerate and review the diff"


@pytest.mark.parametrize("moment", list(STATES))
@pytest.mark.parametrize("audience", BUILT_IN)
def test_golden_brief(journal: Journal, audience: str, moment: str) -> None:
    make, now = STATES[moment]
    check_golden(f"{moment}-{audience}", render_brief(journal, make(), audience, now))


def test_audience_names_are_the_configured_ones_built_ins_first(journal: Journal) -> None:
    assert audience_names(journal.config) == BUILT_IN


@pytest.mark.parametrize("moment", list(STATES))
@pytest.mark.parametrize("audience", BUILT_IN)
def test_briefs_are_tidy_markdown(journal: Journal, audience: str, moment: str) -> None:
    make, now = STATES[moment]
    text = render_brief(journal, make(), audience, now)
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert "\n\n\n" not in text
    assert text.startswith("# ")
    assert not re.search(r"[ \t]+$", text, re.M)


def test_honest_about_what_is_not_known(journal: Journal) -> None:
    text = render_brief(journal, early_state(), "exec", at("10:51"))
    assert "the cause — investigating: DB connection pool exhausted" in text
    assert "- **ETA:** no ETA yet" in text
    public = render_brief(journal, early_state(), "public", at("10:51"))
    assert "We do not have an estimate for a full fix yet." in public
    assert "- **Next update:** by 11:21 UTC." in public  # SEV2: every 30 minutes to the public


def test_exec_brief_fits_on_one_screen_even_when_busy(journal: Journal) -> None:
    busy = list(active_state().entries)
    long = "a long sentence about what happened and why it matters " * 8
    for n in range(40):
        for kind in (Kind.DECISION, Kind.RISK, Kind.QUESTION, Kind.HYPOTHESIS, Kind.ACTION):
            busy.append(entry(100 + n * 10 + len(busy) % 10, kind, "11:07", f"{n} {long}"))
    state = fold(META, busy)
    for moment_state in (state, resolved_state(), early_state()):
        text = render_brief(journal, moment_state, "exec", NOW + timedelta(minutes=1))
        assert len(text.splitlines()) <= 25, text
        assert max(len(line) for line in text.splitlines()) <= 420


@pytest.mark.parametrize("audience", BUILT_IN)
def test_every_brief_renders_for_an_empty_or_odd_incident(journal: Journal, audience: str) -> None:
    empty = fold(META, [])
    odd = fold(
        META, [entry(1, Kind.STATUS, "10:50", state="escalated"), entry(2, Kind.NOTE, "10:51")]
    )
    for state in (empty, odd):
        text = render_brief(journal, state, audience, NOW)
        assert text.startswith("# ") and "\n\n\n" not in text
        assert not re.search(r"[ \t]+$", text, re.M)
    if audience == "public":
        # the time the status became what it is, not the time of reading
        assert "**Update** · 10:50 UTC\n" in render_brief(journal, odd, audience, NOW)


def test_commands_only_in_the_responders_brief(journal: Journal) -> None:
    state = early_state()
    responders = render_brief(journal, state, "responders", at("10:51"))
    assert "Alice Example ran `$ kubectl -n checkout get pods` → exit 0, 0.8s" in responders
    assert "  ```text\n  NAME" in responders  # the output block stays inside its list item
    for audience in ("engineering", "support", "exec", "public"):
        assert "kubectl" not in render_brief(journal, state, audience, at("10:51"))


def test_time_zone_of_the_journal(tmp_path: Path) -> None:
    berlin = make_journal(tmp_path / "berlin", tz="Europe/Berlin")
    text = render_brief(berlin, active_state(), "public", NOW)
    assert "- **Started:** 11:40 CET" in text


def test_unknown_audience_is_a_clear_error(journal: Journal) -> None:
    with pytest.raises(BadValue, match=r"unknown audience 'board': use one of responders, "):
        render_brief(journal, active_state(), "board", NOW)
    with pytest.raises(BadValue, match="unknown audience"):
        render_brief(journal, active_state(), "../exec", NOW)


def add_audience(root: Path, name: str, body: str, public: bool) -> Journal:
    config = root / "incjournal.toml"
    config.write_text(
        config.read_text() + f"\n[audiences.{name}]\npublic = {str(public).lower()}\n"
    )
    (root / "templates").mkdir(exist_ok=True)
    (root / "templates" / f"{name}.md.j2").write_text(body)
    return Journal(root)


def test_journal_template_overrides_a_built_in(tmp_path: Path) -> None:
    journal = make_journal(tmp_path / "j")
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "exec.md.j2").write_text(
        "# {{ title }} for the board\n{{ status_label }}; impact: {{ impact.text }}\n"
    )
    text = render_brief(journal, active_state(), "exec", NOW)
    assert text.startswith("# Checkout errors in EU for the board\nIdentified; impact: About 30%")


def test_journal_adds_an_internal_audience(tmp_path: Path) -> None:
    journal = add_audience(
        make_journal(tmp_path / "j").root,
        "legal",
        "# Legal: {{ title }}\n{% for d in decisions %}- {{ d.text }} ({{ d.author }})\n"
        "{% endfor %}",
        public=False,
    )
    assert "legal" in audience_names(journal.config)
    text = render_brief(journal, active_state(), "legal", NOW)
    assert "- Roll back checkout-api to release 2026.11.2 in the EU (Alice Example)" in text


def test_templates_read_item_lists_like_tuples(tmp_path: Path) -> None:
    body = (
        "{{ decisions[-1].text }}|{{ decisions | length }}|{{ (decisions | last).at }}|"
        "{% for d in decisions[:1] %}{{ d.author }}{% endfor %}|{{ decisions[99] is undefined }}|"
        "{{ decisions | map(attribute='id') | join(',') }}|{{ follow_ups | length }}\n"
    )
    journal = add_audience(make_journal(tmp_path / "j").root, "legal", body, public=False)
    state = active_state()
    decisions = state.decisions
    follow_ups = [i for i in state.open_items("actions") if i.entry.follow_up]
    text = render_brief(journal, state, "legal", NOW)
    assert text == (
        f"{decisions[-1].text}|{len(decisions)}|{decisions[-1].at:%H:%M} UTC|Alice Example|True|"
        + ",".join(d.id[:6] for d in decisions)
        + f"|{len(follow_ups)}\n"
    )


def test_public_facing_custom_audience_gets_only_the_public_view(tmp_path: Path) -> None:
    journal = add_audience(
        make_journal(tmp_path / "j").root, "statuspage", "# {{ headline }}\n\n{{ title }}\n", True
    )
    with pytest.raises(CorruptFile) as err:
        render_brief(journal, active_state(), "statuspage", NOW)
    assert str(err.value) == ("templates/statuspage.md.j2:3: template error: 'title' is undefined")


def test_configured_audience_without_template(tmp_path: Path) -> None:
    journal = add_audience(make_journal(tmp_path / "j").root, "board", "x", public=False)
    (journal.root / "templates" / "board.md.j2").unlink()
    with pytest.raises(BadValue, match=r"no template for audience 'board': write templates/"):
        render_brief(journal, active_state(), "board", NOW)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("# ok\n{% for x in messages %}\n{{ x }\n", ":3: template error: unexpected '}'"),
        ("# ok\n\n{% if %}\n", ":3: template error: Expected an expression"),
        ("# ok\n{{ headline | nosuchfilter }}\n", ":2: template error: No filter named"),
        ("# ok\n\n\n{{ headline.__class__ }}\n", ":4: template error: access to attribute"),
        ("# ok\n{{ 1 // 0 }}\n", ":2: template error: integer division or modulo by zero"),
        ('{% include "nope.md.j2" %}\n', ":1: template error: no template named 'nope.md.j2'"),
    ],
)
def test_broken_template_names_file_and_line(tmp_path: Path, body: str, message: str) -> None:
    journal = make_journal(tmp_path / "j")
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "public.md.j2").write_text(body)
    with pytest.raises(CorruptFile) as err:
        render_brief(journal, active_state(), "public", NOW)
    assert str(err.value).startswith("templates/public.md.j2" + message), str(err.value)


def test_every_output_is_escaped_unless_the_template_writes_markdown(tmp_path: Path) -> None:
    journal = make_journal(tmp_path / "j")
    hostile = dataclasses.replace(META, title="# Title *bold* <b>x</b> | [l](u)\n---")
    state = fold(hostile, active_state().entries)
    (journal.root / "templates").mkdir()
    (journal.root / "templates" / "exec.md.j2").write_text("**{{ title }}**\n")
    text = render_brief(journal, state, "exec", NOW)
    # code-like words go in backticks as they are; a table pipe is escaped
    assert text == r"**\# Title `*bold*` `<b>x</b>` \| `[l](u)` ---**" + "\n"


# CLI --------------------------------------------------------------------------------------------


def test_brief_cli_prints_raw_markdown_when_piped(run: Run, incident: str) -> None:
    run("impact", "Checkout fails for 1 in 3 customers", "--public")
    out = run("brief", "--for", "public").stdout
    assert out.startswith("# Service disruption\n\n**Investigating** · ")
    assert "- **Impact:** Checkout fails for 1 in 3 customers" in out
    assert run("brief").stdout.startswith("# SEV2 Checkout errors in EU\n")  # responders


def test_brief_write_commits_the_status_file_and_later_writes_keep_it_current(
    run: Run, journal_dir: Path, incident: str
) -> None:
    result = run("brief", "--for", "public", "--write")
    path = f"incidents/{incident}/status/public.md"
    assert result.stdout.startswith(f"wrote {path} (commit ")
    assert git(journal_dir, "show", "--name-only", "--format=%s", "HEAD").split("\n")[:3] == [
        f"{incident}: brief: status/public.md",
        "",
        path,
    ]
    assert run("brief", "--for", "public", "--write").stdout == f"{path} is already current\n"
    run("status", "identified", "We found the cause and are fixing it.", "--public")
    assert path in git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    written = (journal_dir / path).read_text()
    assert "**Identified**" in written and "We found the cause and are fixing it." in written
    assert git(journal_dir, "status", "--porcelain") == ""


def test_one_public_rule_for_brief_write_print_and_derived_status(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("brief", "--for", "support", "--write")
    path = journal_dir / "incidents" / incident / "status" / "support.md"
    kept = path.read_text()
    run("note", "Failover to 10.0.0.7 done", "--public", "--allow-lint")
    assert path.read_text() == kept  # the derived status file never takes the finding
    before = snapshot(journal_dir)
    refused = run("brief", "--for", "public", "--write", code=2)
    assert refused.stderr == (
        "ij: error: refused: the brief for public has 1 public-lint finding(s): IP address "
        f"'10.0.0.7' at 12-20 in entry {_last_id(journal_dir, incident)}; reword it (or amend "
        "the entries it quotes), or pass --allow-lint\n"
    )
    assert snapshot(journal_dir) == before
    printed = run("brief", "--for", "public", code=1)
    assert "Failover to 10.0.0.7 done" in printed.stdout
    assert printed.stderr.startswith("ij: warning: public lint: IP address '10.0.0.7'")
    assert run("brief", "--for", "exec").stderr == ""  # internal: no lint
    allowed = run("brief", "--for", "public", "--write", "--allow-lint")
    assert allowed.stdout.startswith(f"wrote incidents/{incident}/status/public.md (commit ")
    assert "public lint: IP address" in allowed.stderr


def _last_id(journal_dir: Path, incident: str) -> str:
    newest = sorted((journal_dir / "incidents" / incident / "entries").glob("*.toml"))[-1]
    return str(tomllib.loads(newest.read_text())["id"])


def test_public_rule_end_to_end_in_a_real_process(journal_dir: Path) -> None:
    from conftest import ij_subprocess

    ij_subprocess(journal_dir, "open", "Slow search", "--sev", "3")
    before = snapshot(journal_dir)
    refused = ij_subprocess(journal_dir, "update", "public", "search-3.internal is slow")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("ij: error: refused: the update to public has 1 public-lint")
    assert snapshot(journal_dir) == before
    sent = ij_subprocess(journal_dir, "update", "public", "Search is slow; we are on it.")
    assert sent.returncode == 0, sent.stderr
    shown = ij_subprocess(journal_dir, "brief", "--for", "public")
    assert shown.returncode == 0 and "Search is slow; we are on it." in shown.stdout


def test_plain_note_without_written_briefs_does_not_load_jinja(journal_dir: Path) -> None:
    from conftest import ij_subprocess

    ij_subprocess(journal_dir, "open", "Slow search", "--sev", "3")
    probe = ij_subprocess(
        journal_dir, "note", "search p99 at 3s", env={"PYTHONPROFILEIMPORTTIME": "1"}
    )
    assert probe.returncode == 0, probe.stderr
    assert "jinja2" not in probe.stderr


def test_brief_cli_bad_inputs(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    result = run("brief", "--for", "board", code=2)
    assert result.stderr.splitlines() == [
        "ij: error: unknown audience 'board': use one of responders, engineering, support, exec, "
        "public (a new one needs [audiences.NAME] in incjournal.toml and templates/NAME.md.j2)"
    ]
    run("brief", "--for", "board", "--write", code=2)
    (journal_dir / "templates").mkdir()
    (journal_dir / "templates" / "exec.md.j2").write_text("# x\n{{ nope }}\n")
    result = run("brief", "--for", "exec", "--write", code=2)
    assert result.stderr == (
        "ij: error: templates/exec.md.j2:2: template error: 'nope' is undefined\n"
    )
    (journal_dir / "templates" / "exec.md.j2").unlink()
    (journal_dir / "templates").rmdir()
    assert snapshot(journal_dir) == before


def test_compiled_templates_are_cached_per_clone_and_never_stale(
    journal_dir: Path, incident: str
) -> None:
    from conftest import ij_subprocess

    compiled = git_dir(journal_dir) / "incjournal" / "cache" / "templates"
    first = ij_subprocess(journal_dir, "brief", "--for", "exec")
    assert first.returncode == 0, first.stderr
    assert list(compiled.glob("*.cache"))
    heading = first.stdout.splitlines()[0]
    assert ij_subprocess(journal_dir, "brief", "--for", "exec").stdout.startswith(heading)
    (journal_dir / "templates").mkdir()
    override = journal_dir / "templates" / "exec.md.j2"
    for body in ("# first {{ title }}\n", "# second {{ title }}\n"):
        override.write_text(body)
        shown = ij_subprocess(journal_dir, "brief", "--for", "exec").stdout
        assert shown == body.replace("{{ title }}", "Checkout errors in EU")
    override.unlink()
    shutil.rmtree(compiled)  # safe to delete: compiled again on the next run
    assert ij_subprocess(journal_dir, "brief", "--for", "exec").stdout.startswith(heading)
    assert git(journal_dir, "status", "--porcelain") == ""  # nothing in the worktree


def git_dir(root: Path) -> Path:
    return root / git(root, "rev-parse", "--git-dir").strip()


def test_broken_template_never_blocks_a_write(run: Run, journal_dir: Path, incident: str) -> None:
    run("brief", "--for", "exec", "--write")
    status = journal_dir / "incidents" / incident / "status" / "exec.md"
    old = status.read_text()
    (journal_dir / "templates").mkdir()
    (journal_dir / "templates" / "exec.md.j2").write_text("{% if %}")
    run("note", "still recorded")
    assert status.read_text() == old
    assert "still recorded" in git(journal_dir, "log", "-1", "--format=%s")


def test_update_defaults_to_the_rendered_brief(run: Run, journal_dir: Path, incident: str) -> None:
    run("impact", "Checkout fails for 1 in 3 customers", "--public")
    result = run("update", "exec", "--next", "20m")
    assert result.stdout.startswith("update to exec: ")
    [path] = sorted((journal_dir / "incidents" / incident / "entries").glob("*.toml"))[-1:]
    data = tomllib.loads(path.read_text())
    assert data["kind"] == "update" and data["audience"] == "exec"
    assert data["text"].startswith("# SEV2 · Checkout errors in EU\n_Executive summary")
    dues = {d["audience"]: d for d in json.loads(run("due", "--json").stdout)}
    assert dues["exec"]["next_due"] == data["next_at"]


def test_update_public_refuses_lint_findings_unless_allowed(
    run: Run, journal_dir: Path, incident: str
) -> None:
    run("note", "db-7.internal is down, ping alice", "--public", "--allow-lint")
    before = snapshot(journal_dir)
    result = run("update", "public", code=2)
    [line] = result.stderr.splitlines()
    assert line.startswith("ij: error: refused: the update to public has 2 public-lint finding(s):")
    assert "hostname 'db-7.internal' at 0-13 in entry" in line and "person 'alice'" in line
    assert line.endswith("or pass --allow-lint")
    typed = run("update", "support", "Looking at the IP 10.1.2.3", code=2).stderr
    assert typed.startswith("ij: error: refused: the update to support has 1 public-lint finding")
    assert snapshot(journal_dir) == before
    clean = run("update", "public", "We are investigating.")
    assert clean.stderr == ""  # a clean text needs nothing more, and gets no warning
    allowed = run("update", "public", "--allow-lint")
    assert "ij: warning: public lint: hostname 'db-7.internal'" in allowed.stderr
    run("update", "exec", "db-7.internal is down, ping alice")  # internal: no lint


def test_update_bad_inputs(run: Run, journal_dir: Path, incident: str) -> None:
    before = snapshot(journal_dir)
    assert "unknown audience 'board'" in run("update", "board", "x", code=2).stderr
    assert (
        "cannot read duration 'soon'" in run("update", "exec", "x", "--next", "soon", code=2).stderr
    )
    assert snapshot(journal_dir) == before


def test_public_entry_with_lint_findings_is_refused_unless_allowed(
    run: Run, journal_dir: Path, incident: str
) -> None:
    before = snapshot(journal_dir)
    refused = run("note", "Mail ops@example.com or see OPS-1234", "--public", code=2)
    assert refused.stderr == (
        "ij: error: refused: the public note has 2 public-lint finding(s): e-mail address "
        "'ops@example.com' at 5-20 in entry "
        + refused.stderr.split("in entry ")[1].split(";")[0]
        + "; ticket 'OPS-1234' at 28-36 in entry "
        + refused.stderr.split("in entry ")[2].split(";")[0]
        + "; reword it (or amend the entries it quotes), or pass --allow-lint\n"
    )
    assert snapshot(journal_dir) == before
    result = run("note", "Mail ops@example.com or see OPS-1234", "--public", "--allow-lint")
    assert result.stderr.splitlines() == [
        "ij: warning: public lint: e-mail address 'ops@example.com' at 5-20 in entry "
        + result.stdout.split()[1],
        "ij: warning: public lint: ticket 'OPS-1234' at 28-36 in entry " + result.stdout.split()[1],
    ]
    assert run("note", "Mail ops@example.com or see OPS-1234").stderr == ""  # internal


def test_brief_warns_about_what_a_public_post_is_missing(run: Run, incident: str) -> None:
    run("impact", "pool exhausted on checkout-db-3")
    run("status", "resolved")
    result = run("brief", "--for", "public")
    assert result.stderr.splitlines() == [
        "ij: warning: the current impact statement is internal, so public-facing briefs show none:"
        " state it in plain words with `ij impact TEXT --public`",
        "ij: warning: nothing public says whether any data was lost or impact lingers: "
        "`ij note 'No data was lost; no lingering impact remains.' --public`",
    ]
    assert "checkout-db-3" not in result.stdout


def test_default_author_is_never_in_a_public_brief(run: Run, incident: str) -> None:
    run("note", "We are looking into slow checkouts.", "--public")
    for audience in ("public", "support"):
        out = run("brief", "--for", audience).stdout
        assert "Alice" not in out and "alice" not in out and ALICE not in out
