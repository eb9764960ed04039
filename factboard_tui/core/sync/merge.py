"""How changes from other sites are merged into this board, inside the store's write transaction.

Every field of every row (and of every staff member) holds the value of the newest change to it by stamp (hybrid
clock, then site id). That makes the board a pure function of the set of change records it holds, so two sites
that hold the same records hold the same board, whatever order the records came in. `apply_remote` is the one way
in (the sync service calls it): it runs the whole merge in the store's one write transaction. The store never
imports this module; the merge stamps its own records with the store's public `changelog.sequence_state`.

Two more rules keep the board sensible:
- Concurrent edits (neither site had seen the other's) of one free-text field become a conflict for a person to
  settle. The newest stays provisionally, so every site shows the same value meanwhile.
- Two sites that each put the same client on the board end with two rows for one client: the row added first
  stays, and every site takes the other off with the same date and reason, so they agree.
"""

from __future__ import annotations

import operator
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, NamedTuple

from sqlalchemy import Connection

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import Entity, Op, Outcome, visit_key, visit_part
from factboard_tui.core.errors import SyncRefused
from factboard_tui.core.i18n import _
from factboard_tui.core.security import seal
from factboard_tui.core.store import changelog
from factboard_tui.core.store.changelog import append_many, as_text, sequence_state
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.transaction import write_transaction
from factboard_tui.core.sync.hlc import next_hlc, stamp
from factboard_tui.core.sync.records import RemoteChange, group_by_origin

DUPLICATE_REASON = F.DUPLICATE_OFF_REASON
"""The reason every site gives when it takes off the later of two rows for one client."""
SYNC_AUTHOR = "SYNC"
"""Author of the changes the merge itself makes (taking off a duplicate row)."""
MERGE_CACHE_KIB = 256 * 1024
"""Page cache while merging a sync bundle (SQLite's default is 2 MiB)."""
_CLOCK_ORDER = operator.itemgetter(2, 0)
"""Sort key of a `RemoteChange`: its hybrid clock, then its origin site (the order every site merges in)."""
_SUPERSEDED = Outcome.SUPERSEDED.value
STAFF_DEFAULTS = {name: as_text(value) for name, value in F.STAFF_DEFAULTS.items()}
"""`fields.STAFF_DEFAULTS` as the change log spells them."""
_CHUNK = 500
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""How SQLAlchemy keeps a DateTime in SQLite; rows and records written here use the same text."""


class Winner(NamedTuple):
    """The change that holds a field now."""

    stamp: str
    base: str | None
    new: str | None
    author: str
    origin: str


@dataclass(frozen=True, slots=True)
class ConflictFound:
    """Concurrent edits of one free-text field: the values, and the one standing until someone settles it."""

    entity: str
    key: str
    field: str
    candidates: list[dict[str, Any]]
    provisional: str | None


@dataclass
class RemoteApplied:
    """What one merge did."""

    applied: int = 0
    """Changes that took effect."""
    superseded: int = 0
    """Changes recorded but older than the value already standing."""
    skipped: int = 0
    """Changes already held here (a replay or an overlap)."""
    conflicts: list[ConflictFound] = field(default_factory=list)
    settled: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(entity, key, field, by whom) of conflicts a later edit from another site settled."""
    duplicates_closed: list[str] = field(default_factory=list)
    """Client codes whose later duplicate row was taken off."""
    newest_hlc: str | None = None
    """The latest clock among the imported changes (to flag a clock far in the future)."""
    rows: int = 0
    """Rows created or changed."""


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


_CONVERTED_KINDS = (F.Kind.YES_NO, F.Kind.PLAN)
"""The kinds of row field whose column keeps another value than the change log's text (`_stored_row_value`)."""


def _stored_row_value(field_name: str, text: str | None) -> Any:
    """A change log value as the board_row column keeps it."""
    kind = F.ROW_FIELDS[field_name].kind
    if kind is F.Kind.YES_NO:
        return None if text is None else 1 if text == "true" else 0
    if kind is F.Kind.PLAN and text in F.LEGACY_PLAN_TEXT:  # the old yes/no crisis plan (older sites, old records)
        return F.LEGACY_PLAN_TEXT[text]
    return text


