"""The change poll's kept connection (`core/store/watch.py`) reads every commit, whoever made it, and lets the board
close as before.

The TUI's poll asks `rows_changed_since` twice a second; it now asks on a connection kept for it instead of through
SQLAlchemy's pool and compiler (issue 15: that was most of an idle board's CPU). A commit it missed would be a
change that never shows on the wall, so each kind of writer is checked: another process's `Board` on the same file,
this board's own writes (made on its other pooled connections), hostile values, and the board closed and reopened.
"""

from __future__ import annotations

from pathlib import Path

from helpers.boards import NOW

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.watch import ASK_ANYWAY


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


def test_an_idle_poll_asks_sqlite_only_now_and_then_and_still_sees_every_commit(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    """An idle board's poll looks at the WAL index's header (rewritten by every commit of any process) and asks
    SQLite only when it changed, or every `ASK_ANYWAY`-th poll: the same answers, at a look at memory's cost."""
    board, key = created
    start = board.data_version()
    board.rows_changed_since(start)  # the kept connection is taken, the index mapped from the next poll on
    asked: list[str] = []
    board.change_poll._connection.driver_connection.set_trace_callback(asked.append)
    for _ in range(3 * ASK_ANYWAY):
        assert board.rows_changed_since(start) == (start, set(), False)
    assert 1 <= len(asked) <= 4, asked  # about one question in ten, never thirty

    other = Board.open_with_key(board_path, key, clock=frozen_clock(NOW))  # another process
    try:
        seen = start
        for number in range(6):
            if number % 2:  # the other process checkpoints and starts the WAL again from its beginning
                other.engine.connect().exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").close()
            row_id = other.add_row("CSA", {"client_code": f"dd-{number}", "triage": "obs", "situation": "[/]\x00"[:3]})
            newest, rows, _staff = board.rows_changed_since(seen)  # the very next poll, not a later one
            assert rows == {row_id} and newest == other.data_version()
            seen = newest
        assert board.rows_changed_since(seen) == (seen, set(), False)
    finally:
        other.close()
