"""`ij exec`: real commands, output passed through live, a bounded tail kept, exit codes kept."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import SRC, Run, git, ij_subprocess, snapshot
from hypothesis import given
from hypothesis import strategies as st

from incjournal.command_run import Tail, TailLimits, run_command
from incjournal.core.model import Entry, Kind
from incjournal.render.evidence import command_summary
from incjournal.store.journal import Journal

PY = sys.executable
TOKEN = "ghp_" + "R8x2Kq9ZtLmV4nW7pY3sB6cD1fG5hJ0kQ2aE"  # a GitHub token's shape, not a real one


def last_command(journal_dir: Path, incident: str) -> Entry:
    entries = [e for e in Journal(journal_dir).read_entries(incident) if e.kind is Kind.COMMAND]
    assert entries, "no command entry was recorded"
    return max(entries, key=lambda e: e.recorded_at)


def add_config(journal_dir: Path, text: str) -> None:
    path = journal_dir / "incjournal.toml"
    path.write_text(path.read_text() + "\n" + text + "\n")


def test_success_passes_output_through_and_records_the_command(
    run: Run, journal_dir: Path, incident: str
) -> None:
    script = "import sys; print('out', flush=True); print('err', file=sys.stderr)"
    result = run("exec", "-t", "db", "--", PY, "-c", script)
    assert result.stdout == "out\n"
    assert result.stderr.startswith("err\n")
    entry = last_command(journal_dir, incident)
    assert entry.command == (PY, "-c", script)
    assert entry.cwd == str(journal_dir)
    assert entry.exit_code == 0
    assert sorted((entry.output or "").splitlines()) == ["err", "out"]
    assert entry.output_bytes is None  # nothing was cut
    assert entry.interrupted is False
    assert entry.tags == ("db",)
    assert entry.duration_s is not None and entry.duration_s >= 0
    assert entry.at <= entry.recorded_at
    assert f"ij: recorded command {entry.id} in {incident}" in result.stderr
    assert entry.text.startswith("$ ") and entry.text.endswith("→ exit 0")
    assert "command: $ " in git(journal_dir, "log", "-1", "--format=%s")
    assert git(journal_dir, "status", "--porcelain") == ""


@pytest.mark.parametrize("code", [1, 3, 42, 255])
def test_exits_with_the_commands_exit_code(
    run: Run, journal_dir: Path, incident: str, code: int
) -> None:
    result = run("exec", PY, "-c", f"import sys; sys.exit({code})", code=code)
    entry = last_command(journal_dir, incident)
    assert entry.exit_code == code
    assert f"exit {code}" in result.stderr


def test_the_commands_own_options_pass_through(run: Run, journal_dir: Path, incident: str) -> None:
    script = "import sys; print(sys.argv[1:])"
    result = run("exec", "-t", "db", PY, "-c", script, "-t", "x", "--help", "-i", "nope")
    assert result.stdout == "['-t', 'x', '--help', '-i', 'nope']\n"
    entry = last_command(journal_dir, incident)
    assert entry.tags == ("db",)
    assert entry.command == (PY, "-c", script, "-t", "x", "--help", "-i", "nope")


def test_ten_megabytes_keeps_a_bounded_tail_and_notes_the_full_size(
    run: Run, journal_dir: Path, incident: str
) -> None:
    lines = 10 * 2**20 // 16  # 16-byte lines: exactly 10 MiB
    script = (
        "import sys\n"
        f"for at in range(0, {lines}, 4096):\n"
        f"    sys.stdout.write(''.join(f'line {{i:010d}}\\n' for i in range(at, at + 4096)))\n"
    )
    result = run("exec", "--", PY, "-c", script)
    assert len(result.stdout_bytes) == 10 * 2**20  # passed through unchanged
    assert result.stdout_bytes.endswith(f"line {lines - 1:010d}\n".encode())
    entry = last_command(journal_dir, incident)
    assert entry.output == "".join(f"line {i:010d}\n" for i in range(lines - 200, lines))
    assert entry.output_bytes == 10 * 2**20
    assert "printed 10.0 MiB, kept the last 200 lines" in result.stderr
    stored = Journal(journal_dir).entry_path(incident, entry).stat().st_size
    assert stored < 16 * 1024  # the entry file stays small


def test_tail_limits_come_from_the_config(run: Run, journal_dir: Path, incident: str) -> None:
    add_config(journal_dir, '[exec]\ntail_lines = 3\ntail_bytes = "100 B"')
    script = "print(''.join(f'line {i:010d}\\n' for i in range(50)), end='')"
    run("exec", PY, "-c", script)
    assert last_command(journal_dir, incident).output == (
        "line 0000000047\nline 0000000048\nline 0000000049\n"
    )
    path = journal_dir / "incjournal.toml"
    path.write_text(path.read_text().replace("tail_lines = 3", "tail_lines = 200"))
    run("exec", PY, "-c", script)
    entry = last_command(journal_dir, incident)
    # 100 bytes are 6.25 lines: the cut fragment is dropped, whole lines stay
    assert entry.output == "".join(f"line {i:010d}\n" for i in range(44, 50))
    assert entry.output_bytes == 50 * 16


def test_a_command_reading_stdin(journal_dir: Path, incident: str) -> None:
    script = "import sys; sys.stdout.write(sys.stdin.read().upper())"
    result = ij_subprocess(journal_dir, "exec", "--", PY, "-c", script, input="hello from stdin\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "HELLO FROM STDIN\n"
    assert last_command(journal_dir, incident).output == "HELLO FROM STDIN\n"


@pytest.mark.parametrize(
    ("sig", "name"), [(signal.SIGKILL, "SIGKILL"), (signal.SIGTERM, "SIGTERM")]
)
def test_a_command_killed_by_a_signal(
    run: Run, journal_dir: Path, incident: str, sig: int, name: str
) -> None:
    script = f"import os; print('bye', flush=True); os.kill(os.getpid(), {int(sig)})"
    result = run("exec", PY, "-c", script, code=128 + sig)
    entry = last_command(journal_dir, incident)
    assert entry.exit_code == -sig  # the entry says which signal; ij exits 128 + N like a shell
    assert entry.output == "bye\n"
    assert f"killed by {name}" in result.stderr
    assert entry.text.endswith(f"→ killed by {name}")


def test_command_not_found_is_recorded_and_reported(
    run: Run, journal_dir: Path, incident: str
) -> None:
    result = run("exec", "no-such-command-zz", "--flag", code=127)
    assert result.stderr.startswith(
        "ij: cannot run no-such-command-zz: command not found; recorded as exit 127: command "
    )
    entry = last_command(journal_dir, incident)
    assert entry.exit_code == 127
    assert entry.command == ("no-such-command-zz", "--flag")
    assert entry.output is None
    assert "command not found" in entry.text
    assert git(journal_dir, "status", "--porcelain") == ""


@pytest.mark.parametrize(
    ("mode", "body", "reason"),
    [
        (0o644, "#!/bin/sh\necho hi\n", "not executable"),
        (0o755, "echo hi without a #! line\n", "not a program (a script needs a #! line)"),
        (0o755, "#!/no/such/interpreter\n", "its #! interpreter was not found"),
    ],
)
def test_a_command_that_cannot_start(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path, mode: int, body: str, reason: str
) -> None:
    script = tmp_path / "script.sh"
    script.write_text(body)
    script.chmod(mode)
    code = 127 if "interpreter" in reason else 126
    result = run("exec", str(script), code=code)
    assert f"ij: cannot run {script}: {reason}; recorded as exit {code}" in result.stderr
    assert last_command(journal_dir, incident).exit_code == code


def test_a_directory_is_not_executable(
    run: Run, journal_dir: Path, incident: str, tmp_path: Path
) -> None:
    result = run("exec", str(tmp_path), code=126)
    assert "not executable" in result.stderr


# --- Ctrl-C and signals sent to ij -----------------------------------------------------------


@contextlib.contextmanager
def start_ij(journal_dir: Path, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    """`ij exec ...` as a real process in its own process group (like a terminal's job)."""
    proc = subprocess.Popen(
        [PY, "-m", "incjournal", "exec", "--", *args],
        cwd=journal_dir,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:  # a failed assertion must not leave it running
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()


def wait_ready(proc: subprocess.Popen[bytes]) -> None:
    """The command printed 'ready' (through ij), so it runs and ij handles signals."""
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"


@pytest.mark.parametrize(
    "command",
    [
        [PY, "-c", "import time; print('ready', flush=True)\nwhile True: time.sleep(0.05)"],
        ["sh", "-c", "echo ready; exec sleep 60"],
    ],
    ids=["python-loop", "sleep"],
)
def test_ctrl_c_reaches_the_command_and_is_recorded(
    journal_dir: Path, incident: str, command: list[str]
) -> None:
    with start_ij(journal_dir, *command) as proc:
        wait_ready(proc)
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole group
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    entry = last_command(journal_dir, incident)
    assert entry.interrupted is True
    assert entry.exit_code == -signal.SIGINT
    assert b"interrupted (killed by SIGINT)" in err
    assert entry.text.endswith("→ interrupted (killed by SIGINT)")


def test_sigterm_sent_to_ij_alone_is_passed_on(journal_dir: Path, incident: str) -> None:
    with start_ij(journal_dir, "sh", "-c", "echo ready; exec sleep 60") as proc:
        wait_ready(proc)
        proc.terminate()  # only ij gets it, as from `kill PID`
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    entry = last_command(journal_dir, incident)
    assert entry.exit_code == -signal.SIGTERM
    assert entry.interrupted is True


def test_a_background_child_holding_the_pipes_does_not_keep_ij_waiting(
    journal_dir: Path, incident: str
) -> None:
    result = ij_subprocess(journal_dir, "exec", "sh", "-c", "sleep 600 & echo $!", timeout=60)
    os.kill(int(result.stdout), signal.SIGTERM)  # the background child is still there
    assert result.returncode == 0, result.stderr
    assert last_command(journal_dir, incident).output == result.stdout


# --- secrets ---------------------------------------------------------------------------------


def test_secrets_in_output_and_argv_are_redacted_and_counted(
    run: Run, journal_dir: Path, incident: str
) -> None:
    script = "import os; print('token is', os.environ['GH']); print('done')"
    result = run("exec", PY, "-c", script, "--password=hunter2hunter2", env={"GH": TOKEN})
    assert TOKEN in result.stdout  # the terminal shows the output unchanged
    entry = last_command(journal_dir, incident)
    assert entry.output == "token is [REDACTED:GitHub token]\ndone\n"
    assert entry.command is not None and entry.command[-1] == "--password=[REDACTED:password]"
    assert (
        "ij: redacted 2 likely secrets in the stored argv and output (password, GitHub token)"
        in (result.stderr)
    )
    committed = git(journal_dir, "log", "-p", "--all")
    assert TOKEN not in committed and "hunter2hunter2" not in committed


def test_allow_secret_keeps_output_as_it_is(run: Run, journal_dir: Path, incident: str) -> None:
    result = run(
        "exec", "--allow-secret", PY, "-c", "import os; print(os.environ['GH'])", env={"GH": TOKEN}
    )
    assert last_command(journal_dir, incident).output == TOKEN + "\n"
    assert "redacted" not in result.stderr


def test_extra_secret_patterns_from_the_config(run: Run, journal_dir: Path, incident: str) -> None:
    add_config(journal_dir, '[secrets]\npatterns = { ticket = "TKT-[0-9a-f]{8}" }')
    result = run("exec", PY, "-c", "print('see TKT-' + '0badc0de now')")
    assert last_command(journal_dir, incident).output == "see [REDACTED:ticket] now\n"
    assert "redacted 1 likely secret in the stored argv and output (ticket)" in result.stderr


def test_output_that_is_not_utf8(run: Run, journal_dir: Path, incident: str) -> None:
    result = run("exec", PY, "-c", "import sys; sys.stdout.buffer.write(b'caf\\xe9 \\x00 ok\\n')")
    assert result.stdout_bytes == b"caf\xe9 \x00 ok\n"
    assert last_command(journal_dir, incident).output == "caf\ufffd \x00 ok\n"


# --- bad input: nothing runs, nothing is written ---------------------------------------------


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        ([], "", "ij: error: missing command: e.g. ij exec -- kubectl"),
        (["-i", "nope"], "", "ij: error: no incident 'nope'"),
        (["--by", "<>"], "", "ij: error: cannot read author"),
        ([], "[exec]\ntail_lines = 0", "[exec] tail_lines must be a whole number above 0"),
        (
            [],
            '[exec]\ntail_bytes = "lots"',
            '[exec] tail_bytes must be a size like 65536, "64 KiB"',
        ),
        (
            [],
            '[secrets]\npatterns = { bad = "([" }',
            "[secrets] secret pattern 'bad' is not a valid",
        ),
    ],
)
def test_bad_input_runs_nothing_and_writes_nothing(
    run: Run,
    journal_dir: Path,
    incident: str,
    tmp_path: Path,
    args: list[str],
    config: str,
    message: str,
) -> None:
    if config:
        add_config(journal_dir, config)
    marker = tmp_path / "ran"
    before = snapshot(journal_dir)
    command = [PY, "-c", f"open({str(marker)!r}, 'w')"] if args or config else []
    result = run("exec", *args, *command, code=2)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not marker.exists()
    assert snapshot(journal_dir) == before


