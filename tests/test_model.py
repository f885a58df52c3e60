"""Entry -> TOML -> Entry round-trips, whatever the text."""

import dataclasses
import tomllib
from datetime import UTC, datetime

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from incjournal.core.model import Entry, Kind, entry_from_dict, entry_to_dict

times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
texts = st.text(st.characters(blacklist_categories=["Cs"]), max_size=200)
names = st.text(st.characters(blacklist_categories=["Cs", "Cc"]), min_size=1, max_size=30)


@st.composite
def entries(draw: st.DrawFn) -> Entry:
    return Entry(
        id=draw(st.text("0123456789abcdefghjkmnpqrstvwxyz", min_size=8, max_size=8)),
        kind=draw(st.sampled_from(list(Kind))),
        at=draw(times),
        recorded_at=draw(times),
        author=draw(names),
        text=draw(texts),
        visibility=draw(st.sampled_from(["internal", "public"])),
        tags=tuple(draw(st.lists(names, max_size=3))),
        why=draw(st.none() | texts),
        owner=draw(st.none() | names),
        due=draw(st.none() | times),
        level=draw(st.none() | st.integers(1, 5)),
        follow_up=draw(st.booleans()),
        command=draw(st.none() | st.lists(texts, max_size=3).map(tuple)),
        exit_code=draw(st.none() | st.integers(-64, 255)),
        duration_s=draw(st.none() | st.floats(0, 1e6, allow_nan=False)),
    )


@given(entries())
def test_entry_round_trips_through_toml(entry: Entry) -> None:
    text = tomli_w.dumps(entry_to_dict(entry))
    assert entry_from_dict(tomllib.loads(text)) == entry


def test_unknown_keys_are_kept_for_newer_formats() -> None:
    data = entry_to_dict(
        Entry(
            "abcdefgh",
            Kind.NOTE,
            datetime(2026, 1, 1, tzinfo=UTC),
            datetime(2026, 1, 1, tzinfo=UTC),
            "a",
            "x",
        )
    )
    data["from_the_future"] = 1
    entry = entry_from_dict(data)
    assert entry.extra == {"from_the_future": 1}
    assert entry_to_dict(entry)["from_the_future"] == 1


@given(entries(), st.dictionaries(st.sampled_from(["x_custom", "y_later"]), texts, max_size=2))
def test_entry_json_is_entry_to_dict_without_format(entry: Entry, extra: dict[str, str]) -> None:
    """The timeline's fast path writes the same JSON as the file's shape, for an entry as built
    and as read from its file (holding only the file's fields) and given back by the cache."""
    import json
    import pickle

    from incjournal.core.model import entry_json

    entry = dataclasses.replace(entry, extra=extra)
    expected = entry_to_dict(entry)
    del expected["format"]
    parsed = entry_from_dict(tomllib.loads(tomli_w.dumps(entry_to_dict(entry))))
    cached = pickle.loads(pickle.dumps(parsed))
    assert len(vars(parsed)) < len(vars(entry))  # the lean form
    for copy in (entry, parsed, cached):
        assert json.dumps(entry_json(copy), sort_keys=True) == json.dumps(expected, sort_keys=True)
