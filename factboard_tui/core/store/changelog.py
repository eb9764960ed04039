"""The change log's clocks: every change record made here is stamped before it is appended.

A record gets this board's hybrid logical clock (`core.sync.hlc`), this site as its origin, the site's next
sequence number (1, 2, 3, … without gaps), and the stamp of the value it replaces (its base), so other sites can
order it and tell a concurrent edit from a later one. The sync merge stamps the records it makes itself (taking
off a duplicate row) with the same `sequence_state`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection

from factboard_tui.core.domain.changes import ChangeRecord, Entity
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.sync.hlc import millis_of, next_hlc
from factboard_tui.core.sync.hlc import stamp as clock_stamp


def as_text(value: Any) -> str | None:
    """A value as the change log stores it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def stamp(board: BoardHandle, connection: Connection, changes: list[ChangeRecord], new_rows: bool = False) -> None:
    """Give new change records their hybrid clock, this site as origin, the next sequence numbers, and the
    stamp of the value each one replaces (its base; a row added just now has none to look up)."""
    last, seq = sequence_state(connection, board.site_id)
    now = millis_of(board.clock())
    for change in changes:
        last = next_hlc(last, now)
        seq += 1
        base = None if new_rows else current_stamp(connection, change)
        change.update({"hlc": last, "origin": board.site_id, "seq": seq, "base": base})


def sequence_state(connection: Connection, site_id: str) -> tuple[str | None, int]:
    """The latest hybrid clock this board has seen, and site `site_id`'s last sequence number."""
    last = connection.exec_driver_sql("SELECT max(hlc) FROM change_log").scalar()
    seq = connection.exec_driver_sql(
        "SELECT coalesce(max(seq), 0) FROM change_log WHERE origin = ?", (site_id,)
    ).scalar_one()
    return (str(last) if last else None), int(seq)


def current_stamp(connection: Connection, change: ChangeRecord) -> str | None:
    """The stamp of the value a field holds now: the newest change to it by hybrid clock."""
    column, target = (
        ("row_id", change.get("row_id")) if change["entity"] == Entity.ROW else ("staff_id", change.get("staff_id"))
    )
    found = connection.exec_driver_sql(
        f"SELECT hlc, origin FROM change_log WHERE {column} = ? AND field = ? ORDER BY hlc DESC, origin DESC LIMIT 1",
        (target, change["field"]),
    ).first()
    return clock_stamp(found[0], found[1]) if found and found[0] else None
