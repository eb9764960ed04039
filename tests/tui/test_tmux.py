"""A real terminal: `factboard open` under tmux, unlocked by typing, a cell edited by keys, then quit.

Skipped where tmux is missing on a developer's machine; under CI (`CI=true`) a missing tmux is a failure,
since `.ci/run` installs it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.bursts import ENTER, ESCAPE, TAB, Key
from helpers.terminal import demo_board, factboard_in_tmux, require_tmux, run_cli, unlocked_demo

pytestmark = pytest.mark.tmux
require_tmux()


def test_open_unlock_by_keyboard_and_read_the_board_in_tmux(tmp_path: Path) -> None:
    db, env = demo_board(tmp_path)

    with factboard_in_tmux(env, "open", "--db", str(db)) as terminal:
        terminal.wait_for("Passphrase")
        # Type as a person does: a field, Enter, the next field, Enter (with a person's pauses between).
        terminal.type(["-l", "factboard-demo"], ["Enter"], ["-l", "CSA"], ["Enter"])
        screen = terminal.wait_for("signed in: CSA")
        assert "2026-W48" in screen
        for code in ("NN-89", "RT-93", "EE-68", "DD-75", "AA-80"):
            terminal.wait_for(code)  # a frame reaches the terminal in pieces: tmux may show its top half first
        # Move down to the third row: its full text appears in the detail panel.
        terminal.keys("j", "j")
        terminal.wait_for("Skurit sig i helgen, inlagd på avd. 56.")
        # Edit its safety cell by keys: twelve cells to the right (past the flags column ⚑), Enter, clear, type, Enter.
        terminal.type(["l"] * 12, ["Enter"], ["C-u"], ["-l", "Tillsyn varje natt"], ["Enter"])
        terminal.wait_for("Tillsyn varje natt")
        terminal.keys("q")  # at once: the queued write is done before the app closes (checked below)
        terminal.wait_closed()
    listed = run_cli({**env, "FACTBOARD_PASSPHRASE": "factboard-demo"}, "rows", "list", "--json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    rows = {row["client_code"]: row for row in json.loads(listed.stdout)}
    assert rows["EE-68"]["safety"] == "Tillsyn varje natt"
    # Closing the app checkpointed and removed the WAL: only the database, its key slot and the (empty) lock remain.
    assert sorted(path.name for path in tmp_path.iterdir() if path.name.startswith("demo.db")) == [
        "demo.db",
        "demo.db.keyslot",
        "demo.db.lock",
    ]
    assert (tmp_path / "demo.db.lock").stat().st_size == 0


def test_a_fast_typist_unlocks_with_passphrase_and_initials_in_one_burst(tmp_path: Path) -> None:
    with unlocked_demo(*demo_board(tmp_path)) as terminal:  # one tmux send-keys call: one read for the app
        terminal.keys("C-q")
        terminal.wait_closed()


def test_a_swedish_board_opened_in_a_terminal_shows_its_keys_in_swedish(tmp_path: Path) -> None:
    """The board's screens load while the passphrase is typed (issue 15), after the app chose the unlock prompt's
    language: the board still names its keys in the board's language, in a real process."""
    db, env = demo_board(tmp_path)
    env = {key: value for key, value in env.items() if key != "FACTBOARD_LANG"}  # the demo board is Swedish

    with factboard_in_tmux(env, "open", "--db", str(db)) as terminal:
        terminal.wait_for("FactBoard")
        terminal.burst("factboard-demo", ENTER, "CSA", ENTER)
        terminal.wait_for("inloggad: CSA", seconds=30)
        screen = terminal.wait_for("Lägg till", seconds=15)  # the footer, drawn after the board's status line
        assert "a Lägg till" in screen and "u Ångra" in screen and "m Möte" in screen
        assert not [word for word in ("Add", "Undo", "Meeting", "Edit") if f" {word} " in screen]
        terminal.keys("C-q")
        terminal.wait_closed()


def test_a_nurse_types_the_add_form_and_the_visits_dialog_in_one_burst_each_in_tmux(tmp_path: Path) -> None:
    db, env = demo_board(tmp_path)
    with unlocked_demo(db, env, between=TAB) as terminal:
        # `a` opens the form; the code, Tab, `N` (completes to Ny), Tab takes it, ctrl+s saves; typed behind the
        # save, before the writer answers: `m`, check in as is (ctrl+s), `v` on the first row, four Tabs to Friday,
        # the visit, ctrl+s. One send-keys call: the keys behind the save wait for the board, not the saving form.
        terminal.burst(
            "aQX-12",
            TAB,
            "N",
            TAB,
            Key("ctrl+s"),
            "m",
            Key("ctrl+s"),
            "v",
            TAB,
            TAB,
            TAB,
            TAB,
            Key("ctrl+u"),
            "kro+csa: hembesök",
            Key("ctrl+s"),
            ESCAPE,
        )
        # Only the meeting asks this: the burst ended in it. The answer is typed after the question shows, never in
        # the same read as Esc: a terminal's Esc followed at once by Tab is read as one key, shift+Tab (`\x1b\t`).
        terminal.wait_for("Leave the meeting?")
        terminal.burst(TAB, TAB, ENTER)  # discard it
        terminal.wait_for("11 rows: Kris 2")  # the board's header again (the meeting says "of 11 rows"), with QX-12
        terminal.keys("q")
        terminal.wait_closed()
    listed = run_cli({**env, "FACTBOARD_PASSPHRASE": "factboard-demo"}, "rows", "list", "--json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    rows = {row["client_code"]: row for row in json.loads(listed.stdout)}
    assert rows["QX-12"]["triage"] == "new"
    fridays = {code: row["visits"]["fri"] for code, row in rows.items() if row["visits"]["fri"]}
    assert fridays["NN-89"] == {"date": "2026-11-27", "staff": "KRO+CSA", "note": "hembesök"}  # the meeting's first row
    assert [code for code, visit in fridays.items() if visit["staff"] == "KRO+CSA"] == ["NN-89"]  # and no other row
    assert rows["QX-12"]["primary_contact"] is None  # nothing typed behind the save went into the form
