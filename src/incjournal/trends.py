"""`ij stats` by month: incidents opened each calendar month (in the journal's zone), per peak
severity, and the mean TTD / TTM / TTR of those incidents, for charts of how things trend.

Every month from the first incident's to the last one's is listed, an empty month as zeros (a
chart's axis has no holes). A mean is over the incidents of that month where the metric is known
(`n` says how many); none known is None, never zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta, tzinfo
from typing import Any

from incjournal.core.times import human_duration
from incjournal.stats import (
    METRICS,
    IncidentMetrics,
    seconds_cell,
    severity_label,
    whole_seconds,
)
from incjournal.store.summaries import EPOCH


@dataclass(frozen=True)
class Mean:
    n: int
    mean: timedelta | None


@dataclass(frozen=True)
class Month:
    month: str  # "2026-11"
    count: int
    by_severity: dict[str, int]  # "SEV1" -> incidents whose peak it was
    means: dict[str, Mean]  # "ttd" -> its mean

    def to_json(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "count": self.count,
            "by_severity": self.by_severity,
            **{f"m{m}": {"n": v.n, "mean_s": whole_seconds(v.mean)} for m, v in self.means.items()},
        }


def by_month(incidents: Sequence[IncidentMetrics], tz: tzinfo) -> list[Month]:
    """One row a month, from the first incident's month to the last one's."""
    opened: dict[str, list[IncidentMetrics]] = {}
    for incident in incidents:
        local = (EPOCH + timedelta(microseconds=incident.opened_us)).astimezone(tz)
        opened.setdefault(f"{local:%Y-%m}", []).append(incident)
    if not opened:
        return []
    labels = severity_labels(incidents)
    every = _months(min(opened), max(opened))
    return [_month(name, opened.get(name, []), labels) for name in every]


def severity_labels(incidents: Sequence[IncidentMetrics]) -> list[str]:
    """The peak severities present, worst first, "unset" last."""
    levels = sorted({i.severity for i in incidents}, key=lambda s: (s is None, s or 0))
    return [severity_label(level) for level in levels]


def _month(name: str, incidents: Sequence[IncidentMetrics], labels: list[str]) -> Month:
    counts = dict.fromkeys(labels, 0)
    for incident in incidents:
        counts[severity_label(incident.severity)] += 1
    return Month(name, len(incidents), counts, {m: _mean(incidents, m) for m in METRICS})


def _mean(incidents: Sequence[IncidentMetrics], metric: str) -> Mean:
    known = [v for v in (getattr(i, metric) for i in incidents) if v is not None]
    if not known:
        return Mean(0, None)
    return Mean(len(known), timedelta(microseconds=sum(known) / len(known)))


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    out = []
    while (name := f"{year:04d}-{month:02d}") <= last:
        out.append(name)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def headers(months: Sequence[Month]) -> tuple[str, ...]:
    labels = list(months[0].by_severity) if months else []
    return ("month", "incidents", *labels, *(f"M{m.upper()}" for m in METRICS))


def rows(months: Sequence[Month]) -> list[tuple[str, ...]]:
    """The table's cells as text ("—" where no incident of the month has the metric)."""
    return [
        (
            m.month,
            str(m.count),
            *map(str, m.by_severity.values()),
            *(human_duration(m.means[k].mean) for k in METRICS),
        )
        for m in months
    ]


def csv_headers(months: Sequence[Month]) -> tuple[str, ...]:
    labels = [label.lower() for label in (months[0].by_severity if months else [])]
    means = [f"m{m}_{part}" for m in METRICS for part in ("n", "s")]
    return ("month", "incidents", *labels, *means)


def csv_rows(months: Sequence[Month]) -> list[tuple[str, ...]]:
    """Cells for `--format csv`: durations in whole seconds (empty when unknown)."""
    return [
        (
            m.month,
            str(m.count),
            *map(str, m.by_severity.values()),
            *(cell for k in METRICS for cell in (str(m.means[k].n), seconds_cell(m.means[k].mean))),
        )
        for m in months
    ]
