"""Team scale: `python bench/converge.py [--clones 10] [--entries 30]`.

One bare remote and N clones of one journal with auto-sync on. Every clone writes its entries to
the same incident from its own process, all at once; each write starts the usual background
`ij sync`. When the writers are done and their background syncs have finished, every clone runs
`ij sync` in turn until all of them and the remote hold every entry. Reported: seconds until the
last write returned, seconds until everything converged, derived-page commits and how they fell
(at most one per sync of one clone), and the remote's `git fsck`.

`tests/test_converge.py` runs the same scenario (behind the `slow` marker) and checks it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
INCIDENT = "2026-01-01-outage"
REBUILD = "journal: rebuild derived files after sync"
WRITER = """
import sys
from incjournal import write
from incjournal.core.model import Kind
from incjournal.store.journal import Journal

root, incident, name, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
journal = Journal.find(__import__("pathlib").Path(root))
for n in range(count):
    write.record(journal, incident, write.Draft(Kind.NOTE, f"{name} entry {n}"))
"""


@dataclass(frozen=True)
class Converged:
    clones: int
    entries: int  # per clone
    written_s: float  # until the last writer returned
    converged_s: float  # until every clone and the remote held every entry
    final_rounds: int  # passes of `ij sync` over the clones after the writers were done
    counts: dict[str, int]  # entry files per clone, and "remote"
    rebuilds: int  # derived-page commits on the remote
    doubled: int  # derived-page commits right after one from the same clone (want 0)
    fsck: str  # the remote's `git fsck --strict` output ("" when clean)

    def lines(self) -> list[str]:
        want = self.clones * self.entries
        held = ", ".join(f"{n}={c}" for n, c in self.counts.items())
        return [
            f"{self.clones} clones x {self.entries} entries with auto-sync, one bare remote",
            f"writes done after {self.written_s:.1f}s; converged after {self.converged_s:.1f}s "
            f"({self.final_rounds} final sync pass(es))",
            f"entries held (want {want}): {held}",
            f"derived-page commits: {self.rebuilds}; back to back from one clone: {self.doubled}",
            f"git fsck of the remote: {'clean' if not self.fsck else self.fsck}",
        ]


def env_for(name: str, base: dict[str, str] | None = None) -> dict[str, str]:
    env = {**(base or os.environ), "PYTHONPATH": str(SRC), "GIT_TERMINAL_PROMPT": "0"}
    env["INCJOURNAL_AUTHOR"] = f"{name} <{name}@example.com>"
    return env


def ij(cwd: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "incjournal", *args],
        cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"ij {' '.join(args)} in {cwd.name}: {done.stderr.strip()}")
    return done.stdout


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def setup(work: Path, clones: int, env: dict[str, str]) -> tuple[Path, list[Path]]:
    """A bare remote and `clones` clones of a journal with auto-sync on and one open incident."""
    remote = work / "remote.git"
    git(work, "init", "-q", "--bare", "-b", "main", str(remote))
    first = work / "clone-00"
    ij(work, env_for("clone-00", env), "init", str(first))
    _identity(first)
    config = first / "incjournal.toml"
    config.write_text(config.read_text().replace("[sync]\nauto = false", "[sync]\nauto = true"))
    git(first, "remote", "add", "origin", str(remote))
    git(first, "commit", "-qam", "journal: auto-sync on")
    ij(first, env_for("clone-00", env), "open", "Outage", "--sev", "1", "--id", "outage",
       "--at", "2026-01-01T10:00:00Z")  # fmt: skip
    git(first, "push", "-q", "-u", "origin", "HEAD:main")
    roots = [first]
    for n in range(1, clones):
        name = f"clone-{n:02d}"
        git(work, "clone", "-q", str(remote), name)
        roots.append(work / name)
    for root in roots:
        _identity(root)
        ij(root, env_for(root.name, env), "use", INCIDENT)
    return remote, roots


def _identity(root: Path) -> None:
    git(root, "config", "user.name", root.name)
    git(root, "config", "user.email", f"{root.name}@example.com")


def write_all(roots: list[Path], entries: int, env: dict[str, str]) -> None:
    """Every clone writes `entries` notes from its own process, all at once."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(root), INCIDENT, root.name, str(entries)],
            env=env_for(root.name, env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        for root in roots
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=600)
        if proc.returncode != 0:
            raise RuntimeError(f"a writer failed: {err.decode(errors='replace')[-2000:]}")


def wait_for_background(roots: list[Path], limit: float = 300.0) -> None:
    """Until no clone's background sync holds its sync lock."""
    import fcntl

    deadline = time.monotonic() + limit
    for root in roots:
        lock = root / ".git" / "incjournal" / "sync.lock"
        while True:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{root.name}: background sync still running") from None
                time.sleep(0.1)
            finally:
                os.close(fd)


def sync_all(roots: list[Path], env: dict[str, str], one_by_one: bool) -> None:
    """`ij sync` in every clone: one after the other (the first pass, which pushes), or all at
    once (later passes only fast-forward)."""
    from concurrent.futures import ThreadPoolExecutor

    def sync(root: Path) -> str:
        return ij(root, env_for(root.name, env), "sync", "--quiet")

    if one_by_one:
        for root in roots:
            sync(root)
        return
    with ThreadPoolExecutor(max_workers=len(roots)) as pool:
        list(pool.map(sync, roots))


def entry_count(root: Path, ref: str = "HEAD") -> int:
    listed = git(root, "ls-tree", "-r", "--name-only", ref, f"incidents/{INCIDENT}/entries")
    return len(listed.splitlines()) - 1  # less the `open` entry


def run(
    work: Path, clones: int = 10, entries: int = 30, env: dict[str, str] | None = None
) -> Converged:
    base = dict(env or os.environ)
    remote, roots = setup(work, clones, base)
    want = clones * entries
    start = time.monotonic()
    write_all(roots, entries, base)
    written = time.monotonic() - start
    wait_for_background(roots)
    passes = 0
    while passes < 5:
        if all(entry_count(r) == want for r in roots) and entry_count(remote, "main") == want:
            break
        passes += 1
        sync_all(roots, base, one_by_one=passes == 1)
    converged = time.monotonic() - start
    counts = {r.name: entry_count(r) for r in roots} | {"remote": entry_count(remote, "main")}
    rebuilds, doubled = derived_commits(remote)
    fsck = subprocess.run(
        ["git", "fsck", "--strict", "--no-progress"], cwd=remote, capture_output=True, text=True
    )
    problems = (fsck.stdout + fsck.stderr).strip() if fsck.returncode else ""
    return Converged(clones, entries, written, converged, passes, counts, rebuilds, doubled,
                     problems)  # fmt: skip


def derived_commits(remote: Path) -> tuple[int, int]:
    """(derived-page commits on the remote, those right after one from the same clone)."""
    log = git(remote, "log", "--reverse", "--format=%an%x09%s", "main").splitlines()
    rebuilds = doubled = 0
    previous = ("", "")
    for line in log:
        author, subject = line.split("\t", 1)
        if subject == REBUILD:
            rebuilds += 1
            doubled += previous == (author, REBUILD)
        previous = (author, subject)
    return rebuilds, doubled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clones", type=int, default=10)
    parser.add_argument("--entries", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ij-converge-") as tmp:
        result = run(Path(tmp), args.clones, args.entries)
    print("\n".join(result.lines()))


if __name__ == "__main__":
    main()
