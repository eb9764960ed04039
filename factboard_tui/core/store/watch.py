"""The change poll's own connection: what was committed after a change id, asked of SQLite with no layer between.

The TUI asks its board about twice a second what changed since the last change it read (other processes' writes,
and its own). On a warm core the question costs 0.17 ms; but an idle app always asks it cold, after 0.4 s asleep,
and then SQLAlchemy's part of it (a pool checkout, the `begin` event, compiling and caching the statement, the
rollback on return) cost 1.5-2.6 ms of CPU each time: most of an idle board's 400-1,200 ms a minute (issue 15:
budget 300). The same query on a connection kept for it, in autocommit (each SELECT reads the newest commit), costs
0.3 ms cold. It reads the same rows and fails the same ways (`BoardHandle.user_error` says what happened).

The connection is taken from the board's pool once and kept while the board is open; the board gives it back before
its engine is disposed, so SQLite still checkpoints and removes the WAL when the last connection closes.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine

CHANGES_AFTER = "SELECT id, row_id, entity FROM change_log WHERE id > ?"
"""The change log after a change id: the change's id, the board row it touched (if any) and its kind."""


class ChangePoll:
    """One kept connection that reads the change log after a change id (safe from any thread, one at a time)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = threading.Lock()  # the poll reads in its thread; the board closes in the writer's
        self._connection: Any = None
        self._closed = False

    def changes_after(self, version: int) -> list[tuple[int, int | None, str]]:
        """(change id, row id or None, entity) of every change after change id `version`, oldest first. Database
        errors are raised as the driver raises them (the board turns them into what the user should hear); the
        connection is given back after one, and taken again at the next question."""
        with self._lock:
            if self._closed:  # the board is closed: ask as any other read would (the pool opens a connection)
                with self._engine.connect() as connection:
                    return [tuple(row) for row in connection.exec_driver_sql(CHANGES_AFTER, (version,))]  # type: ignore[misc]
            try:
                if self._connection is None:
                    self._connection = self._engine.raw_connection()
                return self._connection.driver_connection.execute(CHANGES_AFTER, (version,)).fetchall()  # type: ignore[no-any-return]
            except BaseException:
                self._drop()
                raise

    def close(self) -> None:
        """Give the connection back to the pool (before the engine is disposed)."""
        with self._lock:
            self._closed = True
            self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
