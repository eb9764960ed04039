"""Proof under concurrency: four processes edit one board at once, and no edit is lost, no one is told "busy".

Four real processes (tests/helpers/edit_writer.py `burst`) open the same SQLCipher board, wait at a common start
line and then each make 250 edits through the one write path as fast as they can: half on a row of their own,
half on one row they all share. Afterwards every writer has exited cleanly (an error reaching a user would make
it exit 1 with the message on stderr), each row holds its writer's last value, and the change log holds exactly
250 records per writer, numbered without a gap.

The write path's retry is proved on its own too: while another connection holds the write lock longer than the
busy timeout, an edit waits, retries and lands; if the lock is never let go, the person gets one clear line.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlcipher3
from helpers.boards import USER
from helpers.edit_writer import SHARED_ROW, start_bursts

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.store import engine, transaction
from factboard_tui.core.store.board import Board

WRITERS = 4
EDITS = 250


def test_four_processes_making_250_edits_each_lose_nothing(created: tuple[Board, bytes], tmp_path: Path) -> None:
    board, key = created
    for number in range(1, 6):
        board.add_row(USER, {"client_code": f"DD-{number}", "triage": "new"})
    board.close()
    start_file = tmp_path / "start"
    processes = start_bursts(board.path, key, start_file, WRITERS, EDITS)
    start_file.touch()
    reports = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, f"a writer was refused: {stderr.strip()}"
        assert "locked" not in stderr and "busy" not in stderr
        reports.append(json.loads(stdout))
    assert sorted(len(report["latencies"]) for report in reports) == [EDITS] * WRITERS

    with Board.open_with_key(board.path, key) as reopened:
        with reopened.engine.connect() as connection:
            per_author = dict(
                connection.exec_driver_sql(
                    "SELECT author, count(*) FROM change_log WHERE author LIKE 'W%' GROUP BY author"
                ).all()
            )
            sequence = [int(seq) for (seq,) in connection.exec_driver_sql("SELECT seq FROM change_log ORDER BY seq")]
        assert per_author == {"WA": EDITS, "WB": EDITS, "WC": EDITS, "WD": EDITS}
        assert sequence == list(range(1, len(sequence) + 1))  # one change, one sequence number: none reused
        last_even = (EDITS - 1) // 2 * 2
        for writer in range(1, WRITERS + 1):
            assert reopened.row(writer).actions == f"W{'ABCD'[writer - 1]} {last_even}"
        shared = reopened.row(SHARED_ROW).situation
        last_odd = {f"W{letter} {EDITS - 1 if EDITS % 2 == 0 else EDITS - 2}" for letter in "ABCD"}
        assert shared in last_odd  # whichever writer committed last, it is someone's last edit of that row
        history = [change.new for change in reopened.history(SHARED_ROW) if change.field == "situation"]
        assert history[-1] == shared and len(history) == WRITERS * (EDITS // 2)
        verdict = reopened.audit_verify()  # four processes' writes chained one after another, the seal kept true
        assert verdict.ok, verdict.problem


@contextmanager
def write_lock_held(path: Path, key: bytes) -> Iterator[None]:
    """Another writer: the board's write lock, taken on entry and let go on exit (when the test says so)."""
    connection = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        connection.execute("BEGIN IMMEDIATE")
        yield
        connection.execute("COMMIT")
    finally:
        connection.close()


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite's own wait cut to 50 ms, so the write path's retries are what carries an edit through."""
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 50)


def test_an_edit_retries_while_another_writer_holds_the_lock_past_the_busy_timeout(
    short_busy_timeout: None, created: tuple[Board, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    board, key = created
    row = board.add_row(USER, {"client_code": "DD-1", "triage": "new"})
    board.close()
    # The lock is let go once the edit has failed to take it and pauses before its next try (by progress, not by
    # the clock: under load a timed hold could end before the edit even began). Eight tries leave it seconds.
    monkeypatch.setattr(transaction, "WRITE_ATTEMPTS", 8)
    pauses: list[float] = []
    moved = threading.Event()  # the edit paused before another try, or ended
    real_sleep = time.sleep

    def pause(seconds: float) -> None:  # the write path's pause between two tries at the lock
        pauses.append(seconds)
        moved.set()
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", pause)
    failures: list[BaseException] = []

    def edit() -> None:
        try:
            reopened.set_field(USER, row, "actions", "Ring mamma")
        except BaseException as error:
            failures.append(error)
        finally:
            moved.set()

    with Board.open_with_key(board.path, key) as reopened:
        editing = threading.Thread(target=edit)
        with write_lock_held(board.path, key):
            editing.start()
            assert moved.wait(60), "the edit neither waited for the lock nor ended"
        editing.join(60)
        assert not editing.is_alive(), "the edit did not finish once the lock was let go"
        assert not failures, failures
        assert pauses, "the edit never found the lock taken"
        assert reopened.row(row).actions == "Ring mamma"


def test_a_lock_that_is_never_let_go_is_one_clear_line_and_changes_nothing(
    short_busy_timeout: None, created: tuple[Board, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    board, key = created
    row = board.add_row(USER, {"client_code": "DD-1", "triage": "new"})
    board.close()
    monkeypatch.setattr(transaction, "WRITE_ATTEMPTS", 3)
    with Board.open_with_key(board.path, key) as reopened:
        with write_lock_held(board.path, key), pytest.raises(FactBoardError) as refused:  # held until refused
            reopened.set_field(USER, row, "actions", "Ring mamma")
        message = str(refused.value)
        assert "busy" in message and "try again" in message and "\n" not in message
        assert "database is locked" not in message
        assert reopened.row(row).actions is None
