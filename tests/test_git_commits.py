"""Git: one commit per write with only the journal's files; the user's own work stays put."""

from __future__ import annotations

import hashlib
import pickle
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import Run, entry_id, git, ij_subprocess
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def test_user_staged_and_unstaged_changes_stay_exactly_as_they_were(
    run: Run, journal_dir: Path, incident: str
) -> None:
    (journal_dir / "runbook.md").write_text("v1\n")
    git(journal_dir, "add", "runbook.md")
    git(journal_dir, "commit", "-qm", "runbook")
    (journal_dir / "runbook.md").write_text("v2 staged\n")
    git(journal_dir, "add", "runbook.md")
    (journal_dir / "runbook.md").write_text("v3 unstaged\n")
    (journal_dir / "scratch.txt").write_text("untracked\n")
    before = git(journal_dir, "status", "--porcelain")
    staged_blob = git(journal_dir, "ls-files", "-s", "runbook.md")

    note = entry_id(run("note", "db is slow"))

    assert git(journal_dir, "status", "--porcelain") == before
    assert git(journal_dir, "ls-files", "-s", "runbook.md") == staged_blob
    assert (journal_dir / "runbook.md").read_text() == "v3 unstaged\n"
    committed = git(journal_dir, "show", "--name-only", "--format=", "HEAD").split()
    assert "runbook.md" not in committed and "scratch.txt" not in committed
    assert any(note in f for f in committed)
    assert git(journal_dir, "show", "HEAD:runbook.md") == "v1\n"


