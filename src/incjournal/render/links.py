"""The external references of an action (`ij link`) as Markdown, wherever the action is shown."""

from __future__ import annotations

from collections.abc import Sequence


def linked(urls: Sequence[str]) -> str:
    """' — <https://…>, <https://…>' (autolinks: `core.links.check_url` keeps `<>` out), or ''."""
    return " — " + ", ".join(f"<{url}>" for url in urls) if urls else ""
