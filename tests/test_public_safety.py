"""The public-safety property, Markdown injection, and the public lint.

A public-facing render shows only the text of entries marked public, the status state and the
configured wording: never internal text, authors, e-mail addresses, tags, commands or output, even
through a custom template that prints everything it can reach.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from brief_fixture import ACTIVE_ENTRIES, META, NOW, make_journal, resolved_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from incjournal.core.config import DEFAULT_STATUSES
from incjournal.core.errors import BadValue, CorruptFile
from incjournal.core.fold import IncidentState, fold
from incjournal.core.model import CLOSES, MILESTONES, PUBLIC, Entry, IncidentMeta, Kind
from incjournal.publiclint import Finding, lint
from incjournal.render.briefs import advice, brief_context, check_brief, render_brief
from incjournal.render.public import PublicBrief
from incjournal.store.journal import Journal

PUBLIC_FACING = ("support", "public", "leaky")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# A custom public-facing template that tries to print everything: the whole context object, every
# field and item, and the names an internal template would use.
HOSTILE = """\
# {{ headline }}
{{ brief }}
{% for name in ["messages", "workarounds"] %}{% for m in brief|attr(name) %}{{ m }} {{ m.at }} \
{{ m.text }}{% endfor %}{% endfor %}
{{ impact }} {{ latest }} {{ eta }} {{ affected }} {{ next_update }} {{ closing }}
{% for name in ["entries", "state", "journal", "config", "title", "timeline", "roles", "authors",
   "decisions", "hypotheses", "questions", "actions", "risks", "commands", "tags", "author",
   "incident", "meta", "updates", "people", "ic", "dues", "self", "range", "lipsum", "cycler",
   "joiner", "namespace", "dict"] %}{% if name is defined %}[{{ name }}]{% endif %}{% endfor %}
{% for key in ["author", "tags", "command", "output", "entry", "_state", "id", "kind"] %}\
{% if latest and latest|attr(key) is defined %}LEAK {{ latest|attr(key) }}{% endif %}{% endfor %}
{{ self }} {{ lipsum is defined }}
"""


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Journal:
    root = tmp_path_factory.mktemp("safety") / "journal"
    make_journal(root)
    config = root / "incjournal.toml"
    config.write_text(config.read_text() + "\n[audiences.leaky]\npublic = true\n")
    (root / "templates").mkdir()
    (root / "templates" / "leaky.md.j2").write_text(HOSTILE)
    return Journal(root)


# The property ------------------------------------------------------------------------------------

HOSTILE_BITS = st.sampled_from(
    ["", " ", "# ", "\n---\n", "<b>", "`", "|", "[x](y)", "\n```mermaid\n", "*", "\n\n- "]
)


@dataclasses.dataclass(frozen=True)
class Spec:
    kind: Kind
    public: bool
    minutes: int
    tags: tuple[str, ...]
    ref: int
    prefix: str


SPECS = st.builds(
    Spec,
    kind=st.one_of(  # every kind, and the ones that carry public text or correct it more often
        st.sampled_from(list(Kind)),
        st.sampled_from([Kind.NOTE, Kind.IMPACT, Kind.STATUS, Kind.AMEND, Kind.AMEND, Kind.STRIKE]),
    ),
    public=st.booleans(),
    minutes=st.integers(0, 180),
    tags=st.lists(
        st.sampled_from(["workaround", "eta", "title", "need", "affects", "x"]), max_size=3
    ).map(tuple),
    ref=st.integers(0, 40),
    prefix=HOSTILE_BITS,
)


def text_marker(i: int) -> str:
    return f"TXT{i:03d}Q"


def field_marker(i: int) -> str:
    return f"FLD{i:03d}Q"


def author(i: int) -> str:
    return f"Aut{i:03d}Q Person <aut{i:03d}q@corp.example>"


def build(specs: Sequence[Spec]) -> list[Entry]:
    """Entries whose every string carries a marker: text the entry's own, the rest 'field'."""
    entries: list[Entry] = []
    for i, spec in enumerate(specs):
        field = field_marker(i)
        when = START + timedelta(minutes=spec.minutes)
        tags = tuple(f"affects:{text_marker(i)}" if t == "affects" else t for t in spec.tags)
        entries.append(
            Entry(
                id=f"{i:03d}ab{spec.minutes:03d}",
                kind=spec.kind,
                at=when,
                recorded_at=when + timedelta(seconds=i),
                author=author(i),
                text=f"{spec.prefix}{text_marker(i)} words",
                visibility=PUBLIC if spec.public else "internal",
                tags=(*tags, f"tag{field}"),
                why=f"why {field}",
                owner=f"owner{field}",
                ref=_ref(entries, spec),
                state=DEFAULT_STATUSES[spec.ref % 4] if spec.kind is Kind.STATUS else None,
                level=1 + spec.ref % 4 if spec.kind in (Kind.OPEN, Kind.SEVERITY) else None,
                role="ic" if spec.kind is Kind.ROLE else None,
                person=f"person{field}",
                audience="public" if spec.kind is Kind.UPDATE else None,
                milestone=MILESTONES[spec.ref % 4] if spec.kind is Kind.MILESTONE else None,
                command=("ssh", f"host{field}") if spec.kind is Kind.COMMAND else None,
                cwd=f"/home/{field}",
                output=f"output {field}" if spec.kind is Kind.COMMAND else None,
                file=f"evidence/{field}.log" if spec.kind is Kind.EVIDENCE else None,
                title=f"title {field}",
            )
        )
    return entries


