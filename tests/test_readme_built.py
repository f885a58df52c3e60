"""README.md is assembled from docs/: it must be rebuilt whenever a section changes."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _builder():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_readme", ROOT / "docs" / "build_readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_section_is_in_the_readme_order() -> None:
    names = {p.stem for p in (ROOT / "docs" / "sections").glob("*.md")}
    assert names <= set(_builder().ORDER), names - set(_builder().ORDER)


def test_readme_is_up_to_date() -> None:
    assert (ROOT / "README.md").read_text() == _builder().build(), (
        "README.md is stale: run `python docs/build_readme.py`"
    )


def test_readme_starts_with_the_two_set_up_commands() -> None:
    text = (ROOT / "README.md").read_text()
    blocks = [b.split("```")[0].strip() for b in text.split("```sh\n")[1:3]]
    assert blocks[0].endswith("ij demo")
    assert blocks[1].endswith("pytest -n auto")
    ci = (ROOT / ".ci" / "run").read_text()
    assert blocks[1] in ci  # CI runs exactly the README's test command
