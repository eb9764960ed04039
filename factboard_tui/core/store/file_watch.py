"""Waking the change poll when the board's files are written, instead of at every tick (issue 15: an idle board).

The TUI shows another process's change within half a second, so its poll looked every 0.4 s: 150 wake-ups a minute
of an idle app, each run cold (about 1 ms of CPU on the machines we measure on, before the poll does anything). On
Linux the kernel can say when a file is written (inotify): a commit writes the board's `-wal` file, and a restore or
re-key asking everyone to close writes `<board>.close-request`. The poll then sleeps until one of them is written, or
until the app's tick wakes it for a look all the same (for what a watch cannot see). Elsewhere, or if the system
refuses a watch (its limit reached), `available` is False and the poll keeps its own tick.

A write to the WAL comes before the commit it belongs to is complete (the WAL index is updated last, in shared
memory, which the kernel does not report), so the poll follows a write with a few quick looks (`BoardFeed`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import select
import struct
import sys
from collections.abc import Iterable
from enum import Enum
from pathlib import Path

_IN_MODIFY = 0x00000002
_IN_CLOSE_WRITE = 0x00000008
_IN_MOVED_TO = 0x00000080
_IN_CREATE = 0x00000100
_IN_NONBLOCK = 0o4000
_IN_CLOEXEC = 0o2000000
_EVENT = struct.Struct("iIII")
"""`struct inotify_event` before its name: watch, mask, cookie, length of the name (padded with NULs)."""


class Woke(Enum):
    """Why `FolderWatch.wait` returned."""

    TIMED_OUT = "timed out"
    ASKED = "asked"
    """`wake` was called (and no watched file was written)."""
    WRITTEN = "written"
    """A watched file was written, made or moved in."""


class FolderWatch:
    """`wait` returns when one of `names` in `folder` is written, made or moved in, or when `wake` is called."""

    def __init__(self, folder: Path, names: Iterable[str]) -> None:
        self._names = {os.fsencode(name) for name in names}
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._watch = -1
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                libc = ctypes.CDLL(None, use_errno=True)
                handle = int(libc.inotify_init1(_IN_NONBLOCK | _IN_CLOEXEC))
                if handle >= 0:
                    mask = _IN_MODIFY | _IN_CLOSE_WRITE | _IN_MOVED_TO | _IN_CREATE
                    if int(libc.inotify_add_watch(handle, os.fsencode(folder), mask)) >= 0:
                        self._watch = handle
                    else:
                        os.close(handle)

    @property
    def available(self) -> bool:
        """Whether the system tells this watch about writes (else `wait` only wakes or times out)."""
        return self._watch >= 0

    def wait(self, timeout: float) -> Woke:
        """Sleep until a watched file is written or `wake` is called, or for `timeout` seconds; says which."""
        handles = [self._wake_read, *([self._watch] if self._watch >= 0 else [])]
        ready, _writable, _failed = select.select(handles, [], [], timeout)
        woke = Woke.TIMED_OUT
        if self._wake_read in ready:
            with contextlib.suppress(BlockingIOError):
                while os.read(self._wake_read, 512):
                    woke = Woke.ASKED
        if self._watch >= 0 and self._watch in ready and self._written():
            woke = Woke.WRITTEN
        return woke

    def wake(self) -> None:
        """Make a `wait` (now or the next one) return at once (from any thread)."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_write, b"!")

    def close(self) -> None:
        """Give the watch and the wake pipe back to the system."""
        for handle in (self._watch, self._wake_read, self._wake_write):
            if handle >= 0:
                with contextlib.suppress(OSError):
                    os.close(handle)
        self._watch = self._wake_read = self._wake_write = -1

    def _written(self) -> bool:
        """Read every waiting event; whether one names a watched file."""
        found = False
        with contextlib.suppress(BlockingIOError):
            while data := os.read(self._watch, 64 * 1024):
                offset = 0
                while offset + _EVENT.size <= len(data):
                    _watch, _mask, _cookie, length = _EVENT.unpack_from(data, offset)
                    name = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                    found = found or name in self._names
                    offset += _EVENT.size + length
        return found
