"""Backups, restore and a new database key: copies as safe as the board, and changes that never corrupt it.

A backup is an encrypted, consistent copy of the database (SQLCipher's `sqlcipher_export` inside one read
transaction, so it can run while people edit) with a copy of the key slot beside it: the passphrase of the day
the backup was taken opens it, and nothing in it is ever plaintext. Backups are checked after they are written
and only then are old ones pruned.

Restoring and re-keying replace the database file, so they need the board to themselves (`core.security.locks`:
`exclusive_access` asks open FactBoards to close it and waits for them).

All three write their new files beside the old ones first, and then put them in place with renames: a journal
(`journal`) records the intent before the first file is written and the renames before the first one is made,
so a process killed at any point leaves files that the next start finishes or undoes, before it asks for a
passphrase (`recover_board`, `recover_backups`). A re-key hands its new recovery key to the person (`deliver`)
before it commits, so a re-key finished by the next start never leaves a key nobody has seen.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import sqlcipher3

from factboard_tui.core.clock import system_clock
from factboard_tui.core.diagnosis import SQLITE_CORRUPT, SQLITE_NOTADB, sqlite_code, told
from factboard_tui.core.errors import BoardBusy, DatabaseDamaged, FactBoardError, NotFound
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.security import seal
from factboard_tui.core.security.durable import copy_durably, sync_file, write_durably
from factboard_tui.core.security.journal import COMMITTED, OPERATIONS, Journal, Step
from factboard_tui.core.security.keys import KeySlot, UnlockAttempts, new_board_key
from factboard_tui.core.security.locks import (
    exclusive_access,
    held,
    read_close_request,
)
from factboard_tui.core.security.recovery import (
    REKEY_STAGED,
    RESTORE_STAGED,
    _backup_leftovers,
    _backup_pattern,
    _beside,
    _recover_backups_held,
    backup_lock_path,
    journal_of,
    recover_held,
    slot_of,
)
from factboard_tui.core.security.recovery import recover_backups as recover_backups  # where the faces found them
from factboard_tui.core.security.recovery import recover_board as recover_board
from factboard_tui.core.store.migrations import LATEST_VERSION

BACKUP_STAMP = "%Y%m%d-%H%M%S"
"""How a backup's file name says when it was taken (sorts in time order)."""

BACKUP_WAIT_SECONDS = 60.0
"""How long a backup waits for another backup of the same board into the same folder to finish."""


# -- raw SQLCipher access (these files are not open as boards) ---------------------------------------------------


def _connect(path: Path, key: bytes) -> sqlcipher3.Connection:
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute("PRAGMA cipher_log_level = NONE")
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    connection.execute("PRAGMA temp_store = MEMORY")
    seal.register(connection)  # the sealed tables' triggers need it, were anything written here
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
    except sqlcipher3.dbapi2.DatabaseError as error:
        if str(error) != "integrity" and sqlite_code(error) not in (SQLITE_NOTADB, SQLITE_CORRUPT):
            raise told(error, path, "copy") or error from None  # a full or failing disk, not damage
        raise DatabaseDamaged(
            _(
                "The copy {name} does not verify with its key: it is damaged or not a FactBoard board; "
                "nothing was changed."
            ).format(name=path.name)
        ) from None
    if "board_id" not in meta or version > LATEST_VERSION:
        raise DatabaseDamaged(
            _("The copy {name} is not a board this FactBoard can open; nothing was changed.").format(name=path.name)
        )
    return CheckedCopy(str(meta["board_id"]), str(meta.get("team", "")), rows, version)


# -- backups -------------------------------------------------------------------------------------------------------


def backup_name(db: Path, taken: datetime) -> str:
    return f"{db.stem}-{taken.strftime(BACKUP_STAMP)}.db"


