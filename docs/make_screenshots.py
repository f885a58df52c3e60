"""Regenerate docs/show.svg and docs/watch.svg from the `ij demo` incident.

    python docs/make_screenshots.py [OUT_DIR]

Builds the demo journal in a temporary folder (the same code as `ij demo`), then records what
`ij show` and `ij watch` draw, with rich's SVG export. `ij watch` is pictured 26 minutes after
detection, as the story stood at minute 13: three hypotheses open and two updates overdue.
"""

from __future__ import annotations

import io
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.markdown import Markdown

from incjournal.cli.watch import current_nudges, to_rich
from incjournal.demo.build import build
from incjournal.render.dashboard import Screen, dashboard_lines
from incjournal.render.page import incident_page
from incjournal.write import load_state

DOCS = Path(__file__).resolve().parent
SHOW_WIDTH = 100
WATCH_SIZE = (80, 24)
STATE_AT = timedelta(minutes=13, seconds=30)  # what had been recorded ...
WATCH_AT = timedelta(minutes=26, seconds=12)  # ... when someone looked


def recorder(width: int, height: int | None = None) -> Console:
    return Console(
        record=True,
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
    )


def main(out: Path = DOCS) -> None:
    with tempfile.TemporaryDirectory(prefix="ij-shots-") as tmp:
        demo = build(Path(tmp) / "journal")
        config = demo.journal.config
        state = load_state(demo.journal, demo.incident_id)
        end = state.entries[-1].at
        show = recorder(SHOW_WIDTH)
        show.print(Markdown(incident_page(state, config, now=end + timedelta(minutes=5))))
        show.save_svg(str(out / "show.svg"), title="ij show")
        earlier = state.state_at(demo.detected_at + STATE_AT)
        width, height = WATCH_SIZE
        now = demo.detected_at + WATCH_AT
        nudges = current_nudges(earlier, demo.journal, now)
        screen = Screen(earlier, config, now, height=height, width=width, nudges=nudges)
        watch = recorder(width, height)
        watch.print(to_rich(dashboard_lines(screen)))
        watch.save_svg(str(out / "watch.svg"), title="ij watch")
    print(f"wrote {out / 'show.svg'} and {out / 'watch.svg'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS)
