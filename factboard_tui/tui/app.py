"""The FactBoard Textual application: unlock, then the board.

The app owns the open `Board` and the signed-in user; screens do the work. Given an already unlocked board
(the demo) it goes straight to the board; given a passphrase (scripts) it unlocks without asking.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from factboard_tui.core.clock import Clock, system_clock
from factboard_tui.core.store import Board
from factboard_tui.tui.messages import Unlocked
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.unlock import UnlockScreen


class FactBoardApp(App[None]):
    """The terminal face of FactBoard."""

    CSS_PATH = "factboard.tcss"
    TITLE = "FactBoard"
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        path: Path,
        *,
        board: Board | None = None,
        user: str | None = None,
        passphrase: str | None = None,
        clock: Clock = system_clock,
    ) -> None:
        super().__init__()
        self.path = path
        self.board = board
        self.user = user
        self.passphrase = passphrase
        self.clock: Clock = clock

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        if self.board is not None and self.user:
            self.push_screen(BoardScreen(self.board, self.user))
            return
        unlock = UnlockScreen(self.path, self.user)
        self.push_screen(unlock)
        if self.passphrase and self.user:
            unlock.unlock(self.passphrase, self.user)

    def on_unlocked(self, message: Unlocked) -> None:
        """Swap the unlock screen for the board."""
        self.board = message.board
        self.user = message.user
        self.switch_screen(BoardScreen(message.board, message.user))

    def on_unmount(self) -> None:
        if self.board is not None:
            self.board.close()
