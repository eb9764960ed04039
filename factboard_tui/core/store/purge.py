"""Retention: the free text of periods that left the board long ago is removed, and the removal is audited.

What a client said and what the team did (situation, actions, safety, notes) is the most sensitive part of the
board; once a period is long over it is no longer needed. A purge clears those columns, the visit notes and the
same fields' old and new values in the change log (which then read `[purged]`), in one write transaction with one
audit entry counting rows and fields. The audit chain holds only hashes of records, so it still verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import VISIT_NOTE
from factboard_tui.core.i18n import _
from factboard_tui.core.security.audit_words import PURGED, stored
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.transaction import write_transaction

FREE_TEXT_COLUMNS = tuple(sorted(F.FREE_TEXT_FIELDS))
"""The free-text columns of a row (`fields.FREE_TEXT_FIELDS`), in a fixed order for the SQL written here."""


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge removed (or, in a dry run, would remove)."""

    rows: int
    fields: int


def _purged_history(marks: str) -> str:
    """The change records that hold a purged row's free text (old or new values)."""
    fields = ", ".join(f"'{name}'" for name in FREE_TEXT_COLUMNS)
    return f"row_id IN ({marks}) AND (field IN ({fields}) OR field LIKE '{VISIT_NOTE}:%')"


def purge_free_text(board: BoardHandle, who: str, before: date, dry_run: bool = False) -> PurgeResult:
    """Remove the free text of periods taken off the board before `before`: the row's text columns, its visit
    notes, and the same fields' old and new values in the change log (they read `[purged]` afterwards).

    One transaction with one audit entry saying how many rows and fields; the audit chain holds only hashes,
    so it still verifies. A dry run counts and changes nothing.
    """
    if dry_run:
        with board.engine.connect() as connection:
            return _purge_counts(connection, before)[1]
    who = F.parse_initials(who, "author", _("Your initials"))
    with write_transaction(board, who, "purge") as connection:
        ids, result = _purge_counts(connection, before)
        connection.info["audit_detail"] = stored(
            PURGED, rows=result.rows, fields=result.fields, date=before.isoformat()
        )
        if ids:
            marks = ", ".join("?" for _ in ids)
            cleared = ", ".join(f"{name} = NULL" for name in FREE_TEXT_COLUMNS)
            connection.exec_driver_sql(f"UPDATE board_row SET {cleared} WHERE id IN ({marks})", ids)
            connection.exec_driver_sql(f"UPDATE visit SET note = NULL WHERE row_id IN ({marks})", ids)
            connection.exec_driver_sql(
                "UPDATE change_log SET old = CASE WHEN old IS NULL THEN NULL ELSE '[purged]' END, "
                f"new = CASE WHEN new IS NULL THEN NULL ELSE '[purged]' END WHERE {_purged_history(marks)}",
                ids,
            )
    return result


def _purge_counts(connection: Connection, before: date) -> tuple[tuple[int, ...], PurgeResult]:
    """The rows off the board before `before`, and how many rows and text fields a purge would clear."""
    ids = tuple(
        int(found[0])
        for found in connection.exec_driver_sql(
            "SELECT id FROM board_row WHERE date_off IS NOT NULL AND date_off < ?", (before.isoformat(),)
        )
    )
    if not ids:
        return ids, PurgeResult(0, 0)
    marks = ", ".join("?" for _ in ids)
    non_null = " + ".join(f"({name} IS NOT NULL)" for name in FREE_TEXT_COLUMNS)
    per_row: dict[int, int] = dict.fromkeys(ids, 0)
    for row_id, count in connection.exec_driver_sql(f"SELECT id, {non_null} FROM board_row WHERE id IN ({marks})", ids):
        per_row[int(row_id)] += int(count)
    for row_id, count in connection.exec_driver_sql(
        f"SELECT row_id, count(*) FROM visit WHERE note IS NOT NULL AND row_id IN ({marks}) GROUP BY row_id", ids
    ):
        per_row[int(row_id)] += int(count)
    for row_id, count in connection.exec_driver_sql(
        "SELECT row_id, sum((old IS NOT NULL AND old != '[purged]') + (new IS NOT NULL AND new != '[purged]')) "
        f"FROM change_log WHERE {_purged_history(marks)} GROUP BY row_id",
        ids,
    ):
        per_row[int(row_id)] += int(count or 0)
    return ids, PurgeResult(sum(1 for count in per_row.values() if count), sum(per_row.values()))
