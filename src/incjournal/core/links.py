"""External references (an issue, a ticket) recorded for actions with `ij link ID URL`.

A link is an entry of its own (`kind = "link"`, `ref` = the action, `text` = the URL), so it
merges like any other entry; struck links are gone and amended ones carry the corrected URL.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from incjournal.core.errors import BadValue
from incjournal.core.fold import IncidentState
from incjournal.core.model import Kind

# no spaces, quotes, angle brackets or backticks: a URL that can sit in `<...>` in Markdown
_URL = re.compile(r"^https?://[^\s/?#@<>\"'`\\]+(?:[/?#][^\s<>\"'`\\]*)?$", re.IGNORECASE)
MAX_URL = 2000


def links_by_ref(state: IncidentState) -> Mapping[str, tuple[str, ...]]:
    """Each linked entry's id -> its URLs in the order they were recorded (corrected view)."""
    out: dict[str, tuple[str, ...]] = {}
    for entry in state.live_entries():
        if entry.kind is Kind.LINK and entry.ref and entry.text.strip():
            out[entry.ref] = (*out.get(entry.ref, ()), entry.text.strip())
    return out


def check_url(url: str) -> str:
    """An http(s) URL of one line with no user:password part; BadValue otherwise."""
    text = url.strip()
    if len(text) > MAX_URL or not _URL.match(text):
        raise BadValue(
            "invalid URL: give an http:// or https:// address with no spaces and no "
            "user:password part, e.g. https://github.com/acme/shop/issues/42"
        )
    return text
