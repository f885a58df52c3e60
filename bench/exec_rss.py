"""Peak memory of `ij exec` while the command prints a lot (a bench, not a test).

Runs the real CLI (`python -m incjournal exec ...`) in a throw-away journal, with a command that
prints N bytes of short lines, and reads the ij process's peak resident set size from wait4().
The command's output goes to /dev/null, as the terminal would take it. The "keep-all" column is
the control: a Python process that captures all of the same output (subprocess capture_output),
showing what the measurement reports when memory does grow. Usage:

    python bench/exec_rss.py            # 0, 1 MiB, 10 MiB, 100 MiB
    python bench/exec_rss.py 1048576    # sizes in bytes
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
SIZES = (0, 2**20, 10 * 2**20, 100 * 2**20)


def isolated_env(home: Path) -> dict[str, str]:
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Bench\n\temail = bench@example.com\n")
    return {
        **os.environ,
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(gitconfig),
        "GIT_CONFIG_NOSYSTEM": "1",
        "INCJOURNAL_AUTHOR": "Bench <bench@example.com>",
        "PYTHONPATH": str(SRC),
    }


def ij(env: dict[str, str], cwd: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "incjournal", *args],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
    )


def printer(size: int) -> list[str]:
    return ["sh", "-c", f'yes "10:40:01 checkout-7f9 GET /pay 503 4012ms" | head -c {size}']


# The measurement's control: a process that keeps all the output (subprocess capture_output)
NAIVE = "import subprocess, sys; subprocess.run(sys.argv[1:], capture_output=True, check=True)"


def peak_rss_kib(env: dict[str, str], cwd: Path, argv: list[str]) -> tuple[int, str]:
    """The peak RSS (KiB) of the process running `argv`; and the first line it wrote on stderr."""
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    said = proc.stderr.read().decode().strip()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}): {said}")
    return usage.ru_maxrss, (said.splitlines() or [""])[0]


def main(sizes: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        home, root = Path(tmp) / "home", Path(tmp) / "journal"
        home.mkdir()
        env = isolated_env(home)
        ij(env, Path(tmp), "init", str(root))
        ij(env, root, "open", "Bench", "--sev", "3")
        print(f"{'printed':>12}  {'ij exec':>10}  {'keep-all':>10}  ij said")
        for size in sizes:
            ij_argv = [sys.executable, "-m", "incjournal", "exec", "--", *printer(size)]
            rss, said = peak_rss_kib(env, root, ij_argv)
            naive, _ = peak_rss_kib(env, root, [sys.executable, "-c", NAIVE, *printer(size)])
            mib = [f"{value / 2**10:>6.1f} MiB" for value in (size / 2**10, rss, naive)]
            print("  ".join([f"  {mib[0]}", *mib[1:], said]))


if __name__ == "__main__":
    main(tuple(int(a) for a in sys.argv[1:]) or SIZES)
