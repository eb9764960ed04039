"""Backups, restore and a new database key: copies as safe as the board, and changes that never corrupt it.

A backup is an encrypted, consistent copy of the database (SQLCipher's `sqlcipher_export` inside one read
transaction, so it can run while people edit) with a copy of the key slot beside it: the passphrase of the day
the backup was taken opens it, and nothing in it is ever plaintext. Backups are checked after they are written
and only then are old ones pruned.

Restoring and re-keying replace the database file, so they need the board to themselves. Every open board holds a
shared lock on `<db>.lock`; these two ask for an exclusive one. They first leave a close request beside the board
(`<db>.close-request`), which running FactBoards notice within a second and answer by closing the board; if one
does not, the command stops with a message and changes nothing. Files are swapped with atomic renames, and a
re-key interrupted between its two renames is finished on the next unlock (`finish_interrupted_rekey`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import IO

import sqlcipher3

from factboard_tui.core.clock import system_clock
from factboard_tui.core.errors import BoardBusy, DatabaseDamaged, FactBoardError, NotFound
from factboard_tui.core.keys import KeySlot, UnlockAttempts, new_board_key, write_atomically
from factboard_tui.core.migrations import LATEST_VERSION

CLOSE_WAIT_SECONDS = 5.0
"""How long a restore or re-key waits for open FactBoards to close the board after asking them to."""

BACKUP_STAMP = "%Y%m%d-%H%M%S"
"""How a backup's file name says when it was taken (sorts in time order)."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def close_request_path(db: Path) -> Path:
    """Present while a restore or re-key waits for the board: open FactBoards close it when they see this."""
    return db.with_name(db.name + ".close-request")


def slot_of(db: Path) -> Path:
    return db.with_name(db.name + ".keyslot")


def close_requested(db: Path) -> bool:
    """Whether another FactBoard asks everyone to close this board (one `stat`: cheap enough to poll)."""
    return close_request_path(db).exists()


class BoardLock:
    """A shared hold on the board for as long as it is open; restore and re-key wait for every hold to go."""

    def __init__(self, db: Path) -> None:
        self._file: IO[bytes] | None = open(lock_path(db), "a+b")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.close()
            self._file = None
            raise BoardBusy(
                f"The board {db.name} is being restored or given a new key right now: "
                "open it again in a minute; nothing was changed."
            ) from None

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the lock
            self._file = None


@contextlib.contextmanager
def exclusive_access(db: Path, wait: float = CLOSE_WAIT_SECONDS, what: str = "this") -> Iterator[None]:
    """Have the board to ourselves: ask open FactBoards to close it, wait for them, refuse if one will not."""
    request = close_request_path(db)
    with open(lock_path(db), "a+b") as handle:
        request.touch()
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise BoardBusy(
                            f"The board {db.name} is still open in another FactBoard that did not close it: "
                            f"close that window, then run {what} again; nothing was changed."
                        ) from None
                    time.sleep(0.1)
            yield
        finally:
            request.unlink(missing_ok=True)


# -- raw SQLCipher access (these files are not open as boards) ---------------------------------------------------


def _connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.execute("PRAGMA temp_store = MEMORY")
    return connection


def _export(source: Path, source_key: bytes, target: Path, target_key: bytes) -> None:
    """Copy every table of `source` into a new encrypted file in one read transaction (consistent)."""
    target.unlink(missing_ok=True)
    connection = _connect(source, source_key)
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        connection.execute("ATTACH DATABASE ? AS target KEY ?", (str(target), f"x'{target_key.hex()}'"))
        connection.execute("BEGIN")
        connection.execute("SELECT sqlcipher_export('target')")
        connection.execute(f"PRAGMA target.user_version = {version}")  # the export does not copy it
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE target")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        connection.close()


@dataclass(frozen=True)
class CheckedCopy:
    """What a verified copy holds."""

    board_id: str
    team: str
    rows: int
    schema_version: int


def check_copy(path: Path, key: bytes) -> CheckedCopy:
    """Every page verifies with `key`, the board's facts are there, and its schema is one we can open."""
    try:
        connection = _connect(path, key)
        try:
            problems = connection.execute("PRAGMA cipher_integrity_check").fetchall()
            if problems:
                raise sqlcipher3.dbapi2.DatabaseError("integrity")
            meta = dict(connection.execute("SELECT key, value FROM board_meta").fetchall())
            rows = int(connection.execute("SELECT count(*) FROM board_row WHERE date_off IS NULL").fetchone()[0])
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()
    except sqlcipher3.dbapi2.DatabaseError:
        raise DatabaseDamaged(
            f"The copy {path.name} does not verify with its key: it is damaged or not a FactBoard board; "
            "nothing was changed."
        ) from None
    if "board_id" not in meta or version > LATEST_VERSION:
        raise DatabaseDamaged(f"The copy {path.name} is not a board this FactBoard can open; nothing was changed.")
    return CheckedCopy(str(meta["board_id"]), str(meta.get("team", "")), rows, version)


# -- backups -------------------------------------------------------------------------------------------------------


def backup_name(db: Path, taken: datetime) -> str:
    return f"{db.stem}-{taken.strftime(BACKUP_STAMP)}.db"


