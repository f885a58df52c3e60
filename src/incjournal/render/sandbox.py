"""The sandbox a journal's own templates run in: Jinja's, bounded in size and time.

Jinja's sandbox keeps a template away from files and Python internals, but not from `'a' * 10**10`
(gigabytes) or loops nested deep enough to run for hours. Here `*`, `**` and `+` refuse results
over `MAX_SIZE`, the rendered text may not grow past `MAX_SIZE`, and rendering stops after
`SECONDS` (an alarm on the main thread, a check between output chunks elsewhere). Each limit
raises `TemplateLimit`, which the brief reports as a template error, never a hang.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

from jinja2 import Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_SIZE = 1024 * 1024  # characters a value or a whole brief may reach
SECONDS = 5.0
MAX_POWER = 1000


class TemplateLimit(Exception):
    """A template went past a limit of the sandbox."""


class BoundedSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "+"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_POWER:
            raise TemplateLimit(f"a power over {MAX_POWER}")
        if operator == "*" and isinstance(right, int) and _size(left) * right > MAX_SIZE:
            raise TemplateLimit(f"a value over {MAX_SIZE:,} characters")
        if operator == "*" and isinstance(left, int) and _size(right) * left > MAX_SIZE:
            raise TemplateLimit(f"a value over {MAX_SIZE:,} characters")
        if operator == "+" and _size(left) + _size(right) > MAX_SIZE:
            raise TemplateLimit(f"a value over {MAX_SIZE:,} characters")
        return super().call_binop(context, operator, left, right)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, str | list | tuple) else 0


def render(template: Template, variables: dict[str, Any]) -> str:
    """The template rendered within the sandbox's limits (TemplateLimit past one of them)."""
    deadline = time.monotonic() + SECONDS
    chunks, size = [], 0
    with _alarm(SECONDS):
        for chunk in template.generate(**variables):
            size += len(chunk)
            if size > MAX_SIZE:
                raise TemplateLimit(f"a brief over {MAX_SIZE:,} characters")
            if time.monotonic() > deadline:
                raise TemplateLimit(f"rendering took over {SECONDS:g} s")
            chunks.append(chunk)
    return "".join(chunks)


@contextlib.contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt a render that produces nothing for too long (main thread, where signals go)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum: int, frame: Any) -> None:
        raise TemplateLimit(f"rendering took over {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
