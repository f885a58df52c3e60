"""`ij update AUDIENCE --post`: the update sent to the audience's chat, the only place ij speaks
HTTP. The audience names its target in incjournal.toml; the webhook URL, a secret, stays in the
environment variable the config names:

    [audiences.exec]
    post = "slack"                     # slack, teams, mattermost, discord or json
    post_url_env = "IJ_EXEC_WEBHOOK"   # the variable that holds the webhook URL

Each request is bounded (`[post] timeout`, seconds, default 4) and a failed one is tried once
more; a URL must be https (plain http only to this machine, for tests and local relays).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from incjournal import __version__
from incjournal.core.config import FILENAME, Config
from incjournal.core.errors import BadValue, ExitCode, IncJournalError
from incjournal.render import chat

TIMEOUT = 4.0
RETRY_PAUSE = 0.5
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_LOCAL = ("127.0.0.1", "localhost", "::1")


class PostFailed(IncJournalError):
    """The update is recorded; sending it to the chat did not work."""

    exit_code = ExitCode.CHECK_FAILED


@dataclass(frozen=True)
class Target:
    audience: str
    kind: str  # one of chat.TARGETS
    url_env: str
    timeout: float


def target(config: Config, audience: str) -> Target:
    """Where `audience` posts, from incjournal.toml; BadValue (nothing recorded) when it says
    nothing usable, or puts a URL in the committed file."""
    where = f"{FILENAME} [audiences.{audience}]"
    spec = config.section("audiences").get(audience, {})
    if not isinstance(spec, Mapping) or "post" not in spec:
        raise BadValue(
            f'{audience} has no chat to post to: add post = "slack" and post_url_env = '
            f'"IJ_{audience.upper()}_WEBHOOK" under [audiences.{audience}] in {FILENAME}'
        )
    if "post_url" in spec:
        raise BadValue(
            f"{where} post_url: a webhook URL is a secret and must not be committed; put it in "
            "an environment variable and name that with post_url_env"
        )
    kind, env = spec["post"], spec.get("post_url_env")
    if kind not in chat.TARGETS:
        raise BadValue(f"{where} post = {kind!r}: use one of {', '.join(chat.TARGETS)}")
    if not isinstance(env, str) or not _ENV_NAME.match(env):
        raise BadValue(
            f"{where} post_url_env: name the environment variable that holds the webhook URL, "
            'e.g. post_url_env = "IJ_EXEC_WEBHOOK" (never the URL itself)'
        )
    return Target(audience, kind, env, _timeout(config))


def _timeout(config: Config) -> float:
    value = config.section("post").get("timeout", TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 30:
        raise BadValue(f"{FILENAME} [post] timeout: give seconds between 0 and 30, e.g. 4")
    return float(value)


def webhook_url(chosen: Target) -> str:
    """The URL from the environment; BadValue when it is not set or not https."""
    url = os.environ.get(chosen.url_env, "").strip()
    if not url:
        raise BadValue(
            f"{chosen.url_env} is not set: export it with {chosen.audience}'s webhook URL "
            "(nothing was recorded or sent)"
        )
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in _LOCAL
    if not (parts.scheme == "https" and parts.hostname) and not local:
        raise BadValue(f"{chosen.url_env} must hold an https:// URL (nothing was recorded or sent)")
    return url


@dataclass(frozen=True)
class Message:
    """What is posted: a title people see first, and the body in Markdown."""

    title: str
    markdown: str
    facts: Mapping[str, Any]  # for the generic JSON target: audience, at, status, ...


def payloads(kind: str, message: Message) -> list[dict[str, Any]]:
    """The request bodies for target `kind` (Discord may need several)."""
    if kind == "slack":
        return [chat.slack_payload(message.title, message.markdown)]
    if kind == "mattermost":
        return [chat.mattermost_payload(message.title, message.markdown)]
    if kind == "teams":
        return [chat.teams_payload(message.title, message.markdown)]
    if kind == "discord":
        return chat.discord_payloads(message.title, message.markdown)
    text = chat.plain_text(message.markdown)
    return [{**message.facts, "title": message.title, "text": text, "markdown": message.markdown}]


def send(url: str, bodies: Sequence[Mapping[str, Any]], timeout: float) -> None:
    """POST each body as JSON, in order; a failed request is tried once more. PostFailed says
    why the last try failed."""
    for body in bodies:
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            _post(url, data, timeout)
        except _Retry:
            time.sleep(RETRY_PAUSE)
            try:
                _post(url, data, timeout)
            except _Retry as exc:
                raise PostFailed(f"post failed: {exc}") from None


class _Retry(Exception):
    """A request that failed in a way worth one more try (or the second one)."""


def _post(url: str, data: bytes, timeout: float) -> None:
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": f"incjournal/{__version__}"},
    )
    host = urlsplit(url).hostname or "the webhook"
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(64 * 1024)
    except urllib.error.HTTPError as exc:
        raise _Retry(f"{host} answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise _Retry(f"cannot reach {host}: {reason}") from None
