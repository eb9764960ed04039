"""A real terminal: `factboard open` under tmux, unlocked by typing, a cell edited by keys, then quit.

Skipped where tmux is missing on a developer's machine; under CI (`CI=true`) a missing tmux is a failure,
since `.ci/run` installs it.
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

pytestmark = pytest.mark.tmux

if shutil.which("tmux") is None:
    if os.environ.get("CI"):
        pytest.fail("tmux is not installed, but CI must run the real-terminal scenario", pytrace=False)
    pytest.skip("tmux is not installed", allow_module_level=True)


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "factboard_tui", *args], env=env, capture_output=True, text=True, timeout=120
    )


def wait_for_screen(tmux: list[str], session: str, wanted: str, seconds: float = 20.0) -> str:
    """Poll the pane until `wanted` shows; returns the screen text."""
    deadline = time.monotonic() + seconds
    screen = ""
    while time.monotonic() < deadline:
        screen = subprocess.run([*tmux, "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
        if wanted in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{wanted!r} never appeared on the screen:\n{screen}")


def test_open_unlock_by_keyboard_and_read_the_board_in_tmux(tmp_path: Path) -> None:
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
    session = "board"
    command = " ".join(
        [
            "env",
            "-i",  # exactly this environment: an inherited COLUMNS/LINES would override the terminal's size
            *(shlex.quote(f"{key}={value}") for key, value in env.items()),
            shlex.quote(sys.executable),
            "-m",
            "factboard_tui",
            "open",
            "--db",
            shlex.quote(str(db)),
        ]
    )
    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True)
    try:
        wait_for_screen(tmux, session, "Passphrase")
        # Type as a person does: a field, Enter, the next field, Enter (with a person's pauses between).
        for keys in (["-l", "factboard-demo"], ["Enter"], ["-l", "CSA"], ["Enter"]):
            time.sleep(0.3)
            subprocess.run([*tmux, "send-keys", "-t", session, *keys], check=True)
        screen = wait_for_screen(tmux, session, "signed in: CSA")
        assert "2026-W48" in screen
        for code in ("NN-89", "RT-93", "EE-68", "DD-75", "AA-80"):
            assert code in screen
        # Move down to the third row: its full text appears in the detail panel.
        subprocess.run([*tmux, "send-keys", "-t", session, "j", "j"], check=True)
        wait_for_screen(tmux, session, "Skurit sig i helgen, inlagd på avd. 56.")
        # Edit its safety cell by keys: eleven cells to the right, Enter, clear, type, Enter.
        for keys in (["l"] * 11, ["Enter"], ["C-u"], ["-l", "Tillsyn varje natt"], ["Enter"]):
            time.sleep(0.3)
            subprocess.run([*tmux, "send-keys", "-t", session, *keys], check=True)
        wait_for_screen(tmux, session, "Tillsyn varje natt")
        time.sleep(1.0)  # the write goes through the writer thread
        subprocess.run([*tmux, "send-keys", "-t", session, "q"], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            alive = subprocess.run([*tmux, "has-session", "-t", session], capture_output=True).returncode == 0
            if not alive:
                break
            time.sleep(0.2)
        assert not alive, "q did not close the app"
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
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
