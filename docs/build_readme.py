"""Assemble README.md from docs/readme_head.md, docs/sections/*.md and docs/readme_tail.md."""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ORDER = ["tour", "core", "briefs", "evidence", "review", "nudges", "cli-tips", "team", "streams",
         "chat", "performance"]  # fmt: skip


def build() -> str:
    parts = [(DOCS / "readme_head.md").read_text()]
    parts += [(DOCS / "sections" / f"{name}.md").read_text() for name in ORDER
              if (DOCS / "sections" / f"{name}.md").exists()]  # fmt: skip
    parts.append((DOCS / "readme_tail.md").read_text())
    return "\n".join(p.rstrip("\n") + "\n" for p in parts)


if __name__ == "__main__":
    target = DOCS.parent / "README.md"
    text = build()
    if "--check" in sys.argv:
        sys.exit(0 if target.read_text() == text else 1)
    target.write_text(text)
    print(f"wrote {target}")
