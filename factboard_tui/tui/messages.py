"""Small messages that carry results from workers back to the UI thread."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

from textual.message import Message

from factboard_tui.core.clock import week_start
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import BoardRow, VisitCell


@dataclass
class RowsLoaded(Message):
    """A fresh read of the board (rows in board order, the shown week's visits, the staff initials)."""

    rows: list[BoardRow]
    visits: dict[int, dict[date, VisitCell]]
    today: date
    data_version: int
    staff: list[str]
    triage_counts: dict[str, int] | None = None
    """Only for a first screenful (`rows` is not the whole board): how many rows of each triage there are."""


FIRST_SCREENFUL = 120
"""Rows the first read after unlocking fetches: more than any terminal shows; the rest follow right after."""


def read_board(board: Board, monday: date, limit: int | None = None) -> RowsLoaded:
    """Everything the board screen shows, read in one go (in a worker thread: it takes tens of milliseconds).

    With `limit`, only the first rows in board order and their visits, with the whole board's triage counts:
    a first screenful that costs the same whatever the board's size (the screen reads the rest next).
    """
    version = board.data_version()
    counts: dict[str, int] | None = None
    if limit is None:
        rows = board.rows()
        visits = board.visits(monday, monday + timedelta(days=7))
    else:
        rows, counts = board.top_rows(limit)
        visits = board.visits(monday, monday + timedelta(days=7), {row.id or 0 for row in rows})
    staff = [member.initials for member in board.staff()]
    return RowsLoaded(rows, visits, board.today(), version, staff, counts)


def first_read(board: Board) -> RowsLoaded:
    """The first screenful of a board opened with `integrity=False`, with the integrity check run beside it.

    SQLCipher checks the pages with Python's lock released, so on two cores the check costs the unlock no time.
    Raises `DatabaseDamaged` (nothing is shown) if the check fails, else whatever the read raised.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="integrity") as pool:
        checked = pool.submit(board.check_integrity)
        try:
            return read_board(board, week_start(board.today()), limit=FIRST_SCREENFUL)
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
