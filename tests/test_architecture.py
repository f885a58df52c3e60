"""The house shows its architecture: no import circle, and the layers' arrows point one way."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "incjournal"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each module of the package and the package's modules it imports, anywhere in its code
    (inside functions too): `from a.b import c` counts as importing `a.b`, or `a.b.c` when that
    is a module."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_circles_are_found() -> None:
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert circles(imports()) == []


def test_core_never_imports_the_outer_layers_or_typer_and_rich() -> None:
    outer = ("incjournal.cli", "incjournal.store", "incjournal.git", "incjournal.render")
    for path in (PACKAGE / "core").rglob("*.py"):
        text = path.read_text()
        assert "import typer" not in text and "import rich" not in text, path
        assert not any(f"{layer}" in text for layer in outer), path


def test_render_never_writes_and_never_commits() -> None:
    graph = imports()
    writers = {"incjournal.write", "incjournal.git.commit", "incjournal.sync"}
    for path in (PACKAGE / "render").rglob("*.py"):
        assert not writers & graph[module_name(path)], path


def design_tree() -> set[str]:
    """The module paths the README's Design section lists (its tree, read by indentation)."""
    readme = (PACKAGE.parents[1] / "README.md").read_text()
    section = readme.split("\n## Design\n", 1)[1].split("\n## ", 1)[0]
    block = section.split("```\n", 2)[1]
    listed: set[str] = set()
    folders: list[str] = []
    for line in block.splitlines()[1:]:  # under src/incjournal/
        name = line.strip().split(" ")[0] if line.strip() else ""
        depth = (len(line) - len(line.lstrip())) // 2 - 1
        if not name.endswith(("/", ".py")):
            continue  # a description's second line
        del folders[depth:]
        path = "".join(folders) + name
        listed.add(path)
        if name.endswith("/"):
            folders.append(name)
    return listed


def test_the_readme_design_section_names_every_module() -> None:
    listed = design_tree()
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "__init__.py":
            continue
        folder = rel.removesuffix("__init__.py")
        assert rel in listed or (rel.endswith("__init__.py") and folder in listed), rel
