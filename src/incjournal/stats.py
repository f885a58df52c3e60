"""`ij stats`: incident metrics across a journal, per severity: counts, median and p90 TTD/TTM/TTR.

An incident counts under its peak severity: the worst it reached (a SEV1 for ten minutes that
ended as SEV3 counts as a SEV1). A metric that is not known for an incident (never
mitigated, still open) is left out of that metric's median and p90, never guessed; `n` says how many
incidents each figure is made of. p90 interpolates linearly between the closest ranks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from incjournal.core.times import human_duration, to_rfc3339
from incjournal.store.journal import Journal
from incjournal.store.summaries import Summary as CachedSummary
from incjournal.store.summaries import micros, summaries

METRICS = ("ttd", "ttm", "ttr")


class IncidentMetrics(NamedTuple):
    """An incident's `Milestones.ttd` and the rest in microseconds, from its cached summary
    (10,000 incidents: no datetime or timedelta built only to be subtracted or sorted)."""

    id: str
    severity: int | None  # the peak severity: the worst the incident reached
    resolved: bool
    opened_us: int
    ttd: int | None
    ttm: int | None
    ttr: int | None

    @classmethod
    def of(cls, summary: CachedSummary) -> IncidentMetrics:
        start = summary.started_us

        def since_start(us: int | None) -> int | None:
            return None if us is None or start is None else us - start

        return cls(
            summary.id,
            summary.peak_severity,
            summary.is_resolved,
            summary.opened_us,
            since_start(summary.detected_us),
            since_start(summary.mitigated_us),
            since_start(summary.resolved_us),
        )


@dataclass(frozen=True)
class Summary:
    """Median and p90 of one metric over the incidents where it is known."""

    n: int
    median: timedelta | None
    p90: timedelta | None

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "median_s": whole_seconds(self.median),
            "p90_s": whole_seconds(self.p90),
        }


@dataclass(frozen=True)
class Group:
    """One row of the stats: a severity (None: not set), or every incident (label 'all')."""

    label: str
    severity: int | None
    count: int
    open: int
    metrics: dict[str, Summary]

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "label": self.label,
            "count": self.count,
            "open": self.open,
            **{name: summary.to_json() for name, summary in self.metrics.items()},
        }


def collect(journal: Journal, since: datetime | None = None) -> list[IncidentMetrics]:
    """Metrics of every incident opened at or after `since` (all when None)."""
    first = None if since is None else micros(since)
    of = IncidentMetrics.of
    return [
        of(summary)
        for summary in summaries(journal)  # cached per incident, checked against its files
        if first is None or summary.opened_us >= first
    ]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th quantile (0..1) with linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def summarise(values: Iterable[int | None]) -> Summary:
    """Of microseconds; in seconds as `timedelta.total_seconds` gives them (the same floats)."""
    known = [v / 1_000_000 for v in values if v is not None]
    if not known:
        return Summary(0, None, None)
    median, p90 = percentile(known, 0.5), percentile(known, 0.9)
    return Summary(len(known), timedelta(seconds=median), timedelta(seconds=p90))


def group(label: str, severity: int | None, incidents: Sequence[IncidentMetrics]) -> Group:
    metrics = {name: summarise(getattr(i, name) for i in incidents) for name in METRICS}
    still_open = sum(1 for i in incidents if not i.resolved)
    return Group(label, severity, len(incidents), still_open, metrics)


def by_severity(incidents: Sequence[IncidentMetrics]) -> list[Group]:
    """One group per severity present (worst first, unset last), then 'all'."""
    levels = sorted({i.severity for i in incidents}, key=lambda s: (s is None, s or 0))
    groups = [
        group(severity_label(level), level, [i for i in incidents if i.severity == level])
        for level in levels
    ]
    return [*groups, group("all", None, incidents)]


def severity_label(level: int | None) -> str:
    return f"SEV{level}" if level is not None else "unset"


def stats_json(groups: Sequence[Group], since: datetime | None) -> dict[str, Any]:
    return {
        "since": to_rfc3339(since) if since else None,
        "incidents": groups[-1].count if groups else 0,
        "by_severity": [g.to_json() for g in groups[:-1]],
        "all": groups[-1].to_json() if groups else None,
    }


HEADERS = (
    "severity",
    "count",
    "open",
    *(f"{m.upper()} {s}" for m in METRICS for s in ("median", "p90")),
)


def rows(groups: Sequence[Group]) -> list[tuple[str, ...]]:
    """The table's cells as text ("—" where no incident has the metric)."""
    return [
        (
            g.label,
            str(g.count),
            str(g.open),
            *(
                human_duration(getattr(g.metrics[m], part))
                for m in METRICS
                for part in ("median", "p90")
            ),
        )
        for g in groups
    ]


COMPACT_HEADERS = ("severity", "incidents", "open", *(m.upper() for m in METRICS))


def compact_rows(groups: Sequence[Group]) -> list[tuple[str, ...]]:
    """One cell per metric, 'median / p90', for the terminal table."""
    return [
        (
            g.label,
            str(g.count),
            str(g.open),
            *(
                f"{human_duration(g.metrics[m].median)} / {human_duration(g.metrics[m].p90)}"
                for m in METRICS
            ),
        )
        for g in groups
    ]


CSV_HEADERS = (
    "severity",
    "count",
    "open",
    *(f"{m}_{part}" for m in METRICS for part in ("n", "median_s", "p90_s")),
)


def csv_rows(groups: Sequence[Group]) -> list[tuple[str, ...]]:
    """Cells for `--format csv`: durations in whole seconds (empty when unknown)."""
    return [
        (
            g.label,
            str(g.count),
            str(g.open),
            *(
                cell
                for m in METRICS
                for cell in (
                    str(g.metrics[m].n),
                    seconds_cell(g.metrics[m].median),
                    seconds_cell(g.metrics[m].p90),
                )
            ),
        )
        for g in groups
    ]


def seconds_cell(value: timedelta | None) -> str:
    """A duration as whole seconds for a CSV cell; empty when unknown."""
    seconds = whole_seconds(value)
    return "" if seconds is None else str(seconds)


def whole_seconds(value: timedelta | None) -> int | None:
    """A duration in whole seconds, for JSON and CSV; None when unknown."""
    return round(value.total_seconds()) if value is not None else None
