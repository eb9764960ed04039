"""A real browser on `factboard serve`: Debian's Chromium driven by Playwright for Python, and what it was sent.

Playwright cannot download its own browsers here, so it drives `/usr/bin/chromium` (`executable_path`), with the
flags this machine's closed network needs. The page draws the terminal on a canvas (xterm.js), so what a person
sees is read from what the browser received: every WebSocket frame from the server, with the terminal's escape
sequences taken out. A word the app drew is in that text once the browser has it to draw. What the page shows
now (a word drawn once and then covered is in the frames but no longer on the screen) is read from the page's own
terminal (xterm.js): its screen buffer, line by line, which is what the canvas paints.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from helpers import tools

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""As the machine notes give them: without the networking flags Chromium keeps dialling out and is refused."""

ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, links, clipboard
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHM]"
)


TERMINAL_HOOK = """
window.__factboardTerminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.buffer.active) window.__factboardTerminals.push(value);
  },
});
"""
"""Keeps the page's xterm.js terminal where the test can read it: textual-serve's page holds it in a `terminal`
property of an object inside its script (`this.terminal = new Terminal(…)`); the first assignment of any such
property lands here, which makes it an ordinary property again and remembers a terminal."""

SCREEN_LINES = """() => {
  const terminal = window.__factboardTerminals[0];
  if (!terminal) return null;
  const buffer = terminal.buffer.active, lines = [];
  for (let row = 0; row < terminal.rows; row++) {
    const line = buffer.getLine(buffer.viewportY + row);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
}"""
"""The text on the page's terminal screen now, one line per row (xterm.js's public buffer API)."""


def require_browser() -> None:
    """Skip where Chromium or Playwright is missing (a failure under CI, which installs both)."""
    tools.require("chromium", "drive the board in a browser (factboard serve)", whole_module=True)
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        tools.require("playwright-python", "drive the board in a browser (pip install -e '.[test,web]')", True)
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        tools.require("textual-serve", "serve the board (pip install -e '.[test,web]')", True)
    if shutil.which("chromium") != CHROMIUM and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not at {CHROMIUM}", allow_module_level=True)


def free_port() -> int:
    """A port nobody listens on now (the server binds it a moment later; xdist workers each get their own)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_listening(server: subprocess.Popen[str], port: int, log: Path, seconds: float = 60) -> None:
    """Wait for the server to accept connections; fail with its output if it ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"factboard serve ended with {server.returncode}: {log.read_text(encoding='utf-8')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"factboard serve did not listen on {port}: {log.read_text(encoding='utf-8')}")


class Screen:
    """One browser page on the server, and everything its WebSocket received, as text."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.received = bytearray()
        self.requests: list[str] = []
        """Every address the page asked for, from its first load on."""
        page.on("websocket", self._listen)
        page.on("request", lambda request: self.requests.append(request.url))

    def _listen(self, websocket: Any) -> None:
        def keep(payload: bytes | str) -> None:
            self.received.extend(payload.encode("utf-8") if isinstance(payload, str) else payload)

        websocket.on("framereceived", keep)

    def text(self) -> str:
        return ESCAPES.sub(b"", bytes(self.received)).decode("utf-8", "replace")

    def wait_for(self, words: str, seconds: float = 60) -> str:
        """Wait until the browser has been sent `words` to draw; fail with the tail of what it got."""
        return self._wait(self.text, words, seconds, "the browser was never sent")

    def shown(self) -> str:
        """The text the page's terminal shows now (what the canvas paints), or "" before the terminal exists."""
        return str(self.page.evaluate(SCREEN_LINES) or "")

    def wait_until_shown(self, words: str, seconds: float = 60) -> str:
        """Wait until the page's terminal shows `words` now; fail with the end of what it shows."""
        return self._wait(self.shown, words, seconds, "the page never showed")

    def _wait(self, read: Callable[[], str], words: str, seconds: float, never: str) -> str:
        deadline = time.monotonic() + seconds
        while words not in (seen := read()):
            if time.monotonic() > deadline:
                pytest.fail(f"{never} {words!r}; it has …{seen[-1500:]!r}")
            self.page.wait_for_timeout(100)
        return seen

    def mark(self) -> None:
        """Forget what was received so far: the next `wait_for` waits for words drawn from now on."""
        self.received.clear()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def press(self, *keys: str) -> None:
        for key in keys:
            self.page.keyboard.press(key)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium under Playwright, closed however the test ends."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def open_screen(browser: Any, url: str) -> Screen:
    """A new page on `url`, its terminal focused for typing, once the app has started drawing."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.add_init_script(TERMINAL_HOOK)
    screen = Screen(page)
    page.goto(url)
    return screen
