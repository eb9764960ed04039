"""Errors a person can act on.

Every failure that can reach a user is a `FactBoardError` whose message is one line saying what happened and
what to do. The CLI prints that line and exits non-zero; the TUI shows it next to the field or as a notification.
Anything else escaping is a bug, not a user error.
"""

from __future__ import annotations


class FactBoardError(Exception):
    """Base class: `str(error)` is the one-line message shown to the user."""

    exit_code: int = 1


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
    """The key is right (the slot proved it) but SQLCipher's page check fails: the file itself is damaged."""

    exit_code = 5


class SchemaTooNew(FactBoardError):
    """The database was written by a newer FactBoard than this one."""

    exit_code = 6


class BoardNotFound(FactBoardError):
    """No database at the path asked for."""

    exit_code = 2


class BoardExists(FactBoardError):
    """`init` would overwrite an existing board."""

    exit_code = 2


class InvalidValue(FactBoardError):
    """A value does not fit its field; `field` names the field so a form can show the message beside it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NotFound(FactBoardError):
    """A row, client code or staff member that does not exist."""

    exit_code = 2


class TemplateError(FactBoardError):
    """A board template file is malformed."""


class EditConflict(FactBoardError):
    """Someone else changed the very value being edited since the editor read it.

    Carries what is there now and who put it there, so the person can choose whose value stays.
    """

    exit_code = 7

    def __init__(self, field: str, label: str, theirs: str, by: str, at: str) -> None:
        super().__init__(
            f"{label} was changed to '{theirs or '—'}' by {by} at {at} while you were editing: "
            "choose whose value stays."
        )
        self.field = field
        self.theirs = theirs
        self.by = by
        self.at = at


class BoardBusy(FactBoardError):
    """Another FactBoard holds the board (a restore or re-key waits for it, or is running)."""

    exit_code = 8


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
