"""A realistic incident, built in memory, for the brief tests (golden files, injection, lint).

SEV2 checkout errors in the EU after a deploy: raised to SEV1, cause confirmed, rollback decided.
`ACTIVE` is the journal at 11:08; `RESOLVED` continues it to the all-clear at 11:45.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incjournal.core import config as config_mod
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import PUBLIC, Entry, IncidentMeta, Kind
from incjournal.store.journal import Journal

ALICE = "Alice Example <alice@example.com>"
BOB = "Bob Builder <bob@example.com>"
CAROL = "Carol Chen <carol@example.com>"
DAY = datetime(2026, 11, 23, tzinfo=UTC)
INCIDENT = "2026-11-23-checkout"
NOW = DAY + timedelta(hours=11, minutes=8)
LATER = DAY + timedelta(hours=11, minutes=50)
META = IncidentMeta(INCIDENT, "Checkout errors in EU", DAY + timedelta(hours=10, minutes=42), ALICE)


def at(hhmm: str) -> datetime:
    hours, minutes = hhmm.split(":")
    return DAY + timedelta(hours=int(hours), minutes=int(minutes))


def ref(n: int) -> str:
    return f"{n:02d}kqx7zm"


def entry(n: int, kind: Kind, hhmm: str, text: str = "", **fields: Any) -> Entry:
    """Entry number `n` (id `ref(n)`), written by Alice unless `author` says otherwise."""
    fields.setdefault("author", ALICE)
    when = at(hhmm)
    return Entry(ref(n), kind, when, when + timedelta(seconds=20), text=text, **fields)


def public(e: Entry) -> Entry:
    return dataclasses.replace(e, visibility=PUBLIC)


ACTIVE_ENTRIES: Sequence[Entry] = (
    entry(1, Kind.OPEN, "10:42", "Checkout errors in EU", level=2, person="alice"),
    entry(
        2,
        Kind.MILESTONE,
        "10:40",
        "error rate rose at 10:40 on the dashboards",
        milestone="started",
    ),
    entry(33, Kind.NOTE, "10:44", "checkout-api 5xx at 12% in eu-west-1; us-east-1 is fine"),
    public(entry(3, Kind.NOTE, "10:44", "Failed checkouts in Europe", tags=("title",), author=BOB)),
    public(
        entry(
            4,
            Kind.IMPACT,
            "10:45",
            "About 30% of checkout attempts in Europe fail with an error; retrying "
            "sometimes works.",
            tags=("affects:Checkout", "affects:Europe"),
        )
    ),
    entry(5, Kind.ROLE, "10:46", role="comms", person="bob"),
    entry(
        6,
        Kind.HYPOTHESIS,
        "10:46",
        "DB connection pool exhausted since the 10:31 deploy (release 2026.11.3)",
    ),
    entry(7, Kind.HYPOTHESIS, "10:47", "Payment provider degraded in the EU", author=BOB),
    entry(
        8, Kind.QUESTION, "10:48", "Did release 2026.11.3 change the DB pool size?", owner="carol"
    ),
    entry(
        9,
        Kind.COMMAND,
        "10:50",
        command=("kubectl", "-n", "checkout", "get", "pods"),
        exit_code=0,
        duration_s=0.8,
        cwd="/home/alice",
        output="NAME                  READY   STATUS\ncheckout-api-7d9f   1/1     Running\n",
    ),
    entry(10, Kind.SEVERITY, "10:52", level=1, why="EU checkout failures above 25%"),
    public(
        entry(
            11,
            Kind.NOTE,
            "10:53",
            "We are investigating failed checkouts for customers in Europe.",
            author=BOB,
        )
    ),
    entry(
        12,
        Kind.RULE_OUT,
        "10:55",
        "PSP status page green; direct test payments succeed",
        ref=ref(7),
        author=BOB,
    ),
    entry(
        13,
        Kind.ANSWER,
        "10:56",
        "Yes: the pool size went from 50 to 5 in a config refactor",
        ref=ref(8),
        author=CAROL,
    ),
    entry(14, Kind.CONFIRM, "10:57", "pool metrics: 5/5 busy, 200+ requests waiting", ref=ref(6)),
    public(
        entry(
            15,
            Kind.STATUS,
            "10:57",
            "We have found the cause: a configuration change made this morning. We are "
            "reverting it.",
            state="identified",
            author=BOB,
        )
    ),
    entry(
        16,
        Kind.DECISION,
        "10:58",
        "Roll back checkout-api to release 2026.11.2 in the EU",
        why="errors began with the deploy; the rollback is tested and takes about 10 minutes",
    ),
    entry(
        17,
        Kind.ACTION,
        "10:58",
        "Roll back checkout-api to 2026.11.2 in eu-west-1",
        owner="dave",
        due=at("11:15"),
    ),
    entry(
        18,
        Kind.RISK,
        "10:59",
        "Rollback restarts pods: in-flight payments may be retried",
        likelihood="low",
        impact="high",
    ),
    public(
        entry(
            19,
            Kind.NOTE,
            "11:00",
            "Customers can still pay with PayPal, which is not affected.",
            tags=("workaround",),
            author=BOB,
        )
    ),
    entry(20, Kind.UPDATE, "11:00", "Exec: cause found, rollback under way", audience="exec"),
    public(  # `ij update public` records what the public was told as public
        entry(
            21,
            Kind.UPDATE,
            "11:01",
            "Investigating failed checkouts in Europe",
            audience="public",
            author=BOB,
        )
    ),
    entry(
        22,
        Kind.ACTION,
        "11:02",
        "Payments team: watch for duplicate charges after rollback",
        tags=("need",),
    ),
    entry(
        23, Kind.NOTE, "11:03", "Rollback done by about 11:15; recovery right after", tags=("eta",)
    ),
    entry(24, Kind.QUESTION, "11:05", "Are any orders stuck in 'pending' that need replaying?"),
    entry(
        25,
        Kind.ACTION,
        "11:06",
        "Alert on DB connection pool saturation",
        owner="carol",
        follow_up=True,
    ),
)

RESOLVED_ENTRIES: Sequence[Entry] = (
    *ACTIVE_ENTRIES,
    entry(26, Kind.DONE, "11:14", "rolled back at 11:13", ref=ref(17)),
    public(
        entry(
            27,
            Kind.STATUS,
            "11:16",
            "We have reverted the change and checkout error rates are back to normal. "
            "We are monitoring.",
            state="monitoring",
            author=BOB,
        )
    ),
    entry(28, Kind.RETIRE, "11:40", "no duplicate charges seen", ref=ref(18)),
    entry(
        29,
        Kind.ANSWER,
        "11:41",
        "No: failed attempts were never charged",
        ref=ref(24),
        author=CAROL,
    ),
    entry(30, Kind.DONE, "11:42", "payments team saw no duplicates", ref=ref(22)),
    public(
        entry(
            31,
            Kind.IMPACT,
            "11:45",
            "Between 10:40 and 11:16 UTC about 30% of checkout attempts in Europe failed. "
            "No payments were lost.",
            tags=("affects:Checkout", "affects:Europe"),
        )
    ),
    public(
        entry(
            32,
            Kind.STATUS,
            "11:45",
            "This incident is resolved. No payments were lost: failed attempts were not "
            "charged, and no lingering impact remains.",
            state="resolved",
            author=BOB,
        )
    ),
)


def make_journal(root: Path, tz: str = "UTC") -> Journal:
    """A journal folder with the default config (no git: rendering never needs it)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / config_mod.FILENAME).write_text(config_mod.default_text(tz))
    return Journal(root)


def active_state() -> IncidentState:
    return fold(META, ACTIVE_ENTRIES)


def resolved_state() -> IncidentState:
    return fold(META, RESOLVED_ENTRIES)
