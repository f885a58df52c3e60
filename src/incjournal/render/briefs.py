"""Audience briefs: the incident rendered for one audience through a sandboxed Jinja2 template.

Built-in templates ship in `incjournal/templates/<audience>.md.j2`; a journal's own
`templates/<audience>.md.j2` overrides one, or adds an audience declared with `[audiences.<name>]`
in incjournal.toml. A public-facing audience's template gets `render.public.PublicBrief`, built
only from public entries, the status state and configured wording; others get
`render.context.InternalBrief`. Jinja2 is imported only here, and only when a brief is rendered.
"""

from __future__ import annotations

import functools
import os
import re
import traceback
import zlib
from dataclasses import fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incjournal.core.config import Audience, Config
from incjournal.core.errors import BadValue, CorruptFile, IncJournalError
from incjournal.core.fold import IncidentState
from incjournal.core.model import Kind
from incjournal.render.context import InternalBrief, as_of, finalize, internal_context, short
from incjournal.render.public import NEVER, PublicBrief, Said, public_context, statements
from incjournal.store.journal import STATUS, Journal

if TYPE_CHECKING:
    from jinja2 import BytecodeCache, Environment, Template

    from incjournal.publiclint import Finding

BUILTIN = Path(__file__).resolve().parent.parent / "templates"
TEMPLATES = "templates"
SUFFIX = ".md.j2"
COMPILED = (
    "cache/templates"  # in the per-clone state dir, with the cache: Jinja's compiled templates
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def audience_names(config: Config) -> list[str]:
    """Every audience a brief can be rendered for, built-ins first."""
    return list(config.audiences)


def check_audience(config: Config, audience: str) -> Audience:
    """The audience's settings; BadValue naming the known ones if there is no such audience."""
    spec = config.audiences.get(audience)
    if spec is None or not _NAME.match(audience):
        raise BadValue(
            f"unknown audience {audience!r}: use one of {', '.join(audience_names(config))} "
            "(a new one needs [audiences.NAME] in incjournal.toml and templates/NAME.md.j2)"
        )
    return spec


def brief_context(
    state: IncidentState,
    config: Config,
    audience: str,
    now: datetime,
    review_written: bool = False,
    since: datetime | None = None,
) -> InternalBrief | PublicBrief:
    """What the audience's template sees: the reduced public view for public-facing audiences.
    It opens with what changed since `since`, else since the audience's last update."""
    from incjournal.render.since import since_block

    opening = since_block(state, config, audience, now, since)
    if check_audience(config, audience).public:
        return replace(public_context(state, config, audience, now), since=opening)
    from incjournal.render.streams import stream_views

    context = internal_context(state, config, audience, now, review_written)
    return replace(context, since=opening, streams=stream_views(state, config.tz, now))


def render_brief(
    journal: Journal,
    state: IncidentState,
    audience: str,
    now: datetime,
    since: datetime | None = None,
) -> str:
    """The audience's brief as Markdown, as of `now` (what changed since `since`, else since
    the audience's last update, leads it)."""
    written = journal.review_written(state.id)
    context = brief_context(state, journal.config, audience, now, written, since)
    template = _template(journal, audience)
    variables = {f.name: getattr(context, f.name) for f in fields(context)}
    from incjournal.render import sandbox

    try:
        text = sandbox.render(template, {"brief": context, **variables})
    except Exception as exc:  # a template can fail in any way: say where, never a traceback
        raise CorruptFile(_template_error(journal, exc)) from None
    return tidy(text)


def tidy(text: str) -> str:
    """No trailing spaces, no run of blank lines (a block of several lines leaves both)."""
    text = re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+$", "", text, flags=re.M))
    return text.strip("\n") + "\n"


def check_brief(journal: Journal, state: IncidentState, audience: str) -> list[Finding]:
    """The public lint of everything a public-facing brief publishes; [] for internal ones."""
    from incjournal.publiclint import lint_entry, people_of

    config = journal.config
    if not check_audience(config, audience).public:
        return []
    people = people_of(state)
    found: list[Finding] = []
    for said in statements(state, audience):
        found += lint_entry(said.text, said.tags, f"entry {said.entry_id}", people, config)
    return found


def advice(state: IncidentState, config: Config, audience: str) -> list[str]:
    """What a public-facing brief is missing that a careful comms lead would add."""
    if not check_audience(config, audience).public:
        return []
    said = statements(state, audience)
    tips = [_impact_tip(state, said), _correction_tip(state, said), _closing_tip(state, said)]
    return [tip for tip in tips if tip]


def _impact_tip(state: IncidentState, said: list[Said]) -> str:
    if state.impact is None or state.impact.public:
        return ""
    older = "an older public one" if any(s.kind is Kind.IMPACT for s in said) else "none"
    return (
        f"the current impact statement is internal, so public-facing briefs show {older}: "
        "state it in plain words with `ij impact TEXT --public`"
    )


def _correction_tip(state: IncidentState, said: list[Said]) -> str:
    shown = {s.entry_id for s in said}
    hidden = [
        e.id
        for e in state.live_entries()
        if e.public and e.id in state.amendments and e.kind not in NEVER and e.id not in shown
    ]
    if not hidden:
        return ""
    return (
        f"public entry {hidden[0]} was corrected only internally, so public-facing briefs leave "
        f"it out: `ij amend {hidden[0]} TEXT --public`"
    )


def _closing_tip(state: IncidentState, said: list[Said]) -> str:
    resolved = state.milestones.resolved
    if resolved is None or not state.is_resolved or any(s.at >= resolved for s in said):
        return ""
    return (
        "nothing public says whether any data was lost or impact lingers: "
        "`ij note 'No data was lost; no lingering impact remains.' --public`"
    )


def status_path(journal: Journal, incident_id: str, audience: str) -> Path:
    return journal.incident_dir(incident_id) / STATUS / f"{audience}.md"


def status_text(journal: Journal, state: IncidentState, audience: str) -> str | None:
    """A written brief's content (as of the last entry), or None when it cannot be rendered now
    or would publish a public-lint finding (the file keeps its last content; `ij brief` says
    why)."""
    try:
        if check_brief(journal, state, audience):
            return None
        return render_brief(journal, state, audience, as_of(state))
    except IncJournalError:
        return None  # an unknown audience or a broken template: the file keeps its last content


def _environment(journal: Journal) -> Environment:
    """The sandbox for the journal's templates; a new one whenever the set of override files
    changes. Compiled templates are kept in the state dir when it is writable: Jinja checks each
    one against its template's source before use."""
    root = journal.root
    try:
        overrides = frozenset(p.name for p in (root / TEMPLATES).iterdir())
    except OSError:
        overrides = frozenset()
    return _cached_environment(root, overrides, _compiled_dir(journal))


def _compiled_dir(journal: Journal) -> Path | None:
    """Where Jinja keeps compiled templates; None when it cannot write there."""
    try:
        directory = journal.state_dir / COMPILED
        directory.mkdir(parents=True, exist_ok=True)
    except (OSError, IncJournalError):  # read-only, or not in git: compiled on each run
        return None
    return directory if os.access(directory, os.W_OK) else None


@functools.lru_cache(maxsize=16)
def _cached_environment(
    root: Path, overrides: frozenset[str], compiled: Path | None
) -> Environment:
    from jinja2 import FileSystemLoader, StrictUndefined

    from incjournal.render.sandbox import BoundedSandbox

    env = BoundedSandbox(
        loader=FileSystemLoader([str(root / TEMPLATES), str(BUILTIN)]),
        undefined=StrictUndefined,
        finalize=finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=_bytecode_cache(compiled) if compiled is not None else None,
    )
    env.filters["short"] = short
    return env


def _bytecode_cache(directory: Path) -> BytecodeCache:
    """Jinja's own cache of compiled templates; its file names carry a digest of this module,
    which sets the options the templates are compiled with."""
    from jinja2 import FileSystemBytecodeCache

    digest = f"{zlib.crc32(Path(__file__).read_bytes()):08x}"
    return FileSystemBytecodeCache(str(directory), pattern=f"%s-{digest}.cache")


def _template(journal: Journal, audience: str) -> Template:
    from jinja2 import TemplateNotFound

    name = audience + SUFFIX
    try:
        return _environment(journal).get_template(name)
    except TemplateNotFound:
        raise BadValue(
            f"no template for audience {audience!r}: write {TEMPLATES}/{name} in the journal"
        ) from None
    except Exception as exc:
        raise CorruptFile(_template_error(journal, exc)) from None


def _template_error(journal: Journal, exc: BaseException) -> str:
    """'templates/public.md.j2:3: template error: ...' for a syntax or a render error."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, TemplateNotFound):
        message = f"no template named {exc.name!r}"
    if isinstance(exc, TemplateSyntaxError):
        return f"{_where(journal, exc.filename)}:{exc.lineno}: template error: {message}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(SUFFIX)]
    if not frames:
        return f"template error: {message}"
    return f"{_where(journal, frames[-1].filename)}:{frames[-1].lineno}: template error: {message}"


def _where(journal: Journal, filename: str | None) -> str:
    if not filename:
        return "template"
    path = Path(filename)
    if path.is_relative_to(journal.root):
        return str(path.relative_to(journal.root))
    return f"built-in template {path.name}"
