"""Operations on several files, written down before they start, so that whatever stops them can be finished or
undone by the next start without asking anyone anything.

A re-key, a restore and a backup each write new files beside the old ones and then swap them in with renames. A
process killed between two of those renames would leave a board that opens with no key, or no board at all. So
each of them keeps a journal (`<file>.journal`, JSON with a checksum, written and flushed before anything else):

1. `Journal.begin` records the operation and the files it is about to write ("staged"). Until it commits, the next
   start undoes it: it removes the staged files, and the old files were never touched. Used as a context manager,
   the journal also undoes it at once when the staging raises.
2. `Journal.commit`, once every staged file is written, flushed and checked, records the steps that put them in
   place (renames and removals, in order) and a fingerprint (size and SHA-256) of each staged file. From then on
   the next start finishes it.
3. `Journal.finish` takes the steps one by one, flushing the directory after each, and then removes the journal.

Every step can be taken again: a rename whose source is gone was done (unless a later step, already done, has put
a file of that name back), a removal of a missing file was done. Nothing in this needs the passphrase or the key,
so the next start finishes or undoes the operation before it asks for either, and a wrong passphrase can never make
it delete or rename anything. If a staged file no longer matches its fingerprint when the next start finds it (a
damaged disk, or someone editing it), the operation is undone when its steps so far can be reversed, and otherwise
it is left exactly as found with one line saying so.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from factboard_tui.core.errors import DatabaseDamaged
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.security.durable import fingerprint, remove_durably, rename_durably, write_durably

OPERATIONS = {
    "backup": N_("The backup"),
    "restore": N_("The restore"),
    "re-key": N_("The re-key"),
    "rekey": N_("The re-key"),
}
"""What a journal's operation (its stored code) is called at the start of a line about it."""

JOURNAL_FORMAT = "factboard-journal"
JOURNAL_VERSION = 1

PREPARED = "prepare"
"""The phase of a journal whose operation has not committed: the next start undoes it."""
COMMITTED = "commit"
"""The phase of a journal whose operation has committed: the next start finishes it."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a committed operation: rename `source` over `target`, or remove `source` (no target).

    `replaces` says the target existed when the operation committed: such a rename cannot be undone.
    """

    source: str
    target: str | None = None
    replaces: bool = False


