"""`ij actions`: every action item across incidents, follow-ups tracked to done.

A follow-up (`ij action --follow-up`) stays open after its incident resolves, until `ij done`.
Each row carries the incident, owner, due time, age, state and the external references recorded
with `ij link`. `gh_script` turns unlinked open follow-ups into `gh issue create` commands that
record the new issue's URL back with `ij link`.

`[actions]` in incjournal.toml: `label` (the GitHub label, default "incident-follow-up"),
`repo` ("owner/name" for `gh --repo`), `page_url` (the incident page's web address, with
`{incident}`; default: its path in the journal), `assignees` (owner -> GitHub login).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from incjournal import write as journal_mod
from incjournal.core.config import Config
from incjournal.core.errors import BadValue
from incjournal.core.fold import IncidentState, Item
from incjournal.core.links import links_by_ref
from incjournal.core.times import human_duration, to_rfc3339
from incjournal.store.journal import Journal

DEFAULT_LABEL = "incident-follow-up"
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_KEYS = ("label", "repo", "page_url", "assignees")
TITLE_MAX = 256  # GitHub's limit for an issue title


@dataclass(frozen=True)
class ActionRow:
    """One action item of one incident, as `ij actions` lists it."""

    incident: str
    incident_title: str
    incident_resolved: bool
    resolved_at: datetime | None
    id: str
    text: str
    owner: str | None
    due: datetime | None
    at: datetime
    done_at: datetime | None
    follow_up: bool
    links: tuple[str, ...]

    @property
    def state(self) -> str:
        return "open" if self.done_at is None else "done"

    def age(self, now: datetime) -> timedelta:
        """How long it has been open (until it was done)."""
        return (self.done_at or now) - self.at

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due is not None and self.due < now

    def to_json(self, now: datetime) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "incident_title": self.incident_title,
            "incident_resolved": self.incident_resolved,
            "id": self.id,
            "text": self.text,
            "owner": self.owner,
            "due": to_rfc3339(self.due) if self.due else None,
            "recorded": to_rfc3339(self.at),
            "age_s": int(self.age(now).total_seconds()),
            "state": self.state,
            "done_at": to_rfc3339(self.done_at) if self.done_at else None,
            "follow_up": self.follow_up,
            "overdue": self.overdue(now),
            "links": list(self.links),
        }


@dataclass(frozen=True)
class Selection:
    """Which rows `ij actions` shows."""

    state: str | None = None  # "open", "done" or None for both
    owner: str | None = None
    overdue: bool = False
    follow_up: bool = False

    def keeps(self, row: ActionRow, now: datetime) -> bool:
        return (
            (self.state is None or row.state == self.state)
            and (self.owner is None or _same_person(row.owner, self.owner))
            and (not self.overdue or row.overdue(now))
            and (not self.follow_up or row.follow_up)
        )


def _same_person(owner: str | None, wanted: str) -> bool:
    if owner is None:
        return False
    name = owner.split("<", 1)[0].strip()
    return wanted.strip().casefold() in (owner.strip().casefold(), name.casefold())


def rows_of(state: IncidentState) -> list[ActionRow]:
    """The incident's actions (corrected view), in the order they were recorded."""
    links = links_by_ref(state)
    return [_row(state, item, links.get(item.entry.id, ())) for item in state.actions]


def _row(state: IncidentState, item: Item, links: tuple[str, ...]) -> ActionRow:
    entry = item.entry
    return ActionRow(
        incident=state.id,
        incident_title=state.title,
        incident_resolved=state.is_resolved,
        resolved_at=state.milestones.resolved,
        id=entry.id,
        text=entry.text,
        owner=entry.owner,
        due=entry.due,
        at=entry.at,
        done_at=item.closed_by.at if item.closed_by is not None else None,
        follow_up=entry.follow_up,
        links=links,
    )


def collect(
    journal: Journal, incident_ids: Iterable[str], selection: Selection, now: datetime
) -> list[ActionRow]:
    """The selected actions of the incidents, oldest incident first."""
    return [
        row
        for incident_id in incident_ids
        for row in rows_of(journal_mod.load_state(journal, incident_id))
        if selection.keeps(row, now)
    ]


