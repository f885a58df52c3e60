"""incjournal.toml: the journal's settings, with defaults for everything left out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import Any

import tomli

from incjournal.core.errors import BadValue, CorruptFile
from incjournal.core.times import parse_duration, zone

TEXT_MAX = 1024 * 1024
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?", re.IGNORECASE)
FILENAME = "incjournal.toml"
FORMAT = 1  # of incjournal.toml: a journal of a newer format is read, never written to

DEFAULT_STATUSES = ("investigating", "identified", "monitoring", "resolved")
DEFAULT_ROLES = ("ic", "comms", "scribe", "ops")
DEFAULT_SEVERITIES: Mapping[int, tuple[str, str]] = {
    1: ("Critical: a core service is down or data is at risk for many customers", "15m"),
    2: ("Major: a key feature is degraded for many customers", "30m"),
    3: ("Minor: limited impact, a workaround exists", "60m"),
    4: ("Low: cosmetic or internal only", "4h"),
}
# audience -> (public-facing, cadence multiplier over the severity's cadence)
DEFAULT_AUDIENCES: Mapping[str, tuple[bool, int]] = {
    "responders": (False, 1),
    "engineering": (False, 2),
    "support": (True, 2),
    "exec": (False, 1),
    "public": (True, 1),
}


@dataclass(frozen=True)
class Severity:
    level: int
    description: str
    cadence: timedelta


@dataclass(frozen=True)
class Audience:
    name: str
    public: bool
    cadence: Mapping[int, timedelta]  # per severity level; a missing level uses `default_cadence`
    default_cadence: timedelta | None
    description: str = ""


@dataclass(frozen=True)
class Config:
    timezone_name: str = "local"
    statuses: tuple[str, ...] = DEFAULT_STATUSES
    roles: tuple[str, ...] = DEFAULT_ROLES
    severities: Mapping[int, Severity] = field(default_factory=dict)
    audiences: Mapping[str, Audience] = field(default_factory=dict)
    sync_auto: bool = False
    raw: Mapping[str, Any] = field(default_factory=dict)

    @property
    def tz(self) -> tzinfo:
        return zone(self.timezone_name)

    def section(self, name: str) -> Mapping[str, Any]:
        """A raw table of the config (e.g. "secrets", "nudges", "exec"); {} when absent."""
        value = self.raw.get(name, {})
        return value if isinstance(value, Mapping) else {}

    def size(self, table: str, key: str, default: int) -> int:
        """A size setting: a number of bytes, or e.g. "64 KiB", "5 MiB"."""
        value = self.section(table).get(key, default)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return value
        match = _SIZE.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None or float(match.group(1)) <= 0:
            raise CorruptFile(
                f'{FILENAME}: [{table}] {key} must be a size like 65536, "64 KiB" or "5 MiB"'
            )
        power = " kmg".index(match.group(2).lower() or " ")
        return int(float(match.group(1)) * 1024**power)

    @property
    def text_limit(self) -> int:
        """`[entries] max_text`: the longest text an entry takes (default 1 MiB)."""
        return self.size("entries", "max_text", TEXT_MAX)

    def cadence(self, audience: str, severity: int | None) -> timedelta | None:
        aud = self.audiences.get(audience)
        if aud is None:
            return None
        if severity is not None and severity in aud.cadence:
            return aud.cadence[severity]
        return aud.default_cadence


def default_text(timezone_name: str) -> str:
    """The incjournal.toml that `ij init` writes: every setting, commented."""
    sev = "\n".join(
        f'[severities.{lvl}]\ndescription = "{desc}"\ncadence = "{cad}"\n'
        for lvl, (desc, cad) in DEFAULT_SEVERITIES.items()
    )
    aud = "\n".join(
        f"[audiences.{name}]\npublic = {str(public).lower()}\n"
        + (f'# cadence = "30m"   # default: the severity\'s cadence x {mult}\n')
        for name, (public, mult) in DEFAULT_AUDIENCES.items()
    )
    return (
        "# incjournal journal settings (see README: Configuration)\n"
        f"format = {FORMAT}\n"
        f'timezone = "{timezone_name}"\n'
        f"statuses = {list(DEFAULT_STATUSES)!r}\n".replace("'", '"')
        + f"roles = {list(DEFAULT_ROLES)!r}\n".replace("'", '"')
        + "\n# Severity levels; cadence is how often each audience hears from us by default.\n"
        + sev
        + "\n# Audiences: public = true means only entries marked --public ever reach it.\n"
        + aud
        + "\n[sync]\nauto = false\n"
    )


def load(root: Path) -> Config:
    path = root / FILENAME
    try:
        with path.open("rb") as fh:
            raw = tomli.load(fh)
    except FileNotFoundError:
        raw = {}
    except tomli.TOMLDecodeError as exc:
        raise CorruptFile(f"{path}: {exc}: fix the TOML syntax") from exc
    except UnicodeDecodeError as exc:
        raise CorruptFile(
            f"{path}: not UTF-8 text: restore it (git checkout -- {FILENAME})"
        ) from exc
    try:
        return from_dict(raw)
    except (TypeError, ValueError, BadValue) as exc:
        raise CorruptFile(f"{path}: {exc}") from exc


def from_dict(raw: Mapping[str, Any]) -> Config:
    severities = _severities(raw.get("severities", {}))
    return Config(
        timezone_name=str(raw.get("timezone", "local")),
        statuses=_names(raw, "statuses", DEFAULT_STATUSES),
        roles=_names(raw, "roles", DEFAULT_ROLES),
        severities=severities,
        audiences=_audiences(raw.get("audiences", {}), severities),
        sync_auto=bool(raw.get("sync", {}).get("auto", False)),
        raw=raw,
    )


def _names(raw: Mapping[str, Any], key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = raw.get(key, list(default))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or not value:
        raise ValueError(f"{key!r} must be a non-empty list of names")
    return tuple(value)


def _severities(table: Mapping[str, Any]) -> dict[int, Severity]:
    out = {lvl: Severity(lvl, d, parse_duration(c)) for lvl, (d, c) in DEFAULT_SEVERITIES.items()}
    for key, spec in table.items():
        level = int(key)
        base = out.get(level, Severity(level, "", timedelta(minutes=60)))
        cadence = parse_duration(spec["cadence"]) if "cadence" in spec else base.cadence
        out[level] = Severity(level, str(spec.get("description", base.description)), cadence)
    return dict(sorted(out.items()))


def _audiences(table: Mapping[str, Any], sev: Mapping[int, Severity]) -> dict[str, Audience]:
    out: dict[str, Audience] = {}
    names = list(DEFAULT_AUDIENCES) + [n for n in table if n not in DEFAULT_AUDIENCES]
    for name in names:
        spec = table.get(name, {})
        public, mult = DEFAULT_AUDIENCES.get(name, (False, 1))
        public = bool(spec.get("public", public))
        cadence_spec = spec.get("cadence")
        per_sev = {lvl: s.cadence * mult for lvl, s in sev.items()}
        default = None
        if isinstance(cadence_spec, str):
            default = parse_duration(cadence_spec)
            per_sev = {}
        elif isinstance(cadence_spec, Mapping):
            per_sev.update({int(k): parse_duration(v) for k, v in cadence_spec.items()})
        out[name] = Audience(name, public, per_sev, default, str(spec.get("description", "")))
    return out
