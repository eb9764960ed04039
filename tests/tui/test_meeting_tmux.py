"""A real terminal: the chair runs a morning meeting under tmux, and the minutes hold what was changed.

`factboard open --meeting` on a demo board, unlocked by typing; check in, step through three rows, change one
triage from the focus card, end the meeting; then `factboard meetings list --json` and `meetings show` (separate
processes) find the meeting and the change. Skipped where tmux is missing, except under CI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.bursts import ENTER, ESCAPE, TAB, Key
from helpers.terminal import demo_board, factboard_in_tmux, require_tmux, run_cli

pytestmark = pytest.mark.tmux
require_tmux()


def test_a_meeting_in_a_real_terminal_ends_in_minutes_with_the_change(tmp_path: Path) -> None:
    db, env = demo_board(tmp_path)

    with factboard_in_tmux(env, "open", "--meeting", "--db", str(db), session="meeting") as terminal:
        terminal.wait_for("Passphrase")
        terminal.type(["-l", "factboard-demo"], ["Enter"], ["-l", "KOO"], ["Enter"])
        terminal.wait_for("Who is here?")
        terminal.wait_for("Kim Olsson")
        # The chair KOO is ticked; tick CSA (nurse), HMR (doctor) and KRO (social worker): four disciplines.
        terminal.type(["Down"], ["Space"], ["Down", "Down"], ["Space"], ["Down", "Down"], ["Space"], ["C-s"])
        screen = terminal.wait_for("Present 4: CSA HMR KOO KRO")
        assert "0 of 10 rows, 135 min left: on time" in screen
        assert "Row 1 of 10" in screen and "NN-89" in screen
        # Three rows: two discussed, one skipped; on the fourth, change its triage from the focus card.
        terminal.type(["Enter"], ["Enter"], ["s"])
        screen = terminal.wait_for("Row 4 of 10")
        assert "BB-90" in screen and "3 of 10 rows" in screen
        terminal.type(["t"], ["C-u"], ["-l", "Stabil"], ["Enter"])
        terminal.wait_for("Stabil")
        terminal.keys("e")  # at once: the minutes show the triage just set, though its write is queued
        terminal.wait_for("End the meeting?")
        terminal.keys("Enter")
        screen = terminal.wait_for("stored: `factboard meetings show")  # after the demo's past meetings
        assert "BB-90" in screen and "Stabil" in screen
        terminal.keys("Escape")
        terminal.wait_for("signed in: KOO")
        terminal.keys("q")
        terminal.wait_closed()

    cli_env = {**env, "FACTBOARD_PASSPHRASE": "factboard-demo"}
    listed = run_cli(cli_env, "meetings", "list", "--json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    meetings = json.loads(listed.stdout)
    newest = meetings[0]  # newest first, before the demo's past meetings
    assert (newest["chair"], newest["changes"], newest["id"]) == ("KOO", 1, max(m["id"] for m in meetings))
    assert meetings[0]["discussed"] == ["NN-89", "RT-93"] and meetings[0]["skipped"] == ["EE-68"]
    assert meetings[0]["attendees"] == ["CSA", "HMR", "KOO", "KRO"]
    shown = run_cli(cli_env, "meetings", "show", str(newest["id"]), "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "| KOO | BB-90 | Triage | Ny | Stabil |" in shown.stdout
    assert "- **Discussed (2):** NN-89, RT-93" in shown.stdout


def test_a_second_terminal_sees_the_running_meeting_follows_the_chair_and_takes_it_over(tmp_path: Path) -> None:
    db, env = demo_board(tmp_path)

    with (
        factboard_in_tmux(env, "open", "--meeting", "--db", str(db), session="chair") as chair,
        factboard_in_tmux(env, "open", "--db", str(db), session="nurse") as nurse,
    ):
        chair.wait_for("Passphrase")
        chair.burst("factboard-demo", ENTER, "KOO", ENTER)
        chair.wait_for("Kim Olsson")
        chair.burst(Key("ctrl+s"))  # check in as is: the meeting runs
        chair.wait_for("Row 1 of 10")
        nurse.wait_for("Passphrase")
        nurse.burst("factboard-demo", ENTER, "CSA", ENTER)
        nurse.wait_for("signed in: CSA")
        nurse.keys("m")
        nurse.wait_for("A meeting is running since")
        assert "(KOO)" in nurse.screen()
        nurse.burst(TAB, ENTER)  # Cancel has the focus; Tab to "Follow it"
        nurse.wait_for("Following the meeting KOO runs since")
        nurse.wait_for("Bostadslös")  # NN-89, the chair's row
        chair.keys("Enter")  # discussed: the chair goes on to RT-93
        chair.wait_for("Row 2 of 10")
        nurse.wait_for("Återfall i alkohol")  # the follower moved with the chair
        nurse.burst(ESCAPE)
        nurse.wait_for("signed in: CSA")
        nurse.keys("m")
        nurse.wait_for("A meeting is running since")
        nurse.burst(TAB, TAB, ENTER)  # "Take it over"
        nurse.wait_for("Who is here?")
        nurse.burst(Key("ctrl+s"))
        nurse.wait_for("Row 1 of 10")
        chair.wait_for("taken over at another terminal", seconds=30)  # at its next heartbeat (10 s)
        chair.wait_for("signed in: KOO")  # the first chair is back on the board