def test_journal_inside_a_subfolder_of_a_bigger_repo(tmp_path: Path) -> None:
    repo = tmp_path / "ops"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "app.py").write_text("print('hi')\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "app")
    Run(repo)("init", "journal")
    sub = Run(repo / "journal")
    sub("open", "Queue backlog", "--id", "queue")
    (repo / "app.py").write_text("print('changed')\n")
    git(repo, "add", "app.py")
    sub("note", "consumers lagging")
    assert git(repo, "diff", "--cached", "--name-only").split() == ["app.py"]
    files = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert all(f.startswith("journal/incidents/") for f in files)


def test_index_entries_of_journal_files_match_head(
    run: Run, journal_dir: Path, incident: str
) -> None:
    for text in ("one", "two", "three"):
        run("note", text)
    assert git(journal_dir, "status", "--porcelain") == ""
    assert git(journal_dir, "diff", "--cached", "--stat") == ""
    git(journal_dir, "fsck", "--strict")


def test_end_to_end_as_a_real_process(tmp_path: Path) -> None:
    root = tmp_path / "j"
    assert ij_subprocess(tmp_path, "init", str(root)).returncode == 0
    opened = ij_subprocess(root, "open", "Login failures", "--sev", "1", "--ic", "dana")
    assert opened.returncode == 0, opened.stderr
    noted = ij_subprocess(root, "note", "-", input="line one\nline two\n")
    assert noted.returncode == 0 and noted.stdout.startswith("noted ")
    shown = ij_subprocess(root, "show")
    assert shown.returncode == 0 and "Login failures" in shown.stdout
    assert "\x1b[" not in shown.stdout  # piped output is plain
    bad = ij_subprocess(root, "sev", "7")
    assert bad.returncode == 2
    assert bad.stderr == "ij: error: invalid severity '7': use one of 1, 2, 3, 4\n"
    usage = ij_subprocess(root, "note", "--no-such-flag")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert len(git(root, "log", "--format=%H").splitlines()) == 3


def test_console_scripts_are_installed() -> None:
    for name in ("ij", "incjournal"):
        path = shutil.which(name)
        if path is None:  # running from a source tree without installation
            continue
        out = subprocess.run([path, "--help"], capture_output=True, text=True, check=True)
        assert "Keep an incident's journal in git" in out.stdout


def test_a_commit_rewrites_only_its_folders_and_keeps_the_rest_of_the_tree(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """The tree is built from HEAD's with `mktree`, folder by folder: every other path keeps its
    object id, and the result equals what `git add` + `git write-tree` would make."""
    (journal_dir / "docs").mkdir()
    (journal_dir / "docs" / "runbook.md").write_text("steps\n")
    tool = journal_dir / "tool.sh"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    git(journal_dir, "add", "docs", "tool.sh")
    git(journal_dir, "commit", "-qm", "by hand")
    before = dict(
        line.split("\t", 1)[::-1] for line in git(journal_dir, "ls-tree", "-r", "HEAD").splitlines()
    )
    note = entry_id(run("note", "db slow"))
    after = dict(
        line.split("\t", 1)[::-1] for line in git(journal_dir, "ls-tree", "-r", "HEAD").splitlines()
    )
    added = set(after) - set(before)
    assert any(note in path for path in added) and len(added) == 1
    changed = {p for p in before if before[p] != after.get(p)}
    assert changed == {f"incidents/{incident}/README.md"}
    assert after["tool.sh"].startswith("100755 blob")
    git(journal_dir, "read-tree", "HEAD")  # the index git itself would build
    assert git(journal_dir, "write-tree") == git(journal_dir, "rev-parse", "HEAD^{tree}")
    git(journal_dir, "fsck", "--strict")


def test_folder_names_that_look_like_patterns_are_taken_literally(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "ops [*]").mkdir()
    (repo / "ops [*]" / "keep.md").write_text("kept\n")
    (repo / "ops x").mkdir()
    (repo / "ops x" / "other.md").write_text("other\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "layout")
    Run(repo)("init", "ops [*]")
    sub = Run(repo / "ops [*]")
    sub("open", "Queue backlog", "--id", "queue")
    sub("note", "consumers lagging")
    files = git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert "ops [*]/keep.md" in files and "ops x/other.md" in files
    assert any(f.startswith("ops [*]/incidents/") and "/entries/" in f for f in files)
    assert not any(f.startswith("ops x/incidents") for f in files)
    assert git(repo, "status", "--porcelain") == ""


def test_a_missing_path_is_removed_and_an_emptied_folder_goes_with_it(
    journal_dir: Path,
) -> None:
    from datetime import UTC, datetime

    from incjournal.git import commit as gitlog

    folder = journal_dir / "scratch" / "deep"
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text("a\n")
    who = gitlog.Identity("Alice Example", "alice@example.com")
    now = datetime.now(UTC)
    gitlog.commit_paths(journal_dir, journal_dir / ".git", ["scratch/deep/a.txt"], "add", who, now)
    assert "scratch/deep/a.txt" in git(journal_dir, "ls-tree", "-r", "--name-only", "HEAD")
    (folder / "a.txt").unlink()
    gitlog.commit_paths(journal_dir, journal_dir / ".git", ["scratch/deep/a.txt"], "rm", who, now)
    assert "scratch" not in git(journal_dir, "ls-tree", "-r", "--name-only", "HEAD")
    assert git(journal_dir, "status", "--porcelain") == ""
    git(journal_dir, "fsck", "--strict")


def test_an_unreadable_folder_in_head_stops_the_commit_instead_of_dropping_it(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """A folder whose tree cannot be listed is never taken for an empty one: the write is kept
    (pending) and HEAD does not move to a tree that lost the folder's entries."""
    run("note", "first")
    head = git(journal_dir, "rev-parse", "HEAD")
    tree = git(journal_dir, "rev-parse", f"HEAD:incidents/{incident}/entries").strip()
    (journal_dir / ".git" / "objects" / tree[:2] / tree[2:]).unlink()
    kept = journal_dir / ".git" / "incjournal" / "cache" / "trees.pickle"
    assert kept.is_file()
    kept.unlink()  # the trees of ij's last commit: without them, git must read the lost tree
    written = run("note", "second")
    assert "saved, not committed" in written.stderr
    assert git(journal_dir, "rev-parse", "HEAD") == head


def test_the_kept_trees_of_the_last_commit_are_exact(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """While HEAD is ij's last commit, its folders' trees come from the cache: the next commit
    is the very tree git builds from the files, whatever git no longer has of the old one."""
    first = entry_id(run("note", "first"))
    tree = git(journal_dir, "rev-parse", f"HEAD:incidents/{incident}/entries").strip()
    (journal_dir / ".git" / "objects" / tree[:2] / tree[2:]).unlink()  # not needed any more
    second = entry_id(run("note", "second"))
    names = git(journal_dir, "ls-tree", "--name-only", f"HEAD:incidents/{incident}/entries")
    assert first in names and second in names
    git(journal_dir, "read-tree", "HEAD")
    assert git(journal_dir, "status", "--porcelain") == ""
    git(journal_dir, "commit", "-qm", "by hand", "--allow-empty")  # HEAD moves: trees from git
    third = entry_id(run("note", "third"))
    listed = git(journal_dir, "ls-tree", "-r", "--name-only", "HEAD")
    assert all(n in listed for n in (first, second, third))


_NAMES = st.text(
    st.characters(blacklist_characters="\0/\n", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=6,
)
_MODES = st.sampled_from([("100644", "blob"), ("100755", "blob"), ("040000", "tree")])


@pytest.fixture(scope="module")
def bare_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("trees")
    git(repo, "init", "-q", "--bare")
    return repo


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(_NAMES, _MODES, min_size=0, max_size=8), st.data())
def test_an_edited_tree_is_the_one_git_mktree_makes(
    bare_repo: Path, before: dict[str, tuple[str, str]], data: st.DataObject
) -> None:
    """Replacing, adding and removing records of a tree object in git's binary form gives the
    very tree `git mktree` builds from the resulting listing (order, modes, ids)."""
    from incjournal.git.trees import Tree

    def oid(name: str) -> str:
        return hashlib.sha1(name.encode()).hexdigest()

    def mktree(entries: dict[str, tuple[str, str]]) -> str:
        listing = "".join(f"{m} {k} {oid(n)}\t{n}\0" for n, (m, k) in entries.items())
        return git_bytes_in(bare_repo, ["mktree", "-z", "--missing"], listing.encode())

    tree = Tree.parse(git_raw(bare_repo, mktree(before)) if before else b"", 20)
    assert tree.keys == sorted(tree.keys) and len(tree.keys) == len(before)
    if data.draw(st.booleans(), label="kept"):  # as the cache gives it back: packed
        tree = pickle.loads(pickle.dumps(tree))
    gone = data.draw(st.sets(st.sampled_from(sorted(before)))) if before else set()
    added = data.draw(st.dictionaries(_NAMES, _MODES, max_size=4))
    changes: dict[str, tuple[str, str, str] | None] = dict.fromkeys(gone)
    changes.update({n: (m, k, oid(n)) for n, (m, k) in added.items()})
    after = {n: v for n, v in before.items() if n not in gone} | added
    edited = tree.edited(changes)
    assert edited.object_id("sha1") == (
        mktree(after) if after else Tree(b"", [], []).object_id("sha1")
    )
    assert edited == Tree.parse(edited.raw, 20)  # keys and starts kept right by every splice


def git_bytes_in(repo: Path, args: list[str], stdin: bytes) -> str:
    proc = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True, check=True)
    return proc.stdout.decode().strip()


def git_raw(repo: Path, oid: str) -> bytes:
    return subprocess.run(
        ["git", "cat-file", "tree", oid], cwd=repo, capture_output=True, check=True
    ).stdout


def _write_note_file(repo: Path, name: str) -> list[str]:
    (repo / "notes").mkdir(exist_ok=True)
    (repo / "notes" / name).write_text(f"{name}\n")
    return [f"notes/{name}"]


def test_a_large_user_index_switches_to_split_index_mode(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from incjournal.git import commit as gitlog

    monkeypatch.setattr(gitlog, "SPLIT_INDEX_FROM", 1)  # "large": any index at all
    who = gitlog.Identity("Alice Example", "alice@example.com")
    git_dir = journal_dir / ".git"
    paths = _write_note_file(journal_dir, "a.txt")
    gitlog.commit_paths(journal_dir, git_dir, paths, "a", who, datetime.now(UTC))
    assert list(git_dir.glob("sharedindex.*"))
    assert git(journal_dir, "status", "--porcelain") == ""
    assert "notes/a.txt" in git(journal_dir, "ls-files")


def test_core_split_index_false_is_respected(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from incjournal.git import commit as gitlog

    monkeypatch.setattr(gitlog, "SPLIT_INDEX_FROM", 1)
    git(journal_dir, "config", "core.splitIndex", "false")
    who = gitlog.Identity("Alice Example", "alice@example.com")
    git_dir = journal_dir / ".git"
    paths = _write_note_file(journal_dir, "b.txt")
    gitlog.commit_paths(journal_dir, git_dir, paths, "b", who, datetime.now(UTC))
    assert not list(git_dir.glob("sharedindex.*"))
    assert git(journal_dir, "status", "--porcelain") == ""


def test_odd_file_names_are_committed_as_they_are(journal_dir: Path) -> None:
    from datetime import UTC, datetime

    from incjournal.git import commit as gitlog

    names = ["line\nbreak.txt", "tab\there.txt", "-dash.txt", "ünï cödé.txt"]
    folder = journal_dir / "odd"
    folder.mkdir()
    for name in names:
        (folder / name).write_text(f"{name}\n")
    who = gitlog.Identity("Alice Example", "alice@example.com")
    paths = [f"odd/{n}" for n in names]
    gitlog.commit_paths(journal_dir, journal_dir / ".git", paths, "odd", who, datetime.now(UTC))
    listed = git(journal_dir, "ls-tree", "-r", "-z", "--name-only", "HEAD").split("\0")
    assert sorted(p for p in listed if p.startswith("odd/")) == sorted(paths)
    for path in paths:
        assert git(journal_dir, "show", f"HEAD:{path}") == (journal_dir / path).read_text()
    git(journal_dir, "fsck", "--strict")


def test_the_first_versions_private_index_is_removed_on_the_next_write(
    run: Run, journal_dir: Path, incident: str
) -> None:
    state = journal_dir / ".git" / "incjournal"
    (state / "index").write_bytes(b"DIRC old private index")
    (state / "index.base").write_text("0" * 40 + "\n")
    run("note", "after an upgrade")
    assert not (state / "index").exists() and not (state / "index.base").exists()
    assert git(journal_dir, "status", "--porcelain") == ""


@given(st.lists(_NAMES, unique=True, max_size=12), _MODES)
def test_a_kept_tree_pickles_back_to_itself(names: list[str], mode: tuple[str, str]) -> None:
    from incjournal.git.trees import Tree

    tree = Tree(b"", [], []).edited(
        {n: (mode[0], mode[1], hashlib.sha1(n.encode()).hexdigest()) for n in names}
    )
    copy = pickle.loads(pickle.dumps(tree))
    assert copy == tree and copy.keys == tree.keys and copy.starts == tree.starts
    assert copy == Tree.parse(tree.raw, 20)


def test_a_tree_written_ahead_is_the_commits_or_none(
    run: Run, journal_dir: Path, incident: str
) -> None:
    """The entries folder's tree is written while the page renders; the commit uses it when it is
    the tree it needs, and nothing is left running either way (here a clean filter makes git's
    blob differ from the file, so the tree written ahead is not the one committed)."""
    from incjournal.git import trees

    first = entry_id(run("note", "first"))  # the trees of this commit are kept
    assert not trees._AHEAD
    git(journal_dir, "read-tree", "HEAD")
    assert (
        git(journal_dir, "write-tree").strip()
        == git(journal_dir, "rev-parse", "HEAD^{tree}").strip()
    )
    (journal_dir / ".gitattributes").write_text("*.toml filter=upper\n")
    git(journal_dir, "config", "filter.upper.clean", "tr a-z A-Z")
    git(journal_dir, "add", ".gitattributes")
    git(journal_dir, "commit", "-qm", "filter")
    run("note", "second")  # HEAD is not ij's: nothing kept, nothing ahead
    second = entry_id(run("note", "third"))  # kept trees, but git's blob is not the file's bytes
    assert not trees._AHEAD
    shown = git(
        journal_dir,
        "show",
        f"HEAD:incidents/{incident}/entries/"
        + next(
            p.name
            for p in (journal_dir / "incidents" / incident / "entries").iterdir()
            if second in p.name
        ),
    )
    assert "THIRD" in shown  # the filtered blob, as `git add` would store it
    names = git(journal_dir, "ls-tree", "--name-only", f"HEAD:incidents/{incident}/entries")
    assert first in names and second in names
    git(journal_dir, "fsck", "--strict")


def test_a_plain_note_commits_only_trees_written_ahead(
    run: Run, journal_dir: Path, incident: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from incjournal.git import trees

    run("note", "first")  # its trees are kept
    started: list[str] = []
    needed: list[str] = []
    start, write = trees.start, trees.write
    monkeypatch.setattr(trees, "start", lambda top, ts: (started.extend(ts), start(top, ts))[1])
    monkeypatch.setattr(trees, "write", lambda top, ts: (needed.extend(ts), write(top, ts))[1])
    run("note", "second")
    assert needed and set(needed) <= set(started)  # every tree was on its way before the commit
    assert not trees._AHEAD
    git(journal_dir, "read-tree", "HEAD")
    assert git(journal_dir, "write-tree") == git(journal_dir, "rev-parse", "HEAD^{tree}")


_LOADED = """
import atexit
import sys
sys.argv = ["ij", *sys.argv[1:]]
from incjournal.startup import main
atexit.register(lambda: print("TREES" if "incjournal.git.trees" in sys.modules else "NO-TREES",
                              file=sys.stderr))
main()
"""


@pytest.mark.parametrize(("args", "loaded"), [(("list",), False), (("note", "x"), True)])
def test_the_tree_code_loads_only_for_a_commit(
    journal_dir: Path, incident: str, args: tuple[str, ...], loaded: bool
) -> None:
    import sys

    proc = subprocess.run(
        [sys.executable, "-c", _LOADED, *args],
        cwd=journal_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stderr.strip().splitlines()[-1] == ("TREES" if loaded else "NO-TREES")


def test_a_name_after_every_record_is_appended_to_a_kept_tree_without_unpacking_it() -> None:
    """A new entry file sorts last in its folder: the edit appends it, and the 10,000 keys of a
    long incident's folder stay packed as the cache gave them (unpacking costs more than the
    edit). A name that does not sort last unpacks them, and both edits are exact."""
    from incjournal.git.trees import Tree

    def record(name: str) -> tuple[str, str, str]:
        return ("100644", "blob", hashlib.sha1(name.encode()).hexdigest())

    names = [f"20260101T{n:06d}Z-x.toml" for n in range(0, 2000, 2)]
    kept = pickle.loads(pickle.dumps(Tree(b"", [], []).edited({n: record(n) for n in names})))
    later = "20260101T999999Z-new.toml"
    appended = kept.edited({later: record(later)})
    assert appended._lists is None  # still packed
    assert appended == Tree.parse(appended.raw, 20) and appended.keys[-1] == later.encode()
    again = pickle.loads(pickle.dumps(appended)).edited({"20260101T999999Z-z.toml": None})
    assert again.raw == appended.raw
    inside = "20260101T000001Z-x.toml"
    between = kept.edited({inside: record(inside)})
    assert between._lists is not None and between == Tree.parse(between.raw, 20)
    assert between.keys[1] == inside.encode()
