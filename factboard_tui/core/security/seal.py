"""The seal over the board's records: a running digest of every row, visit, staff member, change record and stored
meeting, kept with the audit head, so a record edited, added or deleted outside FactBoard is found.

The audit chain proves the log itself was not rewritten, but a person holding the recovery key could still change
a client's row, or the change record that explains it, with any SQLCipher tool and leave the log alone. So each
sealed table carries triggers that report every inserted, updated and deleted record to `factboard_seal()`, a
function only FactBoard's own connections know: there it is mixed into a per-connection running digest (an XOR of
a BLAKE2b hash per record, and a count). The write path folds that into the seal stored beside the audit head in
the same transaction (`audit.append`), so every write made through FactBoard, whatever path it takes (cells,
imports, sync merges, purges, undo, meetings), keeps the seal true without knowing about it.

`audit verify` (and `doctor`, and the first unlock of a day) recompute the digest of every table from scratch and
compare: a difference names the table ("board rows were changed outside FactBoard"). A stock SQLCipher tool cannot
even write to a sealed table, since the triggers call a function it does not have; dropping the triggers to get
round that is found at every unlock (`triggers_intact`). Someone who rebuilds all of it with FactBoard's own code
can forge the seal like the chain; peers' witnessed heads are the answer to that (see `core.security.audit`).

A migration that adds a column to a sealed table must add it to `SEALED` and call `install_triggers` again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from factboard_tui.core.i18n import N_, _

SEALED: dict[str, tuple[str, ...]] = {
    "board_row": (
        "id",
        "client_code",
        "date_on",
        "triage",
        "category",
        "primary_contact",
        "doctor",
        "other_providers",
        "children",
        "children_note",
        "situation",
        "actions",
        "safety",
        "evaluation_date",
        "date_off",
        "off_reason",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
        "uid",
        "crisis_plan",
        "crisis_plan_review",
        "signal_plan",
        "signal_plan_review",
        "coordinated_plan",
        "coordinated_plan_review",
        "care_plan",
        "care_plan_review",
        "legal_measure",
        "legal_measure_start",
        "legal_measure_expiry",
        "legal_measure_2",
        "legal_measure_start_2",
        "legal_measure_expiry_2",
    ),
    "visit": ("id", "row_id", "day", "staff", "note"),
    "staff": ("id", "initials", "name", "discipline", "organisation", "active"),
    "change_log": (
        "id",
        "at",
        "author",
        "source",
        "entity",
        "row_id",
        "staff_id",
        "op",
        "field",
        "old",
        "new",
        "txn",
        "undoes",
        "hlc",
        "origin",
        "seq",
        "base",
        "outcome",
    ),
    "meeting": (
        "id",
        "started_at",
        "ended_at",
        "chair",
        "agenda",
        "budget_minutes",
        "first_change_id",
        "last_change_id",
    ),
    "meeting_attendee": ("meeting_id", "initials", "discipline"),
    "meeting_row": ("meeting_id", "position", "row_id", "outcome", "seconds"),
}
"""The sealed tables and the columns each record's hash covers (all of them)."""

NAMES = {
    "board_row": N_("board rows"),
    "visit": N_("visits"),
    "staff": N_("staff members"),
    "change_log": N_("change records"),
    "meeting": N_("meetings"),
    "meeting_attendee": N_("meeting attendees"),
    "meeting_row": N_("meeting rows"),
}
"""How a person names each table in a message (`_()` where it is said)."""

FUNCTION = "factboard_seal"
"""The SQL function the triggers call: `factboard_seal(table, +1 or -1, json_array(column values …))`."""

SEAL_KEY = "audit_seal"
"""The board_meta key holding the seal: JSON `{table: [count, digest hex]}`."""

Seal = dict[str, list[int]]
"""Per table: [count, digest as an integer]; the digest is the XOR of the records' hashes."""


