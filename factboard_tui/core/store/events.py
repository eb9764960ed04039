"""What the board enters in its audit log besides row writes: unlocks, wrong passphrases, views, exports, backups.

Row and staff writes are entered by the write transaction itself (`transaction.audit_writes`). Everything else a
person does with the board's data, such as looking at a client's row, exporting, backing up, locking or
verifying the log, is entered here, each through the same write transaction, so it is chained, sealed and told
as the same errors.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from factboard_tui.core.domain import characters
from factboard_tui.core.domain import fields as F
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.core.security import audit
from factboard_tui.core.security.keys import UnlockAttempts
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.transaction import flush_unlock, write_transaction


def audit_who(user: str | None) -> str:
    """Who an audit entry names: valid initials, else '?' (a script that did not say)."""
    if not user:
        return "?"
    try:
        return F.parse_initials(user, "author", _("Your initials"))
    except FactBoardError:
        return "?"


def record_failed_unlocks(board: BoardHandle, attempts: UnlockAttempts, via: str) -> None:
    """Enter the wrong passphrases typed before the right one in the audit log, then start the count again.

    Whatever unwrapped the key through `attempts` (an unlock, a re-key) calls this once the board is open."""
    summary = attempts.summary(via)
    if summary is not None:
        audit_event(board, "unlock failed", detail=summary)
    attempts.succeeded()


def audit_event(
    board: BoardHandle,
    action: str,
    *,
    client: str | None = None,
    subject: str | None = None,
    detail: str = "",
    content: Any = None,
    who: str | None = None,
) -> None:
    """Enter something that is not a row write (an export, a backup, a lock) in the audit log, now."""
    with write_transaction(board) as connection:
        audit_within(board, connection, action, client=client, subject=subject, detail=detail, content=content, who=who)


def audit_within(
    board: BoardHandle,
    connection: Connection,
    action: str,
    *,
    client: str | None = None,
    subject: str | None = None,
    detail: str = "",
    content: Any = None,
    who: str | None = None,
) -> None:
    """`audit_event` inside a write transaction the caller holds (the entry commits with that work).

    Subjects and details name files and peers, which may hold any character: they are kept inert, on one line.
    """
    flush_unlock(board, connection)
    audit.append(
        connection,
        who or board.actor,
        action,
        board.clock(),
        client=client,
        subject=None if subject is None else characters.inert_line(subject),
        detail=characters.inert_line(detail),
        content=content,
    )


def record_unlock(board: BoardHandle) -> None:
    """Enter the unlock in the audit log if no entry has done so yet (faces call this once the board is in use)."""
    if board._unlock_note is not None or board._failures_note is not None:
        with write_transaction(board) as connection:
            flush_unlock(board, connection)


def record_view(board: BoardHandle, row_id: int, screen: str, who: str | None = None) -> bool:
    """Access log: a person saw a client's row on `screen`. The same person, row and screen within
    `audit.VIEW_REPEAT` is one entry. Returns whether an entry was written."""
    person = who or board.actor
    now = board.clock()
    key = (person, row_id, screen)
    last = board._views.get(key)
    if last is not None and now - last < audit.VIEW_REPEAT:
        return False
    with board.engine.connect() as connection:
        found = connection.exec_driver_sql("SELECT client_code, uid FROM board_row WHERE id = ?", (row_id,)).first()
        if found is None:
            return False
        client, uid = str(found[0]), str(found[1])
        if audit.recently_viewed(connection, person, client, uid, screen, now):
            board._views[key] = now
            return False
    with write_transaction(board) as connection:
        flush_unlock(board, connection)
        audit.append(connection, person, "view", now, client=client, subject=uid, detail=screen)
    board._views[key] = now
    return True


def audit_verify(board: BoardHandle, keep_problem: bool = False) -> audit.Verdict:
    """Check the whole audit chain, its head, the seal and the heads peers witnessed (see `audit.verify`).

    With `keep_problem`, a problem found is then kept as a break (after the check: nothing is written before
    it), so every later unlock warns about it too."""
    with board.engine.connect() as connection:
        verdict = audit.verify(connection, board.site_id)
    if keep_problem and verdict.problem is not None and not verdict.kept_break_gone:
        with write_transaction(board) as connection:
            audit.record_problem(connection, board.actor, board.clock(), verdict.problem)
            flush_unlock(board, connection)  # after the break: it was there before this unlock
    return verdict
