"""Corrections of corrections: which strikes and amendments still apply."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from incjournal.core.model import Entry


def settle(
    struck: Mapping[str, Entry], amendments: Mapping[str, Sequence[Entry]]
) -> tuple[dict[str, Entry], dict[str, list[Entry]]]:
    """The strikes and amendments (by the id of the entry they correct) that apply.

    A struck strike no longer applies, so its entry is back; a struck amendment no longer
    applies, nor does anything amending it. An amendment of an amendment is a further amendment
    of the entry underneath, with its own visibility: internal views show the latest text,
    public ones the latest public text."""

    def holds(strike: Entry) -> bool:
        against = struck.get(strike.id)
        return against is None or not holds(against)

    applying = {ref: strike for ref, strike in struck.items() if holds(strike)}
    corrects = {a.id: ref for ref, amends in amendments.items() for a in amends}

    def target(ref: str) -> str | None:
        """The entry underneath a chain of amendments; None if one of them is struck."""
        while ref in corrects:
            if ref in applying:
                return None
            ref = corrects[ref]
        return ref

    settled: dict[str, list[Entry]] = {}
    for ref, amends in amendments.items():
        under = target(ref)
        if under is not None:
            settled.setdefault(under, []).extend(a for a in amends if a.id not in applying)
    return applying, {ref: sorted(a, key=Entry.sort_key) for ref, a in settled.items() if a}
