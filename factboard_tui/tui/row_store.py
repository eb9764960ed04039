"""The board's rows as the TUI holds them: read from the database, kept in board order, changed in place.

`BoardFeed` keeps one `RowStore` for every screen. A full read (`read_board`, in a worker) replaces it; the change
poll applies just the rows that changed; a value saved on screen is laid over its row until the write is done. The
store knows nothing of Textual or of who asks: it is plain data, so the work a refresh costs (see issue 15: it
should cost what changed, not the board's size) is decided here, in `apply` and `in_order`, and nowhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from factboard_tui.core.clock import week_start
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import BoardRow, VisitCell

FIRST_SCREENFUL = 120
"""Rows the first read after unlocking fetches: more than any terminal shows; the rest follow right after."""

Visits = dict[int, dict[date, VisitCell]]
"""The shown week's visits: row id -> day -> visit."""


@dataclass(frozen=True, slots=True)
class BoardRead:
    """One read of the board: rows in board order, the week's visits, the staff initials, and when it was read."""

    rows: list[BoardRow]
    visits: Visits
    today: date
    data_version: int
    staff: list[str]
    triage_counts: dict[str, int] | None = None
    """Only for a first screenful (`rows` is not the whole board): how many rows of each triage there are."""
    monday: date | None = None
    """The Monday of the week whose visits were read."""


@dataclass(frozen=True, slots=True)
class RowsRead:
    """The rows that changed since a change id (any process), read back by the change poll."""

    rows: list[BoardRow]
    row_ids: set[int]
    visits: Visits
    data_version: int
    staff: list[str] | None
    """The staff initials, when the team list changed too."""


def read_board(board: Board, monday: date, limit: int | None = None) -> BoardRead:
    """Everything the board screen shows, read in one go (in a worker thread: it takes tens of milliseconds).

    With `limit`, only the first rows in board order and their visits, with the whole board's triage counts:
    a first screenful that costs the same whatever the board's size (the feed reads the rest next).
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
    return BoardRead(rows, visits, board.today(), version, staff, counts, monday)


def read_changes(board: Board, version: int, monday: date) -> RowsRead | None:
    """The rows changed after change id `version` and their visits in the week of `monday`; None if nothing
    changed."""
    newest, row_ids, staff_changed = board.rows_changed_since(version)
    if newest == version:
        return None
    rows = board.rows_by_ids(row_ids)
    visits = board.visits(monday, monday + timedelta(days=7), row_ids)
    staff = [member.initials for member in board.staff()] if staff_changed else None
    return RowsRead(rows, row_ids, visits, newest, staff)


def first_read(board: Board) -> BoardRead:
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


class RowStore:
    """The open rows by id and in board order, and the shown week's visits.

    `in_order()` is what the grid and the meeting list show. Rows are replaced whole (a read) or one by one (the
    poll, a value saved on screen); a row object is never changed in place, so a grid line built from one stays
    true until the store hands out its successor.
    """

    def __init__(self, order: Callable[[list[BoardRow]], list[BoardRow]]) -> None:
        """`order` sorts rows as the board shows them (the board's template decides)."""
        self._order = order
        self._by_id: dict[int, BoardRow] = {}
        self._ids: list[int] = []
        """Row ids in board order."""
        self._ordered: list[BoardRow] | None = []
        """`in_order()`'s list, until a row changes."""
        self.visits: Visits = {}
        """The shown week's visits of every row that has one."""
        self.triage_counts: dict[str, int] | None = None
        """The whole board's rows per triage while only a first screenful is held (else counted from the rows)."""

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, row_id: int) -> BoardRow | None:
        """The open row with this id, as shown (with any value saved on screen laid over it)."""
        return self._by_id.get(row_id)

    def visits_of(self, row_id: int) -> dict[date, VisitCell]:
        """One row's visits in the shown week (empty if none)."""
        return self.visits.get(row_id, {})

    def in_order(self) -> list[BoardRow]:
        """The open rows in board order (the same list object until something changes)."""
        if self._ordered is None:
            self._ordered = [self._by_id[row_id] for row_id in self._ids]
        return self._ordered

    def triage_count(self) -> dict[str, int]:
        """How many open rows there are of each triage (the whole board's, even while only a screenful is held)."""
        return self.triage_counts or Counter(row.triage for row in self.in_order())

    def has_weekend_visits(self) -> bool:
        """Whether any row has a visit on a Saturday or Sunday of the shown week (the grid then shows those days)."""
        return any(day.weekday() >= 5 for days in self.visits.values() for day in days)

    def replace(self, read: BoardRead) -> None:
        """Hold a new read of the board, in the order it was read."""
        self._by_id = {row.id or 0: row for row in read.rows}
        self._ids = [row.id or 0 for row in read.rows]
        self._ordered = None
        self.visits = read.visits
        self.triage_counts = read.triage_counts

    def apply(self, changed: RowsRead) -> None:
        """Replace the rows that changed: rows taken off go, rows still on the board come back as read now.

        The order is not restored here: call `reorder` once any values saved on screen are laid over the rows.
        """
        for row_id in changed.row_ids:
            self._by_id.pop(row_id, None)
            self.visits.pop(row_id, None)
        for row in changed.rows:
            if row.date_off is None:
                self._by_id[row.id or 0] = row
        self.visits.update(changed.visits)
        self._ordered = None

    def reorder(self) -> None:
        """Put the rows back in board order (after `apply`, or values that change the order)."""
        ordered = self._order(list(self._by_id.values()))
        self._ids = [row.id or 0 for row in ordered]
        self._ordered = ordered

    def set_value(self, row_id: int, key: str, value: Any) -> None:
        """Show `value` in one field of a row (where the row stands in the order does not change)."""
        row = self._by_id.get(row_id)
        if row is not None:
            self._by_id[row_id] = row.model_copy(update={key: value})
            self._ordered = None

    def set_visit(self, row_id: int, day: date, visit: VisitCell | None) -> None:
        """Show `visit` (None: no visit) on one day of a row."""
        days = dict(self.visits.get(row_id, {}))  # a new dict: grid lines not yet built keep the old one
        if visit is None:
            days.pop(day, None)
        else:
            days[day] = visit
        self.visits[row_id] = days

    def codes(self) -> set[str]:
        """The client codes on the board now."""
        return {row.client_code for row in self._by_id.values()}

    def ids(self) -> Iterable[int]:
        """The open rows' ids in board order."""
        return iter(self._ids)
