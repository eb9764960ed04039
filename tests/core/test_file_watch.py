"""The change poll's wake-up (`core/store/file_watch.py`): a commit of another process wakes it, nothing else does.

An idle TUI sleeps on this watch instead of looking every 0.4 s (issue 15). A commit it slept through would be a
change that shows late on the wall, so the watch is tried with a real board written by another `Board` on the file.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest
from helpers.boards import NOW

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.security.locks import close_request_path
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.file_watch import FolderWatch, Woke

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify: elsewhere the poll ticks")


def board_watch(board_path: Path) -> FolderWatch:
    return FolderWatch(board_path.parent, {board_path.name + "-wal", close_request_path(board_path).name})


@linux_only
def test_a_commit_of_another_process_wakes_the_watch_and_an_unrelated_file_does_not(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    board, key = created
    board.data_version()  # this board holds the file open, as the TUI does
    watch = board_watch(board_path)
    try:
        assert watch.available
        (board_path.parent / "notes.txt").write_text("[/] not the board")
        assert watch.wait(0.3) is Woke.TIMED_OUT  # a file beside the board is not the board
        other = Board.open_with_key(board_path, key, clock=frozen_clock(NOW))  # another process
        try:
            watch.wait(0.0)  # opening may write the WAL: start from quiet
            other.add_row("CSA", {"client_code": "dd-75", "triage": "obs"})
        finally:
            other.close()
        assert watch.wait(30.0) is Woke.WRITTEN  # woken by the commit, long before the bound
    finally:
        watch.close()


@linux_only
def test_a_close_request_wakes_the_watch(created: tuple[Board, bytes], board_path: Path) -> None:
    watch = board_watch(board_path)
    try:
        close_request_path(board_path).write_text('{"pid": 1, "host": "h", "made": 0}')
        assert watch.wait(30.0) is Woke.WRITTEN
    finally:
        watch.close()


def test_wake_from_another_thread_ends_a_wait_anywhere(board_path: Path) -> None:
    watch = board_watch(board_path)
    try:
        threading.Timer(0.05, watch.wake).start()
        assert watch.wait(30.0) is Woke.ASKED  # asked, not written: the poll looks once, it does not follow
        assert watch.wait(0.0) is Woke.TIMED_OUT  # the wake is used up
    finally:
        watch.close()
