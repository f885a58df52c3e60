"""User text inside Markdown: `inline` keeps it one plain paragraph, whatever it holds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from incjournal.render.text import _CONTROL, _LEADING, _word, inline

WORDS = st.text(alphabet=st.sampled_from("ab1 .,:;()[]*_`<>|~\\&#=-+!x\t\n\"'"), max_size=40)


@given(st.one_of(st.text(max_size=60), WORDS))
def test_plain_text_skips_the_word_by_word_escaping_without_changing_it(text: str) -> None:
    """The quick way for text with nothing to escape gives what escaping each word gives."""
    flat = _CONTROL.sub("", " ".join(text.split()))
    word_by_word = " ".join(_word(w) for w in flat.split(" ")) if flat else ""
    if _LEADING.match(word_by_word):
        word_by_word = "\\" + word_by_word
    assert inline(text) == word_by_word


@given(WORDS)
def test_inline_text_stays_one_paragraph(text: str) -> None:
    tokens = MarkdownIt().parse(inline(text) + "\n")
    assert [t.type for t in tokens] in ([], ["paragraph_open", "inline", "paragraph_close"])
    kinds = {c.type for t in tokens if t.type == "inline" for c in t.children or []}
    assert kinds <= {"text", "code_inline"}  # no emphasis, link, tag or line break
