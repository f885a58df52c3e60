"""Rules for after the response: follow-ups with owners, questions answered, a review written,
and workstreams that have a lead and keep moving."""

from __future__ import annotations

from collections.abc import Iterator

from incjournal.core.model import Kind
from incjournal.core.times import human_duration
from incjournal.nudges.nudge import INFO, WARN, Context, Nudge, clip, short_id


def after_resolution(c: Context) -> Iterator[Nudge]:
    if not c.state.is_resolved:
        return
    for item in c.state.open_items("actions"):
        if item.entry.follow_up and not item.entry.owner:
            yield Nudge(
                f"followup-unowned:{item.entry.id}",
                WARN,
                (item.entry.id,),
                f"Follow-up {short_id(item.entry)} {clip(item.entry)} has no owner: follow-ups "
                "without an owner rarely get done. Name one before the review.",
            )
    for item in c.state.open_items("questions"):
        short = short_id(item.entry)
        yield Nudge(
            f"question-unanswered:{item.entry.id}",
            INFO,
            (item.entry.id,),
            f"Question {short} {clip(item.entry)} was never answered: answer it with "
            f"ij answer {short} TEXT, or carry it into the review as an open question.",
        )
    yield from _review(c)


def _review(c: Context) -> Iterator[Nudge]:
    resolved = c.state.milestones.resolved or c.state.status_changes[-1].at
    if c.review_written or c.now - resolved < c.limits.review_after:
        return
    yield Nudge(
        "review-missing",
        INFO,
        (),
        "Resolved, and no review written yet: start the draft with ij review --write while "
        "memories are fresh, and book the review meeting.",
    )


def streams(c: Context) -> Iterator[Nudge]:
    """A workstream without a lead; one with open work and no entry for a while."""
    if c.state.is_resolved or not any(e.kind is Kind.STREAM for e in c.state.entries):
        return
    from incjournal.core.streams import streams_of

    for stream in streams_of(c.state):
        if not stream.is_open:
            continue
        if not stream.lead:
            yield Nudge(
                f"stream-no-lead:{stream.name}",
                WARN,
                (stream.opened.id,),
                f"Stream {stream.name} has no lead: name who drives it, so that its work has one "
                f"owner — ij stream lead {stream.name} NAME.",
            )
        idle = c.now - stream.last.at
        if stream.open_work and idle >= c.limits.stream_idle_after:
            who = stream.lead or "whoever is on it"
            yield Nudge(
                f"stream-idle:{stream.name}",
                WARN,
                (stream.last.id,),
                f"Stream {stream.name} has {stream.open_work} open item(s) and no entry for "
                f"{human_duration(idle)}: is anyone stuck? Ask {who} for a 30-second status and "
                f"note it with ij note -s {stream.name} TEXT.",
            )
