"""Plain parameters skip pydantic, and coerce exactly as Typer's own coercion does."""

from __future__ import annotations

import functools
import subprocess
import sys
from typing import Any

import pytest
import typer.main
from conftest import Run
from hypothesis import given, settings
from hypothesis import strategies as st
from typer._coercion import build_runtime_param

from incjournal.cli import app
from incjournal.cli.plainargs import _Plain, plain_params

_PROBE = """
import atexit
import sys
sys.argv = ["ij", *sys.argv[1:]]
from incjournal.startup import main
atexit.register(
    lambda: print("PYDANTIC" if "pydantic" in sys.modules else "NO-PYDANTIC", file=sys.stderr)
)
main()
"""


def _pydantic_loaded(cwd: Any, *args: str) -> bool:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    last = proc.stderr.strip().splitlines()[-1]
    assert last in ("PYDANTIC", "NO-PYDANTIC"), proc.stderr
    return last == "PYDANTIC"


@pytest.mark.parametrize(
    "args",
    [
        ("note", "db slow", "-t", "db", "--public"),
        ("decide", "roll back", "--why", "errors began with the deploy"),
        ("timeline",),
        ("--help",),
    ],
)
def test_common_commands_never_import_pydantic(
    journal_dir: Any, incident: str, args: tuple[str]
) -> None:
    assert not _pydantic_loaded(journal_dir, *args)


def test_an_unknown_annotation_still_gets_typers_coercion(journal_dir: Any) -> None:
    # `ij init DIR` takes a Path: Typer's own coercion (and pydantic) handles it
    assert _pydantic_loaded(journal_dir, "init", str(journal_dir))


@functools.cache
def _group() -> Any:
    return typer.main.get_command(app)


def _descriptor(command: str, name: str) -> Any:
    group = _group()
    ctx = group.make_context("ij", [command], resilient_parsing=True)
    params = {p.name: p for p in group.commands[command].get_params(ctx)}
    return params[name]


def _both(command: str, name: str, value: Any) -> tuple[Any, Any]:
    param = _descriptor(command, name)
    descriptor = param.type_descriptor
    plain = _Plain(annotation=descriptor.annotation, parameter_info=descriptor.parameter_info)
    typers = build_runtime_param(descriptor)
    results = []
    for coercion in (plain, typers):
        try:
            results.append(coercion._coerce_value(value, param=param, ctx=None))
        except Exception as exc:  # compare the failure too
            results.append((type(exc).__name__, str(exc)))
    return results[0], results[1]


@given(st.text())
@settings(deadline=None)  # a loaded machine is not a failure of the coercion
def test_text_is_coerced_as_typer_does(value: str) -> None:
    ours, typers = _both("note", "text", value)
    assert ours == typers


@given(st.lists(st.text(), max_size=4))
@settings(deadline=None)  # a loaded machine is not a failure of the coercion
def test_repeated_text_is_coerced_as_typer_does(values: list[str]) -> None:
    ours, typers = _both("note", "tag", tuple(values))
    assert ours == typers and isinstance(ours, list)


@given(st.one_of(st.integers().map(str), st.text(max_size=6)))
@settings(deadline=None)  # a loaded machine is not a failure of the coercion
def test_integers_are_coerced_as_typer_does(value: str) -> None:
    ours, typers = _both("open", "sev", value)
    assert ours == typers


def test_every_parameter_of_the_hot_commands_is_plain() -> None:
    group = typer.main.get_command(app)
    ctx = group.make_context("ij", ["note"], resilient_parsing=True)
    for name in ("note", "decide", "ask", "action", "answer", "done", "status", "sev", "role"):
        command = group.commands[name]
        plain_params(command, ctx)
        kinds = {p.name: type(p._runtime_param).__name__ for p in command.get_params(ctx)}
        assert set(kinds.values()) == {"_Plain"}, (name, kinds)


def test_bad_integer_gets_typers_message(run: Run) -> None:
    result = run("open", "Checkout errors", "--sev", "two", code=2)
    assert "Invalid value for '--sev': Input should be a valid integer" in result.stderr
    assert "Traceback" not in result.stderr
