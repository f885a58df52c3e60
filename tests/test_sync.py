"""`ij sync` through real bare remotes: push, pull, divergent writes, offline, misconfiguration."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from conftest import Run, entry_id, git, snapshot
from teamkit import (
    assert_healthy,
    bare_remote,
    clone,
    committed_entries,
    entry_files,
    first_clone,
    timeline,
)

INCIDENT = "db"


def _team(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """A remote, alice's journal with an open incident (synced), bob's clone of it."""
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote)
    opened = Run(alice)("open", "Database slow", "--id", INCIDENT, "--sev", "2")
    incident = opened.stdout.split(" in ")[1].split()[0]
    Run(alice)("sync")
    bob = clone(tmp_path, remote, "bob")
    return remote, alice, bob, incident


def test_first_sync_pushes_and_a_clone_receives(tmp_path: Path) -> None:
    remote, alice, bob, incident = _team(tmp_path)
    assert git(remote, "rev-parse", "main") == git(alice, "rev-parse", "HEAD")
    note = entry_id(Run(alice)("note", "p99 latency 4s", "-i", incident))
    pushed = Run(alice)("sync")
    assert pushed.stdout == "synced with origin/main: received 0 commit(s), pushed 1\n"
    received = Run(bob)("sync")
    assert received.stdout == "synced with origin/main: received 1 commit(s), pushed 0\n"
    assert any(note in f for f in entry_files(bob))
    assert Run(bob)("sync").stdout == "up to date with origin/main\n"
    assert_healthy(bob)


def test_divergent_writes_on_two_clones_converge(tmp_path: Path) -> None:
    remote, alice, bob, incident = _team(tmp_path)
    published = git(remote, "rev-list", "main").split()
    for i in range(3):
        Run(alice)("note", f"alice {i}", "-i", incident, "--by", "Alice <a@example.com>")
        Run(bob)("note", f"bob {i}", "-i", incident, "--by", "Bob <b@example.com>")
    Run(alice)("sync")
    bob_synced = Run(bob)("sync")
    assert "received 3 commit(s)" in bob_synced.stdout
    Run(alice)("sync")

    assert entry_files(alice) == entry_files(bob) == committed_entries(alice)
    assert len(entry_files(alice)) == 7
    assert timeline(alice, incident) == timeline(bob, incident)
    page = (alice / "incidents" / incident / "README.md").read_text()
    assert page == (bob / "incidents" / incident / "README.md").read_text()
    assert all(f"alice {i}" in page and f"bob {i}" in page for i in range(3))
    history = git(remote, "rev-list", "main").split()
    assert set(published) <= set(history)  # nothing already on the remote was rewritten
    assert git(alice, "rev-parse", "HEAD") == git(bob, "rev-parse", "HEAD") == history[0] + "\n"
    assert_healthy(alice)
    assert_healthy(bob)


def test_derived_readme_changed_on_both_sides_is_rebuilt_not_merged(tmp_path: Path) -> None:
    _remote, alice, bob, incident = _team(tmp_path)
    Run(alice)("status", "identified", "slow query found", "-i", incident)
    Run(bob)("impact", "EU checkout 30% errors", "-i", incident)
    Run(alice)("sync")
    Run(bob)("sync")
    subjects = git(bob, "log", "-2", "--format=%s").splitlines()
    assert subjects[0] == "journal: rebuild derived files after sync"
    page = (bob / "incidents" / incident / "README.md").read_text()
    assert "identified" in page and "EU checkout 30% errors" in page
    assert "<<<<<<<" not in page
    assert_healthy(bob)


def test_the_users_uncommitted_work_stays_exactly_as_it_was(tmp_path: Path) -> None:
    _remote, alice, bob, incident = _team(tmp_path)
    (bob / "runbook.md").write_text("v1\n")
    git(bob, "add", "runbook.md")
    git(bob, "commit", "-qm", "runbook")
    (bob / "runbook.md").write_text("v2 staged\n")
    git(bob, "add", "runbook.md")
    (bob / "runbook.md").write_text("v3 unstaged\n")
    (bob / "scratch.txt").write_text("untracked\n")
    Run(bob)("note", "bob was here", "-i", incident)
    Run(alice)("note", "alice was here", "-i", incident)
    Run(alice)("sync")
    status = git(bob, "status", "--porcelain")
    staged = git(bob, "ls-files", "-s", "runbook.md")

    Run(bob)("sync")

    assert git(bob, "status", "--porcelain") == status
    assert git(bob, "ls-files", "-s", "runbook.md") == staged
    assert (bob / "runbook.md").read_text() == "v3 unstaged\n"
    assert (bob / "scratch.txt").read_text() == "untracked\n"
    Run(alice)("sync")
    assert git(alice, "show", "HEAD:runbook.md") == "v1\n"  # bob's own commit travelled too


def test_a_conflicting_commit_of_the_user_stops_sync_before_any_change(tmp_path: Path) -> None:
    _remote, alice, bob, _incident = _team(tmp_path)
    for who, text in ((alice, "alice's steps\n"), (bob, "bob's steps\n")):
        (who / "runbook.md").write_text(text)
        git(who, "add", "runbook.md")
        git(who, "commit", "-qm", "runbook")
    Run(alice)("sync")
    before = git(bob, "status", "--porcelain"), git(bob, "rev-parse", "HEAD")
    result = Run(bob)("sync", code=2)
    assert result.stderr.startswith("ij: error: sync stopped, nothing changed: your commit ")
    assert "both changed runbook.md; combine them with `git pull --rebase`" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert (git(bob, "status", "--porcelain"), git(bob, "rev-parse", "HEAD")) == before


def test_a_file_of_the_user_in_the_way_stops_sync_before_any_change(tmp_path: Path) -> None:
    _remote, alice, bob, _incident = _team(tmp_path)
    (alice / "notes.txt").write_text("alice\n")
    git(alice, "add", "notes.txt")
    git(alice, "commit", "-qm", "notes")
    Run(alice)("sync")
    (bob / "notes.txt").write_text("bob, not committed\n")
    head = git(bob, "rev-parse", "HEAD")
    result = Run(bob)("sync", code=2)
    assert result.stderr.startswith("ij: error: sync stopped before changing anything: ")
    assert "notes.txt" in result.stderr and "(your commits are kept)" in result.stderr
    assert git(bob, "rev-parse", "HEAD") == head
    assert (bob / "notes.txt").read_text() == "bob, not committed\n"


def test_offline_keeps_local_commits_and_exits_0_with_one_warning(tmp_path: Path) -> None:
    _remote, alice, _bob, incident = _team(tmp_path)
    git(alice, "remote", "set-url", "origin", str(tmp_path / "unplugged-drive" / "remote.git"))
    Run(alice)("note", "still writing", "-i", incident)
    head = git(alice, "rev-parse", "HEAD")
    result = Run(alice)("sync")
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ij: warning: cannot reach origin/main (")
    assert lines[0].endswith(
        "): 1 local commit(s) kept, not pushed; `ij sync` again when the remote is back"
    )
    assert git(alice, "rev-parse", "HEAD") == head
    assert_healthy(alice)


def test_no_remote_is_a_clear_error_exit_2(run: Run, journal_dir: Path, incident: str) -> None:
    run("note", "local only")
    before = snapshot(journal_dir)
    result = run("sync", code=2)
    assert result.stderr == (
        "ij: error: no git remote to sync with: `git remote add origin URL`, then `ij sync`\n"
    )
    assert snapshot(journal_dir) == before


def test_several_remotes_and_no_upstream_is_a_clear_error(tmp_path: Path, run: Run) -> None:
    root = run.cwd
    git(root, "remote", "add", "origin", str(bare_remote(tmp_path, "a.git")))
    git(root, "remote", "add", "backup", str(bare_remote(tmp_path, "b.git")))
    result = run("sync", code=2)
    assert result.stderr == (
        "ij: error: branch main has no upstream and there are several remotes: "
        "`git branch --set-upstream-to origin/main`, then `ij sync`\n"
    )


def test_the_only_remote_becomes_the_upstream_on_first_sync(tmp_path: Path, run: Run) -> None:
    remote = bare_remote(tmp_path)
    git(run.cwd, "remote", "add", "origin", str(remote))
    run("sync")
    assert git(run.cwd, "config", "branch.main.merge").strip() == "refs/heads/main"
    assert git(remote, "rev-parse", "main") == git(run.cwd, "rev-parse", "HEAD")


def test_when_the_remote_moves_during_the_push_sync_goes_round_again(tmp_path: Path) -> None:
    remote, alice, bob, incident = _team(tmp_path)
    Run(bob)("note", "bob pushes while alice syncs", "-i", incident)
    Run(alice)("note", "alice", "-i", incident)
    hook = alice / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        f'if [ ! -e "{tmp_path}/raced" ]; then touch "{tmp_path}/raced"; '
        f'cd "{bob}" && env -u GIT_DIR git push -q origin HEAD:refs/heads/main; fi\n'
    )
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)
    result = Run(alice)("sync")
    assert (tmp_path / "raced").exists()
    # alice's note and the rebuild of the page both sides changed
    assert result.stdout == "synced with origin/main: received 1 commit(s), pushed 2\n"
    assert git(remote, "rev-parse", "main") == git(alice, "rev-parse", "HEAD")
    Run(bob)("sync")
    assert timeline(alice, incident) == timeline(bob, incident)


def test_an_incident_opened_on_two_clones_becomes_one(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path)
    alice = first_clone(tmp_path, remote)
    bob = clone(tmp_path, remote, "bob")
    Run(alice)("open", "Login failures", "--id", "login")
    Run(bob)("open", "Login failures", "--id", "login", "--by", "Bob <b@example.com>")
    Run(alice)("sync")
    result = Run(bob)("sync")
    assert "was also opened elsewhere: one incident now holds both sets of entries" in (
        result.stdout
    )
    (incident,) = {p.parent.name for p in bob.glob("incidents/*/incident.toml")}
    assert len(entry_files(bob)) == 2
    assert git(bob, "show", f"HEAD:incidents/{incident}/incident.toml") == git(
        alice, "show", f"HEAD:incidents/{incident}/incident.toml"
    )
    assert_healthy(bob)


def test_sync_commits_entries_a_busy_git_left_pending(tmp_path: Path) -> None:
    _remote, alice, bob, incident = _team(tmp_path)
    lock = alice / ".git" / "index.lock"
    lock.write_text("")
    written = Run(alice)("note", "while the index was locked", "-i", incident)
    assert "saved, not committed" in written.stderr
    os.unlink(lock)
    Run(alice)("sync")
    Run(bob)("sync")
    assert any(entry_id(written) in f for f in committed_entries(bob))
    assert_healthy(alice)


def _auto_sync_on(root: Path) -> None:
    config = root / "incjournal.toml"
    config.write_text(config.read_text().replace("auto = false", "auto = true"))
    git(root, "commit", "-qam", "auto-sync on")


def _wait_for_background_sync(root: Path) -> None:
    """A write hands the sync lock to its background `ij sync`: taking it waits for that."""
    from incjournal.store.lock import writer_lock

    with writer_lock(root / ".git" / "incjournal", "test", 60, name="sync.lock"):
        pass


def test_auto_sync_pushes_after_a_write_in_the_background(tmp_path: Path) -> None:
    remote, alice, _bob, incident = _team(tmp_path)
    _auto_sync_on(alice)
    written = Run(alice)("note", "auto-synced", "-i", incident)
    assert written.stderr == ""
    _wait_for_background_sync(alice)
    assert git(remote, "rev-parse", "main") == git(alice, "rev-parse", "HEAD")
    assert (alice / ".git" / "incjournal" / "sync.status").read_text() == "ok\n"


def test_auto_sync_offline_write_succeeds_and_says_sync_is_pending(tmp_path: Path) -> None:
    _remote, alice, _bob, incident = _team(tmp_path)
    _auto_sync_on(alice)
    git(alice, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    Run(alice)("note", "first while offline", "-i", incident)
    _wait_for_background_sync(alice)
    second = Run(alice)("note", "second while offline", "-i", incident)
    assert second.stdout.startswith("noted ")
    assert second.stderr.startswith("ij: warning: sync pending: the remote was unreachable (")
    assert second.stderr.endswith("); retrying now\n")
    _wait_for_background_sync(alice)
    assert len(committed_entries(alice)) == 3


def _background_round_with_git_busy(alice: Path, busy_for: float | None) -> str:
    """One background sync round while another git process holds the index lock (the lock file
    git itself takes), released after `busy_for` seconds or never; returns sync.status."""
    from incjournal.store.journal import Journal
    from incjournal.sync import _background_round

    lock = alice / ".git" / "index.lock"
    lock.write_text("")
    release = threading.Timer(busy_for or 0, lambda: lock.unlink(missing_ok=True))
    if busy_for is not None:
        release.start()
    try:
        _background_round(Journal(alice))
    finally:
        release.cancel()
        lock.unlink(missing_ok=True)
    return (alice / ".git" / "incjournal" / "sync.status").read_text()


def test_a_background_sync_waits_out_a_git_busy_for_a_moment(tmp_path: Path) -> None:
    remote, alice, _bob, incident = _team(tmp_path)
    Run(alice)("note", "to push", "-i", incident)
    assert _background_round_with_git_busy(alice, 1.0) == "ok\n"
    assert git(remote, "rev-parse", "main") == git(alice, "rev-parse", "HEAD")
    _auto_sync_on(alice)
    later = Run(alice)("note", "no stale warning", "-i", incident)
    assert later.stderr == ""  # the busy moment left no "sync pending" behind
    _wait_for_background_sync(alice)


def test_a_background_sync_that_stays_busy_is_reported_by_the_next_write(tmp_path: Path) -> None:
    remote, alice, _bob, incident = _team(tmp_path)
    Run(alice)("note", "to push", "-i", incident)
    status = _background_round_with_git_busy(alice, None)
    assert status.startswith("failed ") and "index.lock" in status
    assert git(remote, "rev-parse", "main") != git(alice, "rev-parse", "HEAD")
    _auto_sync_on(alice)
    later = Run(alice)("note", "says so", "-i", incident)
    assert later.stderr.startswith("ij: warning: sync pending: the last sync failed: ")
    _wait_for_background_sync(alice)
    assert git(remote, "rev-parse", "main") == git(alice, "rev-parse", "HEAD")


def test_a_journal_in_a_subfolder_of_a_bigger_repo_converges(tmp_path: Path) -> None:
    remote = bare_remote(tmp_path)
    ops = tmp_path / "ops"
    ops.mkdir()
    git(ops, "init", "-q")
    (ops / "app.py").write_text("print('hi')\n")
    git(ops, "add", "app.py")
    git(ops, "commit", "-qm", "app")
    git(ops, "remote", "add", "origin", str(remote))
    Run(ops)("init", "journal")
    alice = ops / "journal"
    Run(alice)("open", "Queue backlog", "--id", "queue")
    Run(alice)("sync")
    bob = clone(tmp_path, remote, "bob") / "journal"
    (incident,) = os.listdir(alice / "incidents")
    Run(alice)("note", "alice's note", "-i", incident)
    Run(bob)("note", "bob's note", "-i", incident)
    Run(alice)("sync")
    Run(bob)("sync")
    Run(alice)("sync")
    page = (alice / "incidents" / incident / "README.md").read_text()
    assert page == (bob / "incidents" / incident / "README.md").read_text()
    assert "alice's note" in page and "bob's note" in page
    assert_healthy(ops)


def _refusing_hook(hook: Path, why: str) -> None:
    """A git hook (a real script git runs) that says `why` and refuses."""
    hook.write_text(f"#!/bin/sh\necho '{why}' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IEXEC)


def test_a_push_the_server_refuses_is_a_clear_error(tmp_path: Path) -> None:
    remote, alice, _bob, incident = _team(tmp_path)
    _refusing_hook(remote / "hooks" / "pre-receive", "main is frozen")
    Run(alice)("note", "cannot go out", "-i", incident)
    result = Run(alice)("sync", code=2)
    assert result.stderr == (
        "ij: error: origin refused the push: [remote rejected] (pre-receive hook declined)\n"
    )
    assert git(remote, "rev-parse", "main") != git(alice, "rev-parse", "HEAD")


def test_a_push_a_local_hook_refuses_is_a_refusal_not_an_offline_remote(tmp_path: Path) -> None:
    remote, alice, _bob, incident = _team(tmp_path)
    _refusing_hook(alice / ".git" / "hooks" / "pre-push", "no pushing on fridays")
    Run(alice)("note", "kept here", "-i", incident)
    result = Run(alice)("sync", code=2)
    assert result.stderr == (
        "ij: error: a local pre-push hook refused the push: commits kept here; "
        "run `git push` to see why\n"
    )
    assert "cannot reach" not in result.stderr and result.stderr.count("\n") == 1
    assert git(remote, "rev-parse", "main") != git(alice, "rev-parse", "HEAD")