def apply_remote(
    board: BoardHandle,
    incoming: Sequence[RemoteChange],
    source: str,
    names: Mapping[str, str],
    finish: Callable[[Connection, RemoteApplied], None] | None = None,
) -> RemoteApplied:
    """Merge changes made at other sites, in one transaction that holds the write lock.

    Changes this board already holds (same origin and sequence number) are skipped; one that reuses a held
    sequence number for different content, or that would leave a gap in an origin's numbers, refuses the whole
    batch. The rest are merged field by field: the value with the latest stamp (hybrid clock, then site id)
    stands, so every site ends with the same board whatever order the changes arrive in. Each is recorded in
    the change log with its own origin, clock and author, and `source`. Concurrent edits of a free-text field
    are reported as conflicts; `finish` runs inside the same transaction (the sync service records
    acknowledgements, conflicts and the bundle there).
    """
    result = RemoteApplied()
    with write_transaction(board, board.actor, "sync import", source) as connection:
        # A large merge touches many index pages: a bigger page cache (in memory) keeps them from being
        # encrypted and spilled to the WAL over and over before the commit.
        connection.exec_driver_sql(f"PRAGMA cache_size = {-MERGE_CACHE_KIB}")
        fresh = _fresh_remote(connection, incoming, names)
        result.skipped = len(incoming) - len(fresh)
        if fresh:
            RemoteMerge(board, connection, source, result).run(sorted(fresh, key=_CLOCK_ORDER))
        if finish is not None:
            finish(connection, result)
        connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default again
    return result


def _fresh_remote(
    connection: Connection, incoming: Sequence[RemoteChange], names: Mapping[str, str]
) -> list[RemoteChange]:
    """The changes not yet held here; refuses sequence reuse and gaps, naming what is wrong."""
    fresh: list[RemoteChange] = []
    for origin, group in group_by_origin(incoming).items():
        name = names.get(origin, origin[:8])
        held = int(
            connection.exec_driver_sql(
                "SELECT coalesce(max(seq), 0) FROM change_log WHERE origin = ?", (origin,)
            ).scalar_one()
        )
        first, last = group[0].seq, group[-1].seq
        if first > held + 1:
            missing = f"{held + 1}" if first == held + 2 else f"{held + 1}–{first - 1}"
            raise SyncRefused(
                "gap",
                _(
                    "The bundle skips changes {missing} of {name} (this site holds up to {held}): import the "
                    "bundles that carry them first, or ask for a new export; nothing was applied."
                ).format(missing=missing, name=name, held=held),
            )
        if first <= held:
            known = {
                int(seq): (hlc, field_name, new)
                for seq, hlc, field_name, new in connection.exec_driver_sql(
                    "SELECT seq, hlc, field, new FROM change_log WHERE origin = ? AND seq BETWEEN ? AND ?",
                    (origin, first, min(last, held)),
                )
            }
            for change in group:
                if change.seq <= held and known.get(change.seq) != (change.hlc, change.field, change.new):
                    raise SyncRefused(
                        "reuse",
                        _(
                            "The bundle reuses sequence number {seq} of {name} for a different change than the one "
                            "already imported (was that site restored from a backup?): nothing was applied; ask that "
                            "site to check its board."
                        ).format(seq=change.seq, name=name),
                    )
        fresh.extend(change for change in group if change.seq > held)
    return fresh


