"""The board's rows as the TUI holds them: read from the database, kept in board order, changed in place.

`BoardFeed` keeps one `RowStore` for every screen. A full read (`read_board`, in a worker) replaces it; the change
poll applies just the rows that changed; a value saved on screen is laid over its row until the write is done. The
store knows nothing of Textual or of who asks: it is plain data, so the work a refresh costs (see issue 15: it
should cost what changed, not the board's size) is decided here, in `apply` and `in_order`, and nowhere else.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.carry_forward import carried_rows
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import RowValues, VisitCell

FIRST_SCREENFUL = 120
"""Rows the first read after unlocking fetches: more than any terminal shows; the rest follow right after."""

Visits = dict[int, dict[date, VisitCell]]
"""The shown week's visits: row id -> day -> visit."""

Move = tuple[int, RowValues | None]
"""One change of the board order: `(index, None)` took the row at `index` out, `(index, row)` put `row` in there.
Replayed in order on a list that mirrored the order before, they give the order after (the grid's `splice`)."""


@dataclass(frozen=True, slots=True)
class BoardRead:
    """One read of the board: rows in board order, the week's visits, the staff initials, and when it was read."""

    rows: list[RowValues]
    visits: Visits
    today: date
    data_version: int
    staff: list[str]
    triage_counts: dict[str, int] | None = None
    """Only for a first screenful (`rows` is not the whole board): how many rows of each triage there are."""
    monday: date | None = None
    """The Monday of the week whose visits were read."""
    carried: dict[int, date] = field(default_factory=dict)
    """Rows carried forward (not discussed at the last meetings), with the day they were last discussed."""


@dataclass(frozen=True, slots=True)
class RowsRead:
    """The rows that changed since a change id (any process), read back by the change poll."""

    rows: list[RowValues]
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
    last = board.template.plans.carry_forward
    carried = carried_rows(rows, board.meeting_outcomes(last), last)
    return BoardRead(rows, visits, board.today(), version, staff, counts, monday, carried)


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
    """The first screenful of a board opened with `integrity=False`, read at once: SQLCipher checks each page's HMAC
    as it reads it, so nothing unverified is shown; the whole-file check follows once the board is drawn (the app
    runs `check_integrity` in the background and locks the board if it fails)."""
    return read_board(board, week_start(board.today()), limit=FIRST_SCREENFUL)


