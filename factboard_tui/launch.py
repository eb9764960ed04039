"""Starting the terminal UI from the command line: the one place where the CLI reaches the TUI.

`factboard open`, `factboard demo` and a bare `factboard` run the Textual app, yet the two faces must not import
each other (an import-linter contract in `pyproject.toml`): the CLI would otherwise load Textual for every command,
and either face could start leaning on the other's internals. Both may use this neutral module at the package root.
The contract's only exception is the import below, named in its `ignore_imports`, so the graph shows the one path
from `cli` to `tui` honestly instead of hiding it behind `importlib`. Textual is imported when the UI starts, never
when a command or `--help` runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from factboard_tui.core.store.board import Board
    from factboard_tui.settings import Settings


def run_board_app(
    path: Path,
    *,
    settings: Settings,
    board: Board | None = None,
    user: str | None = None,
    passphrase: str | None = None,
    meeting: bool = False,
    notes: list[str] | None = None,
) -> int:
    """Run the board's terminal UI until it quits, and return its exit code (non-zero after a crash, whose account
    the app has printed already).

    `board`: one unlocked already (the demo), else the app asks for the passphrase (or takes `passphrase`, from
    `$FACTBOARD_PASSPHRASE`). `meeting`: start the morning meeting at once. `notes`: what the start finished or undid
    (shown once the board is open).
    """
    from factboard_tui.tui.app import FactBoardApp

    app = FactBoardApp(
        path, board=board, user=user, passphrase=passphrase, settings=settings, meeting=meeting, notes=notes
    )
    app.run()
    return app.return_code or 0
