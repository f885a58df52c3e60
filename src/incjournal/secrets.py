"""Find likely secrets in incident text, say where they are, and redact them.

Detection is detect-secrets' keyword-specific plugins (AWS, GitHub, GitLab, Slack, basic-auth URL,
private key, JWT, quoted `password = "..."`, ...) plus a few targeted rules for realistic cases it
misses (unquoted `Password=...;` in connection strings, fine-grained GitHub tokens, bearer headers).
Its high-entropy plugins are not used: they flag commit SHAs, UUIDs and sha256 sums.

Importing detect-secrets costs ~150 ms, so it is only loaded when the text has one of the candidate
shapes in `_SHAPES`; an ordinary note costs one regex search and never imports it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from incjournal.secret_rules import PLACEHOLDERS, RULES, ZERO_WIDTH


@dataclass(frozen=True)
class Finding:
    """Where a likely secret is; deliberately never holds the secret text."""

    kind: str
    line: int  # 1-based
    column: int  # 1-based
    start: int  # offset in the scanned text
    end: int  # exclusive


class _Span(NamedTuple):
    start: int
    end: int
    kind: str
    rank: int  # lower wins when two spans start at the same place and are as long


# Shapes that make a text worth a closer look. Every rule below and every detect-secrets plugin in
# `_PLUGINS` needs one of them, so a text without any is clean and detect-secrets is not imported.
# Searched in the lowercased text: plain literals keep the search fast on long command output.
_KEYWORD = (
    r"(?:passw(?:or)?d|passphrase|pwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key"
    r"|private[_-]?key|auth[_-]?key|[a-z0-9]_pass)"
)
_KEYWORD_SHAPE = rf"(?i:{_KEYWORD}\w*['\"\]]{{0,2}}\s*(?:=|:|\())"
_SHAPES = (
    r"(?:akia|asia|abia|acca|a3t[a-z0-9])[a-z0-9]{16}"
    r"|gh[pousr]_|github_pat_|gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|gr1348941"
    r"|xox[abposr]-|xapp-|hooks\.slack\.com/services/"
    r"|-----begin|putty-user-key-file|eyj[a-z0-9_-]{4,}\."
    r"|://[^\s/@]*:[^\s/@]+@|authorization['\"]?\s*[:=]"
    r"|[rs]k_live_|sg\.[\w-]{22}\.|pypi-age|t3blbkfj|accountkey=|_authtoken=|sq0csp-"
    + "|"
    + _KEYWORD_SHAPE.replace("[a-z0-9]_pass", "_pass")
)
_LONG_LINE = 400  # KeywordDetector's regexes are quadratic on long lines: give it windows

# detect-secrets plugin class -> (module under detect_secrets.plugins, the kind users see)
_PLUGINS = {
    "AWSKeyDetector": ("aws", "AWS access key"),
    "GitHubTokenDetector": ("github_token", "GitHub token"),
    "GitLabTokenDetector": ("gitlab_token", "GitLab token"),
    "SlackDetector": ("slack", "Slack token"),
    "BasicAuthDetector": ("basic_auth", "basic-auth URL"),
    "PrivateKeyDetector": ("private_key", "private key"),
    "JwtTokenDetector": ("jwt", "JWT"),
    "KeywordDetector": ("keyword", "secret"),  # refined from the keyword: password, token, ...
    "StripeDetector": ("stripe", "Stripe key"),
    "SendGridDetector": ("sendgrid", "SendGrid key"),
    "PypiTokenDetector": ("pypi_token", "PyPI token"),
    "OpenAIDetector": ("openai", "OpenAI key"),
    "AzureStorageKeyDetector": ("azure_storage_key", "Azure storage key"),
    "NpmDetector": ("npm", "npm token"),
    "SquareOAuthDetector": ("square_oauth", "Square secret"),
}
_AWS_KEY_ID = r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}"
_JWT_TAIL = r"[A-Za-z0-9_\-+/=]*"
_PEM_END = r"-----END [A-Z0-9 ]*-----"
_BLANK_LINE = r"\n[ \t\r]*\n"
_PEM_BEGIN = r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----"

# `Password=S3cr3t!;`, `PGPASSWORD=hunter2`, `password: aHVudGVyMg==`, `"token": "abc"`;
# a bare value stops before closing brackets: `conn(password=x)`.
_ASSIGNMENT = (
    rf"(?i)(?<![A-Za-z0-9_.-])(?P<key>[A-Za-z0-9_.-]*{_KEYWORD})"
    r"['\"\]]{0,2}[ \t]*(?P<op>:=|=|:)[ \t]*"
    r"(?:\"(?P<dq>[^\"\n]+)\"|'(?P<sq>[^'\n]+)'"
    r"|(?P<bare>[^\s'\";,&=][^\s'\";,&]*?)(?=[)}\]]*(?:[\s'\";,&]|$)))"
)
_LINE_START = r"[ \t>*-]*(?:export[ \t]+)?[\"']?"
_CALL = r"[\w.$-]+[(\[]"
_PLAIN_WORDS = r"[A-Za-z][a-z]*(?:[-_.][A-Za-z][a-z]*)*"  # not `aHVudGVy`


def scan(text: str, extra_patterns: Mapping[str, str] | None = None) -> list[Finding]:
    """Likely secrets in `text`, sorted by start and non-overlapping.

    `extra_patterns` maps a kind name to a Python regex (the config's `[secrets] patterns`); the
    whole match is the secret, or its group named `secret` when it has one. Zero-width characters
    are ignored when matching (a key split by one is still found, where it is in `text`).
    Raises ValueError naming the pattern when one does not compile.
    """
    if _re(ZERO_WIDTH).search(text):
        shown = [i for i, c in enumerate(text) if not _re(ZERO_WIDTH).match(c)]
        found = scan("".join(text[i] for i in shown), extra_patterns)
        return [
            _finding(text, _Span(shown[f.start], shown[f.end - 1] + 1, f.kind, 0)) for f in found
        ]
    extras = _compile_extras(extra_patterns or {})
    spans = [*_extra_spans(text, extras), *_rule_spans(text)]
    if _has_shape(text):
        spans += [*_assignment_spans(text), *_library_spans(text)]
    kept = [span for span in spans if not text.startswith("[REDACTED:", span.start)]
    return [_finding(text, span) for span in _merge(kept)]


def redact(text: str, extra_patterns: Mapping[str, str] | None = None) -> tuple[str, list[Finding]]:
    """`text` with each finding's span replaced by `[REDACTED:<kind>]`, and the findings."""
    findings = scan(text, extra_patterns)
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(f"[REDACTED:{finding.kind}]")
        position = finding.end
    parts.append(text[position:])
    return "".join(parts), findings


def describe(findings: Sequence[Finding]) -> str:
    """One line for users saying what and where, never the secret itself."""
    if not findings:
        return "no likely secret"
    places = "; ".join(f"{f.kind} at line {f.line}, column {f.column}" for f in findings)
    return f"likely secret: {places}"


_COMPILED: dict[str, re.Pattern[str]] = {}


def _re(pattern: str) -> re.Pattern[str]:
    """Patterns compile on first use, so importing this module stays cheap for every command."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = re.compile(pattern)
    return compiled


def _has_shape(text: str) -> bool:
    return _re(_SHAPES).search(text.lower()) is not None


# --- extra patterns and targeted rules (no detect-secrets needed) ---------------------------


def _compile_extras(patterns: Mapping[str, str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for kind, pattern in patterns.items():
        try:
            compiled.append((kind, re.compile(pattern)))
        except (re.error, TypeError) as error:
            raise ValueError(f"secret pattern {kind!r} is not a valid regex: {error}") from None
    return tuple(compiled)


def _extra_spans(text: str, extras: Sequence[tuple[str, re.Pattern[str]]]) -> Iterator[_Span]:
    for kind, pattern in extras:
        group = "secret" if "secret" in pattern.groupindex else 0
        for match in pattern.finditer(text):
            start, end = match.span(group)
            if end > start:
                yield _Span(start, end, kind, rank=3)


def _rule_spans(text: str) -> Iterator[_Span]:
    for begin in _re(_PEM_BEGIN).finditer(
        text
    ):  # also `ENCRYPTED PRIVATE KEY`, unknown to the library
        yield _Span(*_private_key_block(text, begin.start(), begin.end()), "private key", rank=1)
    for kind, pattern in RULES:
        for match in _re(pattern).finditer(text):
            if not _is_placeholder(match.group("value")):
                yield _Span(*match.span("value"), kind, rank=1)


def _assignment_spans(text: str) -> Iterator[_Span]:
    for match in _re(_ASSIGNMENT).finditer(text):
        group = next(name for name in ("dq", "sq", "bare") if match.group(name) is not None)
        value = match.group(group)
        if _is_placeholder(value) or not _is_assigned_value(text, match, group):
            continue
        kind = _kind_for_key(match.group("key"))
        if value.isdigit() and kind != "password":
            continue  # `token=3`, `secret_ttl=3600` style settings
        yield _Span(*match.span(group), kind, rank=2)


def _is_assigned_value(text: str, match: re.Match[str], group: str) -> bool:
    """Whether an assignment's value looks assigned rather than being prose or a reference.

    Unquoted `key: value` counts only as the whole of a line or a quoted header, and not when the
    value is a word: that keeps `Secret: rotated by alice`, `Token: 10:42 expired` and
    `tls-secret: ingress-tls` quiet while catching `password: aHVudGVyMg==` from
    `kubectl get secret -o yaml` and `-H "X-Auth-Token: 8f2..."`.
    """
    value = match.group(group)
    if group == "bare" and (value.startswith(("/", "~")) or _re(_CALL).match(value)):
        return False  # `PWD=/home/alice` in an `env` dump, `token = get_token(request)`
    if match.group("op") != ":" or group != "bare":
        return True
    if _re(_PLAIN_WORDS).fullmatch(value):
        return False
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    rest = text[match.end() : line_end if line_end >= 0 else len(text)].strip()
    if text[match.start() - 1 : match.start()] in ("'", '"'):
        return rest[:1] in ("'", '"')
    return not rest and bool(_re(_LINE_START).fullmatch(text, line_start, match.start()))


def _is_placeholder(value: str) -> bool:
    """Templated, masked, referenced or empty-ish values that are not secrets themselves."""
    bare = value.strip()
    return (
        len(bare) < 4
        or bare[0] in "$<{%["
        or bare.lower().strip("_-.") in PLACEHOLDERS
        or not any(c.isalnum() for c in bare)
        or set(bare.lower()) <= set("x*.#-_")
    )


def _kind_for_key(key: str) -> str:
    lowered = key.lower()
    if "pass" in lowered or "pwd" in lowered:
        return "password"
    if "token" in lowered:
        return "token"
    return "API key" if "api" in lowered else "secret"


# --- detect-secrets ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _detectors() -> tuple[Any, ...]:
    """Instances of the keyword-specific detect-secrets plugins (imported on first use).

    They are used through `analyze_string` only: that touches no global settings and never
    tries to verify a secret over the network.
    """
    from importlib import import_module

    return tuple(
        getattr(import_module(f"detect_secrets.plugins.{module}"), name)()
        for name, (module, _) in _PLUGINS.items()
    )


def _library_spans(text: str) -> Iterator[_Span]:
    offset = 0
    for line in text.split("\n"):
        if _has_shape(line):
            for detector in _detectors():
                for at, segment in _segments(detector, line):
                    for start, end in _detector_spans(detector, segment):
                        yield _library_span(text, detector, offset + at + start, offset + at + end)
        offset += len(line) + 1


def _segments(detector: Any, line: str) -> Iterator[tuple[int, str]]:
    """The line, or for KeywordDetector on a long line, a window around each keyword."""
    if type(detector).__name__ != "KeywordDetector" or len(line) <= _LONG_LINE:
        yield 0, line
        return
    for match in _re(_KEYWORD_SHAPE).finditer(line):
        at = max(0, match.start() - 80)
        yield at, line[at : match.end() + 300]


def _detector_spans(detector: Any, line: str) -> Iterator[tuple[int, int]]:
    """Where in `line` the values that `detector` reports are."""
    values = {value for value in detector.analyze_string(line) if _keeps(detector, value, line)}
    if not values:
        return
    patterns = getattr(detector, "denylist", None)
    if patterns is None:  # KeywordDetector: find the reported value in the line
        for value in values:
            yield from _occurrences(line, value)
        return
    for pattern in patterns:
        for match in pattern.finditer(line):
            yield from _match_spans(match, values)


def _match_spans(match: re.Match[str], values: set[str]) -> Iterator[tuple[int, int]]:
    """A group that ends the match is the secret (basic-auth password, quoted AWS secret key);
    a group elsewhere only marks a prefix (`(ghp|gho|...)_`), so the whole match is the secret.
    """
    groups = [g for g in range(1, (match.re.groups or 0) + 1) if match.group(g) in values]
    for group in groups:
        if match.end() - match.end(group) <= 1:
            yield match.span(group)
            return
    if groups or match.group(0) in values:
        yield match.span()


def _keeps(detector: Any, value: str, line: str) -> bool:
    """detect-secrets' own heuristic filters, as its scanner would apply them."""
    from detect_secrets.filters import heuristic

    if not value or heuristic.is_templated_secret(value):
        return False
    if type(detector).__name__ != "KeywordDetector":
        return True
    return not (
        heuristic.is_prefixed_with_dollar_sign(value)
        or heuristic.is_not_alphanumeric_string(value)
        or heuristic.is_potential_uuid(value)
        or heuristic.is_indirect_reference(line)
        or _is_placeholder(value)
    )


def _occurrences(line: str, value: str) -> Iterator[tuple[int, int]]:
    start = line.find(value)
    while start >= 0:
        yield start, start + len(value)
        start = line.find(value, start + len(value))


def _library_span(text: str, detector: Any, start: int, end: int) -> _Span:
    name = type(detector).__name__
    value = text[start:end]
    kind = _PLUGINS[name][1]
    if name == "KeywordDetector":
        kind = _keyword_kind(text, start)
    elif name == "PrivateKeyDetector":
        start, end = _private_key_block(text, start, end)
    elif name == "JwtTokenDetector":  # its lazy regex stops before the signature
        tail = _re(_JWT_TAIL).match(text, end)
        end = tail.end() if tail else end
    elif name == "AWSKeyDetector" and not _re(_AWS_KEY_ID).fullmatch(value):
        kind = "AWS secret key"
    elif name == "SlackDetector" and value.lower().startswith("https://"):
        kind = "Slack webhook"
    return _Span(start, end, kind, rank=0)


def _keyword_kind(text: str, start: int) -> str:
    line_start = text.rfind("\n", 0, start) + 1
    keys = _re(f"(?i){_KEYWORD}").findall(text[line_start:start])
    return _kind_for_key(keys[-1]) if keys else "secret"


def _private_key_block(text: str, start: int, end: int) -> tuple[int, int]:
    """The whole key: from the BEGIN line's dashes to its END line, or to the next blank line."""
    line_start = text.rfind("\n", 0, start) + 1
    dashes = text.rfind("-----", line_start, start)
    block_start = dashes if dashes >= 0 else start
    closing = _re(_PEM_END).search(text, end)
    blank = _re(_BLANK_LINE).search(text, end)
    if closing and (blank is None or closing.start() < blank.start()):
        return block_start, closing.end()
    return block_start, blank.start() if blank else len(text.rstrip())


# --- assembling findings -----------------------------------------------------------------------


def _merge(spans: Sequence[_Span]) -> list[_Span]:
    """Non-overlapping spans by start; an overlap is folded into the earlier (or stronger) one."""
    merged: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.rank)):
        if merged and span.start < merged[-1].end:
            merged[-1] = merged[-1]._replace(end=max(merged[-1].end, span.end))
        else:
            merged.append(span)
    return merged


def _finding(text: str, span: _Span) -> Finding:
    line_start = text.rfind("\n", 0, span.start) + 1
    return Finding(
        kind=span.kind,
        line=text.count("\n", 0, span.start) + 1,
        column=span.start - line_start + 1,
        start=span.start,
        end=span.end,
    )