class RowStore:
    """The open rows by id and in board order, and the shown week's visits.

    `in_order()` is what the grid and the meeting list show. Rows are replaced whole (a read) or one by one (the
    poll, a value saved on screen); a row object is never changed in place, so a grid line built from one stays
    true until the store hands out its successor.

    The order is kept incrementally: a row read back is taken out at its place and put in at its new one by
    bisection over the rows' sort keys, and the triage counts change by difference, so a change costs what changed
    (a few microseconds a row), not the board's size (issue 15). A value saved on screen replaces its row where it
    stands and copies nothing else.
    """

    def __init__(self, order: Callable[[RowValues], tuple[Any, ...]]) -> None:
        """`order` is the key that sorts rows as the board shows them (the board's template decides)."""
        self._order = order
        self._by_id: dict[int, RowValues] = {}
        self._rows: list[RowValues] = []
        """The open rows in board order (`in_order()`'s list, changed in place)."""
        self._keys: list[tuple[Any, ...]] = []
        """`_rows`' sort keys, as each row was placed (a value saved on screen does not move its row)."""
        self._placed: dict[int, tuple[Any, ...]] = {}
        """Row id -> the key it was placed by (finds its place by bisection)."""
        self._counts: Counter[str] = Counter()
        """Rows held per triage, changed by difference."""
        self.visits: Visits = {}
        """The shown week's visits of every row that has one."""
        self.triage_counts: dict[str, int] | None = None
        """The whole board's rows per triage while only a first screenful is held (else counted from the rows)."""
        self._moves: list[Move] = []
        """How `in_order()` changed since `take_moves`: rows taken out and put in, in order (see `Move`)."""
        self.version = 0
        """Counts full reads and `take_moves` calls: a view that replays moves knows which it has seen."""
        self.carried: dict[int, date] = {}
        """Rows carried forward from the last meetings, with the day each was last discussed (see `carry_forward`)."""

    def __len__(self) -> int:
        return len(self._rows)

    def get(self, row_id: int) -> RowValues | None:
        """The open row with this id, as shown (with any value saved on screen laid over it)."""
        return self._by_id.get(row_id)

    def visits_of(self, row_id: int) -> dict[date, VisitCell]:
        """One row's visits in the shown week (empty if none)."""
        return self.visits.get(row_id, {})

    def in_order(self) -> list[RowValues]:
        """The open rows in board order: the store's own list, changed in place (read it, do not keep it)."""
        return self._rows

    def triage_count(self) -> dict[str, int]:
        """How many open rows there are of each triage (the whole board's, even while only a screenful is held)."""
        return self.triage_counts or self._counts

    def has_weekend_visits(self) -> bool:
        """Whether any row has a visit on a Saturday or Sunday of the shown week (the grid then shows those days)."""
        return any(day.weekday() >= 5 for days in self.visits.values() for day in days)

    def replace(self, read: BoardRead) -> None:
        """Hold a new read of the board (whose rows are in board order, or nearly: they are sorted once more)."""
        order = self._order
        placed = sorted(((order(row), row) for row in read.rows), key=itemgetter(0))
        self._keys = [key for key, _row in placed]
        self._rows = [row for _key, row in placed]
        self._by_id = {row.id or 0: row for row in self._rows}
        self._placed = {row.id or 0: key for key, row in placed}
        self._counts = Counter(row.triage for row in self._rows)
        self.visits = read.visits
        self.triage_counts = read.triage_counts
        self._moves = []
        self.version += 1
        self.carried = read.carried

    def apply(self, changed: RowsRead) -> None:
        """Replace the rows that changed: rows taken off go, rows still on the board come back as read now, each
        at its place in board order."""
        for row_id in changed.row_ids:
            self._take_out(row_id)
            self.visits.pop(row_id, None)
        for row in changed.rows:
            if row.date_off is None and row.id is not None:
                self._put_in(row)
        self.visits.update(changed.visits)

    def place(self, row_id: int) -> None:
        """Put a row again where its values put it in board order (after values saved on screen are laid over
        it): a move, so whoever follows the moves shows the row as it is now."""
        row = self._by_id.get(row_id)
        if row is not None:
            self._take_out(row_id)
            self._put_in(row)

    def take_moves(self) -> tuple[Move, ...]:
        """How the order changed since the last call (or the last full read), and forget it; `version` counts
        it."""
        moves, self._moves = tuple(self._moves), []
        self.version += 1
        return moves

    def _index(self, row_id: int) -> int:
        """Where the row with this id stands in `_rows` (bisection by the key it was placed by)."""
        key = self._placed[row_id]
        index = bisect_left(self._keys, key)
        while self._rows[index].id != row_id:  # equal keys (two rows of one code): the next with that key
            index += 1
        return index

    def _take_out(self, row_id: int) -> None:
        if row_id not in self._by_id:
            return
        index = self._index(row_id)
        row = self._rows[index]
        del self._rows[index], self._keys[index]
        del self._by_id[row_id], self._placed[row_id]
        self._counts[row.triage] -= 1
        self._moves.append((index, None))

    def _put_in(self, row: RowValues) -> None:
        row_id = row.id or 0
        self._take_out(row_id)
        key = self._order(row)
        index = bisect_right(self._keys, key)
        self._keys.insert(index, key)
        self._rows.insert(index, row)
        self._by_id[row_id] = row
        self._placed[row_id] = key
        self._counts[row.triage] += 1
        self._moves.append((index, row))

    def set_value(self, row_id: int, key: str, value: Any) -> None:
        """Show `value` in one field of a row, where the row stands (`place` moves it where the value puts it)."""
        row = self._by_id.get(row_id)
        if row is None:
            return
        changed = row._replace(**{key: value})
        self._rows[self._index(row_id)] = changed
        self._by_id[row_id] = changed
        if changed.triage != row.triage:
            self._counts[row.triage] -= 1
            self._counts[changed.triage] += 1

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
        return (row.id or 0 for row in self._rows)
