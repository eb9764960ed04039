"""The hostile corpus in a real terminal: every byte FactBoard sends to tmux is captured (`pipe-pane`) while the
cursor walks over every row of a board holding the whole corpus and the row history opens.

The board also holds values planted past the write path (a title-setting OSC, an OSC 8 hyperlink, a screen clear,
C1 codes, a bidi override), as a board from before today's character rules or a tampered file could. No escape
sequence from any value may reach the terminal: no OSC 8, no title set from data, no C1 code, no screen cleared by
a value; the markup-like values show as the characters they are.
"""

from __future__ import annotations

import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from data.hostile_values import STORED, by_name
from helpers.hostile import fill_board, plant_legacy
from helpers.terminal import factboard_in_tmux, require_tmux, scenario_env

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board

pytestmark = pytest.mark.tmux
require_tmux()

PASSPHRASE = "correct horse battery"
MORNING = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
"""The scenario's frozen time (`FACTBOARD_NOW` in `scenario_env`): the week the visit notes are in."""


def captured(path: Path, seconds: float = 10.0) -> str:
    """What the terminal received so far, decoded (waits for the capture file to appear)."""
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    return path.read_bytes().decode("utf-8", errors="replace")


def test_no_value_sends_an_escape_sequence_to_a_real_terminal(tmp_path: Path) -> None:
    env = scenario_env(tmp_path) | {"FACTBOARD_PASSPHRASE": PASSPHRASE, "FACTBOARD_USER": "CSA"}
    db = tmp_path / "board.db"
    board, _key = Board.create(db, PASSPHRASE, template_id="sv", team="FACT Test", clock=frozen_clock(MORNING))
    fill_board(board)
    plant_legacy(board)
    board.close()
    raw = tmp_path / "terminal.raw"

    with factboard_in_tmux(env, "open", "--db", str(db)) as terminal:
        subprocess.run([*terminal.tmux, "pipe-pane", "-o", "-t", terminal.session, f"cat >> {raw}"], check=True)
        terminal.wait_for("signed in: CSA")
        rows = len(STORED) + 5
        terminal.keys(*["Down"] * (rows - 1))  # one burst over every row, as a held-down key
        terminal.keys("H")  # the history of the row the burst ended on
        terminal.wait_for("History of")
        terminal.keys("Escape")  # back to the board (alone: ESC and a key at once read as alt+key)
        terminal.keys("g")  # the cursor to the first row
        screen = terminal.wait_for(by_name("markup-bold").value)
        terminal.keys("q")
        terminal.wait_closed()
    output = captured(raw)

    assert "\x1b]8;" not in output, "a hyperlink (OSC 8) reached the terminal"
    for title in re.finditer("\x1b\\][012];([^\x07\x1b]*)", output):
        assert "PWNED" not in title.group(1), "a value set the terminal's title"
    assert "\x1b]0;PWNED" not in output and "\x1b]8;;https://evil" not in output
    c1 = re.search("[\x80-\x9f]", output)
    assert c1 is None, f"a C1 control reached the terminal: {output[c1.start() - 30 : c1.end() + 30]!r}"
    assert "\u202e" not in output, "a bidi override reached the terminal"
    assert "\x1b[2J" not in output, "a value cleared the screen"  # Textual itself never sends it
    # The planted values were drawn, as their visible stand-ins.
    assert "␛]0;PWNE" in output  # cut to its column's width (10 at 200 columns: the free text lends headers cells)
    assert "before␛[2" in output  # the screen clear's stand-in, cut to its column the same way
    # Markup-like values are drawn as the characters they are.
    for name in ("markup-bold", "markup-close"):
        assert by_name(name).value in screen
