"""Messages between the unlock screen's worker and the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from factboard_tui.core.store.board import Board
from factboard_tui.tui.row_store import BoardRead


@dataclass
class Unlocked(Message):
    """The passphrase opened the board; `first_read` is the board's first read, done in the unlocking worker
    so the board screen's very first frame shows the rows."""

    board: Board
    user: str
    first_read: BoardRead | None = None


@dataclass
class UnlockFailed(Message):
    """The passphrase, the key slot or the database said no; `reason` is the one-line message."""

    reason: str