@dataclass(slots=True)
class Journal:
    """The record of one operation on files in one folder (all names are relative to the journal's folder)."""

    path: Path
    operation: str
    staged: tuple[str, ...]
    finished: str
    """What the operation did, in words, for when the next start finishes it."""
    undone: str
    """What undoing it means for the person, for when the next start undoes it."""
    phase: str = PREPARED
    steps: tuple[Step, ...] = ()
    checks: dict[str, str] = field(default_factory=dict)
    pid: int = field(default_factory=os.getpid)
    made: float = field(default_factory=time.time)

    @property
    def folder(self) -> Path:
        return self.path.parent

    # -- the operation's side --------------------------------------------------------------------------------

    @classmethod
    def begin(cls, path: Path, operation: str, staged: list[Path], finished: str, undone: str) -> Journal:
        """Record the intent (and the files about to be written) before writing any of them."""
        journal = cls(path, operation, tuple(item.name for item in staged), finished, undone)
        journal._write()
        return journal

    def commit(self, steps: list[Step], checked: list[Path]) -> None:
        """Every staged file is written and flushed: record how they go in place. From here on it gets finished."""
        self.steps = tuple(
            replace(step, replaces=step.target is not None and (self.folder / step.target).exists()) for step in steps
        )
        self.checks = {item.name: fingerprint(item) for item in checked}
        self.phase = COMMITTED
        try:
            self._write()
        except BaseException:
            self.phase = PREPARED  # not known to be on the disk: undone like any failure before the commit
            raise

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        """Leaving the staging with an error before the commit undoes the operation (then the error goes on)."""
        if kind is not None and self.phase != COMMITTED:
            self.roll_back()

    def finish(self) -> None:
        """Take every step not yet taken, in order, then forget the operation."""
        done = self._done()
        for step, taken in zip(self.steps, done, strict=True):
            if taken:
                continue
            if step.target is None:
                remove_durably(self.folder / step.source)
            elif (self.folder / step.source).exists():
                rename_durably(self.folder / step.source, self.folder / step.target)
        remove_durably(self.path)

    def roll_back(self) -> None:
        """Undo an operation that has not committed: remove its staged files (newest first), then the journal."""
        for name in reversed(self.staged):
            remove_durably(self.folder / name)
        remove_durably(self.path)

    # -- the next start's side --------------------------------------------------------------------------------

    def recover(self) -> str:
        """Finish a committed operation, undo one that had not committed; returns what happened, in words."""
        when = datetime.fromtimestamp(self.made).astimezone().strftime("%Y-%m-%d %H:%M")
        operation = _(OPERATIONS[self.operation]) if self.operation in OPERATIONS else self.operation
        if self.phase != COMMITTED:
            self.roll_back()
            return _("{operation} cut off at {when}, before it took effect, was undone: {what}").format(
                operation=operation, when=when, what=self.undone
            )
        changed = self._changed_staged_file()
        if changed is None:
            self.finish()
            return _("{operation} cut off at {when} was finished: {what}").format(
                operation=operation, when=when, what=self.finished
            )
        done = self._done()
        reversible = all(
            step.target is not None and not step.replaces for step, taken in zip(self.steps, done, strict=True) if taken
        )
        if not reversible:
            raise DatabaseDamaged(
                _(
                    "{operation} cut off at {when} cannot be finished: its file {changed} was changed or damaged "
                    "since, and the old files are already replaced. Restore a backup (`factboard restore`); nothing "
                    "was changed."
                ).format(operation=operation, when=when, changed=changed)
            )
        for step, taken in reversed(list(zip(self.steps, done, strict=True))):
            if taken and step.target is not None:
                rename_durably(self.folder / step.target, self.folder / step.source)
        self.roll_back()
        return _(
            "{operation} cut off at {when} was undone, because its file {changed} was changed or damaged since: {what}"
        ).format(operation=operation, when=when, changed=changed, what=self.undone)

    def _done(self) -> list[bool]:
        """Which steps were taken: one whose source is gone, or whose source a later step (taken) put back."""
        done = [False] * len(self.steps)
        for index in reversed(range(len(self.steps))):
            step = self.steps[index]
            put_back = any(
                done[later] and self.steps[later].target == step.source for later in range(index + 1, len(self.steps))
            )
            done[index] = put_back or not (self.folder / step.source).exists()
        return done

    def _changed_staged_file(self) -> str | None:
        """The first staged file that no longer matches its fingerprint (wherever the steps have moved it)."""
        done = self._done()
        for name, expected in self.checks.items():
            place = name
            for step, taken in zip(self.steps, done, strict=True):
                if taken and step.source == place and step.target is not None:
                    place = step.target
            try:
                if fingerprint(self.folder / place) != expected:
                    return name
            except FileNotFoundError:
                return name
        return None

    # -- the file ---------------------------------------------------------------------------------------------

    def _body(self) -> dict[str, Any]:
        return {
            "format": JOURNAL_FORMAT,
            "version": JOURNAL_VERSION,
            "operation": self.operation,
            "phase": self.phase,
            "staged": list(self.staged),
            "steps": [[step.source, step.target, step.replaces] for step in self.steps],
            "checks": self.checks,
            "finished": self.finished,
            "undone": self.undone,
            "pid": self.pid,
            "made": self.made,
        }

    def _write(self) -> None:
        body = self._body()
        body["checksum"] = _checksum(body)
        write_durably(self.path, (json.dumps(body, indent=2, sort_keys=True) + "\n").encode())

    @classmethod
    def read(cls, path: Path) -> Journal:
        """A journal left by an operation; `DatabaseDamaged` (naming the file, changing nothing) if it is damaged."""
        try:
            body = json.loads(path.read_bytes().decode("utf-8"))
            checksum = body.pop("checksum")
            if checksum != _checksum(body) or body["format"] != JOURNAL_FORMAT:
                raise ValueError("checksum")
            if body["version"] != JOURNAL_VERSION:
                raise ValueError("version")
            journal = cls(
                path,
                str(body["operation"]),
                tuple(_name(item) for item in body["staged"]),
                str(body["finished"]),
                str(body["undone"]),
                str(body["phase"]),
                tuple(
                    Step(_name(source), _name(target) if target else None, bool(replaces))
                    for source, target, replaces in body["steps"]
                ),
                {_name(name): str(value) for name, value in body["checks"].items()},
                int(body["pid"]),
                float(body["made"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            raise DatabaseDamaged(
                _(
                    "{name} records an operation that was cut off, but it is damaged, so FactBoard cannot tell "
                    "whether to finish or undo it: keep every file beside it, restore a backup into a new "
                    "--db, and ask for help; nothing was changed."
                ).format(name=path.name)
            ) from None
        return journal


def _checksum(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _name(value: Any) -> str:
    """A file name from a journal: a plain name in the journal's own folder, never a path leading elsewhere."""
    name = str(value)
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise ValueError("not a plain file name")
    return name
