"""A brief or an update's text, made for where the team talks: Slack's mrkdwn and Block Kit,
Microsoft Teams' Adaptive Cards, Mattermost and Discord (Markdown of their own), plain text, and a
generic JSON document. Pure: Markdown in, strings and payload dictionaries out (`post` sends them).

The briefs are Markdown written by `render.*`, with user text escaped by backslashes (`\\*`,
`\\<`); each target gets it without those escapes, in its own markup, within its own limits:
Slack 3,000 characters a section and 50 blocks, Discord 2,000 characters a message. Tables, which
no chat shows well, become one line a row ("Status: resolved").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

SLACK_SECTION = 3000
SLACK_BLOCKS = 50
SLACK_HEADER = 150
DISCORD_MESSAGE = 2000
TARGETS = ("slack", "teams", "mattermost", "discord", "json")

_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()<>#+\-.!|~&=])")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_STRIKE = re.compile(r"~~(.+?)~~")
_CHECKBOX = re.compile(r"^(\s*)[-*] \[( |x)\] ")
_BULLET = re.compile(r"^(\s*)[-*] ")


def plain_lines(markdown: str) -> Iterator[str]:
    """The brief's lines with tables as one line a row and fences kept as they are."""
    fenced = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            yield line
        elif fenced:
            yield line
        elif _TABLE_RULE.match(line.strip()):
            continue
        elif line.startswith("|"):
            yield _table_row(line)
        else:
            yield line


def _table_row(line: str) -> str:
    """'| Status | **resolved** |' -> 'Status: **resolved**' (an empty header row is dropped)."""
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]
    cells = [c for c in cells if c]
    if len(cells) == 2:
        return f"{cells[0]}: {cells[1]}"
    return " · ".join(cells)


def unescape(text: str) -> str:
    """The text without Markdown's backslash escapes: `\\(` is `(`."""
    return _ESCAPED.sub(r"\1", text)


def plain_text(markdown: str) -> str:
    """No markup at all: for a text message, a notification, an e-mail."""
    out = []
    for line in plain_lines(markdown):
        if line.startswith("```"):
            continue
        line = _HEADING.sub(r"\1", line)
        line = _LINK.sub(r"\1 (\2)", line)
        line = _BOLD.sub(r"\1", _STRIKE.sub(r"\1", line))
        line = _CHECKBOX.sub(lambda m: f"{m[1]}[{'x' if m[2] == 'x' else ' '}] ", line)
        line = re.sub(r"(?<!\\)[`]|(?<![\\\w])_(?=\S)|(?<=\S)_(?!\w)", "", line)
        out.append(unescape(line))
    return _squeezed("\n".join(out))


def slack_mrkdwn(markdown: str) -> str:
    """Slack's mrkdwn: *bold*, <url|text> links, • bullets, `&<>` escaped as Slack asks."""
    out = []
    for line in plain_lines(markdown):
        if line.startswith("```"):
            out.append("```")
        elif line.startswith("> "):
            out.append(f"> {_slack_line(line[2:])}")
        else:
            out.append(_slack_line(line))
    return _squeezed("\n".join(out))


def _slack_line(line: str) -> str:
    heading = _HEADING.match(line)
    body = heading[1] if heading else line
    links: list[str] = []  # made first: their < > must stay, the text's are escaped
    body = _LINK.sub(lambda m: _keep(links, f"<{m[2]}|{_slack_escape(unescape(m[1]))}>"), body)
    body = _slack_escape(unescape(body))
    body = _BOLD.sub(r"*\1*", _STRIKE.sub(r"~\1~", body))
    body = _CHECKBOX.sub(lambda m: f"{m[1]}{'☑' if m[2] == 'x' else '☐'} ", body)
    body = _BULLET.sub(r"\1• ", body)
    body = re.sub("\x00(\\d+)\x00", lambda m: links[int(m[1])], body)
    return f"*{body}*" if heading and body else body


