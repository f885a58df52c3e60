"""Review sections the humans write: contributing factors and went well / poorly / lucky.

The prompts are seeded with what the journal knows (confirmed hypotheses, ruled-out paths,
metrics, open work) so the discussion starts from facts; they never name a single root cause.
"""

from __future__ import annotations

from datetime import timedelta, tzinfo

from incjournal.core.config import Config
from incjournal.core.fold import IncidentState
from incjournal.render.labels import plural, times, when
from incjournal.render.metrics import precise, reopens
from incjournal.render.punctuality import punctuality
from incjournal.render.text import inline

_FACTOR_PROMPTS = (
    "Which recent changes, conditions or load patterns made this possible?",
    "Which safeguards (tests, reviews, alerts, limits) did not catch it — "
    "and why did they make sense when they were built?",
    "What made the problem hard to see or to diagnose?",
    "Where did people rely on knowledge that was not written down?",
    "Which dependencies or teams were involved, and how did the hand-overs between them go?",
)


def contributing_factors(state: IncidentState, tz: tzinfo) -> list[str]:
    out = [
        "_Incidents have many contributing factors, not one root cause. List several: technical, "
        "process, organisational; for each, what would make it less likely or less harmful._",
        "",
    ]
    confirmed = state.causes
    if confirmed:
        out += [
            "Confirmed during the incident, in the order confirmed (each a contributing cause; "
            "a starting point, not the whole answer):",
            "",
        ]
        out += [
            f"{n}. {inline(h.entry.text)} _(confirmed {when(h.answers[0].at, tz)})_"
            for n, h in enumerate(confirmed, 1)
        ]
        out.append("")
    ms = state.milestones
    prompts = [
        *_FACTOR_PROMPTS,
        f"What made detection take {precise(ms.ttd)}? Which signal would have told us sooner?",
        f"What decided the time to mitigate ({precise(ms.ttm)})?",
    ]
    ruled_out = sum(1 for h in state.hypotheses if h.outcome == "rule-out")
    if ruled_out:
        prompts.append(
            f"{plural(ruled_out, 'hypothesis', 'hypotheses')} ruled out: which evidence would have "
            "ruled them out sooner?"
        )
    out += [f"- [ ] {p}" for p in prompts]
    return out


def reflection(state: IncidentState, tz: tzinfo, config: Config) -> list[str]:
    on_time, late = _update_facts(state, config)
    return [
        "### Went well",
        "",
        *[f"- {fact}" for fact in _went_well_facts(state) + on_time],
        "- _What helped? Tools, people, practices worth keeping._",
        "",
        "### Went poorly",
        "",
        *[f"- {fact}" for fact in _went_poorly_facts(state) + late],
        "- _What got in the way? Missing access, confusing signals, slow hand-offs._",
        "",
        "### Where we got lucky",
        "",
        "- _What could have made this much worse, and did not — by chance rather than design?_",
    ]


def _went_well_facts(state: IncidentState) -> list[str]:
    facts = []
    ms = state.milestones
    if ms.ttm is not None:
        first = "first " if len(state.impact_windows) > 1 else ""
        facts.append(f"Impact was {first}mitigated {precise(ms.ttm)} after it started.")
    handoffs = [c for c in state.role_history if c.role == "ic" and c.previous]
    if handoffs:
        facts.append(f"The incident commander role was handed over {times(len(handoffs))}.")
    return [f"_From the journal:_ {f}" for f in facts]


def _went_poorly_facts(state: IncidentState) -> list[str]:
    facts = []
    relapses = state.impact_windows[1:]
    if relapses:
        again = sum((w.length(state.last_at or w.start) for w in relapses), timedelta(0))
        facts.append(
            f"The impact came back {times(len(relapses))} after a mitigation; customers were"
            f" affected again for {precise(again)}."
        )
    pairs = reopens(state)
    if pairs:
        facts.append(f"The incident was reopened {times(len(pairs))} after being resolved.")
    unowned = [a for a in state.open_items("actions") if not a.owner]
    if unowned:
        facts.append(f"{plural(len(unowned), 'open action')} without an owner.")
    if state.open_items("questions"):
        facts.append(f"{plural(len(state.open_items('questions')), 'question')} never answered.")
    return [f"_From the journal:_ {f}" for f in facts]


def _update_facts(state: IncidentState, config: Config) -> tuple[list[str], list[str]]:
    """Updates on time and late, per audience against its cadence (not a count of updates)."""
    records = punctuality(state, config)
    on_time = [f"{r.audience} {r.on_time} of {r.sent}" for r in records if r.on_time]
    late = [
        f"{r.audience} {r.late} of {r.sent} (up to {precise(r.worst)} late)"
        for r in records
        if r.late
    ]
    never = [r.audience for r in records if not r.sent]
    final = [r.audience for r in records if r.final_missing and r.sent]
    well = [f"Updates on time: {'; '.join(on_time)}."] if on_time else []
    poorly = [f"Updates late: {'; '.join(late)}."] if late else []
    poorly += [f"No update ever went to {', '.join(never)}."] if never else []
    poorly += [f"No final update after the resolution to {', '.join(final)}."] if final else []
    return [f"_From the journal:_ {f}" for f in well], [f"_From the journal:_ {f}" for f in poorly]
