"""Cells saved on screen whose write has not finished: laid over every read until the write is done.

A value typed into a cell shows at once, and its write follows in the writer thread a frame later. A read that
started before the write finished (the change poll, a full read) would put the old value back and make the cell
flick, and the next edit of that cell would report a false conflict. So the feed remembers each such value with a
token, lays it over whatever a read brings, and forgets it when its own write is done or refused (a newer edit of
the same cell has a newer token, so an older write finishing does not forget it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.tui.row_store import RowStore


class UnsavedCells:
    """(row id, column key) -> (token, value) for the cells saved on screen whose write has not finished."""

    def __init__(self) -> None:
        self._cells: dict[tuple[int, str], tuple[int, Any]] = {}
        self._token = 0

    def remember(self, row_id: int, key: str, value: Any) -> int:
        """Note a value shown but not yet written; returns its token."""
        self._token += 1
        self._cells[(row_id, key)] = (self._token, value)
        return self._token

    def forget(self, row_id: int, key: str, token: int) -> None:
        """The write with `token` is done (or refused): what the database holds is the truth again."""
        if self._cells.get((row_id, key), (None, None))[0] == token:
            del self._cells[(row_id, key)]

    def lay_over(self, store: RowStore, day_of: Callable[[str], date]) -> frozenset[int]:
        """Lay the values still being written over the rows in `store`; returns the rows touched."""
        touched: set[int] = set()
        for (row_id, key), (_token, value) in self._cells.items():
            if store.get(row_id) is None:
                continue
            touched.add(row_id)
            if key in WEEKDAY_KEYS:
                store.set_visit(row_id, day_of(key), value)
            else:
                store.set_value(row_id, key, value)
        return frozenset(touched)