def _keep(kept: list[str], value: str) -> str:
    kept.append(value)
    return f"\x00{len(kept) - 1}\x00"


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _squeezed(text: str) -> str:
    """No runs of blank lines, no blank lines at either end."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def chunks(text: str, limit: int) -> list[str]:
    """`text` cut into pieces of at most `limit` characters, at paragraph or line ends where it
    can be (a line longer than the limit is cut where it must)."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        joined = f"{current}\n{line}" if current else line
        if len(joined) > limit:
            pieces.append(current)
            joined = line
        current = joined
    if current.strip():
        pieces.append(current)
    return [p.strip("\n") for p in pieces if p.strip()]


def slack_payload(title: str, markdown: str) -> dict[str, Any]:
    """An incoming-webhook message: a header block, then sections of mrkdwn (each within
    Slack's 3,000 characters, 50 blocks at most) and `text`, the notification's fallback."""
    body = slack_mrkdwn(without_title(markdown))
    sections = chunks(body, SLACK_SECTION)
    if len(sections) > SLACK_BLOCKS - 1:
        sections = [*sections[: SLACK_BLOCKS - 2], "_…cut short here: the journal has the rest._"]
    header = {"type": "plain_text", "text": _clipped(unescape(title), SLACK_HEADER)}
    blocks: list[dict[str, Any]] = [{"type": "header", "text": header}]
    blocks += [{"type": "section", "text": {"type": "mrkdwn", "text": s}} for s in sections]
    return {"text": _clipped(_slack_escape(unescape(title)), SLACK_SECTION), "blocks": blocks}


def mattermost_payload(title: str, markdown: str) -> dict[str, Any]:
    """Mattermost's incoming webhook (Slack-compatible): `text` in Markdown, which it renders,
    the title in bold above it."""
    return {"text": f"**{title}**\n\n" + "\n".join(plain_lines(markdown))}


def teams_payload(title: str, markdown: str) -> dict[str, Any]:
    """A Teams message holding one Adaptive Card: the title, then a text block a paragraph."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": unescape(title), "weight": "Bolder", "size": "Medium"}
    ]
    for paragraph in _paragraphs("\n".join(plain_lines(without_title(markdown)))):
        text = unescape(_HEADING.sub(r"**\1**", paragraph))
        body.append({"type": "TextBlock", "text": text, "wrap": True})
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
    return {"type": "message", "attachments": [attachment]}


def discord_payloads(title: str, markdown: str) -> list[dict[str, Any]]:
    """Discord webhook messages (Markdown, 2,000 characters each): as many as the text needs."""
    text = "\n".join(plain_lines(markdown))
    return [
        {"content": piece, "allowed_mentions": {"parse": []}}
        for piece in chunks(text, DISCORD_MESSAGE)
    ]


def _paragraphs(text: str) -> list[str]:
    return [p.strip("\n") for p in re.split(r"\n\s*\n", text) if p.strip()]


def title_of(markdown: str) -> str:
    """The brief's first heading, as text (its audience's own title: never an internal one on a
    public brief)."""
    lines = markdown.splitlines()
    found = _HEADING.match(lines[0]) if lines else None
    return unescape(found[1]) if found else ""


def without_title(markdown: str) -> str:
    """The brief without its first heading (the payload's title says it)."""
    lines = markdown.splitlines()
    if lines and _HEADING.match(lines[0]):
        lines = lines[1:]
    return "\n".join(lines)


def _clipped(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


STATUSPAGE_STATUS = ("investigating", "identified", "monitoring", "resolved")
STATUSPAGE_IMPACT = {1: "critical", 2: "major", 3: "minor"}  # any other severity: none


def statuspage_payload(title: str, status: str, severity: int | None, body: str) -> dict[str, Any]:
    """The Statuspage API's incident object (what `POST /pages/{id}/incidents` takes): a status
    Statuspage knows (a journal's own status maps to investigating), the impact from the
    severity, and the latest public message as the body."""
    known = status if status in STATUSPAGE_STATUS else "investigating"
    impact = STATUSPAGE_IMPACT.get(severity or 0, "none")
    incident = {"name": title, "status": known, "impact_override": impact, "body": body}
    return {"incident": incident}