def _ref(earlier: list[Entry], spec: Spec) -> str | None:
    if spec.kind not in (*CLOSES, Kind.AMEND, Kind.STRIKE) or not earlier:
        return None
    return earlier[spec.ref % len(earlier)].id


def forbidden(entries: Sequence[Entry]) -> list[str]:
    """What must never appear in a public-facing render of these entries."""
    out = ["TITLEMARKQ", "opener@corp.example", "Opener"]
    never = (Kind.COMMAND, Kind.EVIDENCE, Kind.UPDATE, Kind.ROLE, Kind.SNOOZE)
    for i, e in enumerate(entries):
        out += [field_marker(i), author(i).split("<")[0].strip(), f"aut{i:03d}q@corp.example"]
        if not e.public or e.kind in never and e.kind is not Kind.UPDATE:
            out.append(text_marker(i))  # a public update to "public" is what was sent
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=st.lists(SPECS, min_size=1, max_size=30), later=st.integers(0, 600))
def test_no_internal_text_or_person_in_any_public_facing_render(
    journal: Journal, specs: list[Spec], later: int
) -> None:
    entries = build(specs)
    meta = IncidentMeta("2026-11-23-x", "TITLEMARKQ", START, "Opener <opener@corp.example>")
    state = fold(meta, entries)
    now = START + timedelta(minutes=later)
    bad = forbidden(entries)
    for audience in PUBLIC_FACING:
        text = render_brief(journal, state, audience, now)
        context = repr(brief_context(state, journal.config, audience, now))
        findings = " ".join(str(f) for f in check_brief(journal, state, audience))
        for marker in bad:
            assert marker not in text, (audience, marker, text)
            assert marker not in context and marker not in findings
    _public_notes_do_appear(journal, state, entries, now)


def _public_notes_do_appear(
    journal: Journal, state: IncidentState, entries: Sequence[Entry], now: datetime
) -> None:
    """The property is not met by printing nothing: plain public notes are all in the post."""
    text = render_brief(journal, state, "public", now)
    live = {e.id for e in state.live_entries()}
    corrected = set(state.amendments)
    for i, e in enumerate(entries):
        plain = e.kind is Kind.NOTE and not {"workaround", "eta", "title"} & set(e.tags)
        if e.public and plain and e.id in live and e.id not in corrected:
            assert text_marker(i) in text


def test_internal_correction_of_a_public_entry_is_not_published(journal: Journal) -> None:
    note = Entry("n1", Kind.NOTE, NOW, NOW, "A <a@x.org>", "Checkout is slow.", visibility=PUBLIC)
    fix = Entry("n2", Kind.AMEND, NOW, NOW, "A <a@x.org>", "db-7 pool at 5/5", ref="n1")
    state = fold(META, [*ACTIVE_ENTRIES, note, fix])
    text = render_brief(journal, state, "public", NOW)
    assert "db-7" not in text and "Checkout is slow." not in text
    assert advice(state, journal.config, "public") == [
        "public entry n1 was corrected only internally, so public-facing briefs leave it out: "
        "`ij amend n1 TEXT --public`"
    ]
    public_fix = dataclasses.replace(
        fix,
        id="n3",
        text="Checkout is slow in Europe.",
        visibility=PUBLIC,
        recorded_at=NOW + timedelta(seconds=1),
    )
    state = fold(META, [*ACTIVE_ENTRIES, note, fix, public_fix])
    assert "Checkout is slow in Europe." in render_brief(journal, state, "public", NOW)


