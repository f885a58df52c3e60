"""A nudge, and what every rule sees: the folded state, the config, the clock and its limits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState
from incjournal.core.model import Entry
from incjournal.core.thresholds import Thresholds
from incjournal.core.times import show
from incjournal.render.text import first_line

URGENT, WARN, INFO = "urgent", "warn", "info"
LEVELS = (URGENT, WARN, INFO)
CLIP = 60


@dataclass(frozen=True)
class Nudge:
    """One thing worth pointing out now."""

    id: str
    level: str
    entries: tuple[str, ...]
    message: str
    subject: str = ""  # what it is about, for a line that joins alike nudges: 'exec (20m late)'

    @property
    def kind(self) -> str:
        """The id without its subject: 'update-overdue' for 'update-overdue:exec'."""
        return self.id.split(":", 1)[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level,
            "entries": list(self.entries),
            "message": self.message,
        }


@dataclass(frozen=True)
class Context:
    state: IncidentState
    config: Config
    now: datetime
    limits: Thresholds
    review_written: bool

    def hhmm(self, when: datetime) -> str:
        return show(when, self.config.tz, date=False)


# --- words every rule uses ---------------------------------------------------------------------


def escalating(age: timedelta, limit: timedelta) -> str:
    """warn at the threshold, urgent at twice the threshold."""
    return URGENT if age >= 2 * limit else WARN


def short_id(entry: Entry) -> str:
    return entry.id[:6]


def clip(entry: Entry) -> str:
    line = first_line(entry.text)
    return f"“{line if len(line) <= CLIP else line[: CLIP - 1].rstrip() + '…'}”"