def test_outside_a_journal(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = Run(tmp_path)("exec", PY, "-c", f"open({str(marker)!r}, 'w')", code=2)
    assert "is not an incident journal" in result.stderr
    assert not marker.exists()


# --- the bounded tail ------------------------------------------------------------------------


@given(
    chunks=st.lists(st.binary(max_size=300), max_size=40),
    limit=st.integers(1, 500),
    max_lines=st.integers(1, 20),
)
def test_tail_is_a_bounded_suffix_of_the_output(
    chunks: list[bytes], limit: int, max_lines: int
) -> None:
    ascii_chunks = [bytes(c % 128 for c in chunk) for chunk in chunks]  # decode 1:1
    tail = Tail(limit)
    for chunk in ascii_chunks:
        tail.feed(chunk)
    data = b"".join(ascii_chunks).decode()
    text, cut = tail.text(max_lines)
    assert tail.total == len(data)
    assert data.endswith(text)
    assert len(text) <= limit
    assert text.count("\n") <= max_lines
    lines = data.count("\n") + (not data.endswith("\n") and data != "")
    fits = len(data) <= limit and lines <= max_lines
    assert cut is not fits
    if fits:
        assert text == data


@pytest.mark.parametrize("pidfd", [True, False], ids=["pidfd", "end-of-output"])
def test_run_command_as_a_library(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pidfd: bool
) -> None:
    if not pidfd:  # how it waits where os.pidfd_open does not exist (macOS)
        monkeypatch.delattr(os, "pidfd_open", raising=False)
    out, err = io.BytesIO(), io.BytesIO()
    script = "import sys; print('a'); sys.stdout.flush(); print('b', file=sys.stderr); sys.exit(4)"
    run = run_command([PY, "-c", script], TailLimits(), out, err, cwd=tmp_path)
    assert (out.getvalue(), err.getvalue()) == (b"a\n", b"b\n")
    assert (run.exit_code, run.shell_status, run.cwd) == (4, 4, str(tmp_path))
    assert sorted(run.output.splitlines()) == ["a", "b"] and not run.truncated


# --- the compact render ----------------------------------------------------------------------


def test_command_summary_says_how_a_command_ended() -> None:
    now = datetime(2026, 11, 23, 10, 40, tzinfo=UTC)
    base = Entry("abc12345", Kind.COMMAND, now, now, "Alice", command=("kubectl", "get", "pods"))
    killed = Entry(**{**base.__dict__, "exit_code": -9, "duration_s": 1.25})
    assert command_summary(killed) == "`$ kubectl get pods` → killed by SIGKILL, 1.2s"
    cut = Entry(
        **{**base.__dict__, "exit_code": -2, "interrupted": True, "output_bytes": 10 * 2**20}
    )
    assert command_summary(cut) == (
        "`$ kubectl get pods` → interrupted (killed by SIGINT), printed 10.0 MiB"
    )


def test_command_summary_keeps_a_long_multiline_argv_on_one_bounded_line() -> None:
    now = datetime(2026, 11, 23, 10, 40, tzinfo=UTC)
    script = "set -e\n" + "echo `date`\n" * 100
    entry = Entry(
        "abc12345", Kind.COMMAND, now, now, "A", command=("sh", "-c", script), exit_code=0
    )
    head = command_summary(entry)
    assert "\n" not in head and "`" not in head[1:].split("` →")[0]
    assert head.startswith("`$ sh -c set -e echo 'date' echo") and "…` → exit 0" in head