def list_backups(db: Path, directory: Path) -> list[Path]:
    """This board's backups in `directory` (each with its key slot beside it), oldest first."""
    if not directory.is_dir():
        return []
    pattern = _backup_pattern(db)
    found = [
        path
        for path in directory.iterdir()
        if (match := pattern.fullmatch(path.name)) and not match["rest"] and not path.name.startswith(".")
    ]
    return sorted((path for path in found if slot_of(path).is_file()), key=lambda path: path.name)


Stages = Callable[[str, int, int], None]
"""Told how far a backup or re-key has got (`what, done, total`), for a progress bar: the copy is one SQLCipher
statement, so its steps (copy, check, flush, new key slot, put in place) are what can be counted."""

BACKUP_STEPS = ("copy", "check", "flush", "in_place")
REKEY_STEPS = ("copy", "check", "flush", "new_slot", "in_place")
"""The steps' keys (a progress bar counts them; it shows the operation's name, never these)."""


def _steps(what: str, names: tuple[str, ...], told: Stages | None) -> Callable[[str], None]:
    """A function to call as each step starts (and with "done" at the end); tells `told` in `what`'s name."""

    def start(name: str) -> None:
        if told is not None:
            told(what, len(names) if name == "done" else names.index(name), len(names))

    return start


def take_backup(
    db: Path, key: bytes, directory: Path, taken: datetime, keep: int, progress: Stages | None = None
) -> tuple[Path, CheckedCopy]:
    """Write a verified encrypted copy of the board and its key slot to `directory`; keep the newest `keep`."""
    made = _told_backup(db, key, directory, taken, keep, only_if_due=False, progress=progress)
    assert made is not None  # only a daily backup can be skipped
    return made


def take_daily_backup(
    db: Path, key: bytes, directory: Path, taken: datetime, keep: int
) -> tuple[Path, CheckedCopy] | None:
    """`take_backup`, unless a backup of this board was taken on `taken`'s day already (checked while holding the
    folder, so two FactBoards unlocking at once make one backup between them)."""
    return _told_backup(db, key, directory, taken, keep, only_if_due=True)


def _told_backup(
    db: Path, key: bytes, directory: Path, taken: datetime, keep: int, only_if_due: bool, progress: Stages | None = None
) -> tuple[Path, CheckedCopy] | None:
    """`_take_backup`, with a full or read-only backup disk said as such (the journal has undone the staging; the
    board itself is untouched)."""
    try:
        return _take_backup(db, key, directory, taken, keep, only_if_due, progress)
    except (OSError, sqlcipher3.dbapi2.Error) as error:
        raise told(error, directory / backup_name(db, taken), "backup") or error from None


def _take_backup(
    db: Path, key: bytes, directory: Path, taken: datetime, keep: int, only_if_due: bool, progress: Stages | None
) -> tuple[Path, CheckedCopy] | None:
    """The copy and its slot are staged as `.partial` files, flushed and checked, and then put in place together
    with the pruning of old backups, under a journal."""
    directory.mkdir(parents=True, exist_ok=True)
    with held(backup_lock_path(db, directory), wait=BACKUP_WAIT_SECONDS) as ours:
        if not ours:
            raise BoardBusy(
                _(
                    "Another backup of {name} is being written to {directory} right now: try again in a "
                    "minute; nothing was changed."
                ).format(name=db.name, directory=directory)
            )
        _recover_backups_held(db, directory)
        if only_if_due and not backup_due(db, directory, taken):
            return None
        target = directory / backup_name(db, taken)
        partial = _beside(target, ".partial")
        staged = [partial, _beside(partial, "-journal"), slot_of(partial)]
        with Journal.begin(
            journal_of(target),
            "backup",
            staged,
            finished=_("the backup {name} is in place.").format(name=target.name),
            undone=_("the half-written backup was removed; the next backup makes a whole one."),
        ) as journal:  # undone if anything below fails before the commit
            stage = _steps(N_("backup"), BACKUP_STEPS, progress)
            stage("copy")
            _export(db, key, partial, key)
            stage("check")
            checked = check_copy(partial, key)
            stage("flush")
            sync_file(partial)
            write_durably(slot_of(partial), slot_of(db).read_bytes())
            stage("in_place")
            older = [path for path in list_backups(db, directory) if path.name != target.name]
            pruned = older[: max(0, len(older) + 1 - max(1, keep))]
            steps = [Step(slot_of(partial).name, slot_of(target).name), Step(partial.name, target.name)]
            steps += [Step(name) for old in pruned for name in (old.name, slot_of(old).name)]
            journal.commit(steps, checked=[partial, slot_of(partial)])
        journal.finish()
        stage("done")
    return target, checked


