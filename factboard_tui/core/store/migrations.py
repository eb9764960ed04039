"""Versioned schema migrations.

The schema version lives in SQLite's `PRAGMA user_version`. Each migration is a list of SQL statements; all
pending migrations and the version bump run in one transaction, so a failure leaves the previous schema intact.
A database whose version is higher than the newest migration here was written by a newer FactBoard and is
refused before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from factboard_tui.core.errors import SchemaTooNew
from factboard_tui.core.i18n import _
from factboard_tui.core.security import seal

_ROW_COLUMNS_BEFORE_PLANS = (
    "id, client_code, date_on, triage, category, primary_contact, doctor, other_providers, children, children_note, "
    "situation, actions, safety, evaluation_date, crisis_plan, date_off, off_reason, created_at, created_by, "
    "updated_at, updated_by, uid"
)
"""The board_row columns the seal covered before plans had a status (migration 6's `seal.SEALED`)."""

_SEALED_BEFORE_PLANS = seal.SEALED | {"board_row": tuple(_ROW_COLUMNS_BEFORE_PLANS.split(", "))}
"""What migration 6 sealed: migration 7 then changes board_row's columns and its triggers."""

_SECOND_MEASURE_COLUMNS = ("legal_measure_2 VARCHAR", "legal_measure_start_2 DATE", "legal_measure_expiry_2 DATE")
"""Migration 8: a second legal measure running at the same time."""

_ROW_COLUMNS_WITH_PLANS = tuple(
    column for column in seal.SEALED["board_row"] if column not in {name.split()[0] for name in _SECOND_MEASURE_COLUMNS}
)
_SEALED_WITH_PLANS = seal.SEALED | {"board_row": _ROW_COLUMNS_WITH_PLANS}
"""What migration 7 sealed: migration 8 then adds the second measure's columns."""

_PLAN_COLUMNS = (
    "crisis_plan_review DATE",
    "signal_plan VARCHAR",
    "signal_plan_review DATE",
    "coordinated_plan VARCHAR",
    "coordinated_plan_review DATE",
    "care_plan VARCHAR",
    "care_plan_review DATE",
    "legal_measure VARCHAR",
    "legal_measure_start DATE",
    "legal_measure_expiry DATE",
)


def _row_digest(dbapi_connection: Any, columns: str) -> tuple[int, int]:
    """(count, digest) of board_row over `columns`, as `seal.compute` makes it."""
    count = digest = 0
    for (values,) in dbapi_connection.execute(f"SELECT json_array({columns}) FROM board_row"):
        count += 1
        digest ^= seal.record_hash("board_row", values)
    return count, digest


def _carry_row_seal(dbapi_connection: Any, columns_before: str, change: Callable[[], None], sealed: Any) -> None:
    """Change board_row's columns (`change`), make the seal's triggers again over `sealed`'s columns, and carry the
    seal over: if board_row held exactly what the seal said before, it does after; a difference found before (an
    edit outside FactBoard) stays a difference, so a migration never blesses one."""
    kept = seal.stored(dbapi_connection)
    before = _row_digest(dbapi_connection, columns_before)
    for table in seal.SEALED:
        for kind in ("insert", "update", "delete"):
            dbapi_connection.execute(f"DROP TRIGGER IF EXISTS seal_{table}_{kind}")
    change()
    for statement in seal.trigger_statements(sealed):
        dbapi_connection.execute(statement)
    if kept is None:
        seal.store(dbapi_connection, seal.compute(dbapi_connection, sealed))
        return
    count, digest = _row_digest(dbapi_connection, ", ".join(sealed["board_row"]))
    kept_count, kept_digest = kept.get("board_row", [0, 0])
    kept["board_row"] = [count + kept_count - before[0], digest ^ kept_digest ^ before[1]]
    seal.store(dbapi_connection, kept)


def _second_measure(dbapi_connection: Any) -> None:
    """Each row gains a second legal measure with its dates (empty), and the seal covers them."""

    def add() -> None:
        for column in _SECOND_MEASURE_COLUMNS:
            dbapi_connection.execute(f"ALTER TABLE board_row ADD COLUMN {column}")

    _carry_row_seal(dbapi_connection, ", ".join(_ROW_COLUMNS_WITH_PLANS), add, seal.SEALED)


def _plans_and_measures(dbapi_connection: Any) -> None:
    """The yes/no crisis plan becomes a status (yes: "exists", with no review date; no: nothing recorded), and
    each row gains the other plans and the legal measure.

    SQLite cannot change a column's type: a new text column takes the status, the old one is dropped and the new
    one renamed. The seal's triggers name board_row's columns, so they are made again, and the seal is carried
    over: if board_row held exactly what the seal said before, it does after; a difference found before (an edit
    outside FactBoard) stays a difference, so the migration never blesses one."""

    def change() -> None:
        dbapi_connection.execute("ALTER TABLE board_row ADD COLUMN crisis_plan_status VARCHAR")
        dbapi_connection.execute("UPDATE board_row SET crisis_plan_status = 'exists' WHERE crisis_plan")
        dbapi_connection.execute("ALTER TABLE board_row DROP COLUMN crisis_plan")
        dbapi_connection.execute("ALTER TABLE board_row RENAME COLUMN crisis_plan_status TO crisis_plan")
        for column in _PLAN_COLUMNS:
            dbapi_connection.execute(f"ALTER TABLE board_row ADD COLUMN {column}")

    _carry_row_seal(dbapi_connection, _ROW_COLUMNS_BEFORE_PLANS, change, _SEALED_WITH_PLANS)


MIGRATIONS: list[tuple[str, list[str | Callable[[Any], None]]]] = [
    (
        "board rows, visits, staff, change log",
        [
            """CREATE TABLE board_meta (
                key VARCHAR NOT NULL PRIMARY KEY,
                value VARCHAR NOT NULL
            )""",
            """CREATE TABLE staff (
                id INTEGER NOT NULL PRIMARY KEY,
                initials VARCHAR NOT NULL UNIQUE,
                name VARCHAR NOT NULL DEFAULT '',
                discipline VARCHAR NOT NULL DEFAULT '',
                organisation VARCHAR NOT NULL DEFAULT '',
                active BOOLEAN NOT NULL DEFAULT 1
            )""",
            """CREATE TABLE board_row (
                id INTEGER NOT NULL PRIMARY KEY,
                client_code VARCHAR NOT NULL,
                date_on DATE NOT NULL,
                triage VARCHAR NOT NULL,
                category VARCHAR,
                primary_contact VARCHAR,
                doctor VARCHAR,
                other_providers VARCHAR,
                children BOOLEAN,
                children_note VARCHAR,
                situation VARCHAR,
                actions VARCHAR,
                safety VARCHAR,
                evaluation_date DATE,
                crisis_plan BOOLEAN NOT NULL DEFAULT 0,
                date_off DATE,
                off_reason VARCHAR,
                created_at DATETIME NOT NULL,
                created_by VARCHAR NOT NULL,
                updated_at DATETIME NOT NULL,
                updated_by VARCHAR NOT NULL
            )""",
            # One open period per client: a second open row for the same code is a duplicate.
            "CREATE UNIQUE INDEX ux_board_row_open_code ON board_row (client_code) WHERE date_off IS NULL",
            "CREATE INDEX ix_board_row_code ON board_row (client_code)",
            """CREATE TABLE visit (
                id INTEGER NOT NULL PRIMARY KEY,
                row_id INTEGER NOT NULL REFERENCES board_row (id),
                day DATE NOT NULL,
                staff VARCHAR NOT NULL,
                note VARCHAR,
                UNIQUE (row_id, day)
            )""",
            "CREATE INDEX ix_visit_day ON visit (day)",
            """CREATE TABLE change_log (
                id INTEGER NOT NULL PRIMARY KEY,
                at DATETIME NOT NULL,
                author VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                entity VARCHAR NOT NULL,
                row_id INTEGER REFERENCES board_row (id),
                staff_id INTEGER REFERENCES staff (id),
                op VARCHAR NOT NULL,
                field VARCHAR NOT NULL,
                old VARCHAR,
                new VARCHAR
            )""",
            "CREATE INDEX ix_change_log_row ON change_log (row_id, id)",
        ],
    ),
    (
        "change transactions, so one person's last change can be undone as a whole",
        [
            # Every change made by one write shares a transaction id; an undo names the one it reverses.
            "ALTER TABLE change_log ADD COLUMN txn VARCHAR",
            "ALTER TABLE change_log ADD COLUMN undoes VARCHAR",
            "UPDATE change_log SET txn = 'v1-' || id WHERE txn IS NULL",
            "CREATE INDEX ix_change_log_author ON change_log (author, id)",
            "CREATE INDEX ix_change_log_txn ON change_log (txn)",
        ],
    ),
    (
        "meeting records: who came, which rows were reached, which changes the meeting made",
        [
            # The changes a meeting made are the change log entries with first_change_id < id <= last_change_id.
            """CREATE TABLE meeting (
                id INTEGER NOT NULL PRIMARY KEY,
                started_at DATETIME NOT NULL,
                ended_at DATETIME NOT NULL,
                chair VARCHAR NOT NULL,
                agenda VARCHAR NOT NULL DEFAULT '',
                budget_minutes INTEGER NOT NULL,
                first_change_id INTEGER NOT NULL,
                last_change_id INTEGER NOT NULL
            )""",
            """CREATE TABLE meeting_attendee (
                meeting_id INTEGER NOT NULL REFERENCES meeting (id),
                initials VARCHAR NOT NULL,
                discipline VARCHAR NOT NULL DEFAULT '',
                PRIMARY KEY (meeting_id, initials)
            )""",
            """CREATE TABLE meeting_row (
                meeting_id INTEGER NOT NULL REFERENCES meeting (id),
                position INTEGER NOT NULL,
                row_id INTEGER NOT NULL REFERENCES board_row (id),
                outcome VARCHAR NOT NULL,
                seconds INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (meeting_id, position)
            )""",
        ],
    ),
    (
        "sync between sites: global row ids, hybrid clocks on every change, peers, acknowledgements, conflicts",
        [
            # Row ids are local integers; sync names a row by a UUID given when it is created.
            "ALTER TABLE board_row ADD COLUMN uid VARCHAR",
            "UPDATE board_row SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL",
            "CREATE UNIQUE INDEX ux_board_row_uid ON board_row (uid)",
            # Every change carries its hybrid logical clock, its origin site and that site's sequence number;
            # `base` is the stamp of the value it replaced (to tell concurrent edits from later ones) and
            # `outcome` says whether an imported change took effect. Older changes are stamped on first open.
            "ALTER TABLE change_log ADD COLUMN hlc VARCHAR",
            "ALTER TABLE change_log ADD COLUMN origin VARCHAR",
            "ALTER TABLE change_log ADD COLUMN seq INTEGER",
            "ALTER TABLE change_log ADD COLUMN base VARCHAR",
            "ALTER TABLE change_log ADD COLUMN outcome VARCHAR",
            "CREATE UNIQUE INDEX ux_change_log_origin_seq ON change_log (origin, seq)",
            # Row changes are found through ix_change_log_row; staff changes are few, so their index leaves rows out.
            "CREATE INDEX ix_change_log_staff ON change_log (staff_id, field, hlc) WHERE staff_id IS NOT NULL",
            "CREATE INDEX ix_change_log_hlc ON change_log (hlc)",
            """CREATE TABLE sync_peer (
                site_id VARCHAR NOT NULL PRIMARY KEY,
                name VARCHAR NOT NULL UNIQUE,
                signing_key VARCHAR NOT NULL,
                encryption_key VARCHAR NOT NULL,
                trusted_at DATETIME NOT NULL,
                revoked_at DATETIME
            )""",
            """CREATE TABLE sync_ack (
                peer VARCHAR NOT NULL,
                origin VARCHAR NOT NULL,
                seq INTEGER NOT NULL,
                PRIMARY KEY (peer, origin)
            )""",
            """CREATE TABLE sync_bundle (
                hash VARCHAR NOT NULL PRIMARY KEY,
                direction VARCHAR NOT NULL,
                peer VARCHAR NOT NULL,
                at DATETIME NOT NULL,
                previous VARCHAR,
                changes INTEGER NOT NULL
            )""",
            """CREATE TABLE sync_conflict (
                id INTEGER NOT NULL PRIMARY KEY,
                entity VARCHAR NOT NULL,
                entity_key VARCHAR NOT NULL,
                field VARCHAR NOT NULL,
                candidates VARCHAR NOT NULL,
                provisional VARCHAR,
                opened_at DATETIME NOT NULL,
                settled_at DATETIME,
                settled_by VARCHAR
            )""",
            "CREATE INDEX ix_sync_conflict_open ON sync_conflict (entity_key, field, settled_at)",
        ],
    ),
    (
        "audit and access log: an append-only, hash-chained record of changes, unlocks, views, exports and syncs",
        [
            # Entry N's hash covers entry N-1's hash and entry N's own fields; `content` is a SHA-256 of what the
            # entry is about (the change records, the exported bytes), never free text itself. The chain's head
            # (count and last hash) is also kept in board_meta (`audit_count`, `audit_head`) by the same write.
            """CREATE TABLE audit_log (
                id INTEGER NOT NULL PRIMARY KEY,
                at VARCHAR NOT NULL,
                who VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                client VARCHAR,
                subject VARCHAR,
                detail VARCHAR NOT NULL DEFAULT '',
                first_change INTEGER,
                last_change INTEGER,
                content VARCHAR NOT NULL,
                prev VARCHAR NOT NULL,
                hash VARCHAR NOT NULL
            )""",
            "CREATE INDEX ix_audit_log_client ON audit_log (client, action, at)",
            # Heads of audit chains seen in sync bundles: another site's head witnessed here, and this site's
            # head as a peer last witnessed it (sent back in its bundles); `audit verify` checks the latter.
            """CREATE TABLE audit_witness (
                chain VARCHAR NOT NULL,
                witness VARCHAR NOT NULL,
                count INTEGER NOT NULL,
                head VARCHAR NOT NULL,
                seen_at VARCHAR NOT NULL,
                PRIMARY KEY (chain, witness)
            )""",
        ],
    ),
    (
        "a seal over the board's records beside the audit head; witnessed heads say when their bundle was written",
        [
            # Triggers on every table of rows, visits, staff, change records and meetings feed a running digest
            # that the write path keeps beside the audit head (see core.security.seal): an edit made outside
            # FactBoard shows.
            lambda dbapi_connection: seal.install_triggers(dbapi_connection, _SEALED_BEFORE_PLANS),
            # A witnessed head is compared with the others in the order the peer wrote its bundles, not the order
            # they arrived: `written` is the bundle's own signed time of writing.
            "ALTER TABLE audit_witness ADD COLUMN written VARCHAR",
        ],
    ),
    (
        "dated plans and legal measures: each plan's status and review date, the measure in force and its dates",
        [
            _plans_and_measures,
            # The carry-forward asks when a row was last discussed, over every meeting held.
            "CREATE INDEX ix_meeting_row_row ON meeting_row (row_id, outcome)",
        ],
    ),
    (
        "a second legal measure at the same time (in Denmark a tvangsindlæggelse and a tvangsbehandling run together)",
        [_second_measure],
    ),
]
"""(description, steps) per schema version; version N is MIGRATIONS[N - 1]. A step is an SQL statement, or a
function of the DB-API connection for what SQL alone cannot do."""

LATEST_VERSION = len(MIGRATIONS)


def check_version(version: int) -> None:
    """Refuse a database written by a newer FactBoard, with the reason."""
    if version > LATEST_VERSION:
        raise SchemaTooNew(
            _(
                "This board has schema version {version}, but this FactBoard only knows up to "
                "{latest_version}: it was written by a newer FactBoard; update FactBoard to open it "
                "(nothing was changed)."
            ).format(version=version, latest_version=LATEST_VERSION)
        )


def migrate(dbapi_connection: Any) -> int:
    """Bring a database to the latest schema in one transaction; returns the version it started at."""
    start = int(dbapi_connection.execute("PRAGMA user_version").fetchone()[0])
    check_version(start)
    if start == LATEST_VERSION:
        return start
    previous_isolation = dbapi_connection.isolation_level
    dbapi_connection.isolation_level = None  # we issue BEGIN/COMMIT ourselves, so DDL is transactional
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
        try:
            for _description, steps in MIGRATIONS[start:]:
                for step in steps:
                    if callable(step):
                        step(dbapi_connection)
                    else:
                        dbapi_connection.execute(step)
            dbapi_connection.execute(f"PRAGMA user_version = {LATEST_VERSION}")
            dbapi_connection.execute("COMMIT")
        except BaseException:
            dbapi_connection.execute("ROLLBACK")
            raise
    finally:
        dbapi_connection.isolation_level = previous_isolation
    return start
