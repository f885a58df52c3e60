"""`ij attach`: files stored next to the incident, size-limited, text redacted, binary as is."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import Run, entry_id, git, snapshot

from incjournal.core.model import Entry, Kind
from incjournal.evidence import safe_name
from incjournal.render.evidence import evidence_summary
from incjournal.store.journal import Journal, read_entry

AWS_KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # the shape of an access key id, not a real one
LOG = "10:40:01 checkout-7f9 GET /cart 200 12ms\n10:40:02 checkout-7f9 GET /pay 503 4012ms\n"


def evidence_entry(journal_dir: Path, incident: str, entry: str) -> Entry:
    return read_entry(Journal(journal_dir).resolve_entry(incident, entry))


def stored(journal_dir: Path, incident: str, entry: Entry) -> Path:
    assert entry.file is not None
    return Journal(journal_dir).incident_dir(incident) / entry.file


def add_config(journal_dir: Path, text: str) -> None:
    path = journal_dir / "incjournal.toml"
    path.write_text(path.read_text() + "\n" + text + "\n")


def test_a_text_file_is_stored_linked_and_committed(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    source = tmp_path / "checkout.log"
    source.write_text(LOG)
    result = run("attach", str(source), "checkout logs at 10:40", "-t", "logs")
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert result.stdout.startswith(f"attached {entry.id} in {incident} (commit ")
    assert entry.kind is Kind.EVIDENCE
    assert entry.text == "checkout logs at 10:40"
    assert entry.tags == ("logs",)
    assert entry.file is not None and entry.file.startswith("evidence/")
    assert entry.file.endswith("-checkout.log")
    assert stored(journal_dir, incident, entry).read_text() == LOG
    assert entry.output == LOG  # the preview renders show
    assert entry.output_bytes == len(LOG)
    changed = git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert f"incidents/{incident}/{entry.file}" in changed  # one commit: entry and file
    assert git(journal_dir, "status", "--porcelain") == ""


def test_text_defaults_to_the_file_name(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    (tmp_path / "pods.txt").write_text("NAME READY\n")
    result = run("attach", str(tmp_path / "pods.txt"))
    assert evidence_entry(journal_dir, incident, entry_id(result)).text == "attached pods.txt"


def test_secrets_in_a_text_file_are_redacted_and_counted(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    source = tmp_path / "env.txt"
    source.write_text(f"region=eu-west-1\naws_access_key_id={AWS_KEY}\nDB_PASSWORD=s3cr3t-Pa55\n")
    result = run("attach", str(source))
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert stored(journal_dir, incident, entry).read_text() == (
        "region=eu-west-1\naws_access_key_id=[REDACTED:AWS access key]\n"
        "DB_PASSWORD=[REDACTED:password]\n"
    )
    assert result.stderr == (
        "ij: redacted 2 likely secrets in the stored file (AWS access key, password)\n"
    )
    committed = git(journal_dir, "log", "-p", "--all")
    assert AWS_KEY not in committed and "s3cr3t-Pa55" not in committed


def test_allow_secret_stores_the_file_as_it_is(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    source = tmp_path / "env.txt"
    source.write_text(f"aws_access_key_id={AWS_KEY}\n")
    result = run("attach", "--allow-secret", str(source))
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert stored(journal_dir, incident, entry).read_text() == source.read_text()


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n\x00\x00" + AWS_KEY.encode(), bytes(range(256)) * 4],
    ids=["nul-bytes", "control-bytes"],
)
def test_a_binary_file_is_stored_as_is(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path, data: bytes
) -> None:
    source = tmp_path / "graph.png"
    source.write_bytes(data)
    result = run("attach", str(source), "latency graph")
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert stored(journal_dir, incident, entry).read_bytes() == data
    assert entry.output is None
    assert entry.output_bytes == len(data)
    assert "redacted" not in result.stderr


NAMES = {"latin-1": "Latin-1", "utf-16": "UTF-16"}


@pytest.mark.parametrize("encoding", sorted(NAMES))
def test_a_text_file_that_is_not_utf8_is_checked_for_secrets_with_a_warning(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path, encoding: str
) -> None:
    source = tmp_path / "app.log"
    source.write_bytes(f"Zürich café down\naws_access_key_id={AWS_KEY}\n".encode(encoding))
    result = run("attach", str(source))
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    kept = stored(journal_dir, incident, entry).read_bytes()
    assert (
        kept.decode(encoding) == "Zürich café down\naws_access_key_id=[REDACTED:AWS access key]\n"
    )
    history = subprocess.run(
        ["git", "log", "-p", "--all", "--text"], cwd=journal_dir, capture_output=True, check=True
    ).stdout
    assert AWS_KEY.encode(encoding) not in history and b"REDACTED" in history.replace(b"\0", b"")
    assert entry.output is not None and "Zürich café down" in entry.output  # the preview reads
    warning = [line for line in result.stderr.splitlines() if "not UTF-8" in line]
    assert warning == [
        f"ij: warning: app.log is not UTF-8 text: read as {NAMES[encoding]} to check it for "
        "secrets and preview it, stored in its own encoding; if the preview looks wrong, convert "
        "it (iconv -f ENCODING -t UTF-8 app.log) and attach it again"
    ]
    assert "redacted 1 likely secret" in result.stderr


def test_a_latin1_file_without_secrets_is_stored_byte_for_byte(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    source = tmp_path / "notes.txt"
    source.write_bytes(b"caf\xe9 latin-1 text\n")
    result = run("attach", str(source))
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert stored(journal_dir, incident, entry).read_bytes() == source.read_bytes()
    assert "not UTF-8" in result.stderr and "redacted" not in result.stderr


def test_stdin_is_attached(run: Run, journal_dir: Path, incident: str) -> None:
    result = run("attach", "-", "pods at 10:41", input="NAME READY\ncheckout-7f9 0/1\n")
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert entry.file is not None and entry.file.endswith("-stdin.txt")
    assert stored(journal_dir, incident, entry).read_text() == "NAME READY\ncheckout-7f9 0/1\n"
    result = run("attach", "-", "--name", "heap dump.bin", input=b"\x00\x01\x02")  # type: ignore[arg-type]
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert entry.file is not None and entry.file.endswith("-heap-dump.bin")
    assert stored(journal_dir, incident, entry).read_bytes() == b"\x00\x01\x02"
    result = run("attach", "-", input=b"\xff\xfe")  # type: ignore[arg-type]
    entry = evidence_entry(journal_dir, incident, entry_id(result))
    assert entry.file is not None and entry.file.endswith("-stdin.bin")


def test_the_size_limit_is_inclusive_and_configurable(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    add_config(journal_dir, '[attach]\nmax_size = "1 KiB"')
    source = tmp_path / "exact.log"
    source.write_text("x" * 1023 + "\n")
    result = run("attach", str(source))
    assert evidence_entry(journal_dir, incident, entry_id(result)).output_bytes == 1024


# --- bad input: one line, exit 2, nothing written --------------------------------------------


def assert_refused(run: Run, repo: Path, args: list[str], message: str, **kw: object) -> None:
    before = snapshot(repo)
    result = run(*args, code=2, **kw)  # type: ignore[arg-type]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0], lines[0]
    assert snapshot(repo) == before
    assert not (repo / "incidents").exists() or not list((repo / "incidents").glob("*/evidence/*"))


def test_a_file_over_the_default_limit(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.log"
    big.write_bytes(b"x" * (5 * 2**20 + 1))
    assert_refused(
        run,
        journal_dir,
        ["attach", str(big)],
        "ij: error: big.log is 5.0 MiB: attachments are limited to 5.0 MiB ([attach] max_size in "
        "incjournal.toml); attach an excerpt instead",
    )


def test_stdin_over_the_limit(run: Run, journal_dir: Path, incident: str) -> None:
    add_config(journal_dir, "[attach]\nmax_size = 10")
    assert_refused(
        run, journal_dir, ["attach", "-"], "stdin is larger than that", input="0123456789A"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.log"], "ij: error: cannot attach 'missing.log': no such file"),
        (["."], "ij: error: cannot attach '.': it is a directory; attach a file"),
        (["present.log", "-i", "nope"], "ij: error: no incident 'nope'"),
        (["present.log", f"key {AWS_KEY}"], "refused: likely secret: AWS access key at line 1"),
        (["present.log", "--by", "<>"], "ij: error: cannot read author"),
    ],
)
def test_bad_input(
    run: Run, journal_dir: Path, incident: str, args: list[str], message: str
) -> None:
    (journal_dir / "present.log").write_text("ok\n")
    git(journal_dir, "add", "present.log")
    git(journal_dir, "commit", "-qm", "a file to attach")
    assert_refused(run, journal_dir, ["attach", *args], message)


def test_a_bad_size_setting(run: Run, journal_dir: Path, incident: str) -> None:
    add_config(journal_dir, '[attach]\nmax_size = "big"')
    assert_refused(run, journal_dir, ["attach", "-"], "[attach] max_size must be a size", input="x")


# --- names and renders -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("pods.log", "pods.log"),
        ("../../etc/passwd", "passwd"),
        ("C:\\logs\\app.log", "app.log"),
        ("my report (final).txt", "my-report-final.txt"),
        (".hidden", "hidden"),
        ("日本語", "attachment"),
        ("a" * 200 + ".log", "a" * 76 + ".log"),
    ],
)
def test_safe_names(name: str, safe: str) -> None:
    assert safe_name(name) == safe


def test_evidence_summary_links_and_bounds_the_preview(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    source = tmp_path / "long.log"
    source.write_text("".join(f"line {i}\n" for i in range(100)))
    entry = evidence_entry(journal_dir, incident, entry_id(run("attach", str(source), "long")))
    summary = evidence_summary(entry)
    assert summary.startswith(f"[long.log]({entry.file}) (790 B, text) — long\n\n```text\nline 0\n")
    assert "line 39\n```" in summary and "line 40" not in summary
    assert summary.endswith("```\n\n… the rest is in the file")  # the preview is bounded
    assert f"(../{entry.file})" in evidence_summary(entry, link_prefix="../")


def test_evidence_summary_of_a_binary_file(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    (tmp_path / "core.bin").write_bytes(b"\x00" * 3000)
    entry = evidence_entry(
        journal_dir, incident, entry_id(run("attach", str(tmp_path / "core.bin")))
    )
    assert (
        evidence_summary(entry) == f"[core.bin]({entry.file}) (2.9 KiB, binary) — attached core.bin"
    )


def test_a_tampered_file_path_is_not_linked(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    (tmp_path / "a.bin").write_bytes(b"\x00")
    entry = evidence_entry(journal_dir, incident, entry_id(run("attach", str(tmp_path / "a.bin"))))
    hostile = Entry(**{**entry.__dict__, "file": "evidence/x)[y](javascript:alert(1)"})
    assert "](" not in re.sub(r"`[^`]*`", "", evidence_summary(hostile))  # code spans are text


def test_evidence_summary_bounds_a_long_preview() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 11, 23, 10, 40, tzinfo=UTC)
    output = "".join(f"row {i}\n" for i in range(50))
    entry = Entry(
        "abc12345", Kind.EVIDENCE, now, now, "Alice", file="evidence/abc12345-rows.txt",
        output=output, output_bytes=len(output),
    )  # fmt: skip
    summary = evidence_summary(entry)
    assert summary.startswith("[rows.txt](evidence/abc12345-rows.txt) (340 B, text)\n\n```text\n")
    assert "row 39\n```" in summary and "row 40" not in summary
    assert summary.endswith("… 10 more lines in the file")
