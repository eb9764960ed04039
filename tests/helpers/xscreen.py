"""A desktop program in a real window, driven as a person drives it: a private virtual screen (Xvfb), keys typed
through the X server (xdotool) and the clipboard read back (xclip).

Each screen picks its own free display number (`Xvfb -displayfd`), so xdist workers never share one; the screen and
every program started on it are ended by their process ids when the test is done. Waits poll for what the test
then checks, within a bound, and never sleep blind.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from helpers import tools

T = TypeVar("T")

POLL = 0.2
"""Seconds between two looks at the screen or the clipboard."""


def require_screen_tools(purpose: str) -> None:
    """Xvfb, xdotool and xclip (a failure under CI, which installs them; a skip with the reason elsewhere)."""
    for tool in ("Xvfb", "xdotool", "xclip"):
        tools.require(tool, purpose)


def wait_until(look: Callable[[], T | None], what: str, seconds: float) -> T:
    """Poll `look` until it gives something (not None, not empty); fail saying `what` never happened."""
    deadline = time.monotonic() + seconds
    while True:
        found = look()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (waited {seconds:.0f} s)")
        time.sleep(POLL)


@dataclass
class Screen:
    """One virtual screen and the programs started on it."""

    display: str
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.display}

    def start(self, *command: str, env: dict[str, str] | None = None, log: Path | None = None) -> None:
        """Start a program on this screen, in a process group of its own (so that its children end with it)."""
        output = log.open("wb") if log is not None else subprocess.DEVNULL
        process = subprocess.Popen(
            list(command), env={**self.env, **(env or {})}, stdout=output, stderr=output, start_new_session=True
        )
        self.started.append(process)

    def _xdotool(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30)
        return done.stdout.strip() if done.returncode == 0 else ""

    def window(self, name: str) -> str | None:
        """The id of a shown window whose title holds `name`, or None."""
        found = self._xdotool("search", "--onlyvisible", "--name", name)
        return found.splitlines()[0] if found else None

    def press(self, window: str, *keys: str) -> None:
        """Give `window` the keyboard and type `keys` through the X server, as a keyboard does."""
        self._xdotool("windowfocus", window)
        self._xdotool("key", "--clearmodifiers", *keys)

    def clipboard(self) -> str:
        """The clipboard's text (empty while nothing was copied)."""
        done = subprocess.run(
            ["xclip", "-o", "-selection", "clipboard", "-t", "UTF8_STRING"],
            env=self.env,
            capture_output=True,
            timeout=30,
        )
        return done.stdout.decode("utf-8") if done.returncode == 0 else ""


@contextmanager
def virtual_screen(width: int = 1280, height: int = 1024) -> Iterator[Screen]:
    """A new Xvfb screen on a free display; it and every program started on it end on the way out."""
    reader, writer = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(writer), "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        pass_fds=(writer,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(writer)
    screen = Screen("")
    try:
        number = b""
        while not number.endswith(b"\n"):  # Xvfb writes its display number once it accepts clients
            ready, _w, _x = select.select([reader], [], [], 60)
            chunk = os.read(reader, 16) if ready else b""
            if not chunk:
                raise AssertionError(f"Xvfb did not start (exit status {server.poll()})")
            number += chunk
        screen.display = f":{number.decode().strip()}"
        yield screen
    finally:
        os.close(reader)
        for process in [*reversed(screen.started), server]:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