def test_the_sandbox_refuses_to_walk_out_of_the_context(tmp_path: Path) -> None:
    j = make_journal(tmp_path / "j")
    (j.root / "templates").mkdir()
    for attempt in (
        "{{ brief.__class__ }}",
        "{{ brief.__dict__ }}",
        "{{ messages.__class__.__mro__ }}",
        "{{ next_update.__init__.__globals__ }}",
        "{{ ''.__class__.__subclasses__() }}",
    ):
        (j.root / "templates" / "public.md.j2").write_text(attempt)
        with pytest.raises(CorruptFile, match="is unsafe"):
            render_brief(j, resolved_state(), "public", NOW)
    (j.root / "templates" / "public.md.j2").write_text('{% include "responders.md.j2" %}')
    with pytest.raises(CorruptFile, match="built-in template responders.md.j2:3: .* undefined"):
        render_brief(j, resolved_state(), "public", NOW)


def test_public_context_is_plain_data(journal: Journal) -> None:
    context = brief_context(resolved_state(), journal.config, "public", NOW)
    assert isinstance(context, PublicBrief)

    def walk(value: object) -> None:
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)
        else:
            assert value is None or isinstance(value, str | bool), type(value)

    walk(context)


# Markdown injection ------------------------------------------------------------------------------

HOSTILE_TEXT = (
    "# Heading\n---\n<div onclick='x'>html</div> <!-- c --> `code` ``` | a | b |\n"
    "|---|---|\n[link](http://evil.example) ![img](x.png) **bold** _em_ > quote\n"
    "```mermaid\ngraph TD\nA-->B\n```\n1. one\n- item\n    indented\n&amp; &#35; \\ ~~s~~ \x1b[31m"
)


STARTS = ["# ", "- ", "> ", "1. ", "2) ", "===\n", "+ ", "    code ", "<div>", "```", "---", "|a|"]


def hostile(entry: Entry, start: str, text: str = HOSTILE_TEXT) -> Entry:
    """The same entry with every string it carries replaced by Markdown that tries to escape."""
    evil = start + text
    swap = {
        "text": entry.text and evil,
        "why": entry.why and evil,
        "owner": entry.owner and evil,
        "person": entry.person and evil,
        "author": f"{evil} <x@example.com>",
        "tags": tuple(f"affects:{evil}" if t.startswith("affects:") else t for t in entry.tags),
        "command": entry.command and (*entry.command, evil),
        "output": entry.output and evil,
    }
    return dataclasses.replace(entry, **swap)  # type: ignore[arg-type]


def blocks(markdown: str) -> list[tuple[str, ...]]:
    """The structure of a Markdown document: block tokens and the kinds of inline tokens; a
    quote or fence (where a text of several lines is shown whole) counts as one block."""
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    out: list[tuple[str, ...]] = []
    depth = 0
    for token in md.parse(markdown):
        if token.type in ("blockquote_open", "blockquote_close"):
            depth += 1 if token.type == "blockquote_open" else -1
            if depth == 0:
                out.append(("block",))
        elif depth:
            continue
        elif token.type == "inline":
            plain = ("text", "softbreak", "code_inline")  # code-like words go in backticks
            kinds = [c.type for c in token.children or [] if c.type not in plain]
            out.append(("inline", *kinds))
        elif token.type != "fence" or token.info == "text":
            out.append(
                ("block",) if token.type == "fence" else (token.type, token.tag, str(token.level))
            )
        else:
            out.append(("fence", token.info))
    return out


def inside_blocks(markdown: str) -> list[str]:
    """The inline token kinds inside quotes: text, code and breaks only."""
    md = MarkdownIt("commonmark").enable("table").enable("strikethrough")
    depth, kinds = 0, []
    for token in md.parse(markdown):
        depth += {"blockquote_open": 1, "blockquote_close": -1}.get(token.type, 0)
        if depth and token.type == "inline":
            kinds += [c.type for c in token.children or []]
        quiet = (
            "inline",
            "paragraph_open",
            "paragraph_close",
            "blockquote_open",
            "blockquote_close",
        )
        if depth and token.type not in quiet:
            kinds.append(token.type)
    return kinds


@pytest.mark.parametrize("start", STARTS)
@pytest.mark.parametrize("moment", ["early", "resolved"])
def test_hostile_text_cannot_change_the_structure(
    journal: Journal, moment: str, start: str
) -> None:
    plain = resolved_state()
    if moment == "early":
        plain = plain.state_at(START + timedelta(hours=1, minutes=51))
    meta = dataclasses.replace(META, title=start + HOSTILE_TEXT)
    evil = fold(meta, [hostile(e, start) for e in plain.entries])
    as_many_lines = fold(
        META, [hostile(e, "", "Plain words\n" * HOSTILE_TEXT.count("\n")) for e in plain.entries]
    )
    now = NOW + timedelta(hours=1)
    for audience in ["responders", "engineering", "support", "exec", "public"]:
        benign_text = render_brief(journal, as_many_lines, audience, now)
        hostile_text = render_brief(journal, evil, audience, now)
        assert blocks(hostile_text) == blocks(benign_text), (audience, hostile_text)
        assert set(inside_blocks(hostile_text)) <= {"text", "softbreak", "code_inline"}
        assert "\x1b" not in hostile_text


