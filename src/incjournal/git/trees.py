"""Git tree objects edited in git's own binary form, for commits that rewrite a few folders.

A commit of one new entry file rewrites the folders on its way: the top, `incidents/`, the
incident's folder and its `entries/`, which holds one record per entry (10,000 in a long
incident; `incidents/` holds one per incident). `git mktree` parses a text listing of every
record each time (~3x the time `git hash-object -t tree` takes for the same tree), and reading
the records back in Python costs as much again. So a folder's tree is kept as git stores it, with
each record's sort key and start: a change finds its record by bisection and splices the bytes,
and a new entry file, which sorts last, is appended.

The trees of the folders ij wrote in its last commit are kept in the cache
(`<git dir>/incjournal/cache/trees.pickle`) with that commit's id, and used only while HEAD is
that commit (a tree is named by its content, so they are exact); any other folder, or any other
HEAD, is read with one `git cat-file --batch`. New trees are written by `git hash-object -t tree
-w`, which checks each one's format (sorted, no duplicate, valid modes) before writing it, and
must name it with the id computed here. The tree of the folder a new entry file goes into can be
written ahead (`write_ahead`, as soon as the file is on disk, while the caller renders the
incident page): `write` collects that process instead of starting another.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import functools
import hashlib
import os
import posixpath
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incjournal.core.errors import GitError
from incjournal.store.cache import VERSION, cache_key, read_cache, stamp, write_cache

Record = tuple[str, str, str]  # (mode, type, object id) of one tree entry
TREE_MODE = "040000"


Packed = tuple[bytes, int, bytes, "bytes | None"]  # keys joined by NUL, count, starts, last key


class Tree:
    """A tree object's content with the sort key and start of each record (in order).

    A kept tree comes back from the cache packed: its keys joined by NUL (no name holds one) and
    its starts as 8-byte words, unpacked only when an edit needs to search them. A new entry file
    sorts after every record of its folder and is appended without them: loading 10,000 keys
    costs more than the rest of the edit."""

    def __init__(self, raw: bytes, keys: list[bytes], starts: list[int]) -> None:
        self.raw = raw
        # sort keys (a folder's name with "/": git sorts it so) and starts; None while packed
        self._lists: tuple[list[bytes], list[int]] | None = (keys, starts)
        self._packed: Packed | None = None
        self._ids: dict[str, tuple[bytes, str]] = {}

    @classmethod
    def packed(cls, raw: bytes, packed: Packed) -> Tree:
        tree = cls(raw, [], [])
        tree._lists, tree._packed = None, packed
        return tree

    @classmethod
    def parse(cls, raw: bytes, oid_size: int) -> Tree:
        keys, starts = [], []
        at = 0
        for match in _record_pattern(oid_size).finditer(raw):
            if match.start() != at:  # records are back to back: a gap is not a tree
                break
            mode, name = match.group(1, 2)
            keys.append(name + b"/" if mode == b"40000" else name)
            starts.append(at)
            at = match.end()
        if at != len(raw):
            raise GitError("git gave a tree object that could not be read")
        return cls(raw, keys, starts)

    @property
    def keys(self) -> list[bytes]:
        return self._unpacked()[0]

    @property
    def starts(self) -> list[int]:
        return self._unpacked()[1]

    def _unpacked(self) -> tuple[list[bytes], list[int]]:
        if self._lists is None:
            assert self._packed is not None
            joined, count, words, _ = self._packed
            offsets = array.array("Q")
            offsets.frombytes(words)
            self._lists = (joined.split(b"\0") if count else [], offsets.tolist())
            self._packed = None
        return self._lists

    @property
    def last(self) -> bytes | None:
        """The last record's sort key (None: an empty tree)."""
        if self._packed is not None:
            return self._packed[3]
        return self.keys[-1] if self.keys else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tree):
            return NotImplemented
        return (self.raw, self.keys, self.starts) == (other.raw, other.keys, other.starts)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Tree({len(self.raw)} bytes)"

    def __contains__(self, name: bytes) -> bool:
        return self._find(name) is not None or self._find(name + b"/") is not None

    def _copy(self) -> Tree:
        if self._packed is not None:
            return Tree.packed(self.raw, self._packed)
        return Tree(self.raw, list(self.keys), list(self.starts))

    def edited(self, changes: Mapping[str, Record | None]) -> Tree:
        """A copy with each name's record replaced, added or (None) removed."""
        tree = self._copy()
        for name, record in changes.items():
            key = os.fsencode(name)
            sort_key = key + b"/" if record is not None and record[1] == "tree" else key
            new = b""
            if record is not None:
                mode, _, oid = record
                new = mode.lstrip("0").encode() + b" " + key + b"\0" + bytes.fromhex(oid)
                last = tree.last
                if last is None or key > last:  # after every record: no search, no unpacking
                    tree._append(sort_key, new)
                    continue
            for old in (key, key + b"/"):
                at = tree._find(old)
                if at is not None and (old != sort_key or record is None):
                    tree._splice(at, at + 1, [])
            if record is not None:
                at = bisect.bisect_left(tree.keys, sort_key)
                found = at < len(tree.keys) and tree.keys[at] == sort_key
                tree._splice(at, at + found, [(sort_key, new)])  # a record of the same name
                # and kind is replaced in place: a folder's new tree id shifts no later record
        return tree

    def _append(self, key: bytes, data: bytes) -> None:
        start = len(self.raw)
        self.raw += data
        if self._packed is None:
            self.keys.append(key)
            self.starts.append(start)
            return
        joined, count, words, _ = self._packed
        joined = joined + b"\0" + key if count else key
        self._packed = (joined, count + 1, words + array.array("Q", [start]).tobytes(), key)

    def _find(self, key: bytes) -> int | None:
        at = bisect.bisect_left(self.keys, key)
        return at if at < len(self.keys) and self.keys[at] == key else None

    def _splice(self, first: int, stop: int, records: list[tuple[bytes, bytes]]) -> None:
        """Records `first`..`stop` (exclusive) replaced by `records` (key, bytes)."""
        keys, starts = self.keys, self.starts
        begin = starts[first] if first < len(starts) else len(self.raw)
        end = starts[stop] if stop < len(starts) else len(self.raw)
        middle = b"".join(data for _, data in records)
        self.raw = self.raw[:begin] + middle + self.raw[end:]
        shift = len(middle) - (end - begin)
        new_starts, at = [], begin
        for _, data in records:
            new_starts.append(at)
            at += len(data)
        rest = starts[stop:]
        starts[first:] = new_starts + ([s + shift for s in rest] if shift else rest)
        keys[first:stop] = [key for key, _ in records]

    def object_id(self, algorithm: str) -> str:
        """The tree's id (remembered: a write hashes each new tree up to three times)."""
        known = self._ids.get(algorithm)
        if known is None or known[0] is not self.raw:
            known = self._ids[algorithm] = (self.raw, object_id(algorithm, b"tree", self.raw))
        return known[1]

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled packed: 10,000 keys pickled one by one take longer to load than the tree
        takes to edit."""
        if self._packed is not None:
            return _unpickled_tree, (self.raw, *self._packed[:3])
        words = array.array("Q", self.starts).tobytes()
        return _unpickled_tree, (self.raw, b"\0".join(self.keys), len(self.keys), words)


def _unpickled_tree(raw: bytes, joined: bytes, count: int, words: bytes) -> Tree:
    last = joined.rpartition(b"\0")[2] if count else None
    return Tree.packed(raw, (joined, count, words, last))


@functools.cache
def _record_pattern(oid_size: int) -> re.Pattern[bytes]:
    """One record: `<mode> <name>\\0<object id, raw>`."""
    return re.compile(rb"([0-7]+) ([^\0]+)\0.{%d}" % oid_size, re.DOTALL)


def object_id(algorithm: str, kind: bytes, content: bytes) -> str:
    """The id git gives an object of `kind` (b"blob", b"tree") holding `content`."""
    return hashlib.new(algorithm, b"%b %d\0%b" % (kind, len(content), content)).hexdigest()


def id_size(algorithm: str) -> int:
    """Bytes of an object id in a tree record."""
    return hashlib.new(algorithm).digest_size


def object_format(top: Path, head: str) -> str:
    """The hash of the repository's objects (sha1 or sha256), told by HEAD's id or by git."""
    from incjournal.git.commit import git  # gitlog imports this module: its helpers come late

    known = {40: "sha1", 64: "sha256"}.get(len(head))
    if known:
        return known
    return git(top, "rev-parse", "--show-object-format", check=False).stdout.strip() or "sha1"


def read(top: Path, head: str, folders: Iterable[str], oid_size: int) -> dict[str, Tree]:
    """HEAD's tree of each folder, from one `git cat-file --batch` (none without a HEAD).

    A folder HEAD does not have is an empty tree, but only when its parent (or the parent's own
    absence) confirms it: a tree that cannot be read is never taken for an empty folder.
    """
    order = sorted(folders, key=len)  # parents first
    if not head or not order:
        return {folder: Tree(b"", [], []) for folder in order}
    if any("\n" in folder for folder in order):  # cat-file reads one name a line
        raise GitError("a folder name with a line break cannot be committed: rename it")
    from incjournal.git.commit import git_bytes

    asked = "".join(f"{head}:{folder}\n" if folder else f"{head}^{{tree}}\n" for folder in order)
    out = git_bytes(top, "cat-file", "--batch", stdin=asked.encode())
    trees: dict[str, Tree] = {}
    at = 0
    for folder in order:
        newline = out.index(b"\n", at)
        header = out[at:newline].split(b" ")
        at = newline + 1
        if header[-1] == b"missing":
            parent, name = posixpath.split(folder)
            if not folder or os.fsencode(name) in trees.get(parent, Tree(b"", [], [])):
                raise GitError(f"git cat-file failed: the tree of {folder or 'the top'} is missing")
            trees[folder] = Tree(b"", [], [])
            continue
        if header[1] != b"tree":
            raise GitError(f"{folder} is a {header[1].decode()} in HEAD, not a folder")
        size = int(header[2])
        trees[folder] = Tree.parse(out[at : at + size], oid_size)
        at += size + 1
    return trees


def write(top: Path, trees: Mapping[str, bytes]) -> None:
    """Write tree objects (id -> content) in parallel; git checks each before writing it. A tree
    `write_ahead` already started is collected instead of written again."""
    with contextlib.ExitStack() as running:
        procs = {}
        for oid, raw in trees.items():
            ahead = _AHEAD.pop(oid, None)
            procs[oid] = running.enter_context(ahead if ahead is not None else _hash_tree(top, raw))
        for oid, proc in procs.items():
            _collect(oid, proc)


def _hash_tree(top: Path, raw: bytes) -> subprocess.Popen[bytes]:
    from incjournal.git.commit import spawn

    proc = spawn(top, "hash-object", "-t", "tree", "-w", "--stdin", stdin=True)
    assert proc.stdin is not None
    if len(raw) > _PIPE:
        _widen(proc.stdin.fileno(), len(raw))
    proc.stdin.write(raw)
    proc.stdin.close()
    return proc


_PIPE = 64 * 1024  # a pipe's usual capacity: a larger tree is written in rounds with git


def _widen(fd: int, size: int) -> None:
    """Let the pipe hold `size` bytes where the system allows (Linux, up to its limit, 1 MiB by
    default), so that a large tree is handed over at once instead of git's reads paced by a 64 KiB
    buffer; anywhere else the write simply takes those rounds."""
    with contextlib.suppress(ImportError, AttributeError, OSError):
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, min(size, 1 << 20))


def _collect(oid: str, proc: subprocess.Popen[bytes]) -> None:
    assert proc.stdout is not None and proc.stderr is not None
    out, err = proc.stdout.read(), proc.stderr.read()  # a line each: no pipe fills up
    if proc.wait() != 0 or out.decode().strip() != oid:
        lines = os.fsdecode(err).strip().splitlines()
        raise GitError(f"git hash-object failed for a tree: {lines[-1] if lines else oid}")


# trees written ahead of their commit ------------------------------------------------------------
_AHEAD: dict[str, subprocess.Popen[bytes]] = {}  # tree id -> the process writing it


def start(top: Path, trees: Mapping[str, bytes]) -> None:
    """Start writing tree objects (id -> content) ahead of their commit: `write` collects them;
    `settle` waits for those no commit used."""
    for oid, raw in trees.items():
        if oid not in _AHEAD:
            _AHEAD[oid] = _hash_tree(top, raw)


def settle() -> None:
    """Wait for trees written ahead that no commit collected (a commit deferred, or failed)."""
    while _AHEAD:
        _, proc = _AHEAD.popitem()
        with proc:  # its stdin is closed already; its output is one line
            assert proc.stdout is not None and proc.stderr is not None
            proc.stdout.read(), proc.stderr.read()


# the trees of ij's last commit -----------------------------------------------------------------
@dataclass
class Kept:
    key: str
    commit: str
    trees: dict[str, Tree]
    version: int = VERSION


def kept(git_dir: Path, head: str) -> dict[str, Tree]:
    """The trees ij wrote in its last commit, if that commit is `head`; else none. Read once while
    the file keeps its stamp (`write_ahead` and the commit both ask)."""
    if not head:
        return {}
    path = _kept_path(git_dir)
    key = (path, head, stamp(path))
    if _KEPT_READ[0] != key:
        data = read_cache(path, Kept, "trees")
        _KEPT_READ[:] = [key, data.trees if data is not None and data.commit == head else {}]
    return dict(_KEPT_READ[1])


_KEPT_READ: list[Any] = [None, {}]  # (path, head, file stamp), trees


def keep(git_dir: Path, commit: str, trees: dict[str, Tree]) -> None:
    """Keep the trees of `commit` (here: written by a forked child while the command ends, it
    was slower, the fork and the child's exit costing more than the ~2 ms of writing)."""
    write_cache(_kept_path(git_dir), Kept(cache_key("trees"), commit, trees))


def _kept_path(git_dir: Path) -> Path:
    return git_dir / "incjournal" / "cache" / "trees.pickle"
