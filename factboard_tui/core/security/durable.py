"""Files that survive a crash: data flushed to the disk, renamed atomically, and the rename itself made durable.

A rename is atomic, but until the directory that holds it is flushed a power cut may forget it, or keep a later
rename and forget an earlier one. The journalled operations (`journal`) depend on their renames reaching the
disk in the order they were made, so every step here flushes the directory after it (POSIX: `fsync` on the
directory). Windows cannot open a directory for flushing and makes its renames durable by itself, so there that
flush is skipped rather than failing.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024
"""Bytes read at a time when a file is hashed or copied."""


UNSUPPORTED = {errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EBADF}
"""What `fsync` on a folder says on file systems that cannot flush one (some network and FUSE file systems)."""


def sync_directory(directory: Path) -> None:
    """Flush a directory's entries (names made, renamed or removed in it) to the disk.

    Where that is not possible (Windows, a file system that cannot flush a folder) it is skipped: the files
    themselves are flushed. A real I/O error is raised.
    """
    if os.name == "nt":  # no directory handles to flush; NTFS journals its metadata itself
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as error:
        if error.errno not in UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def sync_file(path: Path) -> None:
    """Flush a file's contents (written by another library, such as SQLite's export) to the disk."""
    with open(path, "r+b") as handle:
        os.fsync(handle.fileno())


def write_durably(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all: a private temporary sibling, flushed, renamed over it, directory flushed.

    The temporary file is named `.<name>.<random>` and is readable by its owner only.
    """
    _through_temporary(path, lambda handle: handle.write(data))


def copy_durably(source: Path, target: Path) -> None:
    """Copy `source` over `target` whole or not at all, the way `write_durably` writes."""

    def fill(handle: IO[bytes]) -> None:
        with open(source, "rb") as reading:
            shutil.copyfileobj(reading, handle, CHUNK)

    _through_temporary(target, fill)


def _through_temporary(target: Path, fill: Callable[[IO[bytes]], object]) -> None:
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    sync_directory(target.parent)


def rename_durably(source: Path, target: Path) -> None:
    """Rename `source` over `target` and flush the directory, so the rename is on the disk before the next step."""
    os.replace(source, target)
    sync_directory(target.parent)


def remove_durably(path: Path) -> bool:
    """Remove `path` if it is there and flush its directory; True if it was there."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    sync_directory(path.parent)
    return True


def fingerprint(path: Path) -> str:
    """`<size>:<sha256>` of a file: what a journal records to recognise a staged file before it is put in place."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return f"{size}:{digest.hexdigest()}"
