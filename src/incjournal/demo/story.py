"""The story `ij demo` records: a SEV1 checkout outage, minute by minute after detection.

Plain data, so it reads like the incident channel would have: who typed what, and when.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from incjournal.core.model import Kind

TITLE = "Checkout errors in EU"
SLUG = "checkout-errors-eu"
PEOPLE: Mapping[str, str] = {
    "priya": "Priya Shah <priya@example.com>",
    "bob": "Bob Okafor <bob@example.com>",
    "carol": "Carol Diaz <carol@example.com>",
    "dana": "Dana Kim <dana@example.com>",
    "erin": "Erin Walsh <erin@example.com>",
}
AUDIENCES = ("responders", "engineering", "support", "exec", "public")
PUBLIC_AUDIENCES = ("support", "public")


@dataclass(frozen=True)
class Step:
    """One entry: `minute` after detection, typed by `who`."""

    minute: float
    who: str
    kind: Kind
    text: str = ""
    label: str | None = None  # a name later steps use to close or answer this entry
    ref: str | None = None  # the label of the entry this one closes
    public: bool = False
    tags: tuple[str, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)


PODS = """Checkout pods restart every few minutes since the 09:50 deploy:

NAME                       READY   STATUS             RESTARTS   AGE
checkout-7d9f8b6c4-2xkqp   1/1     Running            4          38m
checkout-7d9f8b6c4-9wz7d   1/1     Running            5          38m
checkout-7d9f8b6c4-tq4lm   0/1     CrashLoopBackOff   6          38m"""

UPDATES: Mapping[str, Mapping[str, str]] = {
    "first": {
        "responders": "SEV2 declared. Investigating 502s on EU checkout; Priya is IC, "
        "Erin comms. Three hypotheses open: provider, DB pool, one bad node.",
        "engineering": "Checkout in eu-west-1 returns 502 for ~8% of requests. "
        "Payments team: please hold deploys to checkout and payments.",
        "support": "Some customers in Europe see an error at checkout. Retrying the "
        "payment usually works. We are investigating.",
        "exec": "SEV2: EU checkout errors since about 09:52, ~8% of attempts. "
        "Cause not known yet; next update in 30 minutes.",
        "public": "We are investigating errors affecting checkout for some customers in Europe.",
    },
    "mitigated": {
        "responders": "Rolled back 2026.11.3; 5xx at baseline. Monitoring. Open: retry "
        "storm risk, why config review missed the pool change.",
        "engineering": "Cause: release 2026.11.3 cut the DB pool from 50 to 5. Rolled "
        "back; the release train stays frozen until a config check lands.",
        "support": "Checkout works normally again since 10:38. Customers who saw an "
        "error can retry now.",
        "exec": "Mitigated at 10:38 by rolling back a release. About 30% of EU "
        "checkouts failed for 46 minutes. Monitoring; no known data loss.",
        "public": "A fix has been applied and checkout is working normally again. "
        "We are monitoring.",
    },
    "final": {
        "responders": "Resolved. Follow-ups are in the review draft; thank you all.",
        "engineering": "Resolved. Release train unfrozen once the pool-size CI check merges (Bob).",
        "support": "Resolved. Affected customers get an e-mail today; no duplicate "
        "charges were found.",
        "exec": "Resolved at 11:35; customer impact 09:52-10:38. No duplicate charges. "
        "Review on Thursday.",
        "public": "This incident has been resolved. We apologise for the trouble.",
    },
}


def _updates(minute: float, stage: str) -> list[Step]:
    return [
        Step(
            minute + i * 0.5,
            "erin",
            Kind.UPDATE,
            UPDATES[stage][audience],
            public=audience in PUBLIC_AUDIENCES,
            fields={"audience": audience},
        )
        for i, audience in enumerate(AUDIENCES)
    ]


STORY: tuple[Step, ...] = (
    Step(
        -8,
        "bob",
        Kind.MILESTONE,
        "First failed checkouts in the payment logs",
        fields={"milestone": "started"},
    ),
    Step(1, "priya", Kind.ROLE, fields={"role": "comms", "person": "Erin"}),
    Step(1, "priya", Kind.ROLE, fields={"role": "scribe", "person": "Bob"}),
    Step(1.5, "priya", Kind.ROLE, fields={"role": "ops", "person": "Carol"}),
    Step(2, "bob", Kind.NOTE, "Paged by checkout-5xx: 8% of EU checkout requests return 502"),
    Step(
        3,
        "erin",
        Kind.IMPACT,
        "Some customers in Europe cannot complete checkout; retrying often works.",
        public=True,
    ),
    Step(3.5, "erin", Kind.NOTE, "Checkout problems in Europe", public=True, tags=("title",)),
    Step(4, "carol", Kind.NOTE, PODS),
    Step(5, "priya", Kind.HYPOTHESIS, "Payment provider degraded in the EU", label="h_psp"),
    Step(
        6,
        "carol",
        Kind.HYPOTHESIS,
        "DB connection pool exhausted since release 2026.11.3 (deployed 09:50)",
        label="h_pool",
    ),
    Step(7, "bob", Kind.HYPOTHESIS, "One bad node in eu-west-1b", label="h_node"),
    Step(
        8,
        "priya",
        Kind.QUESTION,
        "Did release 2026.11.3 change any database settings?",
        label="q_release",
        fields={"owner": "Bob"},
    ),
    *_updates(9, "first"),
    Step(
        12,
        "priya",
        Kind.SEVERITY,
        fields={"level": 1, "why": "30% of EU checkouts failing now; about EUR 40k/hour"},
    ),
    Step(
        14,
        "bob",
        Kind.RULE_OUT,
        "Provider status is green; test payments straight from eu-west-1 succeed",
        ref="h_psp",
    ),
    Step(16, "carol", Kind.RULE_OUT, "Failures spread evenly over all three zones", ref="h_node"),
    Step(
        18,
        "bob",
        Kind.ANSWER,
        "Yes: max_pool_size went from 50 to 5 in the release's config change",
        ref="q_release",
    ),
    Step(19, "carol", Kind.CONFIRM, "pgbouncer: 5/5 connections busy, 212 waiting", ref="h_pool"),
    Step(
        20,
        "priya",
        Kind.STATUS,
        "We have identified the cause and are working on a fix.",
        public=True,
        fields={"state": "identified"},
    ),
    Step(
        21,
        "carol",
        Kind.RISK,
        "Rolling back under traffic may drop in-flight orders",
        label="r_orders",
        fields={"likelihood": "med", "impact": "high"},
    ),
    Step(
        22,
        "bob",
        Kind.RISK,
        "Client retries may flood the database when the pool grows again",
        label="r_retry",
        fields={"likelihood": "low", "impact": "med"},
    ),
    Step(
        23,
        "priya",
        Kind.DECISION,
        "Roll back release 2026.11.3 rather than hot-fix the pool size",
        fields={
            "why": "rollback is tested and takes 5 minutes; a config hot-fix needs a review "
            "nobody can do quickly at this hour"
        },
    ),
    Step(
        24,
        "priya",
        Kind.ACTION,
        "Pause order consumers and drain in-flight orders",
        label="a_drain",
        fields={"owner": "Carol", "due": 30},
    ),
    Step(27, "carol", Kind.DONE, "Queue drained: 0 orders in flight", ref="a_drain"),
    Step(27.5, "carol", Kind.RETIRE, "Queue drained before the rollback", ref="r_orders"),
    Step(
        28,
        "carol",
        Kind.COMMAND,
        "Roll back checkout to 2026.11.2",
        fields={
            "command": ("kubectl", "-n", "checkout", "rollout", "undo", "deployment/checkout"),
            "exit_code": 0,
            "duration_s": 41.2,
            "output": "deployment.apps/checkout rolled back\n",
            "output_bytes": 37,
        },
    ),
    Step(34, "bob", Kind.NOTE, "Pool at 14/50 busy; 5xx rate down from 8% to 0.3%"),
    Step(
        35,
        "priya",
        Kind.ACTION,
        "Resume order consumers",
        label="a_resume",
        fields={"owner": "Carol"},
    ),
    Step(37, "carol", Kind.DONE, "Consumers back; backlog cleared in 2 minutes", ref="a_resume"),
    Step(
        38,
        "priya",
        Kind.STATUS,
        "A fix has been applied; checkout is working normally again. We are monitoring.",
        public=True,
        fields={"state": "monitoring"},
    ),
    Step(
        39,
        "erin",
        Kind.IMPACT,
        "Checkout works normally since 10:38. Between 09:52 and 10:38 about 30% of "
        "checkout attempts in Europe failed.",
        public=True,
    ),
    *_updates(40, "mitigated"),
    Step(
        45,
        "priya",
        Kind.ROLE,
        "Priya off shift after a 10-minute hand-off call",
        fields={"role": "ic", "person": "Dana"},
    ),
    Step(46, "dana", Kind.NOTE, "Took over as IC: reviewed open risks and questions with Priya"),
    Step(
        50,
        "dana",
        Kind.QUESTION,
        "Why did the config review not flag the pool change?",
        fields={"owner": "Erin"},
    ),
    Step(
        52,
        "dana",
        Kind.QUESTION,
        "Were any orders charged twice during client retries?",
        label="q_double",
        fields={"owner": "Bob"},
    ),
    Step(60, "carol", Kind.NOTE, "No 5xx for 20 minutes; pool steady at about 15/50"),
    Step(
        65,
        "dana",
        Kind.DECISION,
        "Keep the release train frozen until a pool-size check is in config CI",
        fields={"why": "the same config path ships again on Thursday"},
    ),
    Step(
        70,
        "bob",
        Kind.ANSWER,
        "No: payment ids are unique; 0 duplicates in the ledger",
        ref="q_double",
    ),
    Step(
        75,
        "dana",
        Kind.ACTION,
        "Alert on DB pool saturation (over 80% for 5 minutes)",
        fields={"owner": "Carol", "follow_up": True},
    ),
    Step(
        76,
        "dana",
        Kind.ACTION,
        "Validate pool settings in config CI",
        fields={"owner": "Bob", "follow_up": True},
    ),
    Step(
        77,
        "dana",
        Kind.ACTION,
        "Show the config diff in the deploy checklist",
        fields={"owner": "Erin", "follow_up": True},
    ),
    Step(
        78,
        "erin",
        Kind.ACTION,
        "E-mail the customers whose checkout failed",
        fields={"owner": "Erin", "due": 24 * 60},
    ),
    Step(
        95,
        "dana",
        Kind.STATUS,
        "This incident has been resolved.",
        public=True,
        fields={"state": "resolved"},
    ),
    Step(
        96,
        "erin",
        Kind.IMPACT,
        "Between 09:52 and 10:38 about 30% of checkout attempts in Europe failed; "
        "none since. No duplicate charges.",
        public=True,
    ),
    *_updates(97, "final"),
)
