"""The fast entry-file reader returns exactly what tomllib returns, or None (then tomllib reads)."""

from __future__ import annotations

import tomllib
from typing import Any

import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st

from incjournal import fasttoml

KEYS = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)
VALUES = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.text(), max_size=4),
)


def tomllib_or_error(text: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "error"


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=12))
def test_files_tomli_w_writes_read_the_same(doc: dict[str, Any]) -> None:
    text = tomli_w.dumps(doc)
    fast = fasttoml.loads(text)
    assert fast is None or fast == tomllib.loads(text)


def test_an_entry_file_takes_the_fast_path() -> None:
    doc = {
        "format": 1,
        "id": "abc12345",
        "text": 'line one\nline "two"\ttab \\ back',
        "tags": ["db", "eu"],
        "command": [],
        "duration_s": 1.25,
        "exit_code": -1,
        "follow_up": True,
        "interrupted": False,
    }
    text = tomli_w.dumps(doc)
    assert fasttoml.loads(text) == tomllib.loads(text) == doc


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=6), st.data())
def test_edited_files_read_the_same_or_fall_back(doc: dict[str, Any], data: st.DataObject) -> None:
    """Hand edits (a character inserted or deleted anywhere) never make the two disagree."""
    text = tomli_w.dumps(doc)
    at = data.draw(st.integers(0, len(text)))
    insert = data.draw(
        st.sampled_from(
            ['"', "\\", "\n", " ", "=", "[", "]", ",", "#", "x", "0", ".", "\x7f", "\t"]
        )
    )
    for edited in (text[:at] + insert + text[at:], text[:at] + text[at + 1 :]):
        fast = fasttoml.loads(edited)
        if fast is not None:
            assert fast == tomllib_or_error(edited)


def test_what_it_leaves_to_tomllib() -> None:
    for text in (
        'a = "x" # comment\n',
        "a = 1979-05-27T07:32:00Z\n",
        'a = "\\u00e9"\n',
        "a = 1e-07\n",
        "a = 1\na = 2\n",
        "[table]\na = 1\n",
        "a=1\n",
        'a = [\n  "x",\n]\n',
        'a = [\n    "x",\n',
    ):
        assert fasttoml.loads(text) is None, text
