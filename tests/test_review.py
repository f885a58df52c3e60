"""`ij review`: the post-incident review draft, its Mermaid picture, and `--write` once."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import Run, git, set_zone, snapshot
from hypothesis import given
from hypothesis import strategies as st
from incident_fixture import CONFIG, ID, at, build, write
from markdown_it import MarkdownIt

from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Kind
from incjournal.render.mermaid import LABEL_LIMIT, gantt, label
from incjournal.render.review import review_markdown

GOLDEN = Path(__file__).parent / "golden" / "review.md"
MERMAID_DIR = os.environ.get("INCJOURNAL_MERMAID_DIR")
_TASK = re.compile(
    r"^    (?P<name>[^:\n%#;]+?) :(?P<tag>crit|active|done|milestone), (?P<id>[pmdi]\d+), "
    r"(?P<start>\d{4}-\d\d-\d\d \d\d:\d\d), (?P<end>\d{4}-\d\d-\d\d \d\d:\d\d|0m)$"
)
_HEADER = ("gantt", "    title ", "    dateFormat ", "    axisFormat ", "    todayMarker off")
HOSTILE = (
    "section evil",
    "click d1 call alert()",
    "title x",
    "a : b ; c %% d # e",
    "line one\ny: z",
    "```",
    "<script>alert(1)</script>",
    "excludes weekends",
    "",
    "#amp; &lt; | ** _x_ [l](http://x)",
    "ümlaut ☃ 日本語",
    "a" * 200,
)


@pytest.fixture(scope="module")
def state() -> IncidentState:
    meta, entries = build()
    return fold(meta, entries)


@pytest.fixture(scope="module")
def review(state: IncidentState) -> str:
    return review_markdown(state, CONFIG)


def mermaid_blocks(markdown: str) -> list[str]:
    tokens = MarkdownIt().parse(markdown)
    return [t.content for t in tokens if t.type == "fence" and t.info.strip() == "mermaid"]


def hostile_state() -> IncidentState:
    """The fixture plus decisions and a title made of text that tries to break the diagram."""
    meta, entries = build()
    last = entries[-1]
    extra = [
        dataclasses.replace(last, id=f"evil{n:04d}", kind=Kind.DECISION, text=text, why="w")
        for n, text in enumerate(HOSTILE)
    ]
    return fold(dataclasses.replace(meta, title="section : %% ; # title\n```"), entries + extra)


# the fixture and the golden file -------------------------------------------------------------


def test_fixture_is_a_realistic_two_day_incident_with_three_ics(state: IncidentState) -> None:
    assert len(state.entries) >= 60
    assert state.entries[-1].at - state.entries[0].at > timedelta(days=1)
    ics = [c.person for c in state.role_history if c.role == "ic"]
    assert ics == ["Alice Chen", "Bob Okafor", "Carol Diaz"]


def test_review_matches_the_golden_file(review: str) -> None:
    """Regenerate with UPDATE_GOLDEN=1 after an intended change, then read the diff."""
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(review)
    assert review == GOLDEN.read_text()


def test_review_has_every_section_in_order(review: str) -> None:
    headings = re.findall(r"^## (.+)$", review, flags=re.M)
    assert headings == [
        "Summary",
        "Impact",
        "Timestamps and metrics",
        "Timeline",
        "Decisions",
        "Hypotheses explored",
        "Questions",
        "Risks",
        "Corrections",
        "Commands run",
        "Contributing factors",
        "What went well, what went poorly, where we got lucky",
        "Follow-up actions",
        "Participants and roles",
        "Appendix: texts in full",
        "Appendix: command output",
    ]


def test_metrics_and_the_reopen_are_stated(review: str) -> None:
    assert "| detected | 2026-11-23 09:40 CET | TTD 28m | when the incident was opened |" in review
    assert "| started | 2026-11-23 09:12 CET | — | marked (`ij mark`) |" in review
    assert "| mitigated | 2026-11-23 10:26 CET | TTM 1h 14m | first move to monitoring |" in review
    assert "| resolved | 2026-11-24 10:00 CET | TTR 1d 0h 48m | last move to resolved |" in review
    assert "**Reopened once:** resolved Mon 23 Nov 12:00, reopened Mon 23 Nov 17:38" in review
    assert "TTR counts to the final resolve." in review


def test_decisions_show_what_was_known_at_that_moment(review: str) -> None:
    first = review.split("### 1. ")[1].split("### 2. ")[0]
    assert "**Why:** errors began with the 09:05 deploy" in first
    assert "Open hypotheses: Connection pool exhaustion in payments-api" in first
    assert "rate-limiting" not in first  # raised hours later: not known then
    assert "DNS resolution failures towards the card processor (ruled out)" in first
    second = review.split("### 2. ")[1].split("### 3. ")[0]
    assert "Open hypotheses: Card processor is rate-limiting our new egress IPs" in second
    assert "Did the processor change our rate limit today? (Dana Kim)" in second


def test_corrections_show_the_original_and_the_corrected_text(review: str) -> None:
    section = review.split("## Corrections")[1].split("## Commands run")[0]
    assert "originally: ~~Processor says the limit change was manual~~" in section
    assert (
        "Processor says the limit change was automatic, triggered by the morning spike" in section
    )
    assert "was struck" in section and "~~Deploy 2026.11.4 started in US-East~~" in section
    timeline = review.split("## Timeline")[1].split("## Decisions")[0]
    assert "US-East" not in timeline  # the corrected view leaves the struck note out


def test_follow_ups_list_owners_and_status(review: str) -> None:
    section = review.split("## Follow-up actions")[1].split("## Participants")[0]
    assert (
        "| Add the 429 rate to the payments dashboard | **unowned** | — | open | follow-up |"
        in (section)
    )
    assert "| Alert on payments-api pool saturation | Erin Walsh |" in section
    assert "Drain in-flight" not in section  # done during the incident, not a follow-up


def test_participants_show_roles_over_time(review: str) -> None:
    assert "| ic | Alice Chen | Mon 23 Nov 09:40 | Mon 23 Nov 17:45 |" in review
    assert "| ic | Bob Okafor | Mon 23 Nov 17:45 | Tue 24 Nov 06:55 |" in review
    assert "| ic | Carol Diaz | Tue 24 Nov 06:55 | the end |" in review


def test_timeline_table_has_one_row_per_live_entry_whatever_the_text(state: IncidentState) -> None:
    text = review_markdown(hostile_state(), CONFIG)
    tokens = MarkdownIt().enable("table").parse(text)
    tables = [i for i, t in enumerate(tokens) if t.type == "table_open"]
    rows = 0
    for start in tables:
        end = next(i for i in range(start, len(tokens)) if tokens[i].type == "table_close")
        head = next(t for t in tokens[start:end] if t.type == "inline").content
        if head == "time":
            rows = sum(1 for t in tokens[start:end] if t.type == "tr_open") - 1
    live = [e for e in hostile_state().live_entries() if e.kind is not Kind.SNOOZE]
    assert rows == len(live)
    assert "<script>" not in re.sub(r"`[^`\n]*`", "", text)  # only inside code spans


# the Mermaid picture: structure, always ------------------------------------------------------


def check_gantt(source: str) -> list[re.Match[str]]:
    lines = source.splitlines()
    for line, prefix in zip(lines, _HEADER, strict=False):
        assert line.startswith(prefix), line
    tasks = []
    for line in lines[len(_HEADER) :]:
        if line.startswith("    section "):
            assert line[len("    section ") :] in (
                "Phases",
                "Customers affected",
                "Milestones",
                "Decisions",
            )
            continue
        match = _TASK.match(line)
        assert match, f"not a task line: {line!r}"
        assert match["name"].strip().split()[0].lower() not in ("section", "click", "title")
        tasks.append(match)
    return tasks


def test_review_has_one_valid_gantt_block(review: str, state: IncidentState) -> None:
    blocks = mermaid_blocks(review)
    assert len(blocks) == 1
    tasks = check_gantt(blocks[0])
    phases = [t for t in tasks if t["id"].startswith("p")]
    assert [t["tag"] for t in phases] == ["crit", "active", "done"]
    assert [p["name"].split(" -")[0] for p in phases] == ["Detection", "Mitigation", "Resolution"]
    assert phases[0]["start"] == "2026-11-23 09:12" and phases[-1]["end"] == "2026-11-24 10:00"
    decisions = [t for t in tasks if t["id"].startswith("d")]
    assert len(decisions) == len(state.decisions) == 5
    assert all(d["tag"] == "milestone" and d["end"] == "0m" for d in decisions)
    assert any(t["name"] == "Reopened" for t in tasks)


def test_hostile_text_cannot_break_the_diagram(state: IncidentState) -> None:
    source = gantt(hostile_state(), CONFIG.tz)
    tasks = check_gantt(source)
    assert len(tasks) == 3 + 2 + 7 + 12  # phases, impact windows, milestones, at most 12 decisions
    assert "%%" not in source and "`" not in source and "<" not in source
    assert source.splitlines()[1] == "    title SEV1 incident - section title"


def test_an_open_incident_has_an_ongoing_phase() -> None:
    meta, entries = build()
    early = fold(meta, [e for e in entries if e.at <= at(1, "10:00")])
    tasks = check_gantt(gantt(early, CONFIG.tz))
    phases = [t for t in tasks if t["id"].startswith("p")]
    assert phases[-1]["name"] == "Mitigation - noticed until mitigated - ongoing"
    assert phases[-1]["end"] == "2026-11-23 10:00"


def test_a_just_opened_incident_has_only_the_detection_marker() -> None:
    meta, entries = build()
    tasks = check_gantt(gantt(fold(meta, entries[:1]), CONFIG.tz))
    assert [(t["name"], t["tag"]) for t in tasks] == [("Detected", "milestone")]


@given(st.text())
def test_label_keeps_only_safe_characters(text: str) -> None:
    out = label(text)
    assert out and len(out) <= LABEL_LIMIT
    assert "\n" not in out and out == out.strip()
    assert not set(out) & set(':;#%`<>&"{}[]|\\\r\t\u2028')


# the Mermaid picture: Mermaid's own parser, when installed -----------------------------------


BROKEN = "gantt\n    dateFormat YYYY\n    a : b ; c %% d\n  nonsense\n"


@pytest.fixture(scope="module")
def parsed(review: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    """Mermaid's own verdict on: the review's picture, the hostile picture, a broken one."""
    if not MERMAID_DIR:
        pytest.skip(
            "Mermaid's parser is not set up: run `npm install mermaid jsdom` in a folder and set "
            "INCJOURNAL_MERMAID_DIR to it (needs node; no browser)"
        )
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: Mermaid's parser runs under Node")
    folder = tmp_path_factory.mktemp("mermaid")
    sources = [mermaid_blocks(review)[0], gantt(hostile_state(), CONFIG.tz), BROKEN]
    files = [folder / f"{n}.mmd" for n in range(len(sources))]
    for path, source in zip(files, sources, strict=True):
        path.write_text(source)
    proc = subprocess.run(
        [node, "--input-type=module"],
        input=(Path(__file__).parent / "mermaid_check.mjs").read_text(),
        cwd=MERMAID_DIR,
        env={**os.environ, "MERMAID_FILES": ":".join(map(str, files))},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in proc.stdout.strip().splitlines()[-len(files) :]]


def test_mermaid_accepts_the_review_picture(parsed: list[dict[str, object]]) -> None:
    result = parsed[0]
    assert result["ok"] is True, result
    assert result["type"] == "gantt"
    tasks = result["tasks"]
    assert isinstance(tasks, list) and len(tasks) == 17  # two impact windows (a relapse)
    first = {"name": "Detection - impact until noticed", "section": "Phases", "milestone": False}
    assert tasks[0] == first


def test_mermaid_reads_hostile_text_as_plain_task_names(parsed: list[dict[str, object]]) -> None:
    result = parsed[1]
    assert result["ok"] is True, result
    tasks = result["tasks"]
    assert isinstance(tasks, list) and len(tasks) == 24
    assert {"name": "Decided section evil", "section": "Decisions", "milestone": True} in tasks


def test_the_mermaid_check_rejects_a_broken_diagram(parsed: list[dict[str, object]]) -> None:
    assert parsed[2]["ok"] is False


# the command ---------------------------------------------------------------------------------


@pytest.fixture
def fixture_journal(journal_dir: Path, run: Run) -> Path:
    meta, entries = build()
    write(journal_dir, meta, entries)
    git(journal_dir, "add", "-A")
    git(journal_dir, "commit", "-qm", "fixture")
    set_zone(journal_dir, "Europe/Berlin")  # the fixture's zone, whatever the machine's is
    run("use", ID)
    return journal_dir


def test_review_prints_the_draft(run: Run, fixture_journal: Path) -> None:
    result = run("review")
    assert result.stdout == GOLDEN.read_text()


def test_review_write_writes_once_and_commits_only_the_review(
    run: Run, fixture_journal: Path
) -> None:
    result = run("review", "--write")
    path = fixture_journal / "incidents" / ID / "review.md"
    assert result.stdout.startswith(f"wrote incidents/{ID}/review.md (commit ")
    assert path.read_text() == GOLDEN.read_text()
    assert git(fixture_journal, "show", "--name-only", "--format=%s", "HEAD").split("\n") == [
        f"{ID}: review: draft written",
        "",
        f"incidents/{ID}/review.md",
        "",
    ]
    path.write_text("# Our review\n\nEdited by people.\n")
    git(fixture_journal, "commit", "-qam", "edit review")
    before = snapshot(fixture_journal)
    again = run("review", "--write", code=2)
    assert again.stderr.startswith(f"ij: error: incidents/{ID}/review.md already exists")
    assert "--force" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert snapshot(fixture_journal) == before
    assert path.read_text() == "# Our review\n\nEdited by people.\n"


def test_review_write_force_replaces_it(run: Run, fixture_journal: Path) -> None:
    run("review", "--write")
    path = fixture_journal / "incidents" / ID / "review.md"
    path.write_text("edited\n")
    result = run("review", "--write", "--force")
    assert result.stdout.startswith(f"replaced incidents/{ID}/review.md")
    assert path.read_text() == GOLDEN.read_text()
    assert git(fixture_journal, "status", "--porcelain") == ""


def test_force_without_write_is_refused(run: Run, fixture_journal: Path) -> None:
    before = snapshot(fixture_journal)
    result = run("review", "--force", code=2)
    assert (
        result.stderr == "ij: error: --force only applies with --write: ij review --write --force\n"
    )
    assert snapshot(fixture_journal) == before


def test_a_long_list_of_what_was_known_names_the_last_few_and_counts() -> None:
    meta, entries = build()
    first = next(e for e in entries if e.kind is Kind.DECISION)
    extra = [
        dataclasses.replace(
            first,
            id=f"extraq{n}",
            kind=Kind.QUESTION,
            text=f"Extra question {n}",
            why=None,
            at=first.at - timedelta(minutes=10 - n),
        )
        for n in range(1, 8)
    ]
    review = review_markdown(fold(meta, [*entries, *extra]), CONFIG)
    known = review.split("### 1. ")[1].split("### 2. ")[0]
    [line] = [line for line in known.splitlines() if line.startswith("- Open questions: ")]
    shown = "; ".join(f"Extra question {n} (no owner)" for n in range(3, 8))
    assert line == f"- Open questions: 7; the last 5 raised: {shown}"
    assert "- Open hypotheses: Connection pool exhaustion in payments-api" in known
