"""Checks on what a user typed before it is written: likely secrets are refused."""

from __future__ import annotations

from incjournal.core.config import Config
from incjournal.core.errors import CorruptFile, SecretFound
from incjournal.core.model import Entry

_SCANNED = ("text", "why", "title")


def extra_patterns(config: Config) -> dict[str, str]:
    patterns = config.section("secrets").get("patterns", {})
    return {str(k): str(v) for k, v in patterns.items()} if isinstance(patterns, dict) else {}


def refuse_secrets(config: Config, entry: Entry) -> None:
    """Raise SecretFound naming kind and position (never the secret) if a text field holds one."""
    from incjournal import secrets

    for name in _SCANNED:
        value = getattr(entry, name, None)
        if not value:
            continue
        try:
            findings = secrets.scan(value, extra_patterns(config))
        except ValueError as exc:  # a bad [secrets] pattern in incjournal.toml
            raise CorruptFile(f"incjournal.toml: {exc}") from exc
        if findings:
            where = "" if name == "text" else f" in --{name}"
            raise SecretFound(
                f"refused: {secrets.describe(findings)}{where}; remove it, or pass --allow-secret "
                "if it is not one"
            )
