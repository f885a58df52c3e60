"""Plain text arguments without pydantic: the start-up cost of every `ij` command that runs.

Typer 0.29 coerces each parameter value through a pydantic `TypeAdapter`; building the first one
imports pydantic (~100-150 ms, half of `ij note`). Nearly all of `ij`'s parameters are plain text
(`str`, `list[str]`), where that coercion returns the argv string unchanged, and integers. For
those, `plain_params(command, ctx)` installs a coercion that does the same directly; any value or
annotation it does not know (an Enum, a Path, a bound, a parser, an int that does not parse) goes
to Typer's own coercion, so messages and behaviour stay Typer's.

Typer has no public hook for this: the per-parameter `_runtime_param` slot it fills lazily is
used. If a Typer release changes that, `plain_params` does nothing and Typer's coercion runs as
before (slower, never wrong); tests/test_plainargs.py notices.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_INT = re.compile(r"[+-]?[0-9]+")

try:
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # a Typer without this layout: keep its own coercion
    RuntimeParam = None  # type: ignore[assignment,misc]

if RuntimeParam is not None:

    @dataclass(frozen=True)
    class _Plain(RuntimeParam):
        """str, bool, list[str] and int values as Typer's adapters return them; else Typer's."""

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            kind = self.annotation
            if isinstance(value, str) and kind is str:
                return value
            if isinstance(value, bool) and kind is bool:
                return value
            if kind is int and isinstance(value, str) and _INT.fullmatch(value):
                return int(value)
            texts = isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value)
            if kind == list[str] and texts:
                return list(value)
            typer_own = build_runtime_param(param.type_descriptor)
            param._runtime_param = typer_own
            return typer_own._coerce_value(value, param=param, ctx=ctx)


def plain_params(command: Any, ctx: Any) -> None:
    """Give `command`'s plain str/bool/int/list[str] parameters (its --help option included: Typer
    makes that one in `get_params`) the direct coercion above."""
    if RuntimeParam is None or command is None:
        return
    for param in command.get_params(ctx):
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue
        if _plain(descriptor):
            param._runtime_param = _Plain(
                annotation=descriptor.annotation, parameter_info=descriptor.parameter_info
            )


def _plain(descriptor: Any) -> bool:
    info = descriptor.parameter_info
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return False
    if descriptor.file_annotation is not None:
        return False
    kind = descriptor.annotation
    if kind is int:
        return info.min is None and info.max is None and not info.clamp
    return kind is str or kind is bool or kind == list[str]
