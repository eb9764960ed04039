"""What really went wrong: SQLite's and the operating system's errors told as what a person can act on.

A full disk, a read-only mount, a failing USB stick and a damaged file all reach the code as "a database error",
and the advice differs completely: free some space and try again, or restore yesterday's backup (and lose today's
work). Telling a full disk "restore from a backup" is the worst answer, so this module sorts errors by what they
are, from SQLite's result code (`sqlite_errorcode` on every sqlcipher3 error) and the OS's `errno`:

- disk full: `SQLITE_FULL`, `ENOSPC`, `EDQUOT`, and an I/O error while the disk has (almost) no space left
  (SQLite reports a failed growth of its shared-memory file as `SQLITE_IOERR`, not as full);
- read-only: `SQLITE_READONLY`, `SQLITE_PERM`, `EROFS`, `EACCES`, `EPERM`;
- busy: `SQLITE_BUSY`, `SQLITE_LOCKED` (another process holds the write lock through every wait);
- I/O error: `SQLITE_IOERR`, `EIO` with space to spare;
- not a database, wrong key and damage: decided by `cipher_integrity_check` itself. When no page verifies the key is
  wrong (or the file is no board); when some pages fail, the file is damaged. "Damaged" is said only after that
  check really failed; an error the check cannot explain is reported with SQLite's own name for it.

Each kind has its own error class and exit code (`core.errors`). The messages end with what to do and whether
anything changed; callers add nothing but the path.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3

from factboard_tui.core.errors import (
    BoardBusy,
    DatabaseDamaged,
    DiskError,
    DiskFull,
    FactBoardError,
    NotADatabase,
    ReadOnly,
    WrongKey,
    os_reason,
)
from factboard_tui.core.i18n import N_, _, current_language

LOW_SPACE_BYTES = 1024 * 1024
"""Below this much free space an I/O error is taken for a full disk (SQLite needs room for its WAL and index)."""

BUSY_MESSAGE = N_("The board is busy with another writer for too long: try again in a moment; nothing was changed.")
"""What a person is told when the write lock stayed taken through every wait and retry (`_(BUSY_MESSAGE)` where
it is told)."""

PLAIN_SQLITE_HEADER = b"SQLite format 3\x00"
"""How an unencrypted SQLite file starts (an SQLCipher file starts with random salt)."""

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_PERM = 5, 6, 8, 3
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 10, 11, 13, 14, 26
SQLITE_NOMEM = 7

PageCheck = Callable[[], list[str]]
"""Runs `cipher_integrity_check` on the database and returns its problems ([] when every page verifies)."""


def free_bytes(path: Path) -> int | None:
    """Free space for an ordinary user on the disk that holds `path` (None when it cannot be told); a disk with no
    free inodes counts as having no space."""
    folder = path if path.is_dir() else path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        stats = os.statvfs(folder)
    except OSError:
        return None
    if stats.f_files and stats.f_favail == 0:
        return 0
    return stats.f_bavail * stats.f_frsize


def size_text(amount: int | None) -> str:
    """A byte count as a person reads it in the language in use ("0 KiB", "48 KiB", "3.2 MiB", "3,2 MiB")."""
    from babel.numbers import format_decimal

    if amount is None:
        return _("unknown")
    if amount < 1024 * 1024:
        return f"{amount // 1024} KiB"
    size, unit = (amount / 1024 / 1024, "MiB") if amount < 1024**3 else (amount / 1024**3, "GiB")
    return f"{format_decimal(size, format='0.0', locale=current_language())} {unit}"


ACTIVITIES = {
    "backup": N_("writing the backup"),
    "export": N_("writing the export"),
    "bundle": N_("writing the sync bundle"),
    "copy": N_("reading the copy"),
    "sync folder": N_("reading the sync folder"),
    "incoming bundle": N_("reading the sync bundle"),
    "sync ledger": N_("writing the sync ledger"),
}
"""What was being done when a disk filled up, for the line that says so (`what` of `os_error` and `told`); the
plain verbs `write`, `read` and `use` name no activity."""

VERBS = {"copy": "read", "sync folder": "read", "incoming bundle": "read"}
"""The verb of an activity, for the line about a file that could not be used (writing, unless named here)."""

READ_ONLY_REASONS = {
    "mounted": N_("its disk is mounted read-only"),
    "permission": N_("permission denied"),
    "read-only": N_("the database is read-only"),
}
"""Why a file cannot be written, as the line about it says (each a phrase of its own for translators)."""


def disk_full(path: Path | None, what: str = "") -> DiskFull:
    """The disk holding `path` is full: free space, then try again (`what`: a key of `ACTIVITIES`, or none)."""
    activity = ACTIVITIES.get(what)
    if path is None:
        if activity is None:
            return DiskFull(_("The disk is full: free some space, then try again; nothing was changed."))
        return DiskFull(
            _("The disk is full while {activity}: free some space, then try again; nothing was changed.").format(
                activity=_(activity)
            )
        )
    folder = path if path.is_dir() else path.parent
    free = size_text(free_bytes(path))
    if activity is None:
        return DiskFull(
            _(
                "The disk holding {folder} is full ({free} free): free some space there, then try again; nothing "
                "was changed."
            ).format(folder=folder, free=free)
        )
    return DiskFull(
        _(
            "The disk holding {folder} is full ({free} free) while {activity}: free some space there, then try "
            "again; nothing was changed."
        ).format(folder=folder, activity=_(activity), free=free)
    )


def read_only(path: Path | None, reason: str) -> ReadOnly:
    """The file at `path` (the board when None) cannot be written; `reason`: a key of `READ_ONLY_REASONS`."""
    said = _(READ_ONLY_REASONS[reason])
    if path is None:
        return ReadOnly(
            _(
                "FactBoard cannot write the board ({reason}): check the file's permissions and that its disk is "
                "not mounted read-only, then try again; nothing was changed."
            ).format(reason=said)
        )
    return ReadOnly(
        _(
            "FactBoard cannot write {path} ({reason}): check the file's permissions and that its disk "
            "is not mounted read-only, then try again; nothing was changed."
        ).format(path=path, reason=said)
    )


def disk_error(path: Path | None) -> DiskError:
    if path is None:
        return DiskError(
            _(
                "The disk reported an input/output error on the board: check the disk, USB stick or network share "
                "and its connection, then try again; if it repeats, copy the board and its key slot to another "
                "disk; nothing was changed."
            )
        )
    return DiskError(
        _(
            "The disk reported an input/output error on {path} ({free} free): check the disk, USB stick or "
            "network share and its connection, then try again; if it repeats, copy the board and its "
            "key slot to another disk; nothing was changed."
        ).format(path=path, free=size_text(free_bytes(path)))
    )


def _is_low_on_space(path: Path | None) -> bool:
    free = free_bytes(path) if path is not None else None
    return free is not None and free < LOW_SPACE_BYTES


# -- the operating system's errors ----------------------------------------------------------------------------------


def os_error(error: OSError, path: Path | None = None, what: str = "write") -> FactBoardError:
    """An `OSError` from reading or writing a file, as the user should hear it (the path from the error if not
    given). `what`: `write`, `read`, `use`, or an activity of `ACTIVITIES` (which writes, unless `VERBS` says)."""
    target = path if path is not None else Path(error.filename) if error.filename else None
    code = error.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return disk_full(target, what)
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return read_only(target, "mounted" if code == errno.EROFS else "permission")
    if code == errno.EIO:
        return disk_error(target)
    return cannot(VERBS.get(what, "write") if what in ACTIVITIES else what, target, os_reason(error))


def cannot(verb: str, target: Path | None, reason: str) -> FactBoardError:
    """A file could not be read, written or used, for a reason the operating system gave."""
    if target is None:
        sentence = {
            "read": _("Cannot read a file ({reason}): check the path and its folder; nothing was changed."),
            "write": _("Cannot write a file ({reason}): check the path and its folder; nothing was changed."),
        }.get(verb) or _("Cannot use a file ({reason}): check the path and its folder; nothing was changed.")
        return FactBoardError(sentence.format(reason=reason))
    sentence = {
        "read": _("Cannot read {path} ({reason}): check the path and its folder; nothing was changed."),
        "write": _("Cannot write {path} ({reason}): check the path and its folder; nothing was changed."),
    }.get(verb) or _("Cannot use {path} ({reason}): check the path and its folder; nothing was changed.")
    return FactBoardError(sentence.format(path=target, reason=reason))


# -- SQLite's errors ----------------------------------------------------------------------------------------------


def sqlite_code(error: BaseException) -> int | None:
    """SQLite's primary result code of an error (SQLAlchemy wraps the driver's error in `.orig`)."""
    found = getattr(error, "orig", None) or error
    code = getattr(found, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def sqlite_name(error: BaseException) -> str:
    found = getattr(error, "orig", None) or error
    return str(getattr(found, "sqlite_errorname", None) or type(found).__name__)


def is_busy(error: BaseException) -> bool:
    """Whether SQLite refused because another connection holds a lock (`SQLITE_BUSY`, `SQLITE_LOCKED`)."""
    code = sqlite_code(error)
    if code is not None:
        return code in (SQLITE_BUSY, SQLITE_LOCKED)
    text = str(error).lower()
    return "database is locked" in text or "busy" in text


def database_error(error: BaseException, path: Path | None, check: PageCheck | None = None) -> FactBoardError:
    """A database error on the board at `path` as the user should hear it.

    `check` runs the page check when the error alone cannot tell damage from other trouble; without it (a copy
    being written, say) such an error is reported with SQLite's own name and no advice to restore.
    """
    code = sqlite_code(error)
    if code in (SQLITE_BUSY, SQLITE_LOCKED) or (code is None and is_busy(error)):
        return BoardBusy(_(BUSY_MESSAGE))
    if code == SQLITE_FULL:
        return disk_full(path)
    if code in (SQLITE_IOERR, SQLITE_CANTOPEN) and _is_low_on_space(path):
        return disk_full(path)
    if code in (SQLITE_READONLY, SQLITE_PERM) or (code == SQLITE_CANTOPEN and path and not _writable(path)):
        return read_only(path, "read-only" if code == SQLITE_READONLY else "permission")
    if code in (SQLITE_IOERR, SQLITE_CANTOPEN):
        return disk_error(path)
    if code == SQLITE_NOMEM:
        return FactBoardError(_("The computer ran out of memory for the board: close other programs, then try again."))
    if check is not None and path is not None:
        return classify_pages(path, check, error)
    if path is None:
        return FactBoardError(
            _(
                "The database reported {sqlite_name} ({error_text}): try again; if it repeats, run `factboard "
                "doctor`; nothing was changed."
            ).format(sqlite_name=sqlite_name(error), error_text=error_text(error))
        )
    return FactBoardError(
        _(
            "The database {name} reported {sqlite_name} ({error_text}): try again; if it repeats, run `factboard "
            "doctor`; nothing was changed."
        ).format(name=path.name, sqlite_name=sqlite_name(error), error_text=error_text(error))
    )


def error_text(error: BaseException) -> str:
    found = getattr(error, "orig", None) or error
    return str(found.args[0]) if getattr(found, "args", None) else str(found)


def _writable(path: Path) -> bool:
    folder = path.parent
    return os.access(folder, os.W_OK) and (not path.exists() or os.access(path, os.W_OK))


def classify_pages(path: Path, check: PageCheck, error: BaseException | None = None) -> FactBoardError:
    """After an error the codes cannot explain (or a first page that does not decrypt): let the page check decide
    between a wrong key, a file that is no board, damage, and "every page verifies" (then SQLite's own word)."""
    if _starts_as_plain_sqlite(path):
        return NotADatabase(
            _(
                "{name} is a plain, unencrypted SQLite file, not a FactBoard board: check --db (if it "
                "holds client data, it is readable by anyone: delete it safely); nothing was changed."
            ).format(name=path.name)
        )
    try:
        problems = check()
    except (sqlcipher3.dbapi2.Error, OSError) as failed:
        if isinstance(failed, OSError):
            return os_error(failed, path, "read")
        if sqlite_code(failed) in (SQLITE_NOTADB, SQLITE_CORRUPT, None):
            return NotADatabase(
                _("{name} cannot be read as a database at all: check --db; nothing was changed.").format(name=path.name)
            )
        return database_error(failed, path)
    if problems:
        return damaged_or_wrong_key(path, problems)
    if error is None:
        return NotADatabase(
            _("{name} opens but holds no FactBoard board: check --db; nothing was changed.").format(name=path.name)
        )
    return FactBoardError(
        _(
            "The database {name} reported {sqlite_name} ({error_text}), though every page verifies: "
            "try again; if it repeats, run `factboard doctor`; nothing was changed."
        ).format(name=path.name, sqlite_name=sqlite_name(error), error_text=error_text(error))
    )


def damaged_or_wrong_key(path: Path, problems: list[str]) -> FactBoardError:
    """What `cipher_integrity_check`'s problems mean: no page verifies (a wrong key) or some fail (damage)."""
    pages = _page_count(path)
    failed = sum(1 for problem in problems if "HMAC verification failed" in problem)
    if pages and failed >= pages:
        return WrongKey(
            _(
                "The key does not open {name}: not one of its {pages} pages verifies with it. The key slot "
                "beside it may belong to another board (put back this board's own slot), a recovery key "
                "may be mistyped, or the file is not a FactBoard board; nothing was changed."
            ).format(name=path.name, pages=pages)
        )
    return damaged(path, problems)


def damaged(path: Path, problems: list[str]) -> DatabaseDamaged:
    """Pages failed SQLCipher's check though the key is right: the file is damaged; restore."""
    first = problems[0] if problems else _("a page does not verify")
    return DatabaseDamaged(
        _(
            "The database {name} is damaged: {count} problems in SQLCipher's page check (first: "
            "{first}), though the key is right: restore it from a backup (`factboard backup --list`); "
            "nothing was changed."
        ).format(name=path.name, count=len(problems), first=first)
    )


def _page_count(path: Path) -> int:
    try:
        size = path.stat().st_size
    except OSError:
        return 0
    return (size + 4095) // 4096


def _starts_as_plain_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(PLAIN_SQLITE_HEADER)) == PLAIN_SQLITE_HEADER
    except OSError:
        return False


def page_problems(path: Path, key: bytes) -> list[str]:
    """SQLCipher's check of every page of the file with `key`, on a connection of its own; [] when all verify."""
    connection: Any = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        connection.execute("PRAGMA cipher_log_level = NONE")
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("PRAGMA query_only = ON")
        return [str(row[0]) for row in connection.execute("PRAGMA cipher_integrity_check").fetchall()]
    finally:
        connection.close()


def told(error: BaseException, path: Path | None, what: str = "write") -> FactBoardError | None:
    """An operating system or SQLite error on a file that is not an open board (a backup, an export, a bundle),
    told as what happened; None when `error` is neither (a bug, not a user error)."""
    if isinstance(error, OSError):
        return os_error(error, path, what)
    if sqlite_code(error) is not None:
        return database_error(error, path)
    return None
