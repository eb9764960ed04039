"""Errors a person can act on.

Every failure that can reach a user is a `FactBoardError` whose message is one line saying what happened and
what to do. The CLI prints that line and exits non-zero; the TUI shows it next to the field or as a notification.
Anything else escaping is a bug, not a user error.

Each kind of failure has its own exit code, so scripts can tell "try again" from "restore a backup":

| code | class | what happened |
|---|---|---|
| 1 | `FactBoardError`, `InvalidValue`, `TemplateError`, `ImportRefused` | a value, option or file that does not fit |
| 2 | (Click) | a usage error: an unknown option or command, a missing argument |
| 3 | `WrongPassphrase`, `TooManyAttempts` | the passphrase does not unwrap the key (or must wait) |
| 4 | `KeySlotMissing`, `KeySlotDamaged`, `KeySlotTooWeak` | the key slot is missing, damaged or too weak |
| 5 | `DatabaseDamaged` | pages fail SQLCipher's check (`cipher_integrity_check`) or the structure check: restore |
| 6 | `SchemaTooNew` | written by a newer FactBoard |
| 7 | `EditConflict` | someone else changed the value being edited |
| 8 | `SyncRefused` | a sync bundle was refused |
| 9 | `AuditBroken` (in the CLI) | the audit log or its seal does not verify |
| 10 | `DiskFull` | no space left on the disk (`SQLITE_FULL`, `ENOSPC`, `EDQUOT`) |
| 11 | `ReadOnly` | the file or its disk cannot be written (`SQLITE_READONLY`, `EROFS`, `EACCES`, `EPERM`) |
| 12 | `DiskError` | the disk reported an input/output error (`SQLITE_IOERR`, `EIO`) |
| 13 | `NotADatabase` | the file is not a FactBoard board (empty, plain SQLite, no board in it) |
| 14 | `WrongKey` | the key does not open the database: no page verifies with it |
| 15 | `BoardBusy` | another FactBoard holds the board or its write lock: try again |
| 16 | `BoardNotFound`, `BoardExists`, `NotFound` | no such board, row, client or staff member (or one exists already) |

"""

from __future__ import annotations

import errno

from factboard_tui.core.i18n import N_, _, current_language, pgettext

NOTHING_CHANGED = ("; nothing was changed.", " (nothing was changed).")
"""How a line that changed nothing ends (in English; `unchanged_endings` gives them in the language in use)."""


def unchanged_endings() -> tuple[str, ...]:
    """The endings of a line that changed nothing, in the language in use and in English."""
    # Translators: the exact end of every error line that says nothing was changed ("…: try again; nothing was
    # changed."), as you translated it there: FactBoard cuts it off when it adds what did change.
    said = pgettext("the end of an error line", "; nothing was changed.")
    return (said, *NOTHING_CHANGED)


OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.EISDIR: N_("it is a folder"),
    errno.EEXIST: N_("it exists already"),
    errno.ENAMETOOLONG: N_("the name is too long"),
    errno.EBUSY: N_("it is in use"),
    errno.ELOOP: N_("too many symbolic links"),
    errno.EFBIG: N_("the file would be too large"),
    errno.EMFILE: N_("too many open files"),
    errno.EXDEV: N_("it is on another disk"),
}
"""The operating system's common reasons, in the board's language (its own `strerror` is English only)."""


def os_reason(error: OSError) -> str:
    """Why the operating system refused, in the language in use: a known reason, else the error's symbolic
    name (`EXDEV`), with the system's own English words only in English."""
    code = error.errno
    if code in OS_REASONS:
        return _(OS_REASONS[code])
    name = errno.errorcode.get(code, "") if code is not None else ""
    if current_language() == "en" or not name:
        return str(error.strerror or name or error)
    return name