class RemoteMerge:
    """One merge of fresh remote changes (sorted by stamp) on the write transaction's connection."""

    def __init__(self, board: BoardHandle, connection: Connection, source: str, result: RemoteApplied) -> None:
        self.board = board
        self.connection = connection
        self.source = source
        self.result = result
        self.txn = "sync-" + uuid.uuid4().hex
        self.winners: dict[tuple[str, str, str], Winner] = {}
        """(entity, key, field) -> the change holding it, for every field of the entities this merge touches."""
        self.row_ids: dict[str, int] = {
            str(uid): int(row_id) for uid, row_id in connection.exec_driver_sql("SELECT uid, id FROM board_row")
        }
        self.staff_ids: dict[str, int] = {
            str(initials): int(staff_id)
            for initials, staff_id in connection.exec_driver_sql("SELECT initials, id FROM staff")
        }
        self.records: list[tuple[RemoteChange, str | None, str | None, str]] = []
        """Change log records to append, in merge order: each change with the value it replaced, its outcome and
        source (turned into rows once the board rows they point to have ids)."""
        self.touched: dict[tuple[str, str], dict[str, Winner]] = {}
        """(entity, key) -> fields whose standing value this merge changed, with the change now holding each: what
        must be written back (for a row this merge creates, every value it has)."""
        self.new_rows: set[str] = set()
        """Uids of rows this merge creates (they have no visits to clear yet)."""
        self.first_seen: dict[tuple[str, str], tuple[str, str]] = {}
        """(at, author) of the first change to an entity in this merge: a new row's creation stamp."""

    # -- reading what stands -------------------------------------------------------------------------------------

    def _load_winners(self, entity: str, ids: dict[int, str]) -> None:
        column = "row_id" if entity == "row" else "staff_id"
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for target, field_name, hlc, origin, base, new, author in self.connection.exec_driver_sql(
                f"SELECT {column}, field, hlc, origin, base, new, author FROM change_log WHERE {column} IN ({marks})",
                tuple(chunk),
            ):
                key = (entity, ids[target], field_name)
                candidate = Winner(stamp(hlc, origin), base, new, author, origin)
                held = self.winners.get(key)
                if held is None or candidate.stamp > held.stamp:
                    self.winners[key] = candidate

    def _open_conflicts(self) -> set[tuple[str, str, str]]:
        return {
            (str(entity), str(key), str(field_name))
            for entity, key, field_name in self.connection.exec_driver_sql(
                "SELECT entity, entity_key, field FROM sync_conflict WHERE settled_at IS NULL"
            )
        }

    # -- the merge -------------------------------------------------------------------------------------------------

    def run(self, fresh: list[RemoteChange]) -> None:
        """Merge, write the board's rows, visits and staff, then record every change."""
        rows = {change.key for change in fresh if change.entity == "row"}
        staff = {change.key for change in fresh if change.entity == "staff"}
        self._load_winners("row", {self.row_ids[uid]: uid for uid in rows if uid in self.row_ids})
        self._load_winners("staff", {self.staff_ids[key]: key for key in staff if key in self.staff_ids})
        open_conflicts = self._open_conflicts()
        found: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = {}
        result = self.result
        # One pass over 100,000 changes: locals and plain tuple unpacking (a named tuple's attribute is a call).
        winners, touched, first_seen, record, source = (
            self.winners,
            self.touched,
            self.first_seen,
            self.records.append,
            self.source,
        )
        applied = superseded = 0
        for change in fresh:
            origin, _seq, hlc, base, entity, entity_key, _op, field_name, new, author, at = change
            key = (entity, entity_key, field_name)
            held = winners.get(key)
            change_stamp = hlc + " " + origin
            newer = held is None or change_stamp > held.stamp
            if held is not None:
                concurrent = base != held.stamp if newer else held.base != change_stamp
                free_text = entity == "row" and field_name in F.FREE_TEXT_FIELDS
                if concurrent and free_text and new != held.new:
                    candidates = found.setdefault(key, {})
                    for value, value_stamp, value_author, value_origin in (
                        (held.new, held.stamp, held.author, held.origin),
                        (new, change_stamp, author, origin),
                    ):
                        candidates[value_stamp] = {
                            "value": value,
                            "stamp": value_stamp,
                            "author": value_author,
                            "site": value_origin,
                        }
                elif newer and not concurrent and (key in found or key in open_conflicts):
                    found.pop(key, None)
                    open_conflicts.discard(key)
                    result.settled.append((*key, author))
            entity_of = (entity, entity_key)
            if entity_of not in first_seen:
                first_seen[entity_of] = (at, author)
            if newer:
                winner = winners[key] = Winner(change_stamp, base, new, author, origin)
                fields = touched.get(entity_of)
                if fields is None:
                    fields = touched[entity_of] = {}
                fields[field_name] = winner
                applied += 1
                record((change, held.new if held else None, None, source))
            else:
                superseded += 1
                record((change, held.new if held else None, _SUPERSEDED, source))
        result.applied += applied
        result.superseded += superseded
        result.newest_hlc = fresh[-1].hlc  # sorted by clock
        for key, candidates in found.items():
            result.conflicts.append(
                ConflictFound(*key, sorted(candidates.values(), key=lambda c: c["stamp"]), self.winners[key].new)
            )
        self._close_duplicates(result.newest_hlc)
        self._write_staff()
        self._write_rows()
        self._insert_records()

    def _record(self, change: RemoteChange, old: str | None, outcome: str | None, source: str | None = None) -> None:
        self.records.append((change, old, outcome, source or self.source))

    # -- two rows for one client -------------------------------------------------------------------------------------

    def _value(self, uid: str, field_name: str) -> str | None:
        held = self.winners.get(("row", uid, field_name))
        return held.new if held else None

    def _close_duplicates(self, seen_hlc: str) -> None:
        """Take off the later of two open rows for one client, the same way on every site."""
        codes: dict[str, set[str]] = {}
        for (entity, uid), _fields in self.touched.items():
            if entity == "row" and self._value(uid, "date_off") is None and self._value(uid, "client_code"):
                codes.setdefault(str(self._value(uid, "client_code")), set()).add(uid)
        if not codes:
            return
        extra: dict[int, str] = {}
        for uid, code in self.connection.exec_driver_sql(
            "SELECT uid, client_code FROM board_row WHERE date_off IS NULL"
        ):
            holders = codes.get(str(code))
            if holders is not None and ("row", str(uid)) not in self.touched:
                extra[self.row_ids[str(uid)]] = str(uid)
                holders.add(str(uid))
        self._load_winners("row", extra)
        now = self.board.clock().astimezone(UTC)
        at = now.strftime(_TIME_FORMAT)
        closing: list[tuple[str, str, str | None]] = []
        for code, holders in sorted(codes.items()):
            if len(holders) < 2:  # one row for the client: nothing to take off (most of 5,000 rows in a bundle)
                continue
            open_rows = sorted(
                (uid for uid in holders if self._value(uid, "date_off") is None),
                key=lambda uid: (self.winners[("row", uid, "client_code")].stamp, uid),
            )
            for uid in open_rows[1:]:
                closing.append((uid, "date_off", self._value(uid, "date_on")))
                closing.append((uid, "off_reason", DUPLICATE_REASON))
                self.result.duplicates_closed.append(code)
        if not closing:
            return
        last, seq = sequence_state(self.connection, self.board.site_id)
        last = max(last or "", seen_hlc)
        for uid, field_name, value in closing:
            last = next_hlc(last, int(now.timestamp() * 1000))
            seq += 1
            held = self.winners.get(("row", uid, field_name))
            change = RemoteChange(
                self.board.site_id,
                seq,
                last,
                held.stamp if held else None,
                Entity.ROW.value,
                uid,
                Op.OFF.value,
                field_name,
                value,
                SYNC_AUTHOR,
                at,
            )
            winner = Winner(change.stamp, change.base, value, SYNC_AUTHOR, change.origin)
            self.winners[("row", uid, field_name)] = winner
            self.touched.setdefault(("row", uid), {})[field_name] = winner
            self._record(change, held.new if held else None, None, source="sync")

    # -- writing the board -----------------------------------------------------------------------------------------

    def _write_rows(self) -> None:
        updates: list[tuple[Any, ...]] = []
        inserts: list[tuple[Any, ...]] = []
        row_fields = list(F.ROW_FIELDS)
        converted = [index for index, name in enumerate(row_fields) if F.ROW_FIELDS[name].kind in _CONVERTED_KINDS]
        position = {name: index for index, name in enumerate(row_fields)}
        held = self.winners.get
        for (entity, uid), fields in self.touched.items():
            if entity != "row":
                continue
            if uid in self.row_ids:
                values = [found.new if (found := held(("row", uid, name))) else None for name in row_fields]
            else:  # a row this merge creates: every value it has came in this merge
                values = [None] * len(row_fields)
                for name, winner in fields.items():
                    index = position.get(name)
                    if index is not None:
                        values[index] = winner.new
            for index in converted:
                values[index] = _stored_row_value(row_fields[index], values[index])
            closed = self._value(uid, "date_off") is not None
            at, author = self.first_seen.get(("row", uid), (None, SYNC_AUTHOR))
            if uid in self.row_ids:
                updates.append((not closed, *values, author, self.row_ids[uid]))
            else:
                if not all(self._value(uid, name) for name in ("client_code", "date_on", "triage")):
                    raise SyncRefused(
                        "invalid",
                        _(
                            "The bundle changes a row it never puts on the board (an earlier bundle is missing): "
                            "nothing was applied."
                        ),
                    )
                inserts.append((not closed, uid, *values, at, author, at, author))
        self.result.rows = len(updates) + len(inserts)
        self.new_rows = {row[1] for row in inserts}
        assignments = ", ".join(f"{name} = ?" for name in row_fields)
        now = self.board.clock().astimezone(UTC).strftime(_TIME_FORMAT)
        # Rows leaving the board first, so a client never has two open rows for a moment.
        updates.sort(key=lambda row: row[0])
        inserts.sort(key=lambda row: row[0])
        for row in updates:
            self.connection.exec_driver_sql(
                f"UPDATE board_row SET {assignments}, updated_at = ?, updated_by = ? WHERE id = ?",
                (*row[1:-2], now, row[-2], row[-1]),
            )
        if inserts:
            columns = ", ".join(["uid", *row_fields, "created_at", "created_by", "updated_at", "updated_by"])
            marks = ", ".join("?" * (len(row_fields) + 5))
            self._insert_many(
                "board_row", f"INSERT INTO board_row ({columns}) VALUES ({marks})", [row[1:] for row in inserts]
            )
            for uid, row_id in self.connection.exec_driver_sql(
                "SELECT uid, id FROM board_row WHERE id > ?", (max(self.row_ids.values(), default=0),)
            ):
                self.row_ids[str(uid)] = int(row_id)
        self._write_visits()

    def _write_visits(self) -> None:
        deletes: list[tuple[int, str]] = []
        inserts: list[tuple[int, str, str, str | None]] = []
        held = self.winners.get
        for (entity, uid), fields in self.touched.items():
            if entity != "row":
                continue
            row_id, new_row = self.row_ids[uid], uid in self.new_rows
            for day in {visit[1] for name in fields if ":" in name and (visit := visit_part(name)) is not None}:
                if new_row:  # every value of a new row is in `fields`, a small dictionary
                    staff, note = fields.get(visit_key(day)), fields.get(visit_key(day, note=True))
                else:
                    deletes.append((row_id, day))
                    staff, note = held(("row", uid, visit_key(day))), held(("row", uid, visit_key(day, note=True)))
                if staff is not None and staff.new is not None:
                    inserts.append((row_id, day, staff.new, note.new if note else None))
        inserts.sort()  # by row and day (each pair once): the visit's indexes grow in order, its ids in a fixed order
        if deletes:
            self.connection.exec_driver_sql("DELETE FROM visit WHERE row_id = ? AND day = ?", deletes)
        self._insert_many("visit", "INSERT INTO visit (row_id, day, staff, note) VALUES (?, ?, ?, ?)", inserts)

    def _insert_many(self, table: str, statement: str, records: list[tuple[Any, ...]]) -> None:
        """Insert the merge's new rows or visits; many of them are sealed in one pass (`seal.inserting_in_bulk`)."""
        if not records:
            return
        raw = self.connection.connection.dbapi_connection
        assert raw is not None
        pending: seal.Pending | None = self.connection.info.get("seal")
        if pending is None or len(records) < changelog.BULK_RECORDS:
            raw.executemany(statement, records)
            return
        with seal.inserting_in_bulk(raw, pending, table):
            raw.executemany(statement, records)

    def _write_staff(self) -> None:
        for (entity, initials), _fields in self.touched.items():
            if entity != "staff":
                continue
            values = {}
            for name in ("name", "discipline", "organisation", "active"):
                held = self.winners.get(("staff", initials, name))
                values[name] = held.new if held else STAFF_DEFAULTS[name]
            active = 1 if values.pop("active") == "true" else 0
            if initials in self.staff_ids:
                self.connection.exec_driver_sql(
                    "UPDATE staff SET name = ?, discipline = ?, organisation = ?, active = ? WHERE id = ?",
                    (*values.values(), active, self.staff_ids[initials]),
                )
            else:
                self.connection.exec_driver_sql(
                    "INSERT INTO staff (initials, name, discipline, organisation, active) VALUES (?, ?, ?, ?, ?)",
                    (initials, *values.values(), active),
                )
                self.staff_ids[initials] = int(
                    self.connection.exec_driver_sql("SELECT id FROM staff WHERE initials = ?", (initials,)).scalar_one()
                )

    def _insert_records(self) -> None:
        """Append every record of the merge to the change log (after the rows they point to exist)."""
        row_ids, staff_ids, txn = self.row_ids, self.staff_ids, self.txn
        rows = (  # unpacking as it goes, each record made as it is inserted, in `changelog.APPEND_COLUMNS` order
            (
                at,
                author,
                source,
                entity,
                row_ids[key] if entity == "row" else None,
                staff_ids.get(key) if entity == "staff" else None,
                op,
                field_name,
                old,
                new,
                txn,
                hlc,
                origin,
                seq,
                base,
                outcome,
            )
            for (origin, seq, hlc, base, entity, key, op, field_name, new, author, at), old, outcome, source in (
                self.records
            )
        )
        append_many(self.connection, rows, len(self.records))
