"""Writing an export to disk: the only plaintext FactBoard makes, so it is written with care.

Every export is plaintext by nature (a coordinator takes the week outside FactBoard). `write_export` writes the
bytes readable only by their owner (mode 600), whole or not at all, never through a symbolic link nor over the
board's own files; a failure says its true cause (a full disk is not "damaged"). `write_recorded_export` also
enters the export in the audit log, or takes the file back. The faces say `NOT_ENCRYPTED` after writing one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from factboard_tui.core.diagnosis import os_error
from factboard_tui.core.errors import DiskFull, FactBoardError, os_reason
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security.durable import sync_directory
from factboard_tui.core.store.board import Board

NOT_ENCRYPTED = N_(
    "The file is NOT encrypted (it is readable only by you): keep it where only the people who need it can read it, "
    "and delete it after."
)
"""What every face says after writing an export (`_(NOT_ENCRYPTED)` where it is said)."""

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)


def write_export(path: Path, data: bytes, board_path: Path | None = None) -> Path:
    """Write an export readable only by its owner (mode 600), whole or not at all.

    The bytes go to a new file beside the target (created exclusively, mode 600, synced), which is then renamed
    over it: a file already there is replaced, never written through (so it ends up mode 600 too, whatever it was),
    and a failure (a full disk) removes the new file and leaves the old one as it was. Refused: a target that is a
    symbolic link (it would send plaintext wherever the link points), a folder, and the board's own files. Nothing
    goes through the temp folder.
    """
    target = path.expanduser()
    if board_path is not None:
        protected = {board_path, key_slot_path(board_path)}
        protected |= {board_path.with_name(board_path.name + suffix) for suffix in ("-wal", "-shm")}
        if target.resolve() in {item.resolve() for item in protected}:
            raise FactBoardError(
                _("{target} is the board's own file: choose another file name for the export.").format(target=target)
            )
    if target.is_symlink():
        raise FactBoardError(
            _(
                "{target} is a symbolic link: an export is never written through a link; give the file's "
                "own name or a new one (nothing was written)."
            ).format(target=target)
        )
    if target.is_dir():
        raise FactBoardError(
            _("{target} is a folder: give a file name for the export, like {value}.").format(
                target=target, value=target / "week.html"
            )
        )
    if not target.parent.is_dir():
        raise FactBoardError(
            _("The folder {parent} does not exist: create it or choose another path.").format(parent=target.parent)
        )
    try:
        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    except OSError as error:
        raise _write_error(target, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except OSError as error:
        Path(partial).unlink(missing_ok=True)
        raise _write_error(target, error) from None
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)
    return target.resolve()


def _write_error(target: Path, error: OSError) -> FactBoardError:
    """The one line for a write that failed, with its true cause."""
    if error.errno in _NO_SPACE:
        return DiskFull(
            _(
                "The disk is full: {name} was not written (no part of it is left in {parent}); free some "
                "space, or export to another disk."
            ).format(name=target.name, parent=target.parent)
        )
    if error.errno == errno.EFBIG:
        return FactBoardError(
            _(
                "{name} would be larger than this system lets a file grow: it was not written; export a "
                "shorter week or to another disk."
            ).format(name=target.name)
        )
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO):  # read-only, no permission, a failing disk
        return os_error(error, target, "export")
    return FactBoardError(
        _("Cannot write {target} ({reason}): choose a folder you can write to.").format(
            target=target, reason=os_reason(error)
        )
    )


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a crash after the command said "Wrote" keeps the file)."""
    with contextlib.suppress(OSError):  # the file itself is synced; this only adds the folder's entry
        sync_directory(folder)


def write_recorded_export(board: Board, path: Path, data: bytes, detail: str) -> Path:
    """Write an export and enter it in the audit log (with a SHA-256 of its bytes); returns where it went.

    An export the log cannot account for must not stay: if the entry cannot be written (a full disk, say), the file
    is removed again and the error says so.
    """
    target = write_export(path, data, board.path)
    try:
        board.audit_event("export", subject=target.name, detail=detail, content=data)
    except FactBoardError as error:
        target.unlink(missing_ok=True)
        note = _(
            "The export {name} was removed again (the audit log could not record it); nothing else changed."
        ).format(name=target.name)
        raise error.with_note(note) from None
    return target