class FactBoardError(Exception):
    """Base class: `str(error)` is the one-line message shown to the user."""

    exit_code: int = 1

    def with_note(self, note: str) -> FactBoardError:
        """The same error (class, exit code, fields) with `note` after its message: what else happened (a message
        that said "nothing was changed" leaves that to the note)."""
        noted = type(self).__new__(type(self))
        noted.__dict__.update(self.__dict__)
        message = str(self)
        for unchanged in unchanged_endings():
            if message.endswith(unchanged):
                message = message.removesuffix(unchanged) + "."
                break
        noted.args = (f"{message} {note}",)
        return noted


class WrongPassphrase(FactBoardError):
    """The key slot is intact but the passphrase does not unwrap it."""

    exit_code = 3


class KeySlotMissing(FactBoardError):
    """There is no key slot beside the database."""

    exit_code = 4


class KeySlotDamaged(FactBoardError):
    """The key slot file cannot be read or fails its checksum."""

    exit_code = 4


class KeySlotTooWeak(FactBoardError):
    """The key slot's Argon2id parameters are below the floor we accept."""

    exit_code = 4


class DatabaseDamaged(FactBoardError):
    """The key is right but pages fail SQLCipher's check (or the structure check fails): the file is damaged.

    Raised only after a check really failed; a full disk or an I/O error is never called damage."""

    exit_code = 5


class DiskFull(FactBoardError):
    """No space left on the disk that holds the board (or the backup, export or bundle being written)."""

    exit_code = 10


class ReadOnly(FactBoardError):
    """The file or the disk cannot be written: a read-only mount, or no permission."""

    exit_code = 11


class DiskError(FactBoardError):
    """The disk reported an input/output error (a failing disk, a lost network share or USB stick)."""

    exit_code = 12


class NotADatabase(FactBoardError):
    """The file is not a FactBoard board: empty, a plain (unencrypted) SQLite file, or a database with no board."""

    exit_code = 13


class WrongKey(FactBoardError):
    """The key does not open the database: not one page verifies with it (another board's key slot, a mistyped
    recovery key, or a file that is no board)."""

    exit_code = 14


class SchemaTooNew(FactBoardError):
    """The database was written by a newer FactBoard than this one."""

    exit_code = 6


class BoardNotFound(FactBoardError):
    """No database at the path asked for."""

    exit_code = 16


class BoardExists(FactBoardError):
    """`init` would overwrite an existing board."""

    exit_code = 16


class InvalidValue(FactBoardError):
    """A value does not fit its field; `field` names the field so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(FactBoardError):
    """A row, client code or staff member that does not exist."""

    exit_code = 16


class TemplateError(FactBoardError):
    """A board template file is malformed."""


class EditConflict(FactBoardError):
    """Someone else changed the very value being edited since the editor read it.

    Carries what is there now and who put it there, so the person can choose whose value stays.
    """

    exit_code = 7

    def __init__(self, field: str, label: str, theirs: str, by: str, at: str) -> None:
        super().__init__(
            _(
                "{label} was changed to '{value}' by {author} at {time} while you were editing: choose whose value "
                "stays."
            ).format(label=label, value=theirs or "—", author=by, time=at)
        )
        self.field = field
        self.theirs = theirs
        self.by = by
        self.at = at


class BoardBusy(FactBoardError):
    """Another FactBoard holds the board (a restore or re-key waits for it, or is running), or its write lock
    stayed taken through every wait and retry."""

    exit_code = 15


class TooManyAttempts(FactBoardError):
    """Wrong passphrases in a row: the next try must wait."""

    exit_code = 3


class SyncRefused(FactBoardError):
    """A sync bundle was refused (damaged, untrusted, not for us, out of order, newer): nothing was applied.

    `reason` is a short stable word tests and scripts can check (`signature`, `signer`, `revoked`, `recipient`,
    `format`, `schema`, `gap`, `reuse`, `replay`, `invalid`, `identity`, `size`).
    """

    exit_code = 8

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class AuditBroken(FactBoardError):
    """The audit log, its head or the seal over the board's records does not verify: edited, deleted, reordered or
    cut entries, or rows and change records changed outside FactBoard."""

    exit_code = 9


class ImportRefused(FactBoardError):
    """A spreadsheet cannot be imported as it is (no such file, not a board, rows with problems); nothing was
    written."""
