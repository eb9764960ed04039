"""Finishing or undoing what an operation cut off left beside a board (or a backup in its folder): the first thing
every start does.

Split from `backups` so the unlock screen can do it before its first frame without loading the database layer
(SQLAlchemy, SQLCipher, the key slot's cryptography): it needs only files, renames and the journal.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from factboard_tui.core.errors import DatabaseDamaged
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.security.durable import remove_durably, rename_durably
from factboard_tui.core.security.journal import Journal
from factboard_tui.core.security.locks import exclusive_hold, held, remove_stale_close_request


def slot_of(db: Path) -> Path:
    return db.with_name(db.name + ".keyslot")


def journal_of(path: Path) -> Path:
    """The journal of an operation that replaces `path` (a board, or a backup being put in place)."""
    return path.with_name(path.name + ".journal")


def _beside(db: Path, suffix: str) -> Path:
    return db.with_name(db.name + suffix)


REKEY_STAGED = (".rekeying", ".rekeying-journal", ".keyslot.new")
"""What a re-key writes beside the board before it commits (the database under its new key, SQLite's rollback
journal of that export, the new key slot), in the order it writes them."""
RESTORE_STAGED = (".restoring", ".keyslot.restoring")
"""What a restore writes beside the board before it commits: copies of the backup and of its key slot."""


def _leftovers(db: Path) -> list[Path]:
    """Files beside the board that only an operation cut off leaves there (its journal, staged files, temporary
    files of its atomic writes)."""
    if not db.parent.is_dir():
        return []
    names = {db.name + suffix for suffix in (".journal", *REKEY_STAGED, *RESTORE_STAGED)}
    temporary = tuple(f".{name}." for name in names)
    with os.scandir(db.parent) as entries:
        return sorted(Path(entry.path) for entry in entries if entry.name in names or entry.name.startswith(temporary))


def recover_board(db: Path) -> list[str]:
    """What the next start does first, before it asks for a passphrase: finish or undo an operation that was cut
    off, clean up what it left, and remove a close request nobody answers any more. Returns what it did, in
    words, for the person. Needs no key; does nothing while the board is open elsewhere or an operation runs.
    """
    notes = [note] if (note := remove_stale_close_request(db)) else []
    if not _leftovers(db):
        return notes
    with exclusive_hold(db) as ours:
        if ours:
            notes += recover_held(db)
    return notes


def recover_held(db: Path) -> list[str]:
    """`recover_board`'s work, for a caller that holds the board exclusively."""
    notes: list[str] = []
    if journal_of(db).exists():
        notes.append(Journal.read(journal_of(db)).recover())
    staged_db, _staged_journal, new_slot = (_beside(db, suffix) for suffix in REKEY_STAGED)
    if new_slot.exists() and not staged_db.exists():
        # Left by a FactBoard before journals: its re-key had renamed the database, not yet the slot.
        rename_durably(new_slot, slot_of(db))
        notes.append(
            _("A re-key of {name} cut off by an older FactBoard was finished: the board has its new key.").format(
                name=db.name
            )
        )
    removed: list[str] = []
    # The new key slot first: a re-key's database removed before its slot would leave what looks like the state
    # above (a re-key that renamed its database), and the next start would put the new slot in place.
    for path in sorted(_leftovers(db), key=lambda path: path != new_slot):
        if path == journal_of(db) or (path == _beside(db, RESTORE_STAGED[0]) and not db.exists()):
            continue  # a restore by a FactBoard before journals, half done: its copy is the only board now
        remove_durably(path)  # each removal on the disk before the next, in this order
        removed.append(path.name)
    if removed:
        notes.append(
            _("Removed what an operation cut off before it took effect left beside {name}: {files}.").format(
                name=db.name, files=", ".join(removed)
            )
        )
    return notes


def _backup_pattern(db: Path) -> re.Pattern[str]:
    """Names of this board's backups and what a backup writes beside them (and nothing of a board named alike)."""
    return re.compile(rf"\.?{re.escape(db.stem)}-\d{{8}}-\d{{6}}\.db(?P<rest>.*)")


def backup_lock_path(db: Path, directory: Path) -> Path:
    """Held while a backup of `db` is written into `directory`: backups of one board into one folder take turns."""
    return directory / f"{db.stem}.backup.lock"


def _backup_leftovers(db: Path, directory: Path) -> tuple[list[Path], list[Path]]:
    """Journals of backups cut off in `directory`, and other files they left (partial copies, temporary files,
    key slots whose backup is gone)."""
    if not directory.is_dir():
        return [], []
    pattern = _backup_pattern(db)
    journals: list[Path] = []
    stale: list[Path] = []
    for path in directory.iterdir():
        match = pattern.fullmatch(path.name)
        if match is None:
            continue
        rest = match["rest"]
        if path.name.startswith("."):
            stale.append(path)  # a temporary file of an atomic write that never got renamed
        elif rest == ".journal":
            journals.append(path)
        elif rest.startswith(".partial") or (rest == ".keyslot" and not path.with_suffix("").exists()):
            stale.append(path)
    return sorted(journals), sorted(stale)


def recover_backups(db: Path, directory: Path) -> list[str]:
    """Finish or undo backups of `db` into `directory` that were cut off, unless one is being written right now."""
    journals, stale = _backup_leftovers(db, directory)
    if not journals and not stale:
        return []
    with held(backup_lock_path(db, directory)) as ours:
        return _recover_backups_held(db, directory) if ours else []


def _recover_backups_held(db: Path, directory: Path) -> list[str]:
    journals, _others = _backup_leftovers(db, directory)
    notes: list[str] = []
    for journal in journals:
        try:
            notes.append(Journal.read(journal).recover())
        except DatabaseDamaged as error:  # a backup's trouble never keeps the board itself from opening
            said = _("{problem} (in {folder}; the board itself is not touched by it)").format(
                problem=error, folder=directory
            )
            return [*notes, said]  # all left as found
    _journals, stale = _backup_leftovers(db, directory)
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        notes.append(
            ngettext(
                "Removed {count} file that backups cut off before they were whole left in {folder}: {files}.",
                "Removed {count} files that backups cut off before they were whole left in {folder}: {files}.",
                len(stale),
            ).format(count=len(stale), folder=directory, files=", ".join(path.name for path in stale))
        )
    return notes