CSV_HEADERS = (
    "incident", "id", "text", "owner", "due", "recorded", "age_s", "state", "done_at",
    "follow_up", "overdue", "links",
)  # fmt: skip


def csv_rows(rows: Sequence[ActionRow], now: datetime) -> list[list[str]]:
    """Cells for `--format csv`: times in UTC RFC 3339, links separated by spaces."""
    out = []
    for row in rows:
        data = row.to_json(now)
        data["links"] = " ".join(row.links)
        out.append([_cell(data[name]) for name in CSV_HEADERS])
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def table_rows(rows: Sequence[ActionRow], now: datetime, tz: Any) -> list[tuple[str, ...]]:
    """Cells for the terminal: incident, id, state, owner, due, age, text, links."""
    from incjournal.core.times import show

    return [
        (
            row.incident,
            row.id[:6],
            row.state + (" (overdue)" if row.overdue(now) else ""),
            row.owner or "unowned",
            show(row.due, tz),
            human_duration(row.age(now)),
            ("follow-up: " if row.follow_up else "") + " ".join(row.text.split()),
            " ".join(row.links),
        )
        for row in rows
    ]


# --- gh issue create -----------------------------------------------------------------------------


def settings(config: Config) -> Mapping[str, Any]:
    """`[actions]` checked: known keys, text values, assignees a table of text."""
    table = config.section("actions")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise BadValue(
            f"incjournal.toml [actions]: unknown key {unknown[0]!r}: use one of {', '.join(_KEYS)}"
        )
    for key in ("label", "repo", "page_url"):
        if key in table and not isinstance(table[key], str):
            raise BadValue(f"incjournal.toml [actions] {key}: must be text")
    assignees = table.get("assignees", {})
    if not isinstance(assignees, Mapping) or not all(
        isinstance(v, str) for v in assignees.values()
    ):
        raise BadValue('incjournal.toml [actions] assignees: use a table like {Carol = "carold"}')
    return table


def gh_script(rows: Sequence[ActionRow], config: Config, incident_dirs: Mapping[str, str]) -> str:
    """A shell script with one `gh issue create` per unlinked open follow-up; each records the new
    issue's URL back with `ij link`. Every value is quoted with `shlex.quote`."""
    table = settings(config)
    chosen = [r for r in rows if r.follow_up and r.state == "open" and not r.links]
    lines = ["#!/bin/sh", "# follow-ups without an issue yet: run with `| sh`"]
    for row in chosen:
        page = _page(table, row.incident, incident_dirs[row.incident])
        lines += _gh_lines(row, table, page)
    if not chosen:
        lines.append("# nothing to do: every open follow-up is linked")
    return "\n".join(lines) + "\n"


def _gh_lines(row: ActionRow, table: Mapping[str, Any], page: str) -> list[str]:
    title = " ".join(row.text.split())
    title = title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"
    body = (
        f"Follow-up from incident [{row.incident_title}]({page}) (`{row.incident}`).\n\n"
        f"{row.text.strip()}\n\n"
        + (f"Due: {to_rfc3339(row.due)}\n" if row.due else "")
        + f"Recorded as action `{row.id}`; close it with `ij done -i {row.incident} {row.id}`."
    )
    args = ["gh", "issue", "create", "--title", title, "--body", body]
    args += ["--label", str(table.get("label", DEFAULT_LABEL))]
    if table.get("repo"):
        args += ["--repo", str(table["repo"])]
    login = _login(row.owner, table.get("assignees", {}))
    note = []
    if login:
        args += ["--assignee", login]
    elif row.owner:
        note = [f"# no GitHub login for {shlex.quote(row.owner)}: set [actions.assignees]"]
    link = ["ij", "link", "-i", row.incident, row.id]
    command = " ".join(shlex.quote(a) for a in args)
    return [*note, f'url=$({command}) && {" ".join(map(shlex.quote, link))} "$url"']


def _login(owner: str | None, assignees: Mapping[str, str]) -> str | None:
    if owner is None:
        return None
    name = owner.split("<", 1)[0].strip()
    login = assignees.get(owner, assignees.get(name))
    if login is not None:
        return login
    return name if _LOGIN.match(name) else None


def _page(table: Mapping[str, Any], incident: str, relative: str) -> str:
    template = table.get("page_url")
    if not template:
        return relative
    return str(template).replace("{incident}", incident)
