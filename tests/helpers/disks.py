"""Real disks in trouble, for the diagnosis tests: a small tmpfs to fill up, a mount made read-only, and an ext4
file system on a loop device whose backing store runs out, so writes fail with a real EIO as a dying USB stick's
would. Each needs root (CI runs as root); where mounting is impossible the test is skipped with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

FILLER = "filler"
"""The file that takes the space up (delete it to free the disk)."""


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), capture_output=True, text=True, timeout=60, check=False)


def _mount_or_skip(*command: str) -> None:
    result = _run(*command)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({' '.join(command[:4])}…: {result.stderr.strip() or result.returncode})")


def _unmount(path: Path) -> None:
    for _ in range(3):
        if _run("umount", str(path)).returncode == 0:
            return
    _run("umount", "-l", str(path))


@contextmanager
def small_disk(path: Path, size_kib: int) -> Iterator[Path]:
    """A tmpfs of `size_kib` mounted at `path` for the duration (needs root)."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8)")
    path.mkdir(parents=True, exist_ok=True)
    _mount_or_skip("mount", "-t", "tmpfs", "-o", f"size={size_kib}k,mode=0700", "tmpfs", str(path))
    try:
        yield path
    finally:
        _unmount(path)


def free_kib(path: Path) -> int:
    stats = os.statvfs(path)
    return stats.f_bavail * stats.f_frsize // 1024


def fill(path: Path, leave_kib: int) -> None:
    """Take up the disk holding `path` until only `leave_kib` KiB are free (a filler file; `free` undoes it)."""
    descriptor = os.open(path / FILLER, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    block = bytes(4096)
    try:
        while free_kib(path) - 4 >= leave_kib:
            os.write(descriptor, block)
    except OSError:  # the last block did not fit: the disk is as full as it gets
        pass
    finally:
        os.close(descriptor)


def free(path: Path) -> None:
    (path / FILLER).unlink(missing_ok=True)


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the tmpfs at `path` read-only for the duration (as a write-protected stick or an ro mount)."""
    _mount_or_skip("mount", "-o", "remount,ro", str(path))
    try:
        yield
    finally:
        _run("mount", "-o", "remount,rw", str(path))


@contextmanager
def failing_disk(path: Path, backing: Path) -> Iterator[Path]:
    """An ext4 file system at `path` (32 MiB as it says) on a loop device whose backing file lives on a 3 MiB tmpfs
    at `backing`: once that is used up, every write to the disk fails with EIO, while df still shows it mostly
    empty. Call `break_disk` to use up the backing store."""
    if os.geteuid() != 0 or not shutil.which("losetup") or not shutil.which("mkfs.ext4"):
        pytest.skip("a failing disk needs root, losetup and mkfs.ext4")
    with small_disk(backing, 3 * 1024):
        image = backing / "disk.img"
        with image.open("wb") as handle:
            handle.truncate(32 * 1024 * 1024)
        made = _run("mkfs.ext4", "-q", "-F", "-O", "^has_journal", str(image))
        if made.returncode != 0:
            pytest.skip(f"mkfs.ext4 failed: {made.stderr.strip()}")
        loop = _run("losetup", "-f", "--show", str(image))
        if loop.returncode != 0:
            pytest.skip(f"no loop device here: {loop.stderr.strip()}")
        device = loop.stdout.strip()
        try:
            path.mkdir(parents=True, exist_ok=True)
            _mount_or_skip("mount", "-o", "errors=continue,sync", device, str(path))
            try:
                yield path
            finally:
                _unmount(path)
        finally:
            _run("losetup", "-d", device)


def break_disk(backing: Path) -> None:
    """Use up the store behind a `failing_disk`, so its next writes fail with EIO."""
    fill(backing, 0)
