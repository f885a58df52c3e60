"""Read-side queries the commands show: incident rows, timelines, JSON shapes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, NamedTuple

from incjournal.core.config import Config
from incjournal.core.errors import NoIncident
from incjournal.core.fold import IncidentState, Item
from incjournal.core.model import Entry, Kind
from incjournal.core.times import to_rfc3339
from incjournal.store.journal import Journal
from incjournal.store.summaries import EPOCH, micros, summaries


class IncidentRow(NamedTuple):
    """One line of `ij list`: plain values (10,000 of them, made in milliseconds)."""

    id: str
    title: str
    status: str
    severity: int | None
    ic: str | None
    opened_us: int  # microseconds since the epoch
    age_s: int
    current: bool

    @property
    def opened_at(self) -> datetime:
        return EPOCH + timedelta(microseconds=self.opened_us)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status,
            "severity": self.severity,
            "ic": self.ic,
            "opened_at": to_rfc3339(self.opened_at),
            "age_s": self.age_s,
            "current": self.current,
        }


def incident_rows(journal: Journal, *, open_only: bool, now: datetime) -> list[IncidentRow]:
    try:
        current = journal.current()
    except NoIncident:
        current = None
    now_us = micros(now)  # 10,000 ages: integers, not datetimes
    make = IncidentRow._make
    rows = []
    for s in summaries(journal):  # cached per incident, checked against its files
        if open_only and s.is_resolved:
            continue
        end = now_us if s.resolved_us is None else s.resolved_us
        age = end - (s.opened_us if s.started_us is None else s.started_us)
        age_s = age // 1_000_000 if age >= 0 else -(-age // 1_000_000)  # toward zero
        rows.append(
            make((s.id, s.title, s.status, s.severity, s.ic, s.opened_us, age_s, s.id == current))
        )
    return rows


def _item_json(item: Item) -> dict[str, Any]:
    return {
        "id": item.entry.id,
        "text": item.entry.text,
        "owner": item.entry.owner,
        "outcome": item.outcome,
        "closed_by": item.closed_by.id if item.closed_by else None,
        "answers": [e.id for e in item.answers] if item.entry.kind is Kind.QUESTION else [],
        "assigned_by": [e.id for e in item.assignments],
        "due": to_rfc3339(item.entry.due) if item.entry.due else None,
    }


def _when(value: datetime | None) -> str | None:
    return to_rfc3339(value) if value else None


def _seconds(value: timedelta | None) -> int | None:
    return int(value.total_seconds()) if value is not None else None


def impact_json(state: IncidentState, now: datetime) -> dict[str, Any]:
    """Customer impact (each window and the total) and how long the incident has been open."""
    ms = state.milestones
    end = ms.resolved or now
    windows = [
        {"window": w.number, "start": _when(w.start), "end": _when(w.end)}
        for w in state.impact_windows
    ]
    return {
        "impact_windows": windows,
        "impact_s": _seconds(state.impact_length(end)) if windows else None,
        "open_s": _seconds(end - ms.started) if ms.started else None,
    }


def state_json(state: IncidentState, config: Config, now: datetime) -> dict[str, Any]:
    """The folded state with stable keys (`ij show --json`, `ij export`)."""
    ms = state.milestones
    return {
        "id": state.id,
        "title": state.title,
        "status": state.status,
        "severity": state.severity,
        "roles": dict(state.roles),
        "reopened": state.reopened,
        "impact": state.impact.text if state.impact else None,
        "milestones": {
            k: _when(getattr(ms, k)) for k in ("started", "detected", "mitigated", "resolved")
        },
        "metrics": {
            "ttd_s": _seconds(ms.ttd),
            "ttm_s": _seconds(ms.ttm),
            "ttr_s": _seconds(ms.ttr),
        },
        **impact_json(state, now),
        "causes": [i.entry.id for i in state.causes],
        **{
            name: [_item_json(i) for i in getattr(state, name)]
            for name in ("questions", "hypotheses", "risks", "actions")
        },
        "decisions": [
            {"id": e.id, "text": e.text, "why": e.why, "at": to_rfc3339(e.at)}
            for e in state.decisions
        ],
        "updates": {a: to_rfc3339(e.at) for a, e in state.updates.items()},
    }


def timeline(
    state: IncidentState,
    *,
    since: datetime | None = None,
    kinds: Sequence[Kind] = (),
    by: str | None = None,
) -> list[Entry]:
    """The corrected chronological log, filtered."""
    out = []
    for entry in state.live_entries():
        if since is not None and entry.at < since:
            continue
        if kinds and entry.kind not in kinds:
            continue
        if by and by.lower() not in entry.author.lower():
            continue
        out.append(entry)
    return out


TIMELINE_COLUMNS = (
    "at", "local_time", "id", "kind", "author", "stream", "summary", "text", "why", "owner",
    "due", "ref", "visibility", "tags",
)  # fmt: skip


def timeline_cells(entries: Sequence[Entry], tz: tzinfo) -> list[tuple[str, ...]]:
    """The timeline as `TIMELINE_COLUMNS` cells for `--format csv`: the time in UTC (RFC 3339) and
    in the journal's zone (ISO 8601 with its offset), the whole text (newlines kept), tags
    separated by spaces."""
    return [
        (
            to_rfc3339(e.at),
            e.at.astimezone(tz).isoformat(timespec="seconds"),
            e.id,
            str(e.kind),
            e.author,
            e.stream or "",
            e.headline,
            e.text,
            e.why or "",
            e.owner or "",
            to_rfc3339(e.due) if e.due else "",
            e.ref or "",
            e.visibility,
            " ".join(e.tags),
        )
        for e in entries
    ]
