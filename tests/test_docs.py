"""Docs that cannot rot: every command is documented with an example, every console example runs.

README.md is assembled from docs/sections/*.md, so both are read; a block already in README.md
is run once.

How a ```console block runs (write examples so that they hold):
- Each block runs on its own, in a fresh temporary folder with this test's isolated HOME and git
  identity. If the block runs `ij init` or `ij demo`, it starts in that empty folder. Otherwise it
  starts inside a fresh journal; and unless it runs `ij open` itself, that journal already has the
  current incident "Checkout errors in EU" (`--id checkout`, SEV2, IC alice), opened 35 minutes ago.
- Lines starting with `$ ` are commands, run in order; the lines under one are its sample output
  (not compared, except for ids: see below). `$ cd DIR` changes folder. A plain `ij ...` line runs
  in-process; a line with pipes or other shell syntax runs in bash with `ij` on PATH, if every
  program in it is a harmless local tool (echo, printf, cat, git log, ...: LOCAL_TOOLS; output may
  be redirected to a file in the block's folder). At any
  other line (git clone, kubectl, curl, a file on your laptop) the block stops and its test is
  skipped, saying so: a test never touches a remote or a cluster, and what follows depends on it.
- Exit codes: what a following `$ echo $?` line shows; else 2 when the sample output shows an
  `ij: error: ...` line; else 0, and `due`, `nudges`, `check` and `search` may also exit 1 (they
  report a finding that way).
- Ids: when the sample output says `noted 4kd9x2ab in 2026-11-23-checkout`, later commands that use
  `4kd` (any prefix of 3+ characters) or that incident id get the ids this run really made.
- An example that cannot run here (a file on your laptop, a real cluster) goes in a ```sh block.
"""

from __future__ import annotations

import importlib.util
import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import Run
from terminal import ij_shim, shell_env
from typer.main import get_command

from incjournal.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SECTIONS = sorted((ROOT / "docs" / "sections").glob("*.md"))
SCREENSHOTS = ROOT / "docs" / "make_screenshots.py"
COMMANDS = get_command(app).commands  # type: ignore[attr-defined]
CHECKS = {"due", "nudges", "check", "search"}
LOCAL_TOOLS = {"ij", "echo", "printf", "cat", "seq", "head", "tail", "grep", "sort", "wc", "git",
               "sh", "bash", "true", "false", "date", "ls", "test", "cd", "mkdir"}  # fmt: skip
BUILTINS = {"cd", "echo", "printf", "true", "false", "test"}
LOCAL_GIT = {"log", "show", "status", "diff", "init", "add", "commit", "config", "rev-parse"}
OPERATORS = {"|", "||", "&", "&&", ";", "(", ")", "|&"}
REDIRECTS = {"<", ">", ">>"}
WRITTEN = re.compile(r"\b([0-9a-z]{8}) in (\d{4}-\d\d-\d\d-[a-z0-9-]+)")
FENCE = re.compile(r"^```(\w*)\s*$")


def documentation() -> str:
    return "\n".join(p.read_text() for p in [README, *SECTIONS] if p.exists())


# --- every command: help with an example, and mentioned in the docs -------------------------


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help_with_an_example(name: str) -> None:
    assert Run(ROOT)(name, "--help").stdout.startswith(f"Usage: ij {name} ")
    text = COMMANDS[name].help or ""
    assert re.search(rf"^Example: .*\bij {re.escape(name)}\b", text, re.MULTILINE), (
        f"the help of `ij {name}` has no line 'Example: ij {name} ...'"
    )


def test_every_command_appears_in_the_readme() -> None:
    docs = documentation()
    missing = [n for n in sorted(COMMANDS) if not re.search(rf"\bij {re.escape(n)}\b", docs)]
    assert not missing, f"commands never shown as `ij NAME` in README.md / docs: {missing}"


# --- every console block runs ------------------------------------------------------------------


@dataclass(frozen=True)
class Command:
    line: int
    text: str  # what follows "$ "
    output: tuple[str, ...]  # the sample output shown under it
    code: int | None  # from a following `$ echo $?`


@dataclass(frozen=True)
class Block:
    where: str  # "README.md:42"
    raw: str
    commands: tuple[Command, ...]


def console_blocks(path: Path) -> list[Block]:
    """The ```console blocks of a Markdown file."""
    blocks, lines = [], path.read_text().splitlines()
    inside, start, body = False, 0, list[str]()
    for number, line in enumerate(lines, 1):
        fence = FENCE.match(line)
        if fence and not inside:
            inside, start, body = True, number, []
            lang = fence.group(1)
        elif line.startswith("```") and inside:
            inside = False
            if lang == "console":
                where = f"{path.relative_to(ROOT)}:{start}"
                blocks.append(Block(where, "\n".join(body), parse_commands(body, start)))
        elif inside:
            body.append(line)
    return blocks


def parse_commands(body: list[str], start: int) -> tuple[Command, ...]:
    commands: list[Command] = []
    for offset, line in enumerate(body, start + 1):
        if line.startswith("$ echo $?") and commands:
            shown = _next_output(body, offset - start)
            last = commands[-1]
            commands[-1] = Command(last.line, last.text, last.output, int(shown or "0"))
        elif line.startswith("$ "):
            commands.append(Command(offset, line[2:].strip(), (), None))
        elif commands and commands[-1].code is None:
            last = commands[-1]
            commands[-1] = Command(last.line, last.text, (*last.output, line), None)
    return tuple(commands)


def _next_output(body: list[str], index: int) -> str:
    rest = body[index:]
    return rest[0].strip() if rest and not rest[0].startswith("$ ") else ""


