"""The public lint: what must not go out in a public-facing text, each finding with its span.

It looks for hostnames, IP addresses, e-mail addresses, the names of the people in the journal
(roles, authors, owners), internal ticket and command syntax, and (unless `[public_lint] eta =
false`) promised fix times. One rule everywhere: public-facing output that would be recorded,
written or committed with a finding (a `--public` entry, `ij update` to a public-facing
audience, `ij brief --write` for one) is refused unless `--allow-lint`; a printed brief shows
its findings on stderr. `[public_lint] allow` lists words that are fine to publish (your public
domain, say); `[public_lint] patterns` adds `{name = "regex"}` rules of your own.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from incjournal.core.config import Config
from incjournal.core.errors import BadValue, IncJournalError
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import Entry
from incjournal.store.journal import Journal

_COMMANDS = (
    "kubectl|sudo|ssh|scp|systemctl|journalctl|psql|mysql|redis-cli|curl|wget|grep|helm|"
    "terraform|docker|ansible|gcloud|git|ij"
)
_NOT_TICKETS = frozenset(
    {"UTF", "ISO", "RFC", "HTTP", "TLS", "SSL", "COVID", "SHA", "MD", "IPV", "PCI", "SOC"}
    | {"WCAG", "AES", "RSA", "SEV", "CVE", "TCP", "UDP"}
)
_RULES: Sequence[tuple[str, re.Pattern[str]]] = (
    ("e-mail address", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("IP address", re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)")),
    ("IP address", re.compile(r"(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")),
    ("command", re.compile(r"`[^`\n]+`")),
    ("command", re.compile(r"(?:^|(?<=\s))\$\s+(?=[a-z./~])\S+")),
    ("command", re.compile(rf"\b(?:{_COMMANDS})\s+[-\w./:=]+")),
    ("command", re.compile(r"(?<![\w-])--[a-z][\w-]+")),
    ("file path", re.compile(r"(?<![\w./:~])(?:~|\.{1,2})?/(?:[\w.-]+/)+[\w.-]*")),
    ("ticket", re.compile(r"\b([A-Z][A-Z0-9]{1,9})-\d+\b")),
    ("ticket", re.compile(r"(?<![\w&])#\d{2,}\b")),
    (
        "hostname",
        re.compile(
            r"(?<![\w@.-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
            r"[a-z][a-z0-9-]{0,61}[a-z0-9](?![\w-])"
        ),
    ),
    ("hostname", re.compile(r"(?<![\w.-])[a-z][a-z0-9]*(?:-[a-z0-9]+)*-\d+[a-z]?(?![\w-])")),
    ("hostname", re.compile(r"(?<![\w.-])[a-z]{2,}\d{2,}(?![\w-])")),
)
_WHEN = (
    r"(?:\d+\s*(?:minutes?|mins?|hours?|hrs?|days?)"
    r"|\d{1,2}(?::\d{2})?(?:\s*(?:am|pm))?(?:\s*(?:utc|gmt|cet|cest|est|edt|pst|pdt))?"
    r"|an?\s+(?:hour|day|few\s+(?:minutes|hours))"
    r"|half\s+an\s+hour|(?:one|two|three)\s+(?:hours?|days?)|noon|midnight|tonight|tomorrow"
    r"|the\s+end\s+of\s+(?:the\s+)?\w+)\b"
)
_ETA: Sequence[re.Pattern[str]] = (
    re.compile(r"\bETAs?\b"),
    re.compile(
        r"\b(?:fix(?:ed)?|resolved?|restored?|recover(?:ed|y)?|back\s+(?:up|online|to\s+normal)"
        r"|expect(?:ed|s)?)\b[^.!?\n]{0,60}?\b(?:by|within|before|in)\s+"
        r"(?:about\s+|around\s+|roughly\s+|~\s*)?" + _WHEN,
        re.IGNORECASE,
    ),
)


@dataclass(frozen=True)
class Finding:
    """Something that must not go out: what kind, the text, its span, and where it came from."""

    kind: str
    match: str
    start: int
    end: int
    source: str = ""

    def __str__(self) -> str:
        where = f" in {self.source}" if self.source else ""
        return f"{self.kind} {self.match!r} at {self.start}-{self.end}{where}"


def lint(text: str, people: Iterable[str] = (), config: Config | None = None) -> list[Finding]:
    """Every finding in `text`, in order, none overlapping (the first, most specific rule wins)."""
    settings = config.section("public_lint") if config is not None else {}
    rules = [*_RULES[:1], *_people_rules(people), *_RULES[1:], *_custom(settings)]
    if settings.get("eta", True):
        rules += [("ETA", pattern) for pattern in _ETA]
    allow = {str(a).lower() for a in settings.get("allow", ()) if isinstance(a, str)}
    found: list[tuple[int, int, int, str]] = []
    for priority, (kind, pattern) in enumerate(rules):
        for match in pattern.finditer(text):
            if _real(kind, match) and match.group(0).lower() not in allow:
                found.append((match.start(), priority, match.end(), kind))
    return _no_overlaps(text, sorted(found))


def _real(kind: str, match: re.Match[str]) -> bool:
    """Weed out look-alikes: numbers that are not addresses, acronyms that are not tickets."""
    value = match.group(0)
    if kind == "IP address":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
    if kind == "ticket" and match.lastindex:
        return match.group(1) not in _NOT_TICKETS
    return True


def _no_overlaps(text: str, found: Sequence[tuple[int, int, int, str]]) -> list[Finding]:
    out: list[Finding] = []
    for start, _priority, end, kind in found:
        if out and start < out[-1].end:
            continue
        out.append(Finding(kind, text[start:end], start, end))
    return out


def _people_rules(people: Iterable[str]) -> list[tuple[str, re.Pattern[str]]]:
    """Full names (any case), single handles of 3+ letters, and capitalised parts of names."""
    patterns: set[str] = set()
    for person in people:
        name = person.split("<", 1)[0].strip()
        tokens = name.split()
        if len(tokens) > 1:
            patterns.add(r"(?i:" + r"\s+".join(map(re.escape, tokens)) + ")")
            patterns.update(re.escape(t) for t in tokens if len(t) >= 3 and t[0].isupper())
        elif tokens and len(tokens[0]) >= 3:
            patterns.add(r"(?i:" + re.escape(tokens[0]) + ")")
    ordered = sorted(patterns, key=len, reverse=True)
    if not ordered:
        return []
    return [("person", re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)"))]


def _custom(settings: Mapping[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
    table = settings.get("patterns", {})
    rules = []
    for name, regex in table.items() if isinstance(table, Mapping) else ():
        try:
            rules.append((str(name), re.compile(str(regex))))
        except re.error as exc:
            raise BadValue(
                f"incjournal.toml: [public_lint] patterns.{name} is not a valid regex: {exc}"
            ) from exc
    return rules


def people_of(state: IncidentState) -> tuple[str, ...]:
    """Everyone the journal names: authors, role holders (past and present), owners."""
    names = [state.meta.opened_by, *state.participants]
    names += [change.person for change in state.role_history]
    names += [e.owner for e in state.entries if e.owner]
    names += [e.person for e in state.entries if e.person]
    return tuple(dict.fromkeys(n for n in names if n and n.strip()))


def lint_entry(
    text: str, tags: Iterable[str], source: str, people: Iterable[str], config: Config
) -> list[Finding]:
    """Findings in one public statement: its text and the components its `affects:` tags name."""
    found = [_from(f, source) for f in lint(text, people, config)]
    for tag in tags:
        if tag.startswith("affects:"):
            found += [_from(f, f"{source} (tag {tag})") for f in lint(tag[8:], people, config)]
    return found


def _from(finding: Finding, source: str) -> Finding:
    return Finding(finding.kind, finding.match, finding.start, finding.end, source)


def entry_findings(journal: Journal, incident_id: str, entry: Entry) -> list[Finding]:
    """The lint of an entry written with --public (and the people the journal names); a
    rendered brief sent as an update was linted by what it publishes (`check_brief`)."""
    from incjournal.core.model import RENDERED

    if entry.extra.get(RENDERED):
        return []
    people = [entry.author, *(p for p in (entry.owner, entry.person) if p)]
    try:
        state = fold(journal.read_meta(incident_id), journal.read_entries(incident_id))
        people += people_of(state)
    except IncJournalError:
        pass  # a new incident (or an unreadable one): lint against this entry's people only
    return lint_entry(entry.text, entry.tags, f"entry {entry.id}", people, journal.config)


def refusal(what: str, findings: Sequence[Finding]) -> BadValue:
    """The one rule for public-facing output with a finding: refused, in one line."""
    return BadValue(
        f"refused: the {what} has {len(findings)} public-lint finding(s): {describe(findings)}; "
        "reword it (or amend the entries it quotes), or pass --allow-lint"
    )


def describe(findings: Sequence[Finding], limit: int = 3) -> str:
    """Findings in one line: the first few, then how many more."""
    shown = "; ".join(str(f) for f in findings[:limit])
    more = len(findings) - limit
    return shown + (f"; and {more} more" if more > 0 else "")