def record_hash(table: str, values: str) -> int:
    """A record's 128-bit hash, from its table and its values as SQLite's `json_array` writes them (one text made
    in C: handing each value to Python separately cost a third more on a 100,000-change sync merge); the table
    name personalises the hash (BLAKE2b's `person`, at most 16 bytes). A copy of the table's prepared hash is a
    quarter cheaper than a new one with its parameters."""
    prepared = _PREPARED.get(table)
    if prepared is None:
        prepared = _PREPARED[table] = hashlib.blake2b(digest_size=16, person=table.encode())
    found = prepared.copy()
    found.update(values.encode("utf-8", "surrogatepass"))
    return int.from_bytes(found.digest(), "big")


_PREPARED: dict[str, Any] = {}
"""Per table, BLAKE2b set up with its `person` and nothing hashed yet (`record_hash` copies it)."""


class Pending:
    """What the writes on one connection have done to the seal since it was last folded in (or cleared)."""

    def __init__(self) -> None:
        self.changes: Seal = {}

    def __call__(self, table: str, sign: int, values: str) -> None:
        """The SQL function the triggers call for each record inserted (+1) or deleted (-1); an update is both."""
        entry = self.changes.get(table)
        if entry is None:
            entry = self.changes[table] = [0, 0]
        entry[0] += sign
        entry[1] ^= record_hash(table, values)

    def clear(self) -> None:
        self.changes.clear()

    def take_inserted(self, table: str, records: Any) -> None:
        """What the insert trigger would have reported for each of `records` (rows of one `json_array` text)."""
        entry = self.changes.get(table)
        if entry is None:
            entry = self.changes[table] = [0, 0]
        count = digest = 0
        for (values,) in records:
            count += 1
            digest ^= record_hash(table, values)
        entry[0] += count
        entry[1] ^= digest


def register(dbapi_connection: Any) -> Pending:
    """Give a connection the seal function (every FactBoard connection has it); returns its pending changes."""
    pending = Pending()
    dbapi_connection.create_function(FUNCTION, 3, pending)
    return pending


def trigger_statements(sealed: dict[str, tuple[str, ...]] | None = None) -> list[str]:
    """The CREATE TRIGGER statements of every sealed table (insert, update, delete); `sealed` is what an older
    migration sealed (the tables' columns then), `SEALED` by default."""
    statements = []
    for table, columns in (sealed or SEALED).items():
        new = "json_array(" + ", ".join(f"NEW.{column}" for column in columns) + ")"
        old = "json_array(" + ", ".join(f"OLD.{column}" for column in columns) + ")"
        statements += [
            f"CREATE TRIGGER seal_{table}_insert AFTER INSERT ON {table} "
            f"BEGIN SELECT {FUNCTION}('{table}', 1, {new}); END",
            f"CREATE TRIGGER seal_{table}_update AFTER UPDATE ON {table} "
            f"BEGIN SELECT {FUNCTION}('{table}', -1, {old}), {FUNCTION}('{table}', 1, {new}); END",
            f"CREATE TRIGGER seal_{table}_delete AFTER DELETE ON {table} "
            f"BEGIN SELECT {FUNCTION}('{table}', -1, {old}); END",
        ]
    return statements


@contextlib.contextmanager
def inserting_in_bulk(dbapi_connection: Any, pending: Pending, table: str) -> Iterator[None]:
    """Insert many records into `table` inside a write transaction, sealed in one pass instead of one trigger call each.

    The table's insert trigger is set aside for the block and made again, word for word, when it ends; the records
    the block added (rowids above the largest before it) are then hashed into `pending` exactly as the trigger would
    have. It is all one transaction: another connection never sees the table without its trigger, and a failure
    rolls the trigger's removal back with everything else. The block must only insert (an update or delete of a
    record it added would be sealed twice). A 100,000-record sync merge: 0.8 s of trigger calls become 0.2 s.
    """
    name = f"seal_{table}_insert"
    statement = next(text for text in trigger_statements() if text.split()[2] == name)
    (before,) = dbapi_connection.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()
    dbapi_connection.execute(f"DROP TRIGGER {name}")
    yield
    columns = ", ".join(SEALED[table])
    pending.take_inserted(
        table, dbapi_connection.execute(f"SELECT json_array({columns}) FROM {table} WHERE rowid > ?", (before,))
    )
    dbapi_connection.execute(statement)


