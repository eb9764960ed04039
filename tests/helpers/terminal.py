"""FactBoard in a real terminal for the end-to-end scenarios: tmux starts it, the test types and reads the screen.

Used by `test_tmux.py` and `test_meeting_tmux.py`. Each scenario gets its own tmux server (`-L`), so scenarios
never see each other's sessions, and the server is killed however the scenario ends.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from helpers import tools
from helpers.bursts import ENTER, Part, tmux_arguments

KEY_PAUSE = 0.3
"""Seconds between key presses, as a person types (and so each key lands in its own read)."""


def require_tmux() -> None:
    """Skip the calling test module where tmux is missing on a developer's machine; under CI that is a failure."""
    tools.require("tmux", "run the real-terminal scenarios", whole_module=True)


def scenario_env(home: Path) -> dict[str, str]:
    """The whole environment of a scenario: a fresh home, a cheap key derivation, a fixed morning, UTF-8."""
    return {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "TMPDIR": str(home),
        "FACTBOARD_KDF_FLOOR": "1",
        "FACTBOARD_LANG": "en",  # the demo board is Swedish: the scenarios read the English words
        "FACTBOARD_NOW": "2026-11-23T08:15:00+00:00",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`factboard ARGS` as a separate process."""
    return subprocess.run(
        [sys.executable, "-m", "factboard_tui", *args], env=env, capture_output=True, text=True, timeout=120
    )


def demo_board(home: Path) -> tuple[Path, dict[str, str]]:
    """A demo board made by `factboard demo` in `home`, and the scenario's environment to open it with."""
    db, env = home / "demo.db", scenario_env(home)
    created = run_cli(env, "demo", "--db", str(db), "--no-open")
    assert created.returncode == 0, created.stderr
    return db, env


class Terminal:
    """One tmux session running FactBoard: type into it and read what it shows."""

    def __init__(self, tmux: list[str], session: str) -> None:
        self.tmux = tmux
        self.session = session

    def keys(self, *sequence: str) -> None:
        """Send keys (tmux `send-keys` arguments: key names, or `-l TEXT`) after a person's pause."""
        time.sleep(KEY_PAUSE)
        subprocess.run([*self.tmux, "send-keys", "-t", self.session, *sequence], check=True)

    def burst(self, *parts: Part) -> None:
        """Type text and keys at once, as a fast typist does (tests/helpers/bursts.py): one `tmux send-keys` call."""
        subprocess.run([*self.tmux, *tmux_arguments(["-t", self.session], parts)], check=True)

    def type(self, *presses: list[str]) -> None:
        """Several `keys` calls in order, one per list."""
        for sequence in presses:
            self.keys(*sequence)

    def screen(self) -> str:
        """The text on the screen now."""
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.session], capture_output=True, text=True
        ).stdout

    def wait_for(self, wanted: str, seconds: float = 20.0) -> str:
        """Poll the screen until `wanted` shows; returns the screen text."""
        deadline = time.monotonic() + seconds
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if wanted in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{wanted!r} never appeared on the screen:\n{screen}")

    def wait_closed(self, seconds: float = 10.0) -> None:
        """Wait until the app has quit (its session is gone)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if subprocess.run([*self.tmux, "has-session", "-t", self.session], capture_output=True).returncode:
                return
            time.sleep(0.2)
        raise AssertionError("the app did not close")


@contextmanager
def factboard_in_tmux(env: dict[str, str], *args: str, session: str = "board") -> Iterator[Terminal]:
    """`factboard ARGS` in a new 200x50 tmux session with exactly `env`; the tmux server is killed on the way out."""
    tmux = ["tmux", "-L", f"factboard-{uuid.uuid4().hex[:8]}"]
    command = " ".join(
        [
            "env",
            "-i",  # exactly this environment: an inherited COLUMNS/LINES would override the terminal's size
            *(shlex.quote(f"{key}={value}") for key, value in env.items()),
            shlex.quote(sys.executable),
            "-m",
            "factboard_tui",
            *(shlex.quote(arg) for arg in args),
        ]
    )
    subprocess.run([*tmux, "new-session", "-d", "-s", session, "-x", "200", "-y", "50", command], check=True)
    try:
        yield Terminal(tmux, session)
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


@contextmanager
def unlocked_demo(db: Path, env: dict[str, str], between: Part = ENTER) -> Iterator[Terminal]:
    """The demo board `db` (`demo_board`) opened in tmux and unlocked as a fast typist does: the passphrase,
    `between` (Enter or Tab), the initials CSA and Enter in one `send-keys` call, so the app reads them in one go."""
    with factboard_in_tmux(env, "open", "--db", str(db)) as terminal:
        terminal.wait_for("Passphrase")
        terminal.burst("factboard-demo", between, "CSA", ENTER)
        terminal.wait_for("signed in: CSA", seconds=15)
        yield terminal
