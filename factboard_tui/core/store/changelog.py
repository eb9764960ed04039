"""The change log's clocks: every change record made here is stamped before it is appended.

A record gets this board's hybrid logical clock (`core.sync.hlc`), this site as its origin, the site's next
sequence number (1, 2, 3, … without gaps), and the stamp of the value it replaces (its base), so other sites can
order it and tell a concurrent edit from a later one. The sync merge stamps the records it makes itself (taking
off a duplicate row) with the same `sequence_state`, and appends a bundle's records with `append_many`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Connection

from factboard_tui.core.domain.changes import ChangeRecord, Entity
from factboard_tui.core.security import seal
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.sync.hlc import millis_of, next_hlc
from factboard_tui.core.sync.hlc import stamp as clock_stamp

BULK_RECORDS = 5_000
"""From this many records at once, `append_many` seals them in one pass and may build the log's indexes after them."""
APPEND_COLUMNS = (
    "at", "author", "source", "entity", "row_id", "staff_id", "op", "field", "old", "new", "txn", "hlc", "origin",
    "seq", "base", "outcome",
)  # fmt: skip
"""The columns of a record `append_many` is given, in order."""
_APPEND = f"INSERT INTO change_log ({', '.join(APPEND_COLUMNS)}) VALUES ({', '.join('?' * len(APPEND_COLUMNS))})"


def append_many(connection: Connection, records: Iterable[tuple[Any, ...]], count: int) -> None:
    """Append `count` change records (values in `APPEND_COLUMNS` order) inside the caller's write transaction; they
    may come from a generator, so that 100,000 of them are never all in memory at once.

    A large batch (a sync bundle: 100,000 records) is the log's costliest write: each record fed the seal's trigger
    and six indexes one at a time. From `BULK_RECORDS` on, the seal takes the records in one pass
    (`seal.inserting_in_bulk`), and when the log held no more than twice as many records before, its indexes are
    dropped and built again after the insert, word for word from the schema (sorting once is cheaper than as many
    tree searches, and packs the pages the commit encrypts). All inside the one transaction: nobody sees the log
    without its indexes or trigger, and a failure rolls their removal back with the rest.
    """
    raw = connection.connection.dbapi_connection
    assert raw is not None
    pending: seal.Pending | None = connection.info.get("seal")
    if count < BULK_RECORDS or pending is None:
        raw.executemany(_APPEND, records)
        return
    (held,) = raw.execute("SELECT coalesce(max(id), 0) FROM change_log").fetchone()
    indexes = (
        raw.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'change_log' AND sql IS NOT NULL"
        ).fetchall()
        if held <= 2 * count
        else []
    )
    with seal.inserting_in_bulk(raw, pending, "change_log"):
        for name, _sql in indexes:
            raw.execute(f'DROP INDEX "{name}"')
        raw.executemany(_APPEND, records)
        for _name, sql in indexes:
            raw.execute(sql)


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
