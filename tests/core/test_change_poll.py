"""The change poll's kept connection (`core/store/watch.py`) reads every commit, whoever made it, and lets the board
close as before.

The TUI's poll asks `rows_changed_since` twice a second; it now asks on a connection kept for it instead of through
SQLAlchemy's pool and compiler (issue 15: that was most of an idle board's CPU). A commit it missed would be a
change that never shows on the wall, so each kind of writer is checked: another process's `Board` on the same file,
this board's own writes (made on its other pooled connections), hostile values, and the board closed and reopened.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from helpers.boards import NOW

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board


def test_the_poll_reads_every_commit_whoever_made_it(created: tuple[Board, bytes], board_path: Path) -> None:
    board, key = created
    start = board.data_version()
    assert board.rows_changed_since(start) == (start, set(), False)

    other = Board.open_with_key(board_path, key, clock=frozen_clock(NOW))  # as another process opens it
    try:
        row_id = other.add_row("CSA", {"client_code": "dd-75", "triage": "obs"})
        newest, rows, staff = board.rows_changed_since(start)
        assert (newest, rows, staff) == (board.data_version(), {row_id}, False) and newest > start

        board.set_field("MJR", row_id, "actions", "CSA ringer på onsdag.")  # this board's own write
        assert board.rows_changed_since(newest)[1] == {row_id}
        seen = board.data_version()

        other.set_field("CSA", row_id, "actions", "<script>'; DROP TABLE board_row; --")
        second = other.add_row("CSA", {"client_code": "ee-1", "triage": "obs"})
        other.write_staff("CSA", "KOO", name="Kim Olsson")
        newest, rows, staff = board.rows_changed_since(seen)
        assert (newest, rows, staff) == (other.data_version(), {row_id, second}, True)
        assert board.rows_changed_since(newest) == (newest, set(), False)
    finally:
        other.close()


def test_a_closed_board_leaves_no_wal_and_its_poll_still_answers(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    board, key = created
    start = board.data_version()
    row_id = board.add_row("CSA", {"client_code": "ee-1", "triage": "obs"})
    assert board.rows_changed_since(start)[1] == {row_id}  # the kept connection is open now
    board.close()
    assert not board_path.with_name(board_path.name + "-wal").exists()  # it was given back before the engine went
    again = Board.open_with_key(board_path, key, clock=frozen_clock(NOW))
    try:
        assert again.rows_changed_since(start)[1] == {row_id}
    finally:
        again.close()


def holds_the_index(board_path: Path) -> bool:
    """Whether some process holds SQLite's "dead man switch" on the board's WAL index: the shared lock on byte 128 of
    the `-shm` file every open connection keeps (SQLite's unix VFS). Asked from a process with no connection."""
    import fcntl  # POSIX only, as the test

    with open(board_path.with_name(board_path.name + "-shm"), "r+b") as index:
        try:
            fcntl.lockf(index, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 128)
        except OSError:
            return True
        fcntl.lockf(index, fcntl.LOCK_UN, 1, 128)
        return False


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX locks")
def test_the_polls_process_keeps_sqlites_locks_while_another_process_writes(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    """SQLite's locks on the WAL index belong to the process, and closing any handle on the index in that process
    drops them all (POSIX): the next process to open the board then thinks nobody has it open, resets the index
    under the first, which may die of SIGBUS (seen in a terminal: the TUI exited with 135 as `rows set` ran). The
    poll must never open the index itself. Two real processes: one polls as the TUI does, the other writes a row as
    `factboard rows set` would; this test looks at the lock between them."""
    board, key = created
    board.close()
    opener = (
        "import sys; from pathlib import Path; from factboard_tui.core.store.board import Board\n"
        "board = Board.open_with_key(Path(sys.argv[1]), bytes.fromhex(sys.argv[2]))\n"
    )
    writer = opener + "print(board.add_row('CSA', {'client_code': 'dd-75', 'triage': 'obs'})); board.close()\n"
    poller = opener + (
        "import subprocess\n"
        "start = board.data_version()\n"
        "for _ in range(25):\n"
        "    board.rows_changed_since(start)\n"
        "print('polled', flush=True)\n"
        "sys.stdin.readline()\n"
        "done = subprocess.run([sys.executable, '-c', sys.argv[3], sys.argv[1], sys.argv[2]], capture_output=True,"
        " text=True, check=True)\n"
        "row_id = int(done.stdout)\n"
        "for _ in range(25):\n"
        "    newest, rows, _staff = board.rows_changed_since(start)\n"
        "assert rows == {row_id}, rows\n"
        "board.add_row('MJR', {'client_code': 'ee-1', 'triage': 'obs'})\n"
        "board.close()\n"
        "print('ok', flush=True)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", poller, str(board_path), key.hex(), writer],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None and process.stdin is not None
        assert process.stdout.readline().strip() == "polled"
        held = holds_the_index(board_path)
        process.stdin.write("go\n")
        process.stdin.flush()
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert held, "the polling process lost SQLite's lock on the WAL index"
    assert process.returncode == 0 and out.strip() == "ok", (process.returncode, err[-2000:])
    again = Board.open_with_key(board_path, key)
    try:
        again.check_structure()  # raises if a reference or the structure broke
        assert {row.client_code for row in again.rows()} == {"DD-75", "EE-1"}
    finally:
        again.close()
