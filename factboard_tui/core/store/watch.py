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

import mmap
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

CHANGES_AFTER = "SELECT id, row_id, entity FROM change_log WHERE id > ?"
"""The change log after a change id: the change's id, the board row it touched (if any) and its kind."""


WAL_INDEX_HEADER = 96
"""The WAL index's header: its two copies (48 bytes each) change with every commit, whichever process made it."""

ASK_ANYWAY = 10
"""Of this many polls that found the WAL index unchanged, the last asks SQLite all the same (a safety net)."""


class ChangePoll:
    """One kept connection that reads the change log after a change id (safe from any thread, one at a time).

    Most polls find nothing new. Before asking, the poll reads the header of the board's WAL index (the `-shm` file
    beside it: page numbers and counters, never a value of the board), which SQLite rewrites at every commit of any
    process (`iChange`, `mxFrame`, the salts). Unchanged since the last answer to the same question, the answer is
    unchanged too, and SQLite is not asked: an idle board's poll then costs a look at mapped memory. Every
    `ASK_ANYWAY`-th poll asks all the same, and any doubt (no index, a database error) asks at once.
    """

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        self._engine = engine
        self._lock = threading.Lock()  # the poll reads in its thread; the board closes in the writer's
        self._connection: Any = None
        self._closed = False
        self._index_path = path.with_name(path.name + "-shm") if path is not None else None
        self._index: mmap.mmap | None = None
        self._answered: tuple[bytes, int, list[tuple[int, int | None, str]]] | None = None
        self._skipped = 0

    def changes_after(self, version: int) -> list[tuple[int, int | None, str]]:
        """(change id, row id or None, entity) of every change after change id `version`, oldest first. Database
        errors are raised as the driver raises them (the board turns them into what the user should hear); the
        connection is given back after one, and taken again at the next question."""
        with self._lock:
            if self._closed:  # the board is closed: ask as any other read would (the pool opens a connection)
                with self._engine.connect() as connection:
                    return [tuple(row) for row in connection.exec_driver_sql(CHANGES_AFTER, (version,))]  # type: ignore[misc]
            header = self._header()
            answered = self._answered
            if header is not None and answered is not None and answered[:2] == (header, version):
                self._skipped += 1
                if self._skipped < ASK_ANYWAY:
                    return list(answered[2])
            self._skipped = 0
            try:
                if self._connection is None:
                    self._connection = self._engine.raw_connection()
                found: list[tuple[int, int | None, str]] = self._connection.driver_connection.execute(
                    CHANGES_AFTER, (version,)
                ).fetchall()
            except BaseException:
                self._drop()
                raise
            # the header read before the question: a commit between the two is seen by the next poll
            self._answered = (header, version, found) if header is not None else None
            return list(found)

    def _header(self) -> bytes | None:
        """The WAL index's header now, or None if there is none to read (then every poll asks SQLite)."""
        if self._index is None:
            if self._index_path is None or self._connection is None:  # mapped once the kept connection holds it
                return None
            try:
                with open(self._index_path, "rb") as file:
                    self._index = mmap.mmap(file.fileno(), WAL_INDEX_HEADER, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # no WAL index (yet), or a short one: ask SQLite
                return None
        return self._index[:WAL_INDEX_HEADER]

    def close(self) -> None:
        """Give the connection back to the pool (before the engine is disposed)."""
        with self._lock:
            self._closed = True
            self._drop()

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        index, self._index = self._index, None
        self._answered = None
        if index is not None:  # with no connection of ours, SQLite may remove the index: map it again later
            index.close()
        if connection is not None:
            connection.close()
