"""A real terminal: the chair runs a morning meeting under tmux, and the minutes hold what was changed.

`factboard open --meeting` on a demo board, unlocked by typing; check in, step through three rows, change one
triage from the focus card, end the meeting; then `factboard meetings list --json` and `meetings show` (separate
processes) find the meeting and the change. Skipped where tmux is missing, except under CI.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_tmux import run_cli, wait_for_screen

pytestmark = pytest.mark.tmux

if shutil.which("tmux") is None:
    if os.environ.get("CI"):
        pytest.fail("tmux is not installed, but CI must run the real-terminal scenario", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)


def test_a_meeting_in_a_real_terminal_ends_in_minutes_with_the_change(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path),
        "FACTBOARD_KDF_FLOOR": "1",
        "FACTBOARD_NOW": "2026-11-23T08:15:00+00:00",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }
    created = run_cli(env, "demo", "--db", str(db), "--no-open")
    assert created.returncode == 0, created.stderr

    tmux = ["tmux", "-L", f"factboard-{uuid.uuid4().hex[:8]}"]
    session = "meeting"
    command = " ".join(
        [
            "env",
            "-i",
            *(shlex.quote(f"{key}={value}") for key, value in env.items()),
            shlex.quote(sys.executable),
            "-m",
            "factboard_tui",
            "open",
            "--meeting",
            "--db",
            shlex.quote(str(db)),
        ]
    )

    def keys(*sequence: str) -> None:
        time.sleep(0.3)
        subprocess.run([*tmux, "send-keys", "-t", session, *sequence], check=True)

    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True)
    try:
        wait_for_screen(tmux, session, "Passphrase")
        for typed in (["-l", "factboard-demo"], ["Enter"], ["-l", "KOO"], ["Enter"]):
            keys(*typed)
        wait_for_screen(tmux, session, "Who is here?")
        wait_for_screen(tmux, session, "Kim Olsson")
        # The chair KOO is ticked; tick CSA (nurse), HMR (doctor) and KRO (social worker): four disciplines.
        for typed in (["Down"], ["Space"], ["Down", "Down"], ["Space"], ["Down", "Down"], ["Space"], ["C-s"]):
            keys(*typed)
        screen = wait_for_screen(tmux, session, "Present 4: CSA HMR KOO KRO")
        assert "0 of 10 rows, 15 min left: on time" in screen
        assert "Row 1 of 10" in screen and "NN-89" in screen
        # Three rows: two discussed, one skipped; on the fourth, change its triage from the focus card.
        for typed in (["Enter"], ["Enter"], ["s"]):
            keys(*typed)
        screen = wait_for_screen(tmux, session, "Row 4 of 10")
        assert "BB-90" in screen and "3 of 10 rows" in screen
        for typed in (["t"], ["C-u"], ["-l", "Stabil"], ["Enter"]):
            keys(*typed)
        time.sleep(1.5)  # the write goes through the writer thread; the screen reads it back
        keys("e")
        wait_for_screen(tmux, session, "End the meeting?")
        keys("Enter")
        screen = wait_for_screen(tmux, session, "Meeting 1 stored")
        assert "BB-90" in screen and "Stabil" in screen
        keys("Escape")
        wait_for_screen(tmux, session, "signed in: KOO")
        keys("q")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            alive = subprocess.run([*tmux, "has-session", "-t", session], capture_output=True).returncode == 0
            if not alive:
                break
            time.sleep(0.2)
        assert not alive, "q did not close the app"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)

    cli_env = {**env, "FACTBOARD_PASSPHRASE": "factboard-demo"}
    listed = run_cli(cli_env, "meetings", "list", "--json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    meetings = json.loads(listed.stdout)
    assert [(m["id"], m["chair"], m["changes"]) for m in meetings] == [(1, "KOO", 1)]
    assert meetings[0]["discussed"] == ["NN-89", "RT-93"] and meetings[0]["skipped"] == ["EE-68"]
    assert meetings[0]["attendees"] == ["CSA", "HMR", "KOO", "KRO"]
    shown = run_cli(cli_env, "meetings", "show", "1", "--db", str(db))
    assert shown.returncode == 0, shown.stderr
    assert "| KOO | BB-90 | Triage | Ny | Stabil |" in shown.stdout
    assert "- **Discussed (2):** NN-89, RT-93" in shown.stdout
