"""The SQLCipher engine under a board: connecting with the raw key, the pragmas every connection gets, and proving
that a file is a readable board before anything else touches it.

Every pooled connection is keyed with the board's raw key (never a passphrase: SQLCipher's own key derivation
would cost 130-190 ms per connection), keeps temporary data in memory, runs in WAL mode with full syncs, and
reports writes to the seal over the board's records. `verify` is the first read of a file: it tells a wrong key,
a damaged file and a full disk apart (see `core.diagnosis`) before the schema is checked or migrated.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event, insert
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.orm import configure_mappers
from sqlalchemy.pool import QueuePool

from factboard_tui.core.diagnosis import PageCheck, damaged_or_wrong_key, database_error
from factboard_tui.core.errors import NotADatabase
from factboard_tui.core.i18n import _
from factboard_tui.core.security import seal
from factboard_tui.core.store.schema import META_TABLE
from factboard_tui.core.sync.identity import META_KEYS, SiteIdentity, stamp_existing_changes

BUSY_TIMEOUT_MS = 10_000
"""How long a writer waits for another process's write lock before SQLite gives up."""

CACHE_KIB = 32_768
"""Each connection's cache of decrypted pages, in KiB (SQLCipher's default is 8 MiB). A 20,000-row board's rows and
a 100,000-row board's week of visits are larger than 8 MiB, and each read decrypted their pages again: reading them
cost 1.4 and 1.8 times what it does with the pages kept (issue 15: bulk reads must grow no faster than the board).
The pages stay in memory only, as the rows read from them do."""


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
        dbapi_connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        dbapi_connection.execute("PRAGMA journal_mode = WAL")
        dbapi_connection.execute("PRAGMA synchronous = FULL")
        _record.info["seal"] = seal.register(dbapi_connection)  # the sealed tables' triggers report to it

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("immediate", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def prepare_reads() -> None:
    """SQLAlchemy sets up its mappers on the first query of a process (tens of milliseconds with all our tables):
    a screen waiting for a passphrase calls this first, so the board's first read does not pay for it."""
    configure_mappers()


def verify(engine: Engine, path: Path, integrity: bool, check: PageCheck) -> int:
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


def read_meta(engine: Engine, path: Path) -> dict[str, str]:
    """The board's facts (id, team, template copy); a database that verifies without them holds no board."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT key, value FROM board_meta").all()
    meta = {str(row[0]): str(row[1]) for row in rows}
    if "template" not in meta or "board_id" not in meta:
        raise NotADatabase(
            _(
                "{name} opens with this key but holds no FactBoard board (its board facts are missing): "
                "check --db; nothing was changed."
            ).format(name=path.name)
        )
    return meta


def give_site_identity(engine: Engine, name: str) -> dict[str, str]:
    """Give a board made before sync its site identity, and stamp its older change records as this site's."""
    identity = SiteIdentity.generate(name).to_meta()
    with engine.connect().execution_options(immediate=True) as connection, connection.begin():
        found = connection.exec_driver_sql("SELECT key, value FROM board_meta WHERE key = 'site_id'").first()
        if found is not None:  # another process got there first
            rows = connection.exec_driver_sql("SELECT key, value FROM board_meta").all()
            return {str(key): str(value) for key, value in rows if key in META_KEYS}
        connection.execute(insert(META_TABLE), [{"key": k, "value": v} for k, v in identity.items()])
        pending: seal.Pending | None = connection.info.get("seal")
        if pending is not None:
            pending.clear()
        stamp_existing_changes(connection.connection.dbapi_connection, identity["site_id"])
        seal.fold(connection.connection.dbapi_connection, pending)  # stamping is FactBoard's own change
    return identity
