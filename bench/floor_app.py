"""The framework floor: a one-command Typer app that writes one TOML file.

What any Typer CLI pays per call (interpreter, typer and the pydantic it loads when a command
runs, one small file write). `ij note` is compared against it; nothing here is tuned.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import tomli_w
import typer

app = typer.Typer()


@app.command()
def note(
    text: Annotated[str, typer.Argument(help="What to write down.")],
    directory: Annotated[Path, typer.Option("--dir", help="Folder for the file.")] = Path("."),
) -> None:
    """Write TEXT to a new TOML file in DIR."""
    now = datetime.now(UTC)
    path = directory / f"{now:%Y%m%dT%H%M%S.%fZ}-{os.getpid()}.toml"
    path.write_bytes(tomli_w.dumps({"at": now, "text": text}).encode())
    typer.echo(f"wrote {path.name}")


if __name__ == "__main__":
    app()