def test_fences_hold_only_command_output(journal: Journal) -> None:
    state = resolved_state().state_at(START + timedelta(hours=1, minutes=51))
    text = render_brief(journal, state, "responders", NOW)
    md = MarkdownIt("commonmark")
    fences = [t.content for t in md.parse(text) if t.type == "fence"]
    assert fences == ["NAME                  READY   STATUS\ncheckout-api-7d9f   1/1     Running\n"]


# The public lint ---------------------------------------------------------------------------------


def kinds(text: str, people: Sequence[str] = (), **config: object) -> list[tuple[str, str]]:
    cfg = None
    if config:
        from incjournal.core.config import from_dict

        cfg = from_dict({"public_lint": config})
    return [(f.kind, f.match) for f in lint(text, people, cfg)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Errors on db-7.internal and api.eu.corp",
            [("hostname", "db-7.internal"), ("hostname", "api.eu.corp")],
        ),
        (
            "checkout-db-3 and web01 are down",
            [("hostname", "checkout-db-3"), ("hostname", "web01")],
        ),
        ("from 10.0.3.7 and fe80::1", [("IP address", "10.0.3.7"), ("IP address", "fe80::1")]),
        ("write to ops@example.com", [("e-mail address", "ops@example.com")]),
        ("see OPS-1234 and #4521", [("ticket", "OPS-1234"), ("ticket", "#4521")]),
        ("ran `kubectl rollout undo`", [("command", "`kubectl rollout undo`")]),
        ("we ran kubectl rollout undo", [("command", "kubectl rollout")]),
        ("$ sudo systemctl restart x", [("command", "$ sudo")]),
        ("with --force-restart", [("command", "--force-restart")]),
        ("logs in /var/log/checkout", [("file path", "/var/log/checkout")]),
        ("We expect a fix by 14:00 UTC.", [("ETA", "expect a fix by 14:00 UTC")]),
        (
            "Service should be back to normal within an hour",
            [("ETA", "back to normal within an hour")],
        ),
        ("It will be fixed in 2 hours", [("ETA", "fixed in 2 hours")]),
        ("The ETA is noon", [("ETA", "ETA")]),
    ],
)
def test_lint_finds_what_must_not_go_out(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "About 30% of checkout attempts in Europe fail; retrying sometimes works.",
        "We will post the next update by 11:30 UTC, within 30 minutes.",
        "Between 10:40 and 11:16 UTC payments failed. UTF-8 and ISO-8601 are fine, e.g. here.",
        "A fix is in place and we are monitoring the results.",
        "Version 2026.11.3 was rolled back and/or paused 24/7. Costs $ 20.",
        "The fix shipped in 2026.11.4 and was fixed in production.",
    ],
)
def test_lint_leaves_plain_public_words_alone(text: str) -> None:
    assert kinds(text) == []


def test_lint_spans_people_and_no_overlaps() -> None:
    text = "Alice Example and bob (alice@example.com) handed over to Carol"
    found = lint(text, ["Alice Example <alice@example.com>", "bob", "Carol Chen <c@x.org>"])
    assert found == [
        Finding("person", "Alice Example", 0, 13),
        Finding("person", "bob", 18, 21),
        Finding("e-mail address", "alice@example.com", 23, 40),
        Finding("person", "Carol", 57, 62),
    ]
    assert [text[f.start : f.end] for f in found] == [f.match for f in found]
    assert lint("an example of carols", ["Carol Chen", "Alice Example"]) == []


def test_lint_is_configurable() -> None:
    assert kinds("We expect a fix by noon", eta=False) == []
    assert kinds("see status.example.com", allow=["status.example.com"]) == []
    assert kinds("case CASE-77 and INC42", patterns={"ticket": r"\bINC\d+"}) == [
        ("ticket", "CASE-77"),
        ("ticket", "INC42"),
    ]
    with pytest.raises(BadValue, match=r"\[public_lint\] patterns.bad is not a valid regex"):
        kinds("x", patterns={"bad": "("})


def test_the_realistic_public_texts_are_clean(journal: Journal) -> None:
    assert check_brief(journal, resolved_state(), "public") == []
    assert check_brief(journal, resolved_state(), "exec") == []  # internal: not linted
