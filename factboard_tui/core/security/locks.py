"""Who holds the board: a shared hold while it is open, exclusive access for a restore or re-key, and the close
request that asks open FactBoards to let go.

Every open board holds a shared lock on `<db>.lock`; a restore or re-key asks for an exclusive one. Before it
waits it leaves `<db>.close-request`, which running FactBoards notice within a second and answer by closing the
board. The request names its maker (process id and host) and when it was made, so a request left behind by a
maker that was killed does not close every board opened after it: a request whose maker is gone, or that is older
than `CLOSE_REQUEST_MAX_AGE`, is ignored, and the next start removes it (`remove_stale_close_request`).

The locks are advisory locks the operating system drops when their holder dies, so a killed process never leaves
the board locked. Which kind is found when the first lock is taken, never at import (the CLI imports this module on
every platform): POSIX `flock` where `fcntl` exists (Linux, macOS); on Windows, byte-range locks through
`portalocker` (`LockFileEx`, shared and exclusive, so a `sync watch` and the TUI hold one board together as they do
elsewhere); on a system with neither, `os.lockf`, exclusive for every holder (two FactBoards then cannot open one
board at the same time, but nothing breaks). CI runs the CLI with `fcntl` and `termios` hidden to keep it that way.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from factboard_tui.core.errors import BoardBusy
from factboard_tui.core.i18n import _, ngettext

CLOSE_WAIT_SECONDS = 5.0
"""How long a restore or re-key waits for open FactBoards to close the board after asking them to."""

CLOSE_REQUEST_MAX_AGE = 60.0
"""Seconds after which a close request is ignored even if its maker still runs (it should have been answered)."""


def lock_path(db: Path) -> Path:
    return db.with_name(db.name + ".lock")


def close_request_path(db: Path) -> Path:
    """Present while a restore or re-key waits for the board: open FactBoards close it when they see this."""
    return db.with_name(db.name + ".close-request")


def _try_lock(handle: IO[bytes], shared: bool) -> bool:
    """Take a lock on an open lock file without waiting; False if another process holds a conflicting one."""
    return _LOCKERS[_locker_kind()](handle, shared)


@functools.cache
def _locker_kind() -> str:
    """The kind of lock this system offers (see the module docstring), found once, when it is first needed."""
    try:
        import fcntl  # noqa: F401 - a probe: absent on Windows
    except ImportError:
        return "windows" if sys.platform == "win32" else "lockf"
    return "flock"


def _flock(handle: IO[bytes], shared: bool) -> bool:
    import fcntl

    try:
        fcntl.flock(handle.fileno(), (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _windows_lock(handle: IO[bytes], shared: bool) -> bool:  # pragma: no cover - runs on Windows only
    import portalocker

    flags = (portalocker.LOCK_SH if shared else portalocker.LOCK_EX) | portalocker.LOCK_NB
    try:
        portalocker.lock(handle, flags)
    except portalocker.exceptions.AlreadyLocked:
        return False
    return True


def _lockf(handle: IO[bytes], shared: bool) -> bool:
    """Exclusive for shared holders too: `lockf` has no shared mode."""
    try:
        os.lockf(handle.fileno(), os.F_TLOCK, 0)
    except (BlockingIOError, PermissionError):
        return False
    return True


_LOCKERS: dict[str, Callable[[IO[bytes], bool], bool]] = {"flock": _flock, "windows": _windows_lock, "lockf": _lockf}


def process_alive(pid: int, host: str) -> bool | None:
    """Whether process `pid` on `host` still runs; None when this machine cannot tell (another host, Windows)."""
    if host != socket.gethostname() or os.name == "nt":  # os.kill on Windows would end the process, not probe it
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    except OSError:
        return None
    return True


@dataclass(frozen=True, slots=True)
class CloseRequest:
    """A request to close the board: who made it and when (seconds since the epoch)."""

    pid: int | None
    host: str
    made: float
    by: str

    def stale_because(self, now: float) -> str | None:
        """Why this request no longer counts (its maker is gone, it is too old), or None while it does."""
        age = now - self.made
        if age < -CLOSE_REQUEST_MAX_AGE:
            return _("it is dated in the future")
        if age > CLOSE_REQUEST_MAX_AGE:
            minutes = int(age // 60)
            if minutes < 120:
                return ngettext("it is {count} min old", "it is {count} min old", minutes).format(count=minutes)
            hours = minutes // 60
            return ngettext("it is {count} hour old", "it is {count} hours old", hours).format(count=hours)
        if self.pid is None:
            return None  # an old request without a maker: only its age can retire it
        if process_alive(self.pid, self.host) is False:
            return _("its maker (process {pid}) is gone").format(pid=self.pid)
        return None


def read_close_request(db: Path) -> CloseRequest | None:
    """The close request beside the board, if there is one (one `stat` when there is none: cheap to poll)."""
    path = close_request_path(db)
    try:
        made = path.stat().st_mtime
        body = json.loads(path.read_text(encoding="utf-8"))
        return CloseRequest(int(body["pid"]), str(body["host"]), float(body["made"]), str(body.get("by", "")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return CloseRequest(None, "", made, "")  # written by an older FactBoard, or damaged: judged by its age


def close_requested(db: Path) -> bool:
    """Whether a live request asks everyone to close this board (a stale one is ignored)."""
    request = read_close_request(db)
    return request is not None and request.stale_because(time.time()) is None


def remove_stale_close_request(db: Path) -> str | None:
    """Remove a close request whose maker is gone or that is too old; says what was removed, in words."""
    request = read_close_request(db)
    why = request.stale_because(time.time()) if request is not None else None
    if why is None:
        return None
    close_request_path(db).unlink(missing_ok=True)
    return _(
        "Removed a leftover request to close {name} ({reason}): open FactBoards no longer close because of it."
    ).format(name=db.name, reason=why)


class BoardLock:
    """A shared hold on the board for as long as it is open; restore and re-key wait for every hold to go."""

    def __init__(self, db: Path) -> None:
        self._file: IO[bytes] | None = open(lock_path(db), "a+b")  # noqa: SIM115 - held until release()
        if not _try_lock(self._file, shared=True):
            self._file.close()
            self._file = None
            raise BoardBusy(
                _(
                    "The board {name} is being restored or given a new key right now: open it again in a "
                    "minute; nothing was changed."
                ).format(name=db.name)
            )

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the lock
            self._file = None


@contextlib.contextmanager
def exclusive_access(
    db: Path, wait: float = CLOSE_WAIT_SECONDS, what: str = "this", by: str = "restore"
) -> Iterator[None]:
    """Have the board to ourselves: ask open FactBoards to close it, wait for them, refuse if one will not."""
    request = close_request_path(db)
    with open(lock_path(db), "a+b") as handle:
        body = {"pid": os.getpid(), "host": socket.gethostname(), "made": time.time(), "by": by}
        request.write_text(json.dumps(body), encoding="utf-8")  # a reader that catches it half written waits too
        try:
            deadline = time.monotonic() + wait
            while not _try_lock(handle, shared=False):
                if time.monotonic() > deadline:
                    raise BoardBusy(
                        _(
                            "The board {name} is still open in another FactBoard that did not close it: close that "
                            "window, then run {what} again; nothing was changed."
                        ).format(name=db.name, what=what)
                    )
                time.sleep(0.1)
            yield
        finally:
            request.unlink(missing_ok=True)


@contextlib.contextmanager
def held(path: Path, wait: float = 0.0) -> Iterator[bool]:
    """Hold the lock file `path` alone, waiting up to `wait` seconds for others to let go; yields whether it is held.

    Not held when the folder cannot take the file (it is gone, or read-only): then there is nothing to protect.
    """
    try:
        handle = open(path, "a+b")  # noqa: SIM115 - closed below
    except OSError:
        yield False
        return
    with handle:
        deadline = time.monotonic() + wait
        while not (ours := _try_lock(handle, shared=False)) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield ours


def exclusive_hold(db: Path) -> contextlib.AbstractContextManager[bool]:
    """Try once, without asking anyone to close, to hold the board alone; yields whether it is held.

    The next start uses it to finish an interrupted operation: while the board is open elsewhere, or a restore or
    re-key is running, it is not held, and nothing must be touched.
    """
    return held(lock_path(db))
