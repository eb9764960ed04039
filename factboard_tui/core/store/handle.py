"""What every store module works on: an open board's engine, its facts, and what it still owes the audit log.

`Board` (board.py) opens, unlocks, creates and closes boards. The reads, the write transaction and the writes live
in modules of their own, as functions of the open board; they take this handle, the part of `Board` that holds
state, so none of them imports `Board` and nothing in the store imports in a circle.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import sqlcipher3
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from factboard_tui.core.clock import Clock, local_today
from factboard_tui.core.diagnosis import database_error, page_problems
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.security.locks import BoardLock
from factboard_tui.core.store.watch import ChangePoll
from factboard_tui.core.sync.identity import SiteIdentity


class BoardHandle:
    """An open board: its database, its facts, who is at the keyboard, and audit entries not yet written."""

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
        """The unlock not yet in the audit log (written with the first entry after it, or by `record_unlock`)."""
        self._failures_note: str | None = None
        """Wrong passphrases before this unlock, not yet in the audit log (entered just before the unlock)."""
        self.audit_warning: str | None = None
        """A problem with the audit log seen at once on opening (see `audit.quick_check`), for the face to show."""
        self._views: dict[tuple[str, int, str], datetime] = {}
        """When each (person, row, screen) view was last recorded here: skips the database for repeated looks."""
        self.change_poll = ChangePoll(engine)
        """The change poll's own kept connection (`rows_changed_since`: cheap when asked cold, twice a second)."""

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
        with self.connected() as connection:
            return int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM change_log").scalar_one())

    # -- reading safely ----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read session; database errors become the one-line message of what happened."""
        try:
            with Session(self.engine) as session:
                yield session
        except IntegrityError:
            raise
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            raise self.user_error(error) from None

    @contextlib.contextmanager
    def connected(self) -> Iterator[Connection]:
        """A read connection for SQLAlchemy Core (bulk reads: tuples, no ORM objects); database errors become the
        one-line message of what happened, as in `session` (a page that fails its HMAC as it is read: damaged)."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
            raise self.user_error(error) from None

    def user_error(self, error: Exception) -> FactBoardError:
        """A database error as the user should hear it: busy, disk full, read-only, an I/O error, or (only when
        the page check fails) damaged; see `core.diagnosis`."""
        return database_error(error, self.path, self.check_pages)

    def check_pages(self) -> list[str]:
        """SQLCipher's check of every page, on a connection of its own (see `diagnosis.page_problems`)."""
        return page_problems(self.path, self._key)
