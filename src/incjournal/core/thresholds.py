"""`[nudges]` in incjournal.toml: the thresholds of the practice nudges, resolved per severity.

Each threshold is a duration ("20m") or a table per severity ({1 = "15m", 2 = "30m"}); a level
missing from a table uses the nearest level in it. `disabled` lists nudge kinds (or ids) to drop.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from incjournal.core.config import Config
from incjournal.core.errors import BadTime, BadValue
from incjournal.core.times import parse_duration

# threshold key -> default: one duration, or one per severity level
DEFAULTS: Mapping[str, str | Mapping[int, str]] = {
    "no_ic_after": "5m",
    "mitigate_after": {1: "15m", 2: "30m", 3: "60m", 4: "4h"},
    "impact_after": {1: "5m", 2: "10m", 3: "15m", 4: "30m"},
    "hypothesis_stale": "20m",
    "unowned_after": "5m",
    "impact_stale_after": "10m",
    "public_stale_after": "10m",
    "review_after": "0m",
    "stream_idle_after": {1: "30m", 2: "60m", 3: "2h", 4: "8h"},
    "followup_link_after": "7d",
}
UNSET_SEVERITY = 2  # an incident without a severity uses SEV2's thresholds


@dataclass(frozen=True)
class Thresholds:
    """`[nudges]` resolved for one severity."""

    no_ic_after: timedelta
    mitigate_after: timedelta
    impact_after: timedelta
    hypothesis_stale: timedelta
    unowned_after: timedelta
    impact_stale_after: timedelta
    public_stale_after: timedelta
    review_after: timedelta
    stream_idle_after: timedelta
    followup_link_after: timedelta
    disabled: frozenset[str] = frozenset()


def thresholds(config: Config, severity: int | None) -> Thresholds:
    """The thresholds for an incident of `severity`; BadValue names a bad `[nudges]` key."""
    table = config.section("nudges")
    unknown = sorted(set(table) - set(DEFAULTS) - {"disabled"})
    if unknown:
        known = ", ".join([*DEFAULTS, "disabled"])
        raise BadValue(f"incjournal.toml [nudges]: unknown key {unknown[0]!r}: use one of {known}")
    level = severity if severity is not None else UNSET_SEVERITY
    values = {key: _threshold(key, table.get(key), level) for key in DEFAULTS}
    return Thresholds(**values, disabled=_disabled(table.get("disabled", [])))


def _threshold(key: str, raw: Any, level: int) -> timedelta:
    spec = DEFAULTS[key] if raw is None else raw
    if isinstance(spec, str):
        return _duration(key, spec)
    if not isinstance(spec, Mapping) or not spec:
        raise BadValue(
            f'incjournal.toml [nudges] {key}: use a duration like "20m" '
            f'or a table per severity like {{1 = "15m", 2 = "30m"}}'
        )
    table = {_level(key, k): v for k, v in spec.items()}
    nearest = min(table, key=lambda lvl: (abs(lvl - level), lvl))
    return _duration(key, table[nearest])


def _level(key: str, raw: Any) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise BadValue(f"incjournal.toml [nudges] {key}: {raw!r} is not a severity level") from None


def _duration(key: str, raw: Any) -> timedelta:
    try:
        return parse_duration(str(raw))
    except BadTime as exc:
        raise BadValue(f"incjournal.toml [nudges] {key}: {exc}") from None


def _disabled(raw: Any) -> frozenset[str]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise BadValue('incjournal.toml [nudges] disabled: use a list like ["public-stale"]')
    return frozenset(raw)
