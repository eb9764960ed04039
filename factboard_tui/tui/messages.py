"""Messages between the unlock screen's worker and the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:  # the unlock screen is drawn before the database layer is imported
    from factboard_tui.core.store.board import Board
    from factboard_tui.tui.row_store import BoardRead


@dataclass
class Unlocked(Message):
    """The passphrase opened the board; `first_read` is the board's first read, done in the unlocking worker
    so the board screen's very first frame shows the rows."""

    board: Board
    user: str
    first_read: BoardRead | None = None
    checked: bool = False
    """Every page was checked already (else the app checks them in the background once the board is drawn)."""


@dataclass
class UnlockFailed(Message):
    """The passphrase, the key slot or the database said no; `reason` is the one-line message."""

    reason: str