def backup_due(db: Path, directory: Path, today: datetime) -> bool:
    """No backup of this board was taken today (the first unlock of a day makes one)."""
    prefix = f"{db.stem}-{today.strftime('%Y%m%d')}-"
    return not any(path.name.startswith(prefix) for path in list_backups(db, directory))


def restore_backup(db: Path, backup: Path, passphrase: str, now: datetime) -> tuple[Path, CheckedCopy]:
    """Put `backup` in the board's place after checking it; the current board is kept aside. Returns where."""
    if not backup.is_file() or not slot_of(backup).is_file():
        raise NotFound(
            _("There is no backup with its key slot at {backup}: list them with `factboard backup --list`.").format(
                backup=backup
            )
        )
    slot = KeySlot.read(slot_of(backup))
    key = UnlockAttempts(db, lambda: now).unwrap(slot, passphrase)  # the backup's passphrase, counted for this board
    checked = check_copy(backup, key)
    if slot_of(db).is_file():
        current = KeySlot.read(slot_of(db))
        if current.board_id != checked.board_id:
            raise FactBoardError(
                _(
                    "{backup} is a backup of another board, not of {board}: restore it to its own --db; nothing "
                    "was changed."
                ).format(backup=backup.name, board=db.name)
            )
    aside = _beside(db, f".before-restore-{now.strftime(BACKUP_STAMP)}")
    with exclusive_access(db, what="`factboard restore`", by="restore"):
        recover_held(db)  # an operation cut off earlier is finished (or undone) first
        staged, staged_slot = (_beside(db, suffix) for suffix in RESTORE_STAGED)
        with Journal.begin(
            journal_of(db),
            "restore",
            [staged, staged_slot],
            finished=_("the board is the backup {name}; the board before it is kept as {aside}.").format(
                name=backup.name, aside=aside.name
            ),
            undone=_("{board} is the board it was before; run the restore again to put {name} back.").format(
                board=db.name, name=backup.name
            ),
        ) as journal:  # undone if anything below fails before the commit
            copy_durably(backup, staged)
            copy_durably(slot_of(backup), staged_slot)
            steps = [
                Step(_beside(db, suffix).name, _beside(aside, suffix).name)
                for suffix in ("", "-wal", "-shm", ".keyslot")
                if _beside(db, suffix).exists()
            ]
            steps += [Step(staged.name, db.name), Step(staged_slot.name, slot_of(db).name)]
            journal.commit(steps, checked=[staged, staged_slot])
        journal.finish()
    return aside, checked


# -- a new database key -------------------------------------------------------------------------------------------


