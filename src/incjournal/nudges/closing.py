"""Rules for after the response: follow-ups with owners, questions answered, a review written,
and workstreams that have a lead and keep moving."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from incjournal.core.links import links_by_ref
from incjournal.core.model import Kind
from incjournal.core.times import human_duration
from incjournal.nudges.nudge import INFO, WARN, Context, Nudge, clip, short_id


def after_resolution(c: Context) -> Iterator[Nudge]:
    if not c.state.is_resolved:
        return
    yield from _followups(c)
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


def _followups(c: Context) -> Iterator[Nudge]:
    """Follow-ups with no owner; and, a while after resolution, any still not linked to an issue
    where the team tracks work (an overdue one is `action-overdue`, like any action)."""
    links = links_by_ref(c.state)
    since_resolved = c.now - _resolved_at(c)
    for item in c.state.open_items("actions"):
        entry, short = item.entry, short_id(item.entry)
        if not entry.follow_up:
            continue
        if not entry.owner:
            yield Nudge(
                f"followup-unowned:{entry.id}",
                WARN,
                (entry.id,),
                f"Follow-up {short} {clip(entry)} has no owner: follow-ups without an owner "
                "rarely get done. Name one before the review.",
            )
        if entry.id not in links and since_resolved >= c.limits.followup_link_after:
            yield Nudge(
                f"followup-unlinked:{entry.id}",
                WARN,
                (entry.id,),
                f"Follow-up {short} {clip(entry)} is still open and tracked nowhere else "
                f"{human_duration(since_resolved)} after the incident was resolved: file it "
                f"where the team tracks work and record it with ij link {short} URL "
                "(ij actions --follow-up --open --format gh drafts the issues).",
            )


def _resolved_at(c: Context) -> datetime:
    return c.state.milestones.resolved or c.state.status_changes[-1].at


def _review(c: Context) -> Iterator[Nudge]:
    if c.review_written or c.now - _resolved_at(c) < c.limits.review_after:
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
