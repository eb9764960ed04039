"""The board the faces hold: opening, unlocking, creating and closing it, with every read and write as a method.

A board is one SQLCipher 4 database plus its key slot. `Board.unlock` turns a passphrase into the raw key (via
the slot), opens the database with it on every pooled connection (`engine`), proves the file is intact with
SQLCipher's page HMACs, checks and migrates the schema, and loads the board's own copy of its template.

The work lives in the modules beside this one, one concern each, as functions of the open board (`handle`):
`reads` (rows, visits, history, staff), `rows` and `undo` (the one write path for board rows and visits), `staff`
(the team list), `purge` (retention) and `events` (what else the audit log records). Each runs its writes in the
one `transaction.write_transaction`, which takes the write lock, stamps and records every change (`changelog`) and
enters it in the hash-chained audit log. `Board` binds those functions as its methods, one line each, so a face
writes `board.rows()` or `board.write_row(...)` and the list below is the board's whole interface.
"""

from __future__ import annotations

import functools
import uuid
from datetime import UTC
from pathlib import Path

import sqlcipher3
from sqlalchemy import insert
from sqlalchemy.exc import DatabaseError as SADatabaseError

from factboard_tui.core.clock import Clock, system_clock
from factboard_tui.core.diagnosis import database_error, page_problems
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.templates import BoardTemplate, load_template
from factboard_tui.core.errors import (
    BoardExists,
    BoardNotFound,
    DatabaseDamaged,
    FactBoardError,
    InvalidValue,
    NotADatabase,
)
from factboard_tui.core.i18n import _
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security import audit
from factboard_tui.core.security.audit_words import BACKED_UP, UNLOCKED, stored
from factboard_tui.core.security.backups import CheckedCopy, Stages, recover_board, take_backup, take_daily_backup
from factboard_tui.core.security.keys import KeySlot, UnlockAttempts, new_board_key, read_board_slot
from factboard_tui.core.security.locks import BoardLock
from factboard_tui.core.store import events, meeting_claim, purge, reads, undo
from factboard_tui.core.store import rows as row_writes
from factboard_tui.core.store import staff as staff_writes
from factboard_tui.core.store.engine import give_site_identity, open_engine, read_meta, verify
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.migrations import LATEST_VERSION, check_version, migrate
from factboard_tui.core.store.schema import META_TABLE
from factboard_tui.core.sync.identity import SiteIdentity


