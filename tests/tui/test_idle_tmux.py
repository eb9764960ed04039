"""A board left open in a real terminal sleeps until something happens (issue 15: an idle board's CPU).

A board stays open all day, on a wall or on a laptop running on battery. Every time the kernel runs one of the app's
threads costs CPU, and on a quiet machine a wake is dear (3-30 ms of CPU each on the machines we measure on). Textual's
own terminal driver reads the keyboard in a thread that wakes every 0.1 s, and the app had a timer or a thread for
each of its checks: about 900 wakes a minute, 1.7 s of CPU. These tests count, as the kernel does (each thread's
`/proc/PID/task/TID/schedstat`), how often the app ran while nobody touched it, and check that the keys a quiet
input thread must still read (a lone Esc, which is only told from an arrow key by a pause) still work.

Wakes are counted, not timed: a busy machine makes each run longer, not more frequent.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.terminal import Terminal, demo_board, require_tmux, unlocked_demo

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts runs in /proc (Linux)"),
]
require_tmux()

WATCHED_SECONDS = 6.0
"""How long the idle app is watched: Textual's driver alone would run 60 times meanwhile."""

MOST_RUNS = 20
"""The most runs of all the app's threads allowed meanwhile (the app's tick and the look it wakes come every 15 s,
a few runs each; the writer's safety wake every 60 s)."""


def runs(pid: int) -> int:
    """How many times the kernel has run any thread of process `pid` so far."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[2])
        except (OSError, IndexError, ValueError):
            continue  # a thread that ended meanwhile
    return total


def app_pid(terminal: Terminal) -> int:
    """The app's process: the one the tmux pane runs (`env` replaced itself with Python)."""
    shown = subprocess.run(
        [*terminal.tmux, "display-message", "-p", "-t", terminal.session, "#{pane_pid}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(shown.stdout.strip())


def test_a_board_left_open_in_a_terminal_sleeps_until_a_key_comes(tmp_path: Path) -> None:
    with unlocked_demo(*demo_board(tmp_path)) as terminal:
        pid = app_pid(terminal)
        time.sleep(4.0)  # what follows an unlock: the whole-file page check, the sites heard, the first looks
        before = runs(pid)
        time.sleep(WATCHED_SECONDS)
        ran = runs(pid) - before
        assert ran <= MOST_RUNS, f"the idle app ran {ran} times in {WATCHED_SECONDS:.0f} s"

        # The input thread that slept still reads every key: a lone Esc (a pause tells it from an arrow key's
        # sequence) closes the help, and arrow keys sent at once move the cursor.
        terminal.keys("?")
        terminal.wait_for("board.edit")  # the help lists each key with its binding id
        terminal.keys("Escape")
        deadline = time.monotonic() + 10
        while "board.edit" in terminal.screen() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert "board.edit" not in terminal.screen(), "a lone Escape did not close the help"
        subprocess.run([*terminal.tmux, "send-keys", "-t", terminal.session, "Down", "Down"], check=True)
        terminal.wait_for("Skurit sig i helgen, inlagd på avd. 56.")  # the third row's text in the detail panel
        terminal.keys("q")
        terminal.wait_closed()
