"""The encrypted board store: opening, unlocking and creating a board, reading it, and the one write path.

A board is one SQLCipher 4 database plus its key slot. `Board.unlock` turns a passphrase into the raw key (via
the slot), opens the database with it on every pooled connection, proves the file is intact with SQLCipher's
page HMACs, checks and migrates the schema, and loads the board's own copy of its template.

Writes happen in exactly one place per kind of record: `Board.write_row` for board rows and their visits, and
`Board.write_staff` for the team list. Both validate through `fields.coerce`, take SQLite's write lock
(`BEGIN IMMEDIATE`) before reading the old value, write, stamp author and time, and append one `Change` per field
in the same transaction. Everything else (the CLI, the TUI, imports, sync) calls them. Every change record is
stamped there with a hybrid logical clock, this site's id and its next sequence number (see `core.sync`); changes
from other sites arrive through `Board.apply_remote`, which merges them field by field and records them in the
same change log, so history and audit stay complete.

Every write transaction ends with one entry in the hash-chained audit log (`core.security.audit`) naming the change
records it wrote, by whom; unlocks, views (`record_view`), exports and backups are entered through `audit_event`.
"""

from __future__ import annotations

import contextlib
import functools
import json
import operator
import random
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import (
    Connection,
    Engine,
    RootTransaction,
    String,
    case,
    create_engine,
    event,
    func,
    insert,
    type_coerce,
    update,
)
from sqlalchemy import delete as sql_delete
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import configure_mappers
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, col, select

from factboard_tui.core.clock import Clock, local_today, system_clock, week_start
from factboard_tui.core.diagnosis import PageCheck, damaged_or_wrong_key, database_error, is_busy, page_problems
from factboard_tui.core.domain import characters
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate, fold, load_template
from factboard_tui.core.errors import (
    BoardExists,
    BoardNotFound,
    DatabaseDamaged,
    EditConflict,
    FactBoardError,
    InvalidValue,
    NotADatabase,
    NotFound,
    SyncRefused,
)
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security import audit, seal
from factboard_tui.core.security.backups import CheckedCopy, recover_board, take_backup, take_daily_backup
from factboard_tui.core.security.keys import KeySlot, UnlockAttempts, new_board_key
from factboard_tui.core.security.locks import BoardLock
from factboard_tui.core.store.migrations import LATEST_VERSION, check_version, migrate
from factboard_tui.core.store.schema import BoardMeta, BoardRow, Change, Staff, Visit, VisitCell
from factboard_tui.core.sync.hlc import millis_of, next_hlc
from factboard_tui.core.sync.hlc import stamp as clock_stamp
from factboard_tui.core.sync.identity import META_KEYS, SiteIdentity, stamp_existing_changes
from factboard_tui.core.sync.merge import RemoteApplied, RemoteMerge
from factboard_tui.core.sync.records import RemoteChange, group_by_origin

FREE_TEXT_FIELDS = ("situation", "actions", "safety", "other_providers", "children_note", "off_reason")
"""The free-text columns of a row: what `purge_free_text` removes from periods that ended long ago."""

MERGE_CACHE_KIB = 256 * 1024
"""Page cache while merging a sync bundle (SQLite's default is 2 MiB)."""

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write lock before SQLite gives up."""

WRITE_ATTEMPTS = 4
"""Tries at taking the write lock before a write is refused as busy (each one waits up to `BUSY_TIMEOUT_MS`)."""
WRITE_RETRY_PAUSE = 0.05
"""Seconds before the second try; it doubles for each further try, with random jitter."""


_ROW_TABLE = BoardRow.__table__  # type: ignore[attr-defined]
_VISIT_TABLE = Visit.__table__  # type: ignore[attr-defined]
_STAFF_TABLE = Staff.__table__  # type: ignore[attr-defined]
_CHANGE_TABLE = Change.__table__  # type: ignore[attr-defined]


def _purged_history(marks: str) -> str:
    """The change records that hold a purged row's free text (old or new values)."""
    fields = ", ".join(f"'{name}'" for name in FREE_TEXT_FIELDS)
    return f"row_id IN ({marks}) AND (field IN ({fields}) OR field LIKE 'visit_note:%')"


def audit_who(user: str | None) -> str:
    """Who an audit entry names: valid initials, else '?' (a script that did not say)."""
    if not user:
        return "?"
    try:
        return F.parse_initials(user, "author", "Your initials")
    except FactBoardError:
        return "?"


_CLOCK_ORDER = operator.attrgetter("hlc", "origin")
"""Sort key of a `RemoteChange`: its hybrid clock, then its origin site (the order every site merges in)."""


def _bind_null(value: None) -> None:
    return value


# The driver binds only int, float, str and bytearray directly: any other value is "adapted" first, and for None
# that meant looking up an adapter and failing twice with an exception before binding NULL. Rows and change records
# hold many NULLs (a sync bundle of 100,000 changes binds about 600,000), so None gets an adapter of its own: the
# merge's inserts take a third of the time they took.
sqlcipher3.register_adapter(type(None), _bind_null)


def open_engine(path: Path, key: bytes) -> Engine:
    """An SQLAlchemy engine on an SQLCipher 4 file, keyed with the raw key on every new connection."""
    key_pragma = f"PRAGMA key = \"x'{key.hex()}'\""

    def connect() -> Any:
        return sqlcipher3.connect(str(path), check_same_thread=False, isolation_level=None)

    engine = create_engine(
        "sqlite://",
        creator=connect,
        module=sqlcipher3.dbapi2,
        poolclass=QueuePool,
        pool_size=2,
        max_overflow=6,
    )

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" hook below issues BEGIN itself
        dbapi_connection.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher must not log to stderr
        dbapi_connection.execute(key_pragma)
        dbapi_connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute("PRAGMA temp_store = MEMORY")  # no temporary files on disk
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")
        _record.info["seal"] = seal.register(dbapi_connection)  # the sealed tables' triggers report to it

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@dataclass(frozen=True, slots=True)
class RowWrite:
    """One change to one board row, as raw input for the write path.

    `op` is `add` (a new period: needs client_code and triage), `set` (change fields and visits of an open row)
    or `off` (close the period: needs off_reason). `values` maps field keys (or the board's labels) to raw
    values; `visits` maps calendar dates to (staff, note), where empty staff removes that day's visit.
    """

    op: str
    row_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)
    visits: dict[date, tuple[str | None, str | None]] = field(default_factory=dict)
    expected: dict[str, Any] = field(default_factory=dict)
    """Stored values (field key, or `visit:YYYY-MM-DD`) the editor started from; a difference is an `EditConflict`."""
    confirm: frozenset[str] = frozenset()
    """Fields to record even when the value stays the same: a person confirming it (settling a sync conflict), so
    the confirmation travels to the other sites."""


@dataclass(frozen=True, slots=True)
class PurgeResult:
    """What a purge removed (or, in a dry run, would remove)."""

    rows: int
    fields: int


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one call of the write path did."""

    row_id: int
    records: list[dict[str, Any]] = field(default_factory=list)
    """The change records appended, as stored (kept as plain dicts: building thousands of `Change` objects for a
    bulk import that never reads them cost seconds)."""

    @property
    def changes(self) -> list[Change]:
        """The change records appended, as `Change` objects."""
        return [Change(**record) for record in self.records]


def _as_text(value: Any) -> str | None:
    """A value as the change log stores it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _new_row(typed: Mapping[str, Any], now: datetime, author: str) -> dict[str, Any]:
    """The board_row values of a new period: its fields, who added it and when, and its uid between sites."""
    row = {key: typed.get(key) for key in F.ROW_FIELDS if key not in ("date_off", "off_reason")}
    row["crisis_plan"] = bool(typed.get("crisis_plan"))
    row |= {"created_at": now, "created_by": author, "updated_at": now, "updated_by": author}
    row["uid"] = uuid.uuid4().hex
    return row


