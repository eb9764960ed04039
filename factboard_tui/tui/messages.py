"""Small messages that carry results from workers back to the UI thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

from textual.message import Message

from factboard_tui.core.model import BoardRow, VisitCell
from factboard_tui.core.store import Board, week_start


@dataclass
class RowsLoaded(Message):
    """A fresh read of the board (rows in board order, the shown week's visits, the staff initials)."""

    rows: list[BoardRow]
    visits: dict[int, dict[date, VisitCell]]
    today: date
    data_version: int
    staff: list[str]


def read_board(board: Board, monday: date) -> RowsLoaded:
    """Everything the board screen shows, read in one go (in a worker thread: it takes tens of milliseconds)."""
    version = board.data_version()
    rows = board.rows()
    visits = board.visits(monday, monday + timedelta(days=7))
    staff = [member.initials for member in board.staff()]
    return RowsLoaded(rows, visits, board.today(), version, staff)


def first_read(board: Board) -> RowsLoaded:
    """The first read of a board opened with `integrity=False`, with the integrity check run beside it.

    SQLCipher checks the pages with Python's lock released, so on two cores the check costs the unlock no time.
    Raises `DatabaseDamaged` (nothing is shown) if the check fails, else whatever the read raised.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="integrity") as pool:
        checked = pool.submit(board.check_integrity)
        try:
            return read_board(board, week_start(board.today()))
        except Exception:
            checked.result()  # a damaged page is what the person must hear about, whatever the read said
            raise
        finally:
            checked.result()


@dataclass
class Unlocked(Message):
    """The passphrase opened the board; `first_read` is the board's first read, done in the unlocking worker
    so the board screen's very first frame shows the rows."""

    board: Board
    user: str
    first_read: RowsLoaded | None = None


@dataclass
class UnlockFailed(Message):
    """The passphrase, the key slot or the database said no; `reason` is the one-line message."""

    reason: str


@dataclass
class RowsChanged(Message):
    """Some rows changed since the last read (any process): their new state and the shown week's visits."""

    rows: list[BoardRow]
    row_ids: set[int]
    visits: dict[int, dict[date, VisitCell]]
    data_version: int
    staff: list[str] | None
