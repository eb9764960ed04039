"""Small messages that carry results from workers back to the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from textual.message import Message

from factboard_tui.core.model import BoardRow, VisitCell
from factboard_tui.core.store import Board


@dataclass
class Unlocked(Message):
    """The passphrase opened the board."""

    board: Board
    user: str


@dataclass
class UnlockFailed(Message):
    """The passphrase, the key slot or the database said no; `reason` is the one-line message."""

    reason: str


@dataclass
class RowsLoaded(Message):
    """A fresh read of the board (rows in board order and the shown week's visits)."""

    rows: list[BoardRow]
    visits: dict[int, dict[date, VisitCell]]
    today: date
    data_version: int


@dataclass
class RowsChanged(Message):
    """Some rows changed since the last read (any process): their new state and the shown week's visits."""

    rows: list[BoardRow]
    row_ids: set[int]
    visits: dict[int, dict[date, VisitCell]]
    data_version: int
    staff: list[str] | None