def install_triggers(dbapi_connection: Any, sealed: dict[str, tuple[str, ...]] | None = None) -> None:
    """(Re)create the triggers and store the seal of what the tables hold now (a migration step); `sealed` as in
    `trigger_statements`."""
    for table in SEALED:
        for kind in ("insert", "update", "delete"):
            dbapi_connection.execute(f"DROP TRIGGER IF EXISTS seal_{table}_{kind}")
    for statement in trigger_statements(sealed):
        dbapi_connection.execute(statement)
    store(dbapi_connection, compute(dbapi_connection, sealed))


def compute(dbapi_connection: Any, sealed: dict[str, tuple[str, ...]] | None = None) -> Seal:
    """The seal of what the tables hold, recomputed record by record (over `sealed`'s columns, as above)."""
    seal: Seal = {}
    for table, columns in (sealed or SEALED).items():
        count = digest = 0
        for (values,) in dbapi_connection.execute(f"SELECT json_array({', '.join(columns)}) FROM {table}"):
            count += 1
            digest ^= record_hash(table, values)
        seal[table] = [count, digest]
    return seal


def stored(dbapi_connection: Any) -> Seal | None:
    """The seal kept in board_meta (None on a board from before the seal)."""
    found = dbapi_connection.execute("SELECT value FROM board_meta WHERE key = ?", (SEAL_KEY,)).fetchone()
    if found is None:
        return None
    return {table: [int(count), int(digest, 16)] for table, (count, digest) in json.loads(found[0]).items()}


def store(dbapi_connection: Any, seal: Seal) -> None:
    text = json.dumps({table: [count, f"{digest:032x}"] for table, (count, digest) in sorted(seal.items())})
    dbapi_connection.execute(
        "INSERT INTO board_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (SEAL_KEY, text),
    )


def fold(dbapi_connection: Any, pending: Pending | None) -> None:
    """Fold a connection's pending changes into the stored seal (inside the caller's write transaction)."""
    if pending is None or not pending.changes:
        return
    seal = stored(dbapi_connection)
    if seal is not None:
        for table, (count, digest) in pending.changes.items():
            entry = seal.setdefault(table, [0, 0])
            entry[0] += count
            entry[1] ^= digest
        store(dbapi_connection, seal)
    pending.clear()


def triggers_intact(dbapi_connection: Any) -> str | None:
    """None when every seal trigger is there as FactBoard made it; else what is wrong (checked at every unlock)."""
    expected = {statement.split()[2]: statement for statement in trigger_statements()}
    found = dict(
        dbapi_connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'seal_%'")
    )
    for name, statement in expected.items():
        if found.get(name) != statement:
            table = name.removeprefix("seal_").rsplit("_", 1)[0]
            sentence = (
                _("the seal's trigger on {table} was removed: records may have been edited outside FactBoard")
                if name not in found
                else _("the seal's trigger on {table} was changed: records may have been edited outside FactBoard")
            )
            return sentence.format(table=_(NAMES[table]))
    return None


def differences(dbapi_connection: Any) -> str | None:
    """None when the tables hold exactly what the stored seal says; else which tables differ and how."""
    kept = stored(dbapi_connection)
    if kept is None:
        return _("the seal over the board's records is missing from the board's facts")
    now = compute(dbapi_connection)
    changed = []
    for table in SEALED:
        (count, digest), (kept_count, kept_digest) = now[table], kept.get(table, [0, 0])
        if (count, digest) == (kept_count, kept_digest):
            continue
        if count != kept_count:
            changed.append(
                _("{table} ({count} now, {sealed} sealed)").format(
                    table=_(NAMES[table]), count=count, sealed=kept_count
                )
            )
        else:
            changed.append(_("{table} (edited)").format(table=_(NAMES[table])))
    if not changed:
        return None
    return _("{tables} were changed outside FactBoard, with no audit entry").format(tables=", ".join(changed))
