"""The one write transaction: every change of board, staff, meeting or peer data runs inside `write_transaction`.

It takes SQLite's write lock before the first read (`BEGIN IMMEDIATE`, retried with a random pause while another
process holds it), so the old values a write compares against cannot go stale. Before it commits, the change
records it appended become one entry in the hash-chained audit log (`core.security.audit`), naming by whom, which
records and a hash of them, and the seal over the board's records takes in what the transaction wrote. A database
error on the way is told as what it is (busy, disk full, read-only, damaged: `core.diagnosis`).
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Iterator

import sqlcipher3
from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import IntegrityError

from factboard_tui.core.diagnosis import is_busy
from factboard_tui.core.security import audit, seal
from factboard_tui.core.security.audit_words import ROWS, stored
from factboard_tui.core.store.handle import BoardHandle

WRITE_ATTEMPTS = 4
"""Tries at taking the write lock before a write is refused as busy (each one waits up to `BUSY_TIMEOUT_MS`)."""
WRITE_RETRY_PAUSE = 0.05
"""Seconds before the second try; it doubles for each further try, with random jitter."""


@contextlib.contextmanager
def write_transaction(
    board: BoardHandle, who: str | None = None, action: str = "change", detail: str = ""
) -> Iterator[Connection]:
    """A write transaction that holds SQLite's write lock from the start, so old values cannot go stale.

    Before it commits, the change records it appended are entered in the audit log as one entry (by `who`,
    with `action`); an action other than `change` is entered even when no change record was written. A
    transaction may name its entry's action, detail or content in `connection.info` (`audit_action`,
    `audit_detail`, `audit_content`): what it found decides what it did.
    """
    try:
        connection, transaction = take_write_lock(board.engine)
        with connection, transaction:
            for left in ("audit_detail", "audit_content", "audit_action"):  # by a transaction that failed here
                connection.info.pop(left, None)
            pending: seal.Pending | None = connection.info.get("seal")
            if pending is not None:
                pending.clear()  # what a transaction that failed on this connection left
            before = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM change_log").scalar_one())
            yield connection
            audit_writes(board, connection, before, who or board.actor, action, detail)
            seal.fold(connection.connection.dbapi_connection, pending)  # also when no entry was written
    except IntegrityError:
        raise
    except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
        raise board.user_error(error) from None


def take_write_lock(engine: Engine) -> tuple[Connection, RootTransaction]:
    """A connection in a transaction that holds the write lock (`BEGIN IMMEDIATE`), retried while busy.

    SQLite already waits up to `BUSY_TIMEOUT_MS` for another writer; `BEGIN IMMEDIATE` can still fail with
    "database is locked" when the wait runs out or another process is recovering the WAL. Only taking the lock
    is retried (nothing has been read or written yet), at most `WRITE_ATTEMPTS` times with a random pause, so
    writers that collided do not collide again in step.
    """
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        connection = engine.connect().execution_options(immediate=True)
        try:
            return connection, connection.begin()
        except SADatabaseError as error:
            connection.close()
            if not is_busy(error) or attempt == WRITE_ATTEMPTS:
                raise
        time.sleep(random.uniform(0.5, 1.0) * WRITE_RETRY_PAUSE * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


def audit_writes(board: BoardHandle, connection: Connection, before: int, who: str, action: str, detail: str) -> None:
    """One audit entry for the change records after id `before`: which ones, a hash of them, whose row.

    The summary (id span, rows, sources, fields) is counted by SQLite. The content hash covers the records
    themselves unless the transaction named its content in `connection.info["audit_content"]`: a sync merge
    names the bundle file it merged, so 100,000 merged records are not read back and hashed again.
    """
    raw = connection.connection.dbapi_connection  # plain cursor calls: this runs on every cell saved
    assert raw is not None
    detail = connection.info.pop("audit_detail", detail)
    action = connection.info.pop("audit_action", action)
    content = connection.info.pop("audit_content", None)
    first, last, rows, row_id, sources, fields = raw.execute(
        "SELECT min(id), max(id), count(DISTINCT row_id), max(row_id), json_group_array(DISTINCT source), "
        "json_group_array(DISTINCT CASE WHEN instr(field, ':') > 0 THEN substr(field, 1, instr(field, ':') - 1) "
        "ELSE field END) FROM change_log WHERE id > ?",
        (before,),
    ).fetchone()
    if first is None and action == "change":
        return
    flush_unlock(board, connection)
    client = subject = None
    span = None
    if first is not None:
        span = (int(first), int(last))
        if rows == 1:
            found = raw.execute("SELECT client_code, uid FROM board_row WHERE id = ?", (row_id,)).fetchone()
            client, subject = found if found else (None, None)
        elif rows:
            subject = stored(ROWS, count=rows)
        named = sorted(json.loads(sources))
        if action == "change" and all(source.startswith("import:") for source in named):
            action = "import"
        detail = "; ".join(part for part in (detail, ", ".join(named), ", ".join(sorted(json.loads(fields)))) if part)
    if content is None:
        content = [
            list(change)
            for change in raw.execute(
                "SELECT id, row_id, staff_id, entity, op, field, old, new, author, source, hlc, origin, seq "
                "FROM change_log WHERE id > ? ORDER BY id",
                (before,),
            )
        ]
    audit.append(
        connection,
        who,
        action,
        board.clock(),
        client=client,
        subject=subject,
        detail=detail,
        changes=span,
        content=content,
    )


def flush_unlock(board: BoardHandle, connection: Connection) -> None:
    """Enter the pending failed unlocks and the unlock (before the entry that follows them), if not yet done."""
    if board._failures_note is not None:
        note, board._failures_note = board._failures_note, None
        audit.append(connection, board.actor, "unlock failed", board.clock(), detail=note)
    if board._unlock_note is not None:
        note, board._unlock_note = board._unlock_note, None
        audit.append(connection, board.actor, "unlock", board.clock(), detail=note)
