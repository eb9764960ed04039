"""Proof against crashes: a writer killed with SIGKILL at random moments never loses an edit it reported committed.

A real process (tests/helpers/edit_writer.py, forked from a zygote that has FactBoard imported) writes a stream
of edits through the one write path on a real SQLCipher board and prints a line the moment each COMMIT returns.
It is killed with SIGKILL at a seeded random moment, 60 times over: while opening the board (recovering the WAL
the previous run left), in the middle of a transaction, between commits. After every kill the board opens, every
encrypted page verifies, `doctor`'s checks pass, every reported edit is there, and each row says what its newest
change record says (the row and its change record are written in one transaction or not at all). Every tenth time
the real `factboard doctor` runs on it as a user would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from helpers.cli import Cli
from helpers.edit_writer import RUN_SPAN, number_of
from helpers.places import HELPERS

from factboard_tui.core.store.board import Board

WRITER = HELPERS / "edit_writer.py"
RUNS = 60
"""Kills in one test (the issue asks for at least 50)."""
SEED = 20261125
"""The kill moments are random, but the same in every CI run."""


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


def read_until(stream: object, prefix: str, committed: list[int]) -> str:
    """Read the zygote's lines up to the one starting with `prefix`, collecting `committed N` lines on the way."""
    while True:
        line = stream.readline().decode()  # type: ignore[attr-defined]
        assert line, "the writer's zygote ended early"
        if line.startswith("committed "):
            committed.append(int(line.split()[1]))
        elif line.startswith(prefix):
            return line.strip()


def test_sigkill_at_random_moments_never_loses_a_committed_edit(created: tuple[Board, bytes], cli: Cli) -> None:
    board, key = created
    for number in range(1, 6):
        board.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new"})
    board.close()
    path = board.path
    rng = random.Random(SEED)
    env = os.environ | {"FACTBOARD_TEST_KEY": key.hex(), "FACTBOARD_KDF_FLOOR": "1"}
    zygote = subprocess.Popen(
        [sys.executable, str(WRITER), "zygote", str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    reported: set[int] = set()
    runs_with_commits = 0
    try:
        for run in range(RUNS):
            committed: list[int] = []
            zygote.stdin.write(f"go {run * RUN_SPAN}\n".encode())
            zygote.stdin.flush()
            pid = int(read_until(zygote.stdout, "pid ", committed).split()[1])
            time.sleep(rng.uniform(0.0, 0.25))
            os.kill(pid, signal.SIGKILL)
            status = int(read_until(zygote.stdout, "reaped ", committed).split()[1])
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "the writer failed by itself"
            reported |= set(committed)
            runs_with_commits += bool(committed)

            with Board.open_with_key(path, key) as reopened:  # verifies every page (cipher_integrity_check)
                reopened.check_structure()  # what `factboard doctor` checks besides the pages
                missing = reported - edits_on_the_board(reopened)
            assert not missing, f"run {run}: edits reported committed are gone: {sorted(missing)[:10]}"
            if run % 10 == 9:
                result = cli.ok("doctor")
                assert "references and structure" in result.stdout
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
    # The kills fell at different moments: many runs committed something, some were killed before their first.
    assert runs_with_commits >= RUNS // 2
    assert len(reported) >= 5 * RUNS


def test_the_writer_reports_an_edit_only_after_it_is_stored(created: tuple[Board, bytes]) -> None:
    """The crash writer's own contract, without a kill: each `committed N` line means edit N is on the board."""
    board, key = created
    for number in range(1, 6):
        board.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new"})
    board.close()
    env = os.environ | {"FACTBOARD_TEST_KEY": key.hex(), "FACTBOARD_KDF_FLOOR": "1"}
    zygote = subprocess.Popen(
        [sys.executable, str(WRITER), "zygote", str(board.path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env
    )
    assert zygote.stdin is not None and zygote.stdout is not None
    committed: list[int] = []
    try:
        zygote.stdin.write(b"go 0\n")
        zygote.stdin.flush()
        pid = int(read_until(zygote.stdout, "pid ", committed).split()[1])
        while len(committed) < 12:
            line = zygote.stdout.readline().decode()
            if line.startswith("committed "):
                committed.append(int(line.split()[1]))
        os.kill(pid, signal.SIGKILL)
        read_until(zygote.stdout, "reaped ", committed)
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=30)
    assert committed[:12] == list(range(12))
    with Board.open_with_key(board.path, key) as reopened:
        assert set(committed) <= edits_on_the_board(reopened)
        assert reopened.open_row_by_code("CAA-10").id > 5