def list_backups(db: Path, directory: Path) -> list[Path]:
    """This board's backups in `directory`, oldest first."""
    if not directory.is_dir():
        return []
    found = [path for path in directory.glob(f"{db.stem}-*.db") if slot_of(path).is_file()]
    return sorted(found, key=lambda path: path.name)


def take_backup(db: Path, key: bytes, directory: Path, taken: datetime, keep: int) -> tuple[Path, CheckedCopy]:
    """Write a verified encrypted copy of the board and its key slot to `directory`; keep the newest `keep`."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / backup_name(db, taken)
    partial = target.with_name(target.name + ".partial")
    _export(db, key, partial, key)
    try:
        checked = check_copy(partial, key)
        write_atomically(slot_of(target), slot_of(db).read_bytes())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in list_backups(db, directory)[: max(0, len(list_backups(db, directory)) - max(1, keep))]:
        old.unlink(missing_ok=True)
        slot_of(old).unlink(missing_ok=True)
    return target, checked


def backup_due(db: Path, directory: Path, today: datetime) -> bool:
    """No backup of this board was taken today (the first unlock of a day makes one)."""
    prefix = f"{db.stem}-{today.strftime('%Y%m%d')}-"
    return not any(path.name.startswith(prefix) for path in list_backups(db, directory))


def restore_backup(db: Path, backup: Path, passphrase: str, now: datetime) -> tuple[Path, CheckedCopy]:
    """Put `backup` in the board's place after checking it; the current board is kept aside. Returns where."""
    if not backup.is_file() or not slot_of(backup).is_file():
        raise NotFound(f"There is no backup with its key slot at {backup}: list them with `factboard backup --list`.")
    slot = KeySlot.read(slot_of(backup))
    key = UnlockAttempts(db, lambda: now).unwrap(slot, passphrase)  # the backup's passphrase, counted for this board
    checked = check_copy(backup, key)
    if slot_of(db).is_file():
        current = KeySlot.read(slot_of(db))
        if current.board_id != checked.board_id:
            raise FactBoardError(
                f"{backup.name} is a backup of another board, not of {db.name}: restore it to its own --db; "
                "nothing was changed."
            )
    aside = db.with_name(f"{db.name}.before-restore-{now.strftime(BACKUP_STAMP)}")
    with exclusive_access(db, what="`factboard restore`"):
        staged = db.with_name(db.name + ".restoring")
        write_atomically(staged, backup.read_bytes())
        for suffix in ("", "-wal", "-shm", ".keyslot"):
            source = db.with_name(db.name + suffix)
            if source.exists():
                os.replace(source, aside.with_name(aside.name + suffix))
        os.replace(staged, db)
        write_atomically(slot_of(db), slot_of(backup).read_bytes())
    return aside, checked


# -- a new database key -------------------------------------------------------------------------------------------


def _new_slot(db: Path) -> Path:
    return db.with_name(db.name + ".keyslot.new")


def rekey(db: Path, passphrase: str, make_key: Callable[[], bytes] = new_board_key) -> bytes:
    """Give the database a new key (wrapped with the same passphrase); returns it, for a new recovery key.

    The board is exported under the new key into a side file, checked, and renamed into place; the new key slot
    is written beside the old one first, so a crash at any point leaves a board that opens.
    """
    slot = KeySlot.read(slot_of(db))
    old_key = UnlockAttempts(db, system_clock).unwrap(slot, passphrase)  # counted; the caller logs and clears it
    new_key = make_key()
    with exclusive_access(db, what="`factboard rekey`"):
        staged = db.with_name(db.name + ".rekeying")
        _export(db, old_key, staged, new_key)
        try:
            check_copy(staged, new_key)
            fresh = replace(slot.kdf, salt=secrets.token_bytes(len(slot.kdf.salt)))  # same cost, new salt
            KeySlot.wrap(new_key, passphrase, slot.board_id, fresh).write(_new_slot(db))
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        for suffix in ("-wal", "-shm"):  # nobody has the board open: these are leftovers of the old file
            db.with_name(db.name + suffix).unlink(missing_ok=True)
        os.replace(staged, db)
        os.replace(_new_slot(db), slot_of(db))
    return new_key


def finish_interrupted_rekey(db: Path, passphrase: str) -> bool:
    """If a re-key stopped between its renames, the new slot opens the file: put it in place. True if it did."""
    new_slot = _new_slot(db)
    if not new_slot.is_file():
        return False
    try:
        key = KeySlot.read(new_slot).unwrap(passphrase)
        check_copy(db, key)
    except FactBoardError:
        new_slot.unlink(missing_ok=True)  # the rename of the database never happened: the old slot is right
        return False
    os.replace(new_slot, slot_of(db))
    return True


def finish_interrupted_rekey_safely(db: Path, passphrase: str) -> bool:
    """`finish_interrupted_rekey`, but only while no re-key is running (it holds the board exclusively)."""
    if not _new_slot(db).is_file():
        return False
    hold = BoardLock(db)  # BoardBusy while a re-key is still at work
    try:
        return finish_interrupted_rekey(db, passphrase)
    finally:
        hold.release()
