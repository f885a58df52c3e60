"""Checks on what a user typed before it is written: likely secrets are refused."""

from __future__ import annotations

from incjournal.core.config import Config
from incjournal.core.errors import CorruptFile, SecretFound
from incjournal.core.model import Entry

# every field a person types, with how they typed it (for the message)
_SCANNED = {
    "text": "",
    "why": " in --why",
    "title": " in the title",
    "author": " in --by (it would become the commit's author)",
    "owner": " in --owner",
    "tags": " in --tag",
    "person": " in the person's name",
    "role": " in the role",
    "likelihood": " in --likelihood",
    "impact": " in --impact",
    "stream": " in --stream",
    "file": " in the file name",
}


def extra_patterns(config: Config) -> dict[str, str]:
    patterns = config.section("secrets").get("patterns", {})
    return {str(k): str(v) for k, v in patterns.items()} if isinstance(patterns, dict) else {}


def refuse_secrets(config: Config, entry: Entry) -> None:
    """Raise SecretFound naming kind, field and position (never the secret) if any field a
    person typed holds one."""
    for name, where in _SCANNED.items():
        value = getattr(entry, name, None)
        for text in (value,) if isinstance(value, str) else value or ():
            _refuse_in(config, text, where)


def _refuse_in(config: Config, text: str, where: str) -> None:
    from incjournal import secrets

    try:
        findings = secrets.scan(text, extra_patterns(config))
    except ValueError as exc:  # a bad [secrets] pattern in incjournal.toml
        raise CorruptFile(f"incjournal.toml: {exc}") from exc
    if findings:
        raise SecretFound(
            f"refused: {secrets.describe(findings)}{where}; remove it, or pass --allow-secret "
            "if it is not one"
        )
