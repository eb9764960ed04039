"""Proof against crashes: a writer killed with SIGKILL never loses an edit it reported committed.

A real process (tests/helpers/edit_writer.py, forked from a zygote that has FactBoard imported) writes a stream
of edits through the one write path on a real SQLCipher board and prints a line the moment each COMMIT returns.
It is killed with SIGKILL 60 times over, at points chosen (seeded, the same in every run) by its progress, never
by the clock, so a loaded machine kills it at the same places as a quiet one: half the runs are killed by the test
once the writer has reported its k-th commit (k = 0: while it opens the board and recovers the WAL the previous
run left), half kill themselves at their j-th write point, just before a commit or the moment it returned (before
the line that reports it). After every kill the board opens, every encrypted page verifies, `doctor`'s checks
pass, every reported edit is there, an edit killed before its commit is not, one killed right after it is, and each
row says what its newest change record says (the row and its change record are written in one transaction or not
at all). Every tenth time the real `factboard doctor` runs on it as a user would.
"""

from __future__ import annotations

import os
import random
import signal

from helpers.cli import Cli
from helpers.edit_writer import POINTS_PER_EDIT, RUN_SPAN, CrashWriter, number_of

from factboard_tui.core.store.board import Board

RUNS = 60
"""Kills in one test (the issue asks for at least 50)."""
SEED = 20261125
"""The kill points are random, but the same in every run."""


def edits_on_the_board(board: Board) -> set[int]:
    """The numbers of every crash-writer edit the board holds, and checks that rows agree with their changes."""
    found: set[int] = set()
    with board.engine.connect() as connection:
        for (new,) in connection.exec_driver_sql("SELECT new FROM change_log WHERE field = 'actions'"):
            found.add(int(new.removeprefix("edit ")))
        for (code,) in connection.exec_driver_sql("SELECT client_code FROM board_row WHERE client_code LIKE 'C%'"):
            found.add(number_of(code))
        rows = connection.exec_driver_sql("SELECT id, actions FROM board_row WHERE id <= 5").all()
        for row_id, actions in rows:
            newest = connection.exec_driver_sql(
                "SELECT new FROM change_log WHERE row_id = ? AND field = 'actions' ORDER BY id DESC LIMIT 1",
                (row_id,),
            ).scalar()
            assert actions == newest, f"row {row_id} says {actions!r}, its newest change record {newest!r}"
    return found


def test_sigkill_at_chosen_points_never_loses_a_committed_edit(created: tuple[Board, bytes], cli: Cli) -> None:
    board, key = created
    for number in range(1, 6):
        board.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new"})
    board.close()
    path = board.path
    rng = random.Random(SEED)
    writer = CrashWriter(path, key)
    reported: set[int] = set()
    try:
        for run in range(RUNS):
            start = run * RUN_SPAN
            if run % 2 == 0:  # killed by the test, after its k-th reported commit (0: while it opens the board)
                commits = rng.randint(0, 25)
                writer.go(start)
                writer.wait_for_commits(commits)
                writer.kill()
                lost_edit: int | None = None
                kept_edit: int | None = None
            else:  # killed at its own j-th write point: before a commit (odd j) or right after it (even j)
                point = rng.randint(1, 40)
                commits = (point - 1) // POINTS_PER_EDIT
                writer.go(start, kill_at=point)
                after_commit = point % POINTS_PER_EDIT == 0
                lost_edit = None if after_commit else start + commits
                kept_edit = start + commits if after_commit else None
            status = writer.reaped()
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, f"run {run}: the writer failed"
            assert len(writer.committed) >= commits, f"run {run}: {len(writer.committed)} commits reported"
            if run % 2:
                assert len(writer.committed) == commits, f"run {run}: killed at its point {point}, yet went on"
            reported |= set(writer.committed)

            with Board.open_with_key(path, key) as reopened:  # verifies every page (cipher_integrity_check)
                reopened.check_structure()  # what `factboard doctor` checks besides the pages
                on_the_board = edits_on_the_board(reopened)
            missing = reported - on_the_board
            assert not missing, f"run {run}: edits reported committed are gone: {sorted(missing)[:10]}"
            assert lost_edit is None or lost_edit not in on_the_board, f"run {run}: edit {lost_edit} never committed"
            assert kept_edit is None or kept_edit in on_the_board, f"run {run}: committed edit {kept_edit} is gone"
            if run % 10 == 9:
                result = cli.ok("doctor")
                assert "references and structure" in result.stdout
    finally:
        writer.close()


def test_the_writer_reports_an_edit_only_after_it_is_stored(created: tuple[Board, bytes]) -> None:
    """The crash writer's own contract, without a kill: each `committed N` line means edit N is on the board."""
    board, key = created
    for number in range(1, 6):
        board.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new"})
    board.close()
    writer = CrashWriter(board.path, key)
    try:
        writer.go(0)
        writer.wait_for_commits(12)  # bounded: a writer that dies or hangs fails here with what it said
        writer.kill()
        writer.reaped()
    finally:
        writer.close()
    assert writer.committed[:12] == list(range(12))
    with Board.open_with_key(board.path, key) as reopened:
        assert set(writer.committed) <= edits_on_the_board(reopened)
        assert reopened.open_row_by_code("CAA-10").id > 5