class Board(BoardHandle):
    """An unlocked board: its engine, its template and every read and write the faces need."""

    # -- reads (reads.py) ----------------------------------------------------------------------------------------
    rows = reads.rows
    top_rows = reads.top_rows
    board_order = reads.board_order
    rows_changed_since = reads.rows_changed_since
    rows_by_ids = reads.rows_by_ids
    row = reads.row
    open_row_by_code = reads.open_row_by_code
    visits = reads.visits
    week_visits = reads.week_visits
    history = reads.history
    meeting_outcomes = reads.meeting_outcomes
    staff = reads.staff

    # -- the one write path (rows.py, undo.py, staff.py, purge.py) -----------------------------------------------
    write_row = row_writes.write_row
    write_rows = row_writes.write_rows
    add_row = row_writes.add_row
    set_field = row_writes.set_field
    take_off = row_writes.take_off
    copy_week_visits = row_writes.copy_week_visits
    undo_last = undo.undo_last
    correct_client_code = row_writes.correct_client_code
    write_staff = staff_writes.write_staff
    purge_free_text = purge.purge_free_text

    # -- one meeting per board (meeting_claim.py) ----------------------------------------------------------------
    running_meeting = meeting_claim.running_meeting
    claim_meeting = meeting_claim.claim_meeting
    renew_meeting_claim = meeting_claim.renew_claim
    close_meeting_claim = meeting_claim.close_claim

    # -- the audit log beyond row writes (events.py) -------------------------------------------------------------
    record_failed_unlocks = events.record_failed_unlocks
    audit_event = events.audit_event
    audit_within = events.audit_within
    record_unlock = events.record_unlock
    record_view = events.record_view
    audit_verify = events.audit_verify

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
        board.actor = events.audit_who(user)
        if write_now:
            try:
                board.record_failed_unlocks(attempts, via)
            except BaseException:
                board.close()
                raise
        else:  # `audit verify` reads the log first: the failures go in with the unlock, after it
            summary = attempts.summary(via)
            if summary is not None:
                board._failures_note = summary
            attempts.succeeded()
        board._unlock_note = stored(UNLOCKED, via=via)  # after the failures: they came first
        return board

    def set_passphrase(self, passphrase: str) -> None:
        """Wrap this board's key under a new passphrase (`passwd`): the database itself is not touched."""
        KeySlot.wrap(self._key, passphrase, self.board_id).write(key_slot_path(self.path))

    @staticmethod
    def read_slot(path: Path) -> KeySlot:
        """The key slot of the board at `path` (after checking the board exists)."""
        return read_board_slot(path)

    @classmethod
    def open_with_key(cls, path: Path, key: bytes, clock: Clock = system_clock, *, integrity: bool = True) -> Board:
        """Open a board with its raw key (from the slot, or a recovery key)."""
        recover_board(path)  # as in `unlock`: before anything else, never depending on the key
        if not path.is_file():
            raise BoardNotFound(
                _("There is no board at {path}: create one with `factboard init` or pass --db.").format(path=path)
            )
        if path.stat().st_size == 0:  # SQLite would take it for a new database and write one into it
            raise NotADatabase(
                _("{name} is an empty file, not a FactBoard board: check --db; nothing was changed.").format(
                    name=path.name
                )
            )
        hold = BoardLock(path)
        engine = open_engine(path, key)
        check = functools.partial(page_problems, path, key)
        try:
            version = verify(engine, path, integrity, check)
            check_version(version)
            if version < LATEST_VERSION:
                if not integrity:  # never migrate a damaged file
                    verify(engine, path, True, check)
                with engine.connect() as connection:
                    migrate(connection.connection.dbapi_connection)
            meta = read_meta(engine, path)
            if "site_id" not in meta:
                meta |= give_site_identity(engine, meta.get("team", "FACT"))
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

    def backup(self, directory: Path, keep: int, progress: Stages | None = None) -> tuple[Path, CheckedCopy]:
        """An encrypted, verified copy of the board (and its key slot) in `directory`; keeps the newest `keep`.
        `progress` is told each stage as it starts (`backups.Stages`)."""
        made, checked = take_backup(self.path, self._key, directory, self.clock().astimezone(), keep, progress)
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
            self.audit_event(
                "backup", subject=made.name, detail=stored(BACKED_UP, count=checked.rows, folder=str(made.parent))
            )
        except FactBoardError as error:  # keep the copy (encrypted, verified): it may be the one that is needed
            raise error.with_note(
                _("The backup {path} was written and verified; only its audit entry is missing.").format(path=made)
            ) from None

    def check_integrity(self) -> None:
        """Check every page of the file against its HMAC; raises `DatabaseDamaged` if any fails.

        SQLCipher does the work with Python's lock released, so it can run in a thread beside other work.
        """
        verify(self.engine, self.path, True, self.check_pages)

    def check_structure(self) -> None:
        """Check the references between tables and the structure of every table and index (`foreign_key_check`,
        `quick_check`); raises `DatabaseDamaged` naming what is wrong. `check_integrity` checks the pages."""
        with self.engine.connect() as connection:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            quick = connection.exec_driver_sql("PRAGMA quick_check").scalar_one()
        if problems or quick != "ok":
            raise DatabaseDamaged(
                _("The database has {count} broken references (quick_check: {quick}): restore a backup.").format(
                    count=len(problems), quick=quick
                )
            )

    @classmethod
    def create(
        cls,
        path: Path,
        passphrase: str,
        template_id: str = "sv",
        team: str = "FACT",
        clock: Clock = system_clock,
        template: BoardTemplate | None = None,
    ) -> tuple[Board, bytes]:
        """A new board and its raw key (shown once as the recovery key); `template`, if given, instead of the shipped
        template `template_id` (the demo sets its caseload size)."""
        slot_path = key_slot_path(path)
        if path.exists() or slot_path.exists():
            raise BoardExists(_("A board already exists at {path}: open it, or choose another --db.").format(path=path))
        template = template or load_template(template_id)
        team_name = F.clean_text(team, "team", _("Team name"), 80, multiline=False)
        if not team_name:
            raise InvalidValue("team", _("The team name is empty: give the team a name with --team."))
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
                connection.execute(insert(META_TABLE), [{"key": k, "value": v} for k, v in meta.items()])
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
        self.change_poll.close()
        self.engine.dispose()
        if self._hold is not None:
            self._hold.release()
            self._hold = None

    def __enter__(self) -> Board:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