def all_blocks() -> list[Block]:
    readme = console_blocks(README) if README.exists() else []
    seen = {b.raw for b in readme}
    extra = [b for p in SECTIONS for b in console_blocks(p) if b.raw not in seen]
    return readme + extra


class Session:
    """One console block being typed into a fresh folder, like a reader would."""

    def __init__(self, tmp_path: Path, block: Block) -> None:
        self.block = block
        self.ids: dict[str, str] = {}
        self.env = shell_env(ij_shim(tmp_path / "bin").parent)
        self.cwd = tmp_path / "work"
        self.cwd.mkdir()
        self._prepare([c.text for c in block.commands])

    def _prepare(self, texts: list[str]) -> None:
        if any(t.startswith(("ij init", "ij demo")) for t in texts):
            return
        Run(self.cwd)("init", "journal")
        self.cwd = self.cwd / "journal"
        if not any(t.startswith("ij open") for t in texts):
            Run(self.cwd)(
                "open", "Checkout errors in EU", "--sev", "2", "--ic", "alice",
                "--id", "checkout", "--at", "35m ago",
            )  # fmt: skip

    def type(self, command: Command) -> None:
        text = self._with_real_ids(command.text)
        parts, shell = shell_parts(text)
        words = next((p for p in parts if p[0] == "ij"), parts[0])
        if parts == [["cd", *words[1:2]]]:
            self.cwd = (self.cwd / Path(words[1]).expanduser()).resolve()
            return
        if words[0] == "ij" and not shell:
            code, out, err = self._in_process(words[1:])
        elif self._local(parts):
            code, out, err = self._in_bash(text)
        else:
            pytest.skip(
                f"{self.block.where}: ran the lines above {command.line}, then stopped at "
                f"`$ {command.text}`: a test never touches a remote, a cluster or your files, "
                "and the lines after it depend on it"
            )
        self._check(command, words, code, out, err)
        self._learn_ids(command.output, (out + err).splitlines())

    def _in_process(self, args: list[str]) -> tuple[int, str, str]:
        result = Run(self.cwd)(*args, code=None)
        return result.exit_code, result.stdout, result.stderr

    def _in_bash(self, text: str) -> tuple[int, str, str]:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", text],
            cwd=self.cwd,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        return done.returncode, done.stdout, done.stderr

    def _local(self, parts: list[list[str]]) -> bool:
        """Only ij and harmless local tools run; a real cluster, network or laptop file never."""
        return all(
            _harmless(w) and (w[0] in BUILTINS or shutil.which(w[0], path=self.env["PATH"]))
            for w in parts
        )

    def _check(self, command: Command, words: list[str], code: int, out: str, err: str) -> None:
        allowed = {command.code} if command.code is not None else {0}
        if command.code is None and any(line.startswith("ij: error:") for line in command.output):
            allowed = {2}
        elif command.code is None and len(words) > 1 and words[1] in CHECKS:
            allowed.add(1)
        assert code in allowed, (
            f"{self.block.where}: line {command.line}: `$ {command.text}` exited {code}, "
            f"the example expects {sorted(allowed)}\nstdout:\n{out}\nstderr:\n{err}\n"
            "(an example that cannot run in a fresh journal belongs in a ```sh block)"
        )

    def _learn_ids(self, shown: tuple[str, ...], real: list[str]) -> None:
        pairs = zip(_written(shown), _written(real), strict=False)
        for (doc_entry, doc_incident), (entry, incident) in pairs:
            self.ids[doc_entry] = entry
            self.ids[doc_incident] = incident

    def _with_real_ids(self, text: str) -> str:
        for doc, real in self.ids.items():
            lengths = [len(doc)] if "-" in doc else range(len(doc), 2, -1)
            for n in lengths:
                text = re.sub(
                    rf"(?<![0-9A-Za-z-]){re.escape(doc[:n])}(?![0-9A-Za-z-])", real[:n], text
                )
        return text


def shell_parts(text: str) -> tuple[list[list[str]], bool]:
    """The simple commands of a shell line, and whether it needs a shell (pipes, $, ~, ...)."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    parts: list[list[str]] = [[]]
    shell = "$" in text or "`" in text
    redirect = False
    for token in lexer:
        if token in REDIRECTS:
            redirect = shell = True
        elif redirect:  # a file in the block's temp folder is fine; anywhere else is not
            redirect = False
            if token.startswith(("/", "~")):
                parts.append(["write-outside-the-test-folder"])
        elif token in OPERATORS:
            parts.append([])
            shell = True
        else:
            parts[-1].append(token)
            shell = shell or token.startswith("~")
    return [p for p in parts if p], shell


def _harmless(words: list[str]) -> bool:
    if words[0] == "git":
        return len(words) > 1 and words[1] in LOCAL_GIT
    return words[0] in LOCAL_TOOLS


def _written(lines: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [m.groups() for line in lines for m in WRITTEN.finditer(line)]


BLOCKS = all_blocks()


def test_the_docs_have_console_examples() -> None:
    assert BLOCKS, "no ```console block found in README.md or docs/sections/*.md"


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_console_example_runs(block: Block, tmp_path: Path) -> None:
    session = Session(tmp_path, block)
    for command in block.commands:
        session.type(command)


def test_the_screenshot_script_draws_both_pictures(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_screenshots", SCREENSHOTS)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    script.main(tmp_path)
    show, watch = (tmp_path / "show.svg").read_text(), (tmp_path / "watch.svg").read_text()
    assert show.startswith("<svg") and watch.startswith("<svg")
    assert "Checkout&#160;errors&#160;in&#160;EU" in show
    assert "OVERDUE" in watch and "Ctrl-C&#160;quits" in watch
    assert (SCREENSHOTS.parent / "show.svg").is_file() and (
        SCREENSHOTS.parent / "watch.svg"
    ).is_file()
