"""A realistic incident for the review, hand-off and export tests: 80+ entries over two days,
three incident commanders, a reopen, a backdated start, corrections and commands.

Built from Entry objects (no CLI, no git per entry): `build()` gives (meta, entries) for the pure
renders, `write()` lays the files out in a journal like `ij` would, for the CLI tests.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomli_w

from incjournal.core.config import from_dict
from incjournal.core.model import Entry, IncidentMeta, Kind, entry_to_dict
from incjournal.store.journal import META, entry_filename

ID = "2026-11-23-eu-card-payments"
TITLE = "Card payments failing for EU customers"
CONFIG = from_dict({"timezone": "Europe/Berlin"})

ALICE = "Alice Chen <alice@example.com>"
BOB = "Bob Okafor <bob@example.com>"
CAROL = "Carol Diaz <carol@example.com>"
DANA = "Dana Kim <dana@example.com>"
ERIN = "Erin Walsh <erin@example.com>"


def at(day: int, hhmm: str) -> datetime:
    """Day `day` of the incident at HH:MM Berlin time (the journal's zone), in UTC."""
    hours, minutes = (int(x) for x in hhmm.split(":"))
    local = datetime(2026, 11, 22, hours, minutes, tzinfo=ZoneInfo("Europe/Berlin"))
    return (local + timedelta(days=day)).astimezone(UTC)


@dataclass
class Story:
    """Appends entries with deterministic ids; `refs` names entries later ones close."""

    entries: list[Entry] = field(default_factory=list)
    refs: dict[str, str] = field(default_factory=dict)
    ids: Iterator[str] = field(default_factory=lambda: _ids(7))

    def add(
        self, day: int, hhmm: str, kind: Kind, by: str, text: str = "", name: str = "", **kw: Any
    ) -> None:
        when = at(day, hhmm)
        recorded = kw.pop("recorded", None)
        if "ref" in kw:
            kw["ref"] = self.refs[kw["ref"]]
        entry = Entry(
            id=next(self.ids),
            kind=kind,
            at=when,
            recorded_at=recorded or when,
            author=by,
            text=text,
            **kw,
        )
        self.entries.append(entry)
        if name:
            self.refs[name] = entry.id


def _ids(seed: int) -> Iterator[str]:
    rng = random.Random(seed)
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    seen: set[str] = set()
    while True:
        ident = "".join(rng.choice(alphabet) for _ in range(8))
        if ident[:3] not in seen:
            seen.add(ident[:3])
            yield ident


PODS = """kubectl get pods -n payments
NAME                            READY   STATUS             RESTARTS   AGE
payments-api-7d9f8c6b5-2xkqp    1/1     Running            0          7h
payments-api-7d9f8c6b5-8mzwt    1/1     Running            0          7h
payments-worker-5c4b9d7f-qq2lx  0/1     CrashLoopBackOff   14         52m"""

EXEC_BRIEF = """# SEV2 · Card payments failing for EU customers
_Executive summary · as of 17:58 CET_

- **Status:** Investigating · payment errors are back since 17:31 · incident commander: Bob Okafor
- **Impact:** About 10% of EU card payments fail since 17:31
- **What we know:** the morning's cause (pool setting) is fixed; this is a new failure
- **What we don't know yet:** the cause — investigating: the rolled-back release shares the pool \
bug via common config; card processor is rate-limiting our new egress IPs
- **ETA:** no ETA yet
- **Next update:** by 18:28 CET (every 30 minutes)

**Decisions taken**
- 09:58 Roll back payments-api to release 2026.11.2 — because errors began with the 09:05 deploy

**Top risks**
- None open."""


def build() -> tuple[IncidentMeta, list[Entry]]:
    story = Story()
    _morning(story)
    _reopen(story)
    _night(story)
    _day_two(story)
    meta = IncidentMeta(ID, TITLE, at(1, "09:40"), ALICE)
    return meta, story.entries


def _morning(s: Story) -> None:
    K = Kind
    s.add(1, "09:40", K.OPEN, ALICE, TITLE, level=2, person="Alice Chen")
    s.add(
        1,
        "09:41",
        K.IMPACT,
        ALICE,
        "Some EU card payments fail at checkout; retries sometimes succeed",
        visibility="public",
    )
    s.add(1, "09:42", K.ROLE, ALICE, role="comms", person="Dana Kim")
    s.add(1, "09:43", K.ROLE, ALICE, role="ops", person="Erin Walsh")
    s.add(
        1,
        "09:44",
        K.NOTE,
        ERIN,
        "Error rate on payments-api at 18% (baseline 0.3%) since about 09:15",
    )
    s.add(
        1,
        "09:45",
        K.HYPOTHESIS,
        ERIN,
        "DNS resolution failures towards the card processor",
        "h_dns",
    )
    s.add(
        1,
        "09:46",
        K.HYPOTHESIS,
        ALICE,
        "Connection pool exhaustion in payments-api after the 09:05 deploy",
        "h_pool",
    )
    s.add(
        1,
        "09:47",
        K.QUESTION,
        ALICE,
        "Did the 09:05 deploy change the pool settings?",
        "q_pool",
        owner="Erin Walsh",
    )
    s.add(
        1,
        "09:48",
        K.COMMAND,
        ERIN,
        command=("dig", "+short", "api.processor.example"),
        exit_code=0,
        duration_s=0.2,
        output="203.0.113.10\n203.0.113.11\n",
    )
    s.add(1, "09:50", K.RULE_OUT, ERIN, "Answers are correct from all three zones", ref="h_dns")
    s.add(
        1,
        "09:51",
        K.UPDATE,
        DANA,
        "Investigating EU card payment failures; next update 10:20",
        audience="responders",
    )
    s.add(1, "09:52", K.SEVERITY, ALICE, level=1, why="about half of EU card payments now fail")
    s.add(
        1,
        "09:53",
        K.IMPACT,
        ALICE,
        "About half of EU card payments fail; PayPal and invoices are unaffected",
        visibility="public",
    )
    s.add(
        1,
        "09:55",
        K.RISK,
        ALICE,
        "Rollback may drop in-flight payment authorisations",
        "r_drop",
        likelihood="med",
        impact="high",
    )
    s.add(
        1,
        "09:57",
        K.ANSWER,
        ERIN,
        "Yes: max pool size went from 50 to 5 in config v212",
        ref="q_pool",
    )
    s.add(
        1,
        "09:58",
        K.DECISION,
        ALICE,
        "Roll back payments-api to release 2026.11.2",
        why="errors began with the 09:05 deploy and the pool change is the strongest lead",
    )
    s.add(
        1,
        "10:00",
        K.ACTION,
        ALICE,
        "Drain in-flight authorisations before the rollback",
        "a_drain",
        owner="Erin Walsh",
        due=at(1, "10:10"),
    )
    s.add(1, "10:05", K.DONE, ERIN, "Queue drained", ref="a_drain")
    s.add(1, "10:06", K.RETIRE, ALICE, "Queue drained before the rollback", ref="r_drop")
    s.add(
        1,
        "10:08",
        K.COMMAND,
        ERIN,
        command=("kubectl", "rollout", "undo", "deploy/payments-api", "-n", "payments"),
        exit_code=0,
        duration_s=41.5,
        output="deployment.apps/payments-api rolled back\n",
    )
    s.add(1, "10:09", K.STATUS, ALICE, "Pool exhaustion after the 09:05 deploy", state="identified")
    s.add(
        1,
        "10:12",
        K.UPDATE,
        DANA,
        "Cause identified (bad pool setting), rollback in progress",
        audience="exec",
    )
    s.add(
        1,
        "10:14",
        K.UPDATE,
        DANA,
        "We have identified the cause and are deploying a fix.",
        audience="public",
        visibility="public",
    )
    s.add(1, "10:20", K.NOTE, ERIN, "Error rate falling: 4%")
    s.add(1, "10:25", K.CONFIRM, ERIN, "Pool back at 50; errors at baseline 0.4%", ref="h_pool")
    s.add(
        1,
        "10:26",
        K.STATUS,
        ALICE,
        "Error rate at baseline after the rollback",
        state="monitoring",
        visibility="public",
    )
    s.add(
        1,
        "10:27",
        K.UPDATE,
        DANA,
        "Payments recovering; failed payments can be retried",
        audience="support",
        visibility="public",
    )
    s.add(1, "10:30", K.SEVERITY, ALICE, level=2, why="impact mitigated, monitoring")
    s.add(
        1,
        "09:12",
        K.MILESTONE,
        ALICE,
        "First failed authorisations in the processor logs",
        milestone="started",
        recorded=at(1, "10:31"),
    )
    s.add(
        1,
        "10:35",
        K.ACTION,
        ALICE,
        "Alert on payments-api pool saturation",
        owner="Erin Walsh",
        due=at(12, "12:00"),
        follow_up=True,
    )
    s.add(
        1,
        "10:36",
        K.ACTION,
        ALICE,
        "Validate pool settings in config review (minimum 20)",
        owner="Alice Chen",
        follow_up=True,
    )
    s.add(1, "10:40", K.NOTE, DANA, "Processor confirmed no incidents on their side", "n_processor")
    s.add(
        1,
        "10:41",
        K.QUESTION,
        ALICE,
        "Why did the canary not catch the pool change?",
        owner="Alice Chen",
    )
    s.add(1, "11:30", K.UPDATE, DANA, "Stable for an hour; monitoring", audience="responders")
    s.add(
        1,
        "12:00",
        K.STATUS,
        ALICE,
        "Error rate at baseline for 90 minutes",
        state="resolved",
        visibility="public",
    )
    s.add(
        1,
        "12:05",
        K.UPDATE,
        DANA,
        "Resolved: card payments work normally again.",
        audience="public",
        visibility="public",
    )
    s.add(1, "12:06", K.UPDATE, DANA, "Resolved after rollback; review to follow", audience="exec")


def _reopen(s: Story) -> None:
    K = Kind
    s.add(1, "17:35", K.NOTE, DANA, "Support reports new payment failures from EU customers")
    s.add(1, "17:38", K.STATUS, ALICE, "Payment errors are back since 17:31", state="investigating")
    s.add(
        1,
        "17:40",
        K.IMPACT,
        ALICE,
        "About 10% of EU card payments fail since 17:31",
        visibility="public",
    )
    s.add(
        1, "17:45", K.ROLE, ALICE, "Hand-off to the evening shift", role="ic", person="Bob Okafor"
    )
    s.add(
        1,
        "17:46",
        K.HYPOTHESIS,
        BOB,
        "The rolled-back release shares the pool bug via common config",
        "h_shared",
    )
    s.add(
        1,
        "17:50",
        K.HYPOTHESIS,
        ERIN,
        "Card processor is rate-limiting our new egress IPs",
        "h_rate",
    )
    s.add(
        1,
        "17:55",
        K.COMMAND,
        ERIN,
        command=("curl", "-sI", "https://api.processor.example/health"),
        exit_code=0,
        duration_s=0.4,
        output="HTTP/2 200\nserver: processor\n",
    )
    s.add(1, "17:57", K.NOTE, ERIN, PODS)
    s.add(
        1,
        "17:58",
        K.UPDATE,
        DANA,
        EXEC_BRIEF,
        audience="exec",
        extra={"rendered": True},  # `ij update exec` without text: the brief as rendered
    )
    s.add(
        1,
        "18:00",
        K.QUESTION,
        BOB,
        "Did the processor change our rate limit today?",
        "q_limit",
        owner="Dana Kim",
    )
    s.add(
        1,
        "18:05",
        K.RULE_OUT,
        BOB,
        "Pool stays at 50 with 41 free; config v211 active",
        ref="h_shared",
    )
    s.add(
        1,
        "18:10",
        K.COMMAND,
        ERIN,
        command=("sh", "-c", "kubectl logs deploy/payments-api --since=1h | grep -c ' 429 '"),
        exit_code=0,
        duration_s=3.1,
        output="1843\n",
    )
    s.add(1, "18:12", K.NOTE, ERIN, "1,843 HTTP 429 responses from the processor in the last hour")
    s.add(
        1,
        "18:15",
        K.RISK,
        BOB,
        "A retry storm could get all our traffic blocked by the processor",
        "r_storm",
        likelihood="med",
        impact="high",
    )
    s.add(
        1,
        "18:20",
        K.DECISION,
        BOB,
        "Cap payment retries at 1 with jitter (feature flag)",
        why="the 429s point at rate limiting; fewer retries lower our request rate "
        "while we wait for the processor",
    )
    s.add(
        1, "18:22", K.ACTION, BOB, "Turn on flag payments.retry_cap=1", "a_cap", owner="Erin Walsh"
    )
    s.add(1, "18:25", K.DONE, ERIN, "Flag on in all EU regions", ref="a_cap")
    s.add(
        1,
        "18:30",
        K.UPDATE,
        DANA,
        "Errors back since 17:31, rate limiting suspected, retries capped",
        audience="responders",
    )
    s.add(
        1,
        "18:32",
        K.UPDATE,
        DANA,
        "Payments errors are back (about 10% of EU card payments).\n"
        "Please hold all deploys to payments services until we say otherwise.",
        audience="engineering",
    )
    s.add(1, "18:40", K.NOTE, ERIN, "429 rate down 60%, errors at 3%")
    s.add(1, "18:45", K.NOTE, ERIN, "Deploy 2026.11.4 started in US-East", "n_wrong")


def _night(s: Story) -> None:
    K = Kind
    s.add(
        1,
        "19:00",
        K.UPDATE,
        DANA,
        "Mitigation in place; waiting for the card processor",
        audience="exec",
    )
    s.add(
        1,
        "19:10",
        K.ANSWER,
        DANA,
        "Yes: they lowered our limit to 200 rps after the morning spike",
        ref="q_limit",
    )
    s.add(
        1,
        "19:12",
        K.CONFIRM,
        BOB,
        "Processor confirms the limit was lowered to 200 rps for our account",
        ref="h_rate",
    )
    s.add(
        1,
        "19:15",
        K.DECISION,
        BOB,
        "Ask the processor to restore the 600 rps limit; keep the retry cap until then",
        why="the cap mitigates but slows recovery for customers whose first attempt fails",
    )
    s.add(
        1,
        "19:16",
        K.ACTION,
        BOB,
        "Request the limit restore from the processor's account manager",
        "a_restore",
        owner="Dana Kim",
        due=at(2, "08:00"),
    )
    s.add(
        1,
        "19:30",
        K.STATUS,
        BOB,
        "Errors at 1.2% with the retry cap",
        state="monitoring",
        visibility="public",
    )
    s.add(
        1,
        "19:31",
        K.UPDATE,
        DANA,
        "Most payments work again; a fix with our provider is under way.",
        audience="public",
        visibility="public",
    )
    s.add(
        1,
        "19:40",
        K.COMMAND,
        ERIN,
        command=("./scripts/replay-failed-payments", "--dry-run"),
        exit_code=2,
        duration_s=0.3,
        output="error: missing --since\n",
    )
    s.add(
        1,
        "19:42",
        K.COMMAND,
        ERIN,
        command=("./scripts/replay-failed-payments", "--dry-run", "--since", "17:31"),
        exit_code=0,
        duration_s=12.0,
        output="\n".join(f"payment pay_{n:04d}: would replay" for n in range(1, 13))
        + "\nwould replay 412 payments\n",
    )
    s.add(
        1,
        "19:45",
        K.DECISION,
        BOB,
        "Replay the 412 failed payments tomorrow morning, not tonight",
        why="a replay doubles our request rate while the lowered limit is in place",
    )
    s.add(
        1,
        "19:46",
        K.RISK,
        DANA,
        "Customers retry by hand and get charged twice",
        "r_double",
        likelihood="low",
        impact="high",
    )
    s.add(1, "20:00", K.NOTE, BOB, "Quiet; error rate stable at 1.1%")
    s.add(1, "23:00", K.UPDATE, BOB, "Stable overnight at 1.1% errors", audience="responders")


def _day_two(s: Story) -> None:
    K = Kind
    s.add(2, "06:55", K.ROLE, BOB, "Hand-off to the day shift", role="ic", person="Carol Diaz")
    s.add(2, "07:00", K.NOTE, CAROL, "Read the hand-off; taking over as IC")
    s.add(
        2,
        "07:30",
        K.QUESTION,
        CAROL,
        "Has anyone been charged twice?",
        "q_double",
        owner="Dana Kim",
    )
    s.add(
        2, "08:10", K.ANSWER, DANA, "No duplicate charges in the ledger since 17:31", ref="q_double"
    )
    s.add(2, "08:12", K.RETIRE, CAROL, "No duplicate charges found", ref="r_double")
    s.add(2, "08:30", K.DONE, DANA, "Processor restored 600 rps at 08:25", ref="a_restore")
    s.add(2, "08:31", K.NOTE, ERIN, "429 count zero since 08:26")
    s.add(
        2,
        "08:35",
        K.DECISION,
        CAROL,
        "Remove the retry cap and run the replay",
        why="the limit is restored and the 429s are gone",
    )
    s.add(2, "08:36", K.ACTION, CAROL, "Turn off payments.retry_cap", "a_uncap", owner="Erin Walsh")
    s.add(2, "08:40", K.DONE, ERIN, ref="a_uncap")
    s.add(
        2,
        "08:45",
        K.COMMAND,
        ERIN,
        command=("./scripts/replay-failed-payments", "--since", "17:31"),
        exit_code=0,
        duration_s=95.2,
        output="replayed 412 payments: 409 succeeded, 3 declined by the issuer\n",
    )
    s.add(2, "08:50", K.RETIRE, CAROL, "Limit restored; retries back to normal", ref="r_storm")
    s.add(
        2,
        "09:00",
        K.IMPACT,
        CAROL,
        "No current impact; 3 of 412 replayed payments were declined by the issuer",
        visibility="public",
    )
    s.add(
        2,
        "09:20",
        K.HYPOTHESIS,
        CAROL,
        "Our egress IP change on 23 Nov triggered the processor's automatic limit",
    )
    s.add(2, "09:30", K.NOTE, DANA, "Processor says the limit change was manual", "n_manual")
    s.add(
        2,
        "10:00",
        K.STATUS,
        CAROL,
        "Error rate at baseline for 90 minutes after the replay",
        state="resolved",
        visibility="public",
    )
    s.add(
        2,
        "10:05",
        K.UPDATE,
        DANA,
        "Resolved. Failed payments were retried automatically.",
        audience="public",
        visibility="public",
    )
    s.add(
        2,
        "10:06",
        K.UPDATE,
        DANA,
        "Resolved; 409 of 412 failed payments recovered",
        audience="exec",
    )
    s.add(
        2,
        "10:07",
        K.UPDATE,
        DANA,
        "Resolved; 3 customers need to pay again",
        audience="support",
        visibility="public",
    )
    s.add(
        2,
        "10:10",
        K.ACTION,
        CAROL,
        "Agree a rate-limit change notice with the processor",
        owner="Dana Kim",
        follow_up=True,
    )
    s.add(2, "10:11", K.ACTION, CAROL, "Add the 429 rate to the payments dashboard", follow_up=True)
    s.add(
        2,
        "10:12",
        K.ACTION,
        CAROL,
        "Write the runbook for replaying failed payments",
        owner="Carol Diaz",
        follow_up=True,
    )
    s.add(
        2,
        "10:15",
        K.AMEND,
        DANA,
        "Processor confirmed no incidents on their side at 10:40 on Monday; "
        "the limit change came later",
        ref="n_processor",
    )
    s.add(
        2,
        "10:16",
        K.AMEND,
        DANA,
        "Processor says the limit change was automatic, triggered by the morning spike",
        ref="n_manual",
    )
    s.add(
        2,
        "10:20",
        K.STRIKE,
        ERIN,
        ref="n_wrong",
        why="it belongs to the US maintenance, not this incident",
    )


def write(root: Path, meta: IncidentMeta, entries: list[Entry]) -> Path:
    """Lay the incident out in the journal at `root` as `ij` would (no commit)."""
    folder = root / "incidents" / meta.id
    (folder / "entries").mkdir(parents=True)
    (folder / META).write_bytes(tomli_w.dumps(meta.to_dict()).encode())
    for entry in entries:
        path = folder / "entries" / entry_filename(entry)
        path.write_bytes(tomli_w.dumps(entry_to_dict(entry)).encode())
    return folder
