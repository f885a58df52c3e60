"""Helpers for the team tests: bare remotes, clones, what a clone holds."""

from __future__ import annotations

from pathlib import Path

from conftest import Run, git


def bare_remote(tmp_path: Path, name: str = "remote.git") -> Path:
    remote = tmp_path / name
    git(tmp_path, "init", "-q", "--bare", str(remote))
    return remote


def first_clone(tmp_path: Path, remote: Path, name: str = "alice") -> Path:
    """A journal made with `ij init`, pushed to `remote` by `ij sync`."""
    root = tmp_path / name
    Run(tmp_path)("init", str(root))
    git(root, "remote", "add", "origin", str(remote))
    Run(root)("sync")
    return root


def clone(tmp_path: Path, remote: Path, name: str) -> Path:
    git(tmp_path, "clone", "-q", str(remote), name)
    return tmp_path / name


def entry_files(root: Path) -> set[str]:
    """Entry files on disk, relative to the journal root."""
    return {str(p.relative_to(root)) for p in root.glob("incidents/*/entries/*.toml")}


def committed_entries(root: Path) -> set[str]:
    return {p for p in git(root, "ls-files", "incidents").splitlines() if "/entries/" in p}


def timeline(root: Path, incident: str) -> str:
    return Run(root)("timeline", "--json", "-i", incident).stdout


def assert_healthy(root: Path, linear: bool = True) -> None:
    """Everything committed, no conflict marker, git objects sound; `linear`: no merge commit."""
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    if linear:
        assert git(root, "rev-list", "--merges", "HEAD") == ""
    for page in root.glob("incidents/*/README.md"):
        assert "<<<<<<<" not in page.read_text()
    git(root, "fsck", "--strict", "--no-progress")