def rekey(
    db: Path,
    passphrase: str,
    make_key: Callable[[], bytes] = new_board_key,
    deliver: Callable[[bytes], None] | None = None,
    progress: Stages | None = None,
) -> bytes:
    """Give the database a new key (wrapped with the same passphrase); returns it, for a new recovery key.

    The board is exported under the new key into a side file, checked and flushed, and the new key slot written
    beside the old one; `deliver` then hands the new key to the person (the recovery-key file, the screen) and
    only after that does the journal commit and the renames begin. A failure before the commit changes nothing.
    """
    slot = KeySlot.read(slot_of(db))
    old_key = UnlockAttempts(db, system_clock).unwrap(slot, passphrase)  # counted; the caller logs and clears it
    new_key = make_key()
    with exclusive_access(db, what="`factboard rekey`", by="rekey"):
        recover_held(db)  # an operation cut off earlier is finished (or undone) first
        staged, staged_journal, new_slot = (_beside(db, suffix) for suffix in REKEY_STAGED)
        with Journal.begin(
            journal_of(db),
            "re-key",
            [staged, staged_journal, new_slot],
            finished=_(
                "the board has its new key; the recovery key that re-key showed opens it, the old one no longer."
            ),
            undone=_("the board keeps its key and its old recovery key; a new recovery key shown then does not apply."),
        ) as journal:  # undone if anything below fails before the commit
            stage = _steps(N_("re-key"), REKEY_STEPS, progress)
            stage("copy")
            _export(db, old_key, staged, new_key)
            stage("check")
            check_copy(staged, new_key)
            stage("flush")
            sync_file(staged)
            stage("new_slot")
            fresh = replace(slot.kdf, salt=secrets.token_bytes(len(slot.kdf.salt)))  # same cost, new salt
            KeySlot.wrap(new_key, passphrase, slot.board_id, fresh).write(new_slot)
            if deliver is not None:
                deliver(new_key)  # the new recovery key reaches the person before anything is replaced
            # Nobody has the board open: a -wal or -shm left beside it belongs to the old file, and its export
            # above already read what the WAL held.
            steps = [Step(_beside(db, suffix).name) for suffix in ("-wal", "-shm") if _beside(db, suffix).exists()]
            steps += [Step(staged.name, db.name), Step(new_slot.name, slot_of(db).name)]
            stage("in_place")
            journal.commit(steps, checked=[staged, new_slot])
        journal.finish()
        stage("done")
    return new_key


def committed(db: Path) -> bool:
    """Whether an operation on the board committed and stopped before it finished (the next start finishes it)."""
    return journal_of(db).exists() and Journal.read(journal_of(db)).phase == COMMITTED


# -- the next start: finish or undo what was cut off --------------------------------------------------------------


def unpaired_backups(db: Path, directory: Path) -> list[Path]:
    """Backups in `directory` without their key slot: only the recovery key of their day opens them."""
    if not directory.is_dir():
        return []
    pattern = _backup_pattern(db)
    return sorted(
        path
        for path in directory.iterdir()
        if (match := pattern.fullmatch(path.name))
        and not match["rest"]
        and not path.name.startswith(".")
        and not slot_of(path).exists()
    )


def leftovers(db: Path, directory: Path) -> list[str]:
    """What `doctor` reports after the start has finished what it could: files it must leave alone, in words."""
    found: list[str] = []
    request = read_close_request(db)
    if request is not None:
        operation = _(OPERATIONS[request.by]) if request.by in OPERATIONS else _("A restore or re-key")
        if request.pid is None:
            found.append(
                _("{operation} (an unknown process) is asking open FactBoards to close {name}.").format(
                    operation=operation, name=db.name
                )
            )
        else:
            found.append(
                _("{operation} (process {pid}) is asking open FactBoards to close {name}.").format(
                    operation=operation, pid=request.pid, name=db.name
                )
            )
    for path in [journal_of(db), *_backup_leftovers(db, directory)[0]]:
        if path.exists():
            found.append(
                _("{name}: an operation is running right now, or was left by a FactBoard still open.").format(
                    name=path.name
                )
            )
    if _beside(db, RESTORE_STAGED[0]).exists() and not db.exists():
        found.append(
            _(
                "{staged} is a restore an older FactBoard left half done: rename it to {name} and its backup's key "
                "slot to {slot}, or restore the backup again."
            ).format(staged=f"{db.name}{RESTORE_STAGED[0]}", name=db.name, slot=slot_of(db).name)
        )
    found += [
        _("The backup {name} has no key slot beside it: only the recovery key of its day opens it.").format(
            name=path.name
        )
        for path in unpaired_backups(db, directory)
    ]
    return found
