"""Import, export, template and check commands (filled in by the exchange work, issue #2)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app``."""