def _added_fields(typed: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The fields a new row's change records name: those given a value (no-s and blanks are the default)."""
    return [(key, value) for key, value in typed.items() if value is not None and value is not False]


def _field_change(base: Mapping[str, Any], field_name: str, old: Any, new: Any) -> dict[str, Any]:
    """One change record: `base` (when, who, source, row, op, transaction) with the field and its old and new text."""
    return {**base, "field": field_name, "old": _as_text(old), "new": _as_text(new)}


def _visit_changes(
    base: Mapping[str, Any], day: date, old: tuple[str | None, str | None], new: tuple[str | None, str | None]
) -> list[dict[str, Any]]:
    """The change records of one weekday cell going from `old` to `new` (staff, note): one per part that changed."""
    changes = []
    if old[0] != new[0]:
        changes.append(_field_change(base, f"visit:{day.isoformat()}", old[0], new[0]))
    if old[1] != new[1]:
        changes.append(_field_change(base, f"visit_note:{day.isoformat()}", old[1], new[1]))
    return changes


def _inserted_id(result: Any) -> int:
    """The primary key SQLite gave the row just inserted."""
    return int(result.inserted_primary_key[0])


def prepare_reads() -> None:
    """SQLAlchemy sets up its mappers on the first query of a process (tens of milliseconds with all our tables):
    a screen waiting for a passphrase calls this first, so the board's first read does not pay for it."""
    configure_mappers()


def _give_site_identity(engine: Engine, name: str) -> dict[str, str]:
    """Give a board made before sync its site identity, and stamp its older change records as this site's."""
    identity = SiteIdentity.generate(name).to_meta()
    with engine.connect().execution_options(immediate=True) as connection, connection.begin():
        found = connection.exec_driver_sql("SELECT key, value FROM board_meta WHERE key = 'site_id'").first()
        if found is not None:  # another process got there first
            rows = connection.exec_driver_sql("SELECT key, value FROM board_meta").all()
            return {str(key): str(value) for key, value in rows if key in META_KEYS}
        connection.execute(insert(BoardMeta.__table__), [{"key": k, "value": v} for k, v in identity.items()])  # type: ignore[attr-defined]
        pending: seal.Pending | None = connection.info.get("seal")
        if pending is not None:
            pending.clear()
        stamp_existing_changes(connection.connection.dbapi_connection, identity["site_id"])
        seal.fold(connection.connection.dbapi_connection, pending)  # stamping is FactBoard's own change
    return identity


def _read_meta(engine: Engine, path: Path) -> dict[str, str]:
    """The board's facts (id, team, template copy); a database that verifies without them holds no board."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT key, value FROM board_meta").all()
    meta = {str(row[0]): str(row[1]) for row in rows}
    if "template" not in meta or "board_id" not in meta:
        raise NotADatabase(
            f"{path.name} opens with this key but holds no FactBoard board (its board facts are missing): check "
            "--db; nothing was changed."
        )
    return meta


class Board:
    """An unlocked board: its engine, its template and every read and write the faces need."""

    def __init__(self, path: Path, engine: Engine, clock: Clock, meta: dict[str, str]) -> None:
        self.path = path
        self.engine = engine
        self.clock = clock
        self._meta = meta
        self.template = BoardTemplate.from_json(meta["template"])
        """The board's own copy of its template, made when the board was created."""
        self._hold: BoardLock | None = None
        """The shared lock that tells a restore or re-key this board is open."""
        self._key = b""
        """The raw database key (backups are encrypted with it)."""
        self.site = SiteIdentity.from_meta(meta)
        """This database's site: its id, name and keys for sync (kept only inside the encrypted database)."""
        self.actor = "?"
        """Who is at the keyboard (initials), for audit entries that are not a person's own row writes."""
        self._unlock_note: str | None = None
        self._failures_note: str | None = None
        """Wrong passphrases before this unlock, not yet in the audit log (entered just before the unlock)."""
        self.audit_warning: str | None = None
        """A problem with the audit log seen at once on opening (see `audit.quick_check`), for the face to show."""
        """The unlock not yet in the audit log (written with the first entry after it, or by `record_unlock`)."""
        self._views: dict[tuple[str, int, str], datetime] = {}
        """When each (person, row, screen) view was last recorded here: skips the database for repeated looks."""

    # -- opening ----------------------------------------------------------------------------------------------

    @classmethod
    def unlock(
        cls,
        path: Path,
        passphrase: str,
        clock: Clock = system_clock,
        *,
        integrity: bool = True,
        user: str | None = None,
        via: str = "cli",
        write_now: bool = True,
    ) -> Board:
        """Open a board with its passphrase; refuses (and writes nothing) on any problem.

        `integrity=False` leaves the whole-file integrity check to the caller (`check_integrity`), which may run
        it beside its first read; a board that needs a migration is always checked first.

        The unlock goes into the audit log (as `user`, from `via`) with the first entry written after it, or when
        the face calls `record_unlock`; wrong passphrases typed before it are recorded at once ("N failed unlocks
        since …"), since their count is cleared now, unless `write_now` is False (`audit verify` must read the
        log before anything is added to it): then they go in with the unlock.

        A problem with the audit log that shows at once (a cut, a removed head, a break found before, the seal's
        triggers gone) is left in `audit_warning` for the face to show; nothing is overwritten or hidden.
        """
        recover_board(path)  # the faces do it before they ask (and say what was done); whatever the passphrase
        slot = cls.read_slot(path)
        attempts = UnlockAttempts(path, clock)
        key = attempts.unwrap(slot, passphrase, key_slot_path(path))
        board = cls.open_with_key(path, key, clock, integrity=integrity)
        board.actor = audit_who(user)
        if write_now:
            try:
                board.record_failed_unlocks(attempts, via)
            except BaseException:
                board.close()
                raise
        else:  # `audit verify` reads the log first: the failures go in with the unlock, after it
            summary = attempts.summary()
            if summary is not None:
                board._failures_note = f"{summary} ({via})"
            attempts.succeeded()
        board._unlock_note = via  # after the failures: they came first
        return board

    def set_passphrase(self, passphrase: str) -> None:
        """Wrap this board's key under a new passphrase (`passwd`): the database itself is not touched."""
        KeySlot.wrap(self._key, passphrase, self.board_id).write(key_slot_path(self.path))

    def record_failed_unlocks(self, attempts: UnlockAttempts, via: str) -> None:
        """Enter the wrong passphrases typed before the right one in the audit log, then start the count again.

        Whatever unwrapped the key through `attempts` (an unlock, a re-key) calls this once the board is open."""
        summary = attempts.summary()
        if summary is not None:
            self.audit_event("unlock failed", detail=f"{summary} ({via})")
        attempts.succeeded()

    @staticmethod
    def read_slot(path: Path) -> KeySlot:
        """The key slot of the board at `path` (after checking the board exists)."""
        if not path.is_file():
            raise BoardNotFound(f"There is no board at {path}: create one with `factboard init` or pass --db.")
        return KeySlot.read(key_slot_path(path))

    @classmethod
    def open_with_key(cls, path: Path, key: bytes, clock: Clock = system_clock, *, integrity: bool = True) -> Board:
        """Open a board with its raw key (from the slot, or a recovery key)."""
        recover_board(path)  # as in `unlock`: before anything else, never depending on the key
        if not path.is_file():
            raise BoardNotFound(f"There is no board at {path}: create one with `factboard init` or pass --db.")
        if path.stat().st_size == 0:  # SQLite would take it for a new database and write one into it
            raise NotADatabase(f"{path.name} is an empty file, not a FactBoard board: check --db; nothing was changed.")
        hold = BoardLock(path)
        engine = open_engine(path, key)
        check = functools.partial(page_problems, path, key)
        try:
            version = cls._verify(engine, path, integrity, check)
            check_version(version)
            if version < LATEST_VERSION:
                if not integrity:  # never migrate a damaged file
                    cls._verify(engine, path, True, check)
                with engine.connect() as connection:
                    migrate(connection.connection.dbapi_connection)
            meta = _read_meta(engine, path)
            if "site_id" not in meta:
                meta |= _give_site_identity(engine, meta.get("team", "FACT"))
            board = cls(path, engine, clock, meta)
            with engine.connect() as connection:
                board.audit_warning = audit.quick_check(connection)
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            engine.dispose()
            hold.release()
            raise database_error(error, path, check) from None
        except BaseException:
            engine.dispose()
            hold.release()
            raise
        board._hold = hold
        board._key = key
        return board

    def backup(self, directory: Path, keep: int) -> tuple[Path, CheckedCopy]:
        """An encrypted, verified copy of the board (and its key slot) in `directory`; keeps the newest `keep`."""
        made, checked = take_backup(self.path, self._key, directory, self.clock().astimezone(), keep)
        self._audit_backup(made, checked)
        return made, checked

    def daily_backup(self, directory: Path, keep: int) -> Path | None:
        """The first unlock of a day makes a backup, then checks the whole audit log and the seal over the records
        (a problem is kept as a break and left in `audit_warning`); later ones do nothing. Returns the new backup,
        if any."""
        made = take_daily_backup(self.path, self._key, directory, self.clock().astimezone(), keep)
        if made is None:
            return None
        self._audit_backup(*made)
        verdict = self.audit_verify(keep_problem=True)
        if verdict.problem is not None:
            self.audit_warning = verdict.problem
        return made[0]

    def _audit_backup(self, made: Path, checked: CheckedCopy) -> None:
        try:
            self.audit_event("backup", subject=made.name, detail=f"{checked.rows} rows to {made.parent}")
        except FactBoardError as error:  # keep the copy (encrypted, verified): it may be the one that is needed
            raise error.with_note(
                f"The backup {made} was written and verified; only its audit entry is missing."
            ) from None

    def check_integrity(self) -> None:
        """Check every page of the file against its HMAC; raises `DatabaseDamaged` if any fails.

        SQLCipher does the work with Python's lock released, so it can run in a thread beside other work.
        """
        self._verify(self.engine, self.path, True, self._check_pages)

    def _check_pages(self) -> list[str]:
        """SQLCipher's check of every page, on a connection of its own (see `diagnosis.page_problems`)."""
        return page_problems(self.path, self._key)

    def check_structure(self) -> None:
        """Check the references between tables and the structure of every table and index (`foreign_key_check`,
        `quick_check`); raises `DatabaseDamaged` naming what is wrong. `check_integrity` checks the pages."""
        with self.engine.connect() as connection:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            quick = connection.exec_driver_sql("PRAGMA quick_check").scalar_one()
        if problems or quick != "ok":
            raise DatabaseDamaged(
                f"The database has {len(problems)} broken references (quick_check: {quick}): restore a backup."
            )

    @staticmethod
    def _verify(engine: Engine, path: Path, integrity: bool, check: PageCheck) -> int:
        """Prove the key opens the file and every page verifies; returns the schema version.

        A first page that does not decrypt is not yet a verdict: the page check tells a wrong key (no page
        verifies) from a damaged first page (the others do); a full disk or an I/O error is said as such.
        """
        try:
            connection = engine.connect()  # a new connection reads page 1 (journal mode) as it is set up
            raw = connection.connection.dbapi_connection
            assert raw is not None
            try:
                raw.execute("SELECT count(*) FROM sqlite_master").fetchone()
            except BaseException:
                connection.close()
                raise
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            raise database_error(error, path, check) from None
        try:
            with connection:
                if integrity:
                    problems = [str(row[0]) for row in raw.execute("PRAGMA cipher_integrity_check").fetchall()]
                    if problems:
                        raise damaged_or_wrong_key(path, problems)
                return int(raw.execute("PRAGMA user_version").fetchone()[0])
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            raise database_error(error, path, check) from None

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        template_id: str = "sv",
        team: str = "FACT",
        clock: Clock = system_clock,
    ) -> tuple[Board, bytes]:
        """A new board and its raw key (shown once as the recovery key)."""
        slot_path = key_slot_path(path)
        if path.exists() or slot_path.exists():
            raise BoardExists(f"A board already exists at {path}: open it, or choose another --db.")
        template = load_template(template_id)
        team_name = F.clean_text(team, "team", "Team name", 80, multiline=False)
        if not team_name:
            raise InvalidValue("team", "The team name is empty: give the team a name with --team.")
        key = new_board_key()
        board_id = uuid.uuid4().hex
        slot = KeySlot.wrap(key, passphrase, board_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        hold = BoardLock(path)
        engine = open_engine(path, key)
        try:
            with engine.connect() as connection:
                migrate(connection.connection.dbapi_connection)
            meta = {
                "board_id": board_id,
                "team": team_name,
                "template": template.to_json(),
                "created_at": clock().astimezone(UTC).isoformat(),
            } | SiteIdentity.generate(team_name).to_meta()
            with engine.begin() as connection:
                connection.execute(insert(BoardMeta.__table__), [{"key": k, "value": v} for k, v in meta.items()])  # type: ignore[attr-defined]
            slot.write(slot_path)
        except BaseException:
            engine.dispose()
            hold.release()
            for leftover in (
                path,
                path.with_name(path.name + "-wal"),
                path.with_name(path.name + "-shm"),
                slot_path,
            ):
                leftover.unlink(missing_ok=True)
            raise
        board = cls(path, engine, clock, meta)
        board._hold, board._key = hold, key
        return board, key

    def close(self) -> None:
        """Close every pooled connection (SQLite then checkpoints and removes the WAL) and let go of the board."""
        self.engine.dispose()
        if self._hold is not None:
            self._hold.release()
            self._hold = None

    def __enter__(self) -> Board:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read session; database errors become the one-line damage message."""
        try:
            with Session(self.engine) as session:
                yield session
        except IntegrityError:
            raise
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            raise self._user_error(error) from None

    def _user_error(self, error: Exception) -> FactBoardError:
        """A database error as the user should hear it: busy, disk full, read-only, an I/O error, or (only when
        the page check fails) damaged; see `core.diagnosis`."""
        return database_error(error, self.path, self._check_pages)

    # -- facts about the board ---------------------------------------------------------------------------------

    @property
    def board_id(self) -> str:
        """The board's stable identity (a UUID), also bound into its key slot."""
        return self._meta["board_id"]

    @property
    def site_id(self) -> str:
        """This site's id: the origin of every change made here."""
        return self.site.site_id

    @property
    def team(self) -> str:
        """The team's name as given at `init`."""
        return self._meta.get("team", "")

    def schema_version(self) -> int:
        """The schema version of the open database."""
        with self.engine.connect() as connection:
            return int(connection.exec_driver_sql("PRAGMA user_version").scalar_one())

    def today(self) -> date:
        """Today's date by the board's clock."""
        return local_today(self.clock)

    def data_version(self) -> int:
        """A number that grows with every write from any process: the id of the newest change."""
        with self.engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM change_log").scalar_one())

    # -- reads ---------------------------------------------------------------------------------------------------

    def rows(self, include_off: bool = False) -> list[BoardRow]:
        """Rows in board order: triage priority, then date on board, then client code."""
        statement = select(BoardRow)
        if not include_off:
            statement = statement.where(col(BoardRow.date_off).is_(None))
        with self.session() as session:
            rows = list(session.exec(statement))
        return self.in_board_order(rows)

    def top_rows(self, limit: int) -> tuple[list[BoardRow], dict[str, int]]:
        """The first `limit` rows in board order, and how many rows of each triage the whole board has.

        Enough for a first screenful of a large board (the database sorts, so it costs the same for 20 rows or
        20,000); the caller reads the rest afterwards with `rows()`.
        """
        rank = case(
            {level.key: index for index, level in enumerate(self.template.triage)},
            value=col(BoardRow.triage),
            else_=len(self.template.triage),
        )
        statement = (
            select(BoardRow)
            .where(col(BoardRow.date_off).is_(None))
            .order_by(rank, col(BoardRow.date_on), col(BoardRow.client_code))
            .limit(limit)
        )
        counting = (
            sa_select(_ROW_TABLE.c.triage, func.count())
            .where(_ROW_TABLE.c.date_off.is_(None))
            .group_by(_ROW_TABLE.c.triage)
        )
        with self.session() as session:
            rows = list(session.exec(statement))
            counts = {str(triage): int(count) for triage, count in session.connection().execute(counting)}
        return rows, counts

    def in_board_order(self, rows: list[BoardRow]) -> list[BoardRow]:
        """Rows sorted as the board shows them: triage priority, then date on board, then client code."""
        rank = self.template.triage_rank
        return sorted(rows, key=lambda row: (row.date_off is not None, rank(row.triage), row.date_on, row.client_code))

    def rows_changed_since(self, version: int) -> tuple[int, set[int], bool]:
        """What changed after change id `version`: (newest change id, ids of changed rows, whether staff changed).

        Lets a screen refresh only the rows other people touched instead of reloading the whole board.
        """
        with self.engine.connect() as connection:
            found = connection.execute(
                sa_select(_CHANGE_TABLE.c.id, _CHANGE_TABLE.c.row_id, _CHANGE_TABLE.c.entity).where(
                    _CHANGE_TABLE.c.id > version
                )
            ).all()
        newest = max((change_id for change_id, _row, _entity in found), default=version)
        return newest, {row for _id, row, _entity in found if row is not None}, any(e == "staff" for *_, e in found)

    def rows_by_ids(self, ids: set[int]) -> list[BoardRow]:
        """Rows by id, on the board or not (for refreshing a few rows)."""
        if not ids:
            return []
        with self.session() as session:
            return list(session.exec(select(BoardRow).where(col(BoardRow.id).in_(ids))))

    def row(self, row_id: int) -> BoardRow:
        """One row by id."""
        with self.session() as session:
            found = session.get(BoardRow, row_id)
        if found is None:
            raise NotFound(f"There is no board row {row_id}: list rows with `factboard rows list --all`.")
        return found

    def open_row_by_code(self, code: str) -> BoardRow:
        """The client's row that is on the board now."""
        wanted = code.strip().upper()
        with self.session() as session:
            found = session.exec(
                select(BoardRow).where(col(BoardRow.client_code) == wanted, col(BoardRow.date_off).is_(None))
            ).one_or_none()
        if found is None:
            raise NotFound(f"No client {wanted} is on the board: check the code with `factboard rows list`.")
        return found

    def visits(self, start: date, end: date, row_ids: set[int] | None = None) -> dict[int, dict[date, VisitCell]]:
        """Visits with `start <= day < end` (of some rows only, if given), by row id and date."""
        # The day as its stored ISO text, parsed by `date.fromisoformat`: SQLAlchemy's SQLite date parsing is a
        # regular expression per value, a third of the time of reading a week of a 2,000-row board.
        statement = sa_select(
            _VISIT_TABLE.c.row_id, type_coerce(_VISIT_TABLE.c.day, String), _VISIT_TABLE.c.staff, _VISIT_TABLE.c.note
        ).where(_VISIT_TABLE.c.day >= start, _VISIT_TABLE.c.day < end)
        if row_ids is not None:
            statement = statement.where(_VISIT_TABLE.c.row_id.in_(row_ids))
        by_row: dict[int, dict[date, VisitCell]] = {}
        parse = date.fromisoformat
        with self.engine.connect() as connection:
            for row_id, text, staff, note in connection.execute(statement):
                day = parse(text)
                by_row.setdefault(row_id, {})[day] = VisitCell(row_id, day, staff, note)
        return by_row

    def week_visits(self, day: date | None = None) -> dict[int, dict[date, VisitCell]]:
        """The visit plan of the ISO week holding `day` (today by default)."""
        monday = week_start(day or self.today())
        return self.visits(monday, monday + timedelta(days=7))

    def history(self, row_id: int) -> list[Change]:
        """Every change to one row (and its visits), oldest first."""
        with self.session() as session:
            return list(session.exec(select(Change).where(col(Change.row_id) == row_id).order_by(col(Change.id))))

    def staff(self, include_inactive: bool = False) -> list[Staff]:
        """The team list, by initials."""
        statement = select(Staff).order_by(col(Staff.initials))
        if not include_inactive:
            statement = statement.where(col(Staff.active).is_(True))
        with self.session() as session:
            return list(session.exec(statement))

    # -- the one write path ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write_transaction(
        self, who: str | None = None, action: str = "change", detail: str = ""
    ) -> Iterator[Connection]:
        """A write transaction that holds SQLite's write lock from the start, so old values cannot go stale.

        Before it commits, the change records it appended are entered in the audit log as one entry (by `who`,
        with `action`); an action other than `change` is entered even when no change record was written.
        """
        try:
            connection, transaction = self._take_write_lock()
            with connection, transaction:
                for left in ("audit_detail", "audit_content"):  # by a transaction that failed on this connection
                    connection.info.pop(left, None)
                pending: seal.Pending | None = connection.info.get("seal")
                if pending is not None:
                    pending.clear()  # what a transaction that failed on this connection left
                before = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM change_log").scalar_one())
                yield connection
                self._audit_writes(connection, before, who or self.actor, action, detail)
                seal.fold(connection.connection.dbapi_connection, pending)  # also when no entry was written
        except IntegrityError:
            raise
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            raise self._user_error(error) from None

    def _take_write_lock(self) -> tuple[Connection, RootTransaction]:
        """A connection in a transaction that holds the write lock (`BEGIN IMMEDIATE`), retried while busy.

        SQLite already waits up to `BUSY_TIMEOUT_MS` for another writer; `BEGIN IMMEDIATE` can still fail with
        "database is locked" when the wait runs out or another process is recovering the WAL. Only taking the lock
        is retried (nothing has been read or written yet), at most `WRITE_ATTEMPTS` times with a random pause, so
        writers that collided do not collide again in step.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            connection = self.engine.connect().execution_options(immediate=True)
            try:
                return connection, connection.begin()
            except SADatabaseError as error:
                connection.close()
                if not is_busy(error) or attempt == WRITE_ATTEMPTS:
                    raise
            time.sleep(random.uniform(0.5, 1.0) * WRITE_RETRY_PAUSE * 2 ** (attempt - 1))
        raise AssertionError("unreachable")  # pragma: no cover

    def _audit_writes(self, connection: Connection, before: int, who: str, action: str, detail: str) -> None:
        """One audit entry for the change records after id `before`: which ones, a hash of them, whose row.

        The summary (id span, rows, sources, fields) is counted by SQLite. The content hash covers the records
        themselves unless the transaction named its content in `connection.info["audit_content"]`: a sync merge
        names the bundle file it merged, so 100,000 merged records are not read back and hashed again.
        """
        raw = connection.connection.dbapi_connection  # plain cursor calls: this runs on every cell saved
        assert raw is not None
        detail = connection.info.pop("audit_detail", detail)
        content = connection.info.pop("audit_content", None)
        first, last, rows, row_id, sources, fields = raw.execute(
            "SELECT min(id), max(id), count(DISTINCT row_id), max(row_id), json_group_array(DISTINCT source), "
            "json_group_array(DISTINCT CASE WHEN instr(field, ':') > 0 THEN substr(field, 1, instr(field, ':') - 1) "
            "ELSE field END) FROM change_log WHERE id > ?",
            (before,),
        ).fetchone()
        if first is None and action == "change":
            return
        self._flush_unlock(connection)
        client = subject = None
        span = None
        if first is not None:
            span = (int(first), int(last))
            if rows == 1:
                found = raw.execute("SELECT client_code, uid FROM board_row WHERE id = ?", (row_id,)).fetchone()
                client, subject = found if found else (None, None)
            elif rows:
                subject = f"{rows} rows"
            named = sorted(json.loads(sources))
            if action == "change" and all(source.startswith("import:") for source in named):
                action = "import"
            detail = "; ".join(
                part for part in (detail, ", ".join(named), ", ".join(sorted(json.loads(fields)))) if part
            )
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
            self.clock(),
            client=client,
            subject=subject,
            detail=detail,
            changes=span,
            content=content,
        )

    def _flush_failures(self, connection: Connection) -> None:
        """Enter the wrong passphrases typed before this unlock, if not yet done."""
        if self._failures_note is not None:
            note, self._failures_note = self._failures_note, None
            audit.append(connection, self.actor, "unlock failed", self.clock(), detail=note)

    def _flush_unlock(self, connection: Connection) -> None:
        """Enter the pending failed unlocks and unlock (before the entry that follows them)."""
        self._flush_failures(connection)
        if self._unlock_note is not None:
            note, self._unlock_note = self._unlock_note, None
            audit.append(connection, self.actor, "unlock", self.clock(), detail=note)

    def audit_event(
        self,
        action: str,
        *,
        client: str | None = None,
        subject: str | None = None,
        detail: str = "",
        content: Any = None,
        who: str | None = None,
    ) -> None:
        """Enter something that is not a row write (an export, a backup, a lock) in the audit log, now."""
        with self._write_transaction() as connection:
            self.audit_within(
                connection, action, client=client, subject=subject, detail=detail, content=content, who=who
            )

    def audit_within(
        self,
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
        self._flush_unlock(connection)
        audit.append(
            connection,
            who or self.actor,
            action,
            self.clock(),
            client=client,
            subject=None if subject is None else characters.inert_line(subject),
            detail=characters.inert_line(detail),
            content=content,
        )

    def record_unlock(self) -> None:
        """Enter the unlock in the audit log if no entry has done so yet (faces call this once the board is in use)."""
        if self._unlock_note is not None or self._failures_note is not None:
            with self._write_transaction() as connection:
                self._flush_unlock(connection)

    def record_view(self, row_id: int, screen: str, who: str | None = None) -> bool:
        """Access log: a person saw a client's row on `screen`. The same person, row and screen within
        `audit.VIEW_REPEAT` is one entry. Returns whether an entry was written."""
        person = who or self.actor
        now = self.clock()
        key = (person, row_id, screen)
        last = self._views.get(key)
        if last is not None and now - last < audit.VIEW_REPEAT:
            return False
        with self.engine.connect() as connection:
            found = connection.exec_driver_sql("SELECT client_code, uid FROM board_row WHERE id = ?", (row_id,)).first()
            if found is None:
                return False
            client, uid = str(found[0]), str(found[1])
            if audit.recently_viewed(connection, person, client, uid, screen, now):
                self._views[key] = now
                return False
        with self._write_transaction() as connection:
            self._flush_unlock(connection)
            audit.append(connection, person, "view", now, client=client, subject=uid, detail=screen)
        self._views[key] = now
        return True

    def audit_verify(self, keep_problem: bool = False) -> audit.Verdict:
        """Check the whole audit chain, its head, the seal and the heads peers witnessed (see `audit.verify`).

        With `keep_problem`, a problem found is then kept as a break (after the check: nothing is written before
        it), so every later unlock warns about it too."""
        with self.engine.connect() as connection:
            verdict = audit.verify(connection, self.site_id)
        if keep_problem and verdict.problem is not None:
            with self._write_transaction() as connection:
                audit.record_problem(connection, self.actor, self.clock(), verdict.problem)
                self._flush_unlock(connection)  # after the break: it was there before this unlock
        return verdict

    def purge_free_text(self, who: str, before: date, dry_run: bool = False) -> PurgeResult:
        """Remove the free text of periods taken off the board before `before`: the row's text columns, its visit
        notes, and the same fields' old and new values in the change log (they read `[purged]` afterwards).

        One transaction with one audit entry saying how many rows and fields; the audit chain holds only hashes,
        so it still verifies. A dry run counts and changes nothing.
        """
        if dry_run:
            with self.engine.connect() as connection:
                return self._purge_counts(connection, before)[1]
        who = F.parse_initials(who, "author", "Your initials")
        with self._write_transaction(who, "purge") as connection:
            ids, result = self._purge_counts(connection, before)
            connection.info["audit_detail"] = (
                f"{result.rows} rows, {result.fields} fields (off the board before {before.isoformat()})"
            )
            if ids:
                marks = ", ".join("?" for _ in ids)
                cleared = ", ".join(f"{name} = NULL" for name in FREE_TEXT_FIELDS)
                connection.exec_driver_sql(f"UPDATE board_row SET {cleared} WHERE id IN ({marks})", ids)
                connection.exec_driver_sql(f"UPDATE visit SET note = NULL WHERE row_id IN ({marks})", ids)
                connection.exec_driver_sql(
                    "UPDATE change_log SET old = CASE WHEN old IS NULL THEN NULL ELSE '[purged]' END, "
                    f"new = CASE WHEN new IS NULL THEN NULL ELSE '[purged]' END WHERE {_purged_history(marks)}",
                    ids,
                )
        return result

    @staticmethod
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
        non_null = " + ".join(f"({name} IS NOT NULL)" for name in FREE_TEXT_FIELDS)
        per_row: dict[int, int] = dict.fromkeys(ids, 0)
        for row_id, count in connection.exec_driver_sql(
            f"SELECT id, {non_null} FROM board_row WHERE id IN ({marks})", ids
        ):
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

    def write_row(
        self,
        author: str,
        op: str,
        *,
        row_id: int | None = None,
        values: Mapping[str, Any] | None = None,
        visits: Mapping[date, tuple[str | None, str | None]] | None = None,
        source: str = "app",
        expected: Mapping[str, Any] | None = None,
    ) -> WriteResult:
        """Write one row change through the one write path (see `write_rows`)."""
        write = RowWrite(op, row_id, dict(values or {}), dict(visits or {}), dict(expected or {}))
        return self.write_rows(author, [write], source)[0]

    def write_rows(self, author: str, writes: Sequence[RowWrite], source: str = "app") -> list[WriteResult]:
        """The one write path for board rows: validate, write, stamp who and when, append the change records.

        Every write is validated first; if any value does not fit, `InvalidValue` is raised and nothing is
        written. Then all of them are applied in one transaction that holds the write lock from its start, each
        changed field stamped with author and time and recorded as a `Change`.
        """
        author = F.parse_initials(author, "author", "Your initials")
        prepared = [self._prepare(write) for write in writes]
        now = self.clock().astimezone(UTC)
        results: list[WriteResult] = []
        with self._write_transaction(author) as connection:
            if len(prepared) > 1 and all(write.op == "add" for write, _typed, _visits in prepared):
                return self._apply_adds(connection, author, source, now, prepared)
            for write, typed, visit_values in prepared:
                results.append(self._apply(connection, author, source, now, write, typed, visit_values))
        return results

    def _prepare(self, write: RowWrite) -> tuple[RowWrite, dict[str, Any], dict[date, tuple[str | None, str | None]]]:
        """Validate one write without touching the database."""
        if write.op not in ("add", "set", "off", "undo"):
            raise ValueError(f"unknown op {write.op!r}")
        template = self.template
        typed: dict[str, Any] = {}
        for name, raw in write.values.items():
            key = name if name in F.ROW_FIELDS else F.resolve_field(name, template)
            typed[key] = F.coerce(key, raw, template)
        if write.op == "add":
            if "date_on" not in typed:  # not setdefault: asking the clock for every row of an import adds up
                typed["date_on"] = self.today()
            for required in ("client_code", "triage"):
                if typed.get(required) is None:
                    raise InvalidValue(required, f"{template.label(required)} is required for a new row: fill it in.")
        else:
            if write.row_id is None:
                raise ValueError("row_id is required for set and off")
            if "client_code" in typed:
                raise InvalidValue(
                    "client_code", "A row's client code cannot be changed: take it off and add a new row."
                )
        if write.op == "off":
            typed.setdefault("date_off", self.today())
            if not typed.get("off_reason"):
                raise InvalidValue("off_reason", "Say why the client leaves the board: give a reason.")
        elif write.op != "undo" and ("date_off" in typed or "off_reason" in typed):
            raise InvalidValue("date_off", "Take a client off the board with `off`, not by setting the date.")
        return write, typed, self._coerce_visits(write.visits)

    def _apply(
        self,
        connection: Connection,
        author: str,
        source: str,
        now: datetime,
        write: RowWrite,
        typed: dict[str, Any],
        visit_values: dict[date, tuple[str | None, str | None]],
        undoes: str | None = None,
    ) -> WriteResult:
        """Apply one validated write inside the caller's transaction."""
        op = write.op
        base = {"at": now, "author": author, "source": source, "entity": "row", "op": op}
        base |= {"txn": uuid.uuid4().hex, "undoes": undoes}
        changes: list[dict[str, Any]] = []
        if op == "add":
            code = typed["client_code"]
            self._refuse_open_duplicate(connection, code)
            try:
                target = _inserted_id(connection.execute(insert(_ROW_TABLE).values(**_new_row(typed, now, author))))
            except IntegrityError:
                raise self._duplicate(code) from None
            base["row_id"] = target
            changes += [_field_change(base, key, None, value) for key, value in _added_fields(typed)]
        else:
            target = int(write.row_id)  # type: ignore[arg-type]
            current = connection.execute(sa_select(_ROW_TABLE).where(_ROW_TABLE.c.id == target)).mappings().first()
            if current is None:
                raise NotFound(f"There is no board row {target}: it may have been removed; reload the board.")
            if current["date_off"] is not None and op != "undo":
                raise InvalidValue(
                    "date_off",
                    f"{current['client_code']} is off the board since {current['date_off']}: "
                    "add them again as a new period to change anything.",
                )
            if op == "undo" and current["date_off"] is not None and typed.get("date_off", True) is None:
                self._refuse_open_duplicate(connection, current["client_code"])
            self._check_expected(connection, write, current)
            diff = {key: value for key, value in typed.items() if current[key] != value or key in write.confirm}
            base["row_id"] = target
            changes += [_field_change(base, key, current[key], value) for key, value in diff.items()]
            if diff:
                connection.execute(
                    update(_ROW_TABLE)
                    .where(_ROW_TABLE.c.id == target)
                    .values(**diff, updated_at=now, updated_by=author)
                )
        row_changes = len(changes)
        for day, (staff, note) in visit_values.items():
            existing = (
                connection.execute(
                    sa_select(_VISIT_TABLE).where(_VISIT_TABLE.c.row_id == target, _VISIT_TABLE.c.day == day)
                )
                .mappings()
                .first()
            )
            old_staff = existing["staff"] if existing else None
            old_note = existing["note"] if existing else None
            if (old_staff, old_note) == (staff, note):
                continue
            if existing is None:
                connection.execute(insert(_VISIT_TABLE).values(row_id=target, day=day, staff=staff, note=note))
            elif staff is None:
                connection.execute(sql_delete(_VISIT_TABLE).where(_VISIT_TABLE.c.id == existing["id"]))
            else:
                connection.execute(
                    update(_VISIT_TABLE).where(_VISIT_TABLE.c.id == existing["id"]).values(staff=staff, note=note)
                )
            changes += _visit_changes(base, day, (old_staff, old_note), (staff, note))
        if op == "set" and len(changes) > row_changes and row_changes == 0:
            # Only visits changed: the row is still stamped with who touched it last.
            connection.execute(
                update(_ROW_TABLE).where(_ROW_TABLE.c.id == target).values(updated_at=now, updated_by=author)
            )
        if changes:
            self._stamp(connection, changes)
            connection.execute(insert(_CHANGE_TABLE), changes)
        return WriteResult(target, changes)

    def _apply_adds(
        self,
        connection: Connection,
        author: str,
        source: str,
        now: datetime,
        prepared: Sequence[tuple[RowWrite, dict[str, Any], dict[date, tuple[str | None, str | None]]]],
    ) -> list[WriteResult]:
        """Many new rows at once (an import, the demo), inside the caller's transaction.

        Writes exactly the rows, visits and change records that `_apply` writes one by one, in a handful of
        statements instead of several per row: a 2,000-row import then takes a fraction of a second, not seconds.
        """
        codes = [typed["client_code"] for _write, typed, _visits in prepared]
        seen: set[str] = set()
        for code in codes:
            if code in seen:
                raise self._duplicate(code)
            seen.add(code)
        for start in range(0, len(codes), 500):
            clash = connection.execute(
                sa_select(_ROW_TABLE.c.client_code).where(
                    _ROW_TABLE.c.client_code.in_(codes[start : start + 500]), _ROW_TABLE.c.date_off.is_(None)
                )
            ).first()
            if clash is not None:
                raise self._duplicate(str(clash[0]))
        rows = [_new_row(typed, now, author) for _write, typed, _visits in prepared]
        try:
            inserted = connection.execute(
                insert(_ROW_TABLE).returning(_ROW_TABLE.c.id, sort_by_parameter_order=True), rows
            ).all()
        except IntegrityError:
            raise InvalidValue(
                "client_code", "One of these clients is already on the board: edit that row instead."
            ) from None
        ids = [int(found[0]) for found in inserted]
        visit_rows: list[dict[str, Any]] = []
        results: list[WriteResult] = []
        all_changes: list[dict[str, Any]] = []
        for target, (_write, typed, visit_values) in zip(ids, prepared, strict=True):
            base = {"at": now, "author": author, "source": source, "entity": "row", "row_id": target, "op": "add"}
            base |= {"txn": uuid.uuid4().hex, "undoes": None}
            changes = [_field_change(base, key, None, value) for key, value in _added_fields(typed)]
            for day, (staff, note) in visit_values.items():
                if staff is None:
                    continue
                visit_rows.append({"row_id": target, "day": day, "staff": staff, "note": note})
                changes += _visit_changes(base, day, (None, None), (staff, note))
            all_changes.extend(changes)
            results.append(WriteResult(target, changes))
        # Plain executemany with SQLAlchemy's own conversion of dates: its per-row parameter handling was most of
        # the time of a large import.
        dialect = connection.dialect
        as_day = _VISIT_TABLE.c.day.type.dialect_impl(dialect).bind_processor(dialect)
        as_moment = _CHANGE_TABLE.c.at.type.dialect_impl(dialect).bind_processor(dialect)
        assert as_day is not None and as_moment is not None
        if visit_rows:
            connection.exec_driver_sql(
                "INSERT INTO visit (row_id, day, staff, note) VALUES (?, ?, ?, ?)",
                [(v["row_id"], as_day(v["day"]), v["staff"], v["note"]) for v in visit_rows],
            )
        if all_changes:
            self._stamp(connection, all_changes, new_rows=True)  # clocks, origin and sequence numbers, for sync
            columns: tuple[str, ...] = (
                "at",
                "author",
                "source",
                "entity",
                "row_id",
                "op",
                "field",
                "old",
                "new",
                "txn",
            )
            columns += ("undoes",)
            columns += ("hlc", "origin", "seq", "base")
            at = as_moment(now)
            connection.exec_driver_sql(
                f"INSERT INTO change_log ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                [(at, *(change[name] for name in columns[1:])) for change in all_changes],
            )
        return results

    def _stamp(self, connection: Connection, changes: list[dict[str, Any]], new_rows: bool = False) -> None:
        """Give new change records their hybrid clock, this site as origin, the next sequence numbers, and the
        stamp of the value each one replaces (its base; a row added just now has none to look up)."""
        last, seq = self._sequence_state(connection)
        now = millis_of(self.clock())
        for change in changes:
            last = next_hlc(last, now)
            seq += 1
            base = None if new_rows else self._current_stamp(connection, change)
            change.update(hlc=last, origin=self.site_id, seq=seq, base=base)

    def _sequence_state(self, connection: Connection) -> tuple[str | None, int]:
        """The latest hybrid clock this board has seen, and this site's last sequence number."""
        last = connection.exec_driver_sql("SELECT max(hlc) FROM change_log").scalar()
        seq = connection.exec_driver_sql(
            "SELECT coalesce(max(seq), 0) FROM change_log WHERE origin = ?", (self.site_id,)
        ).scalar_one()
        return (str(last) if last else None), int(seq)

    @staticmethod
    def _current_stamp(connection: Connection, change: Mapping[str, Any]) -> str | None:
        """The stamp of the value a field holds now: the newest change to it by hybrid clock."""
        column, target = (
            ("row_id", change.get("row_id")) if change["entity"] == "row" else ("staff_id", change.get("staff_id"))
        )
        found = connection.exec_driver_sql(
            f"SELECT hlc, origin FROM change_log WHERE {column} = ? AND field = ? "
            "ORDER BY hlc DESC, origin DESC LIMIT 1",
            (target, change["field"]),
        ).first()
        return clock_stamp(found[0], found[1]) if found and found[0] else None

    def _coerce_visits(
        self, visits: Mapping[date, tuple[str | None, str | None]]
    ) -> dict[date, tuple[str | None, str | None]]:
        result: dict[date, tuple[str | None, str | None]] = {}
        for day, (staff, note) in visits.items():
            label = self.template.weekday_names[day.weekday()]
            cleaned = F.parse_visit_staff(staff, label) if staff and staff.strip() else None
            result[day] = (cleaned, F.clean_visit_note(note) if cleaned else None)
        return result

    def _refuse_open_duplicate(self, connection: Connection, code: str) -> None:
        clash = connection.execute(
            sa_select(_ROW_TABLE.c.id).where(_ROW_TABLE.c.client_code == code, _ROW_TABLE.c.date_off.is_(None))
        ).first()
        if clash is not None:
            raise self._duplicate(code)

    def _duplicate(self, code: str) -> InvalidValue:
        return InvalidValue(
            "client_code", f"{code} is already on the board: edit that row instead, or take it off first."
        )

    def write_staff(
        self,
        author: str,
        initials: str,
        *,
        name: str | None = None,
        discipline: str | None = None,
        organisation: str | None = None,
        active: bool | None = None,
        source: str = "app",
    ) -> Staff:
        """The one write path for the team list: add a member, or change the fields given."""
        author = F.parse_initials(author, "author", "Your initials")
        initials = F.parse_initials(initials, "initials", "Initials")
        wanted: dict[str, Any] = {}
        if name is not None:
            wanted["name"] = F.clean_text(name, "name", "Name", 80, multiline=False)
        if discipline is not None:
            wanted["discipline"] = self._choice(discipline, self.template.disciplines, "discipline", "Discipline")
        if organisation is not None:
            wanted["organisation"] = self._choice(
                organisation, self.template.organisations, "organisation", "Organisation"
            )
        if active is not None:
            wanted["active"] = active
        now = self.clock().astimezone(UTC)
        txn = uuid.uuid4().hex
        with self._write_transaction(author) as connection:
            current = (
                connection.execute(sa_select(_STAFF_TABLE).where(_STAFF_TABLE.c.initials == initials))
                .mappings()
                .first()
            )
            if current is None:
                op = "add"
                new = {"name": "", "discipline": "", "organisation": "", "active": True} | wanted
                staff_id = _inserted_id(connection.execute(insert(_STAFF_TABLE).values(initials=initials, **new)))
                diff = {"initials": (None, initials)} | {k: (None, v) for k, v in new.items() if v not in ("", True)}
            else:
                op = "set"
                staff_id = int(current["id"])
                diff = {k: (current[k], v) for k, v in wanted.items() if current[k] != v}
                if diff:
                    connection.execute(
                        update(_STAFF_TABLE)
                        .where(_STAFF_TABLE.c.id == staff_id)
                        .values(**{k: v for k, (_old, v) in diff.items()})
                    )
            if diff:
                records = [
                    {
                        "at": now,
                        "author": author,
                        "source": source,
                        "entity": "staff",
                        "staff_id": staff_id,
                        "op": op,
                        "field": key,
                        "old": _as_text(old),
                        "new": _as_text(value),
                        "txn": txn,
                    }
                    for key, (old, value) in diff.items()
                ]
                self._stamp(connection, records)
                connection.execute(insert(_CHANGE_TABLE), records)
            saved = connection.execute(sa_select(_STAFF_TABLE).where(_STAFF_TABLE.c.id == staff_id)).mappings().one()
        return Staff(**saved)

    @staticmethod
    def _choice(raw: str, options: dict[str, str], key: str, label: str) -> str:
        wanted = fold(raw)
        for option_key, option_label in options.items():
            if wanted in (fold(option_key), fold(option_label)):
                return option_key
        raise InvalidValue(
            key, f"{label} '{characters.excerpt(raw)}' is not known: use one of {', '.join(options.values())}."
        )

    def _check_expected(self, connection: Connection, write: RowWrite, current: Any) -> None:
        """Raise `EditConflict` if a value the editor started from has been changed by someone else."""
        for key, expected in write.expected.items():
            if key.startswith("visit:"):
                day = date.fromisoformat(key.removeprefix("visit:"))
                found = connection.execute(
                    sa_select(_VISIT_TABLE.c.staff, _VISIT_TABLE.c.note).where(
                        _VISIT_TABLE.c.row_id == current["id"], _VISIT_TABLE.c.day == day
                    )
                ).first()
                now_value: Any = tuple(found) if found else (None, None)
                expected = tuple(expected) if expected else (None, None)
                label = f"{self.template.weekday_names[day.weekday()]} {day.isoformat()}"
                shown = " : ".join(part for part in now_value if part)
            else:
                now_value = current[key]
                label = self.template.label(key)
                shown = F.display(now_value, self.template, key)
            if now_value == expected:
                continue
            by, at_text = self._last_change(connection, current, key)
            raise EditConflict(key, label, shown, by, at_text)

    @staticmethod
    def _last_change(connection: Connection, current: Any, key: str) -> tuple[str, str]:
        """Who last changed a field of a row, and when (local HH:MM)."""
        last = connection.execute(
            sa_select(_CHANGE_TABLE.c.author, _CHANGE_TABLE.c.at)
            .where(_CHANGE_TABLE.c.row_id == current["id"], _CHANGE_TABLE.c.field == key)
            .order_by(_CHANGE_TABLE.c.id.desc())
            .limit(1)
        ).first()
        by, at = (last[0], last[1]) if last else (current["updated_by"], current["updated_at"])
        at_text = at.astimezone().strftime("%H:%M") if isinstance(at, datetime) else str(at)
        return str(by), at_text

    def undo_last(self, author: str, source: str = "app") -> WriteResult:
        """Reverse this person's newest change to a board row that is not yet undone; the undo is itself recorded.

        Refused, writing nothing, when someone has changed one of those fields since (undo would overwrite
        their work) or when reopening a period would make a second open row for the client.
        """
        author = F.parse_initials(author, "author", "Your initials")
        now = self.clock().astimezone(UTC)
        with self._write_transaction(author) as connection:
            undone = sa_select(_CHANGE_TABLE.c.undoes).where(_CHANGE_TABLE.c.undoes.is_not(None))
            txn = connection.execute(
                sa_select(_CHANGE_TABLE.c.txn)
                .where(
                    _CHANGE_TABLE.c.author == author,
                    _CHANGE_TABLE.c.origin == self.site_id,
                    _CHANGE_TABLE.c.entity == "row",
                    _CHANGE_TABLE.c.op != "undo",
                    _CHANGE_TABLE.c.txn.not_in(undone),
                )
                .order_by(_CHANGE_TABLE.c.id.desc())
                .limit(1)
            ).scalar()
            if txn is None:
                raise NotFound(f"{author} has no change on the board left to undo.")
            changes = (
                connection.execute(
                    sa_select(_CHANGE_TABLE).where(_CHANGE_TABLE.c.txn == txn).order_by(_CHANGE_TABLE.c.id)
                )
                .mappings()
                .all()
            )
            row_id = int(changes[0]["row_id"])
            current = connection.execute(sa_select(_ROW_TABLE).where(_ROW_TABLE.c.id == row_id)).mappings().one()
            write = self._inverse(changes, row_id)
            # Undo only what is still as this person left it.
            for change in changes:
                key = change["field"]
                if key.startswith("visit"):
                    continue
                if _as_text(current[key]) != change["new"]:
                    by, at_text = self._last_change(connection, current, key)
                    raise InvalidValue(
                        key,
                        f"Cannot undo: {current['client_code']} {self.template.label(key)} was changed by {by} at "
                        f"{at_text} after your change; edit it instead (nothing was changed).",
                    )
            _write, typed, visit_values = self._prepare(write)
            return self._apply(connection, author, source, now, write, typed, visit_values, undoes=txn)

    def _inverse(self, changes: Sequence[Any], row_id: int) -> RowWrite:
        """The write that puts back what `changes` (one transaction) replaced."""
        op = changes[0]["op"]
        if op == "add":
            return RowWrite("undo", row_id, values={"date_off": self.today(), "off_reason": "undo: added by mistake"})
        values: dict[str, Any] = {}
        visits: dict[date, list[str | None]] = {}
        for change in changes:
            key = change["field"]
            if key.startswith("visit_note:") or key.startswith("visit:"):
                kind, _, day_text = key.partition(":")
                day = date.fromisoformat(day_text)
                pair = visits.setdefault(day, [None, None])
                pair[0 if kind == "visit" else 1] = change["old"]
            else:
                values[key] = change["old"]
        for day, pair in visits.items():
            if pair[0] is None and pair[1] is None:
                continue
            self._complete_visit(row_id, day, pair, changes)
        return RowWrite("undo", row_id, values=values, visits={d: (p[0], p[1]) for d, p in visits.items()})

    def _complete_visit(self, row_id: int, day: date, pair: list[str | None], changes: Sequence[Any]) -> None:
        """Fill in the half of a visit (staff or note) that the undone change did not touch."""
        touched = {change["field"] for change in changes}
        current = self.visits(day, day + timedelta(days=1)).get(row_id, {}).get(day)
        if f"visit:{day.isoformat()}" not in touched:
            pair[0] = current.staff if current else None
        if f"visit_note:{day.isoformat()}" not in touched:
            pair[1] = current.note if current else None

    def copy_week_visits(self, author: str, from_monday: date, to_monday: date, source: str = "app") -> int:
        """Carry each open row's visits of one week over to the same weekdays of another, where that day is free.

        Returns how many visits were copied; everything goes through the write path in one transaction.
        """
        rows = {row.id for row in self.rows()}
        source_week = self.visits(from_monday, from_monday + timedelta(days=7))
        target_week = self.visits(to_monday, to_monday + timedelta(days=7))
        writes: list[RowWrite] = []
        for row_id, days in source_week.items():
            if row_id not in rows:
                continue
            taken = target_week.get(row_id, {})
            new: dict[date, tuple[str | None, str | None]] = {}
            for day, visit in days.items():
                target = to_monday + timedelta(days=(day - from_monday).days)
                if target not in taken:
                    new[target] = (visit.staff, visit.note)
            if new:
                writes.append(RowWrite("set", row_id, visits=new))
        if writes:
            self.write_rows(author, writes, source)
        return sum(len(write.visits) for write in writes)

    # -- convenience over the write path -------------------------------------------------------------------------------

    def add_row(self, author: str, values: Mapping[str, Any], source: str = "app") -> int:
        """Put a client on the board (a new period)."""
        return self.write_row(author, "add", values=values, source=source).row_id

    def set_field(self, author: str, row_id: int, field_key: str, value: Any, source: str = "app") -> WriteResult:
        """Change one field; a weekday key (`mon`..`sun`) sets that day's visit in the current week."""
        key = F.resolve_field(field_key, self.template)
        if key in WEEKDAY_KEYS:
            day = week_start(self.today()) + timedelta(days=WEEKDAY_KEYS.index(key))
            return self.write_row(
                author, "set", row_id=row_id, visits={day: F.split_visit_cell(str(value or ""))}, source=source
            )
        return self.write_row(author, "set", row_id=row_id, values={key: value}, source=source)

    def take_off(self, author: str, row_id: int, reason: str, source: str = "app") -> WriteResult:
        """Close a client's period on the board; its history stays."""
        return self.write_row(author, "off", row_id=row_id, values={"off_reason": reason}, source=source)

    # -- changes from other sites (sync) ---------------------------------------------------------------------------

    def apply_remote(
        self,
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
        with self._write_transaction(self.actor, "sync import", source) as connection:
            # A large merge touches many index pages: a bigger page cache (in memory) keeps them from being
            # encrypted and spilled to the WAL over and over before the commit.
            connection.exec_driver_sql(f"PRAGMA cache_size = {-MERGE_CACHE_KIB}")
            fresh = self._fresh_remote(connection, incoming, names)
            result.skipped = len(incoming) - len(fresh)
            if fresh:
                RemoteMerge(self, connection, source, result).run(sorted(fresh, key=_CLOCK_ORDER))
            if finish is not None:
                finish(connection, result)
            connection.exec_driver_sql("PRAGMA cache_size = -2000")  # SQLite's default again
        return result

    def _fresh_remote(
        self, connection: Connection, incoming: Sequence[RemoteChange], names: Mapping[str, str]
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
                    f"The bundle skips changes {missing} of {name} (this site holds up to {held}): import the "
                    f"bundles that carry them first, or ask for a new export; nothing was applied.",
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
                            f"The bundle reuses sequence number {change.seq} of {name} for a different change than "
                            "the one already imported (was that site restored from a backup?): nothing was applied; "
                            "ask that site to check its board.",
                        )
            fresh.extend(change for change in group if change.seq > held)
        return fresh
