"""The terminal driver of the TUI: Textual's own, except that its input thread sleeps until a key comes.

Why. Textual's `LinuxDriver` reads the terminal in a thread that wakes every 0.1 s whether or not a key came, to
finish an escape sequence that stopped half-way (a lone Esc is told from the start of an arrow key's sequence by a
pause of `ESCAPE_DELAY`) and to see the app ending. Every wake of an idle app costs CPU: on the quiet machines we
measure on, 600 wakes a minute were 460 ms of CPU a minute for a bare Textual app in a real terminal, over issue
15's whole budget of 300 ms a minute for an idle board (a board is open all day on a wall or a laptop on battery).

What changes. The thread waits for the terminal, or for the app ending (a pipe, written as Textual sets its exit
event), with no timeout unless the parser is in the middle of a sequence, and then exactly until that sequence's
pause is over. Everything else (the parsing, the messages, the modes, suspending) is Textual's. The one thing of
Textual's that is not public here is the parser's `_timeout_time`; Textual is pinned to the range this is tested
with, and without that attribute the thread wakes every 0.1 s as Textual's does.
"""

from __future__ import annotations

import contextlib
import os
import selectors
from codecs import getincrementaldecoder
from threading import Event
from typing import Any

from textual._loop import loop_last
from textual._parser import ParseError
from textual._time import get_time
from textual._xterm_parser import XTermParser

try:
    from textual.drivers.linux_driver import LinuxDriver
except ImportError:  # no termios (Windows): the app keeps Textual's own driver there (FactBoardApp.get_driver_class)
    from textual.driver import Driver as LinuxDriver  # type: ignore[assignment]

TEXTUAL_TICK = 0.1
"""How often Textual's own input thread wakes: ours does too if the parser does not say when it needs to."""

_UNKNOWN = object()
"""What a parser without `_timeout_time` has."""


class _WakingEvent(Event):
    """Textual's exit event for the input thread, which also ends the thread's wait at once."""

    def __init__(self, wake: int) -> None:
        super().__init__()
        self.wake = wake
        """The pipe's end to write to (-1 once it is closed: its number may belong to another file by then)."""

    def set(self) -> None:
        super().set()
        if self.wake >= 0:
            with contextlib.suppress(OSError):
                os.write(self.wake, b"!")


class QuietDriver(LinuxDriver):
    """Textual's `LinuxDriver`, whose input thread wakes for input, for the end of an escape sequence's pause, or
    for the app ending; never on a tick."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self.exit_event: _WakingEvent = _WakingEvent(self._wake_write)

    def close(self) -> None:
        super().close()
        self.exit_event.wake = -1
        for handle in (self._wake_read, self._wake_write):
            with contextlib.suppress(OSError):
                os.close(handle)
        self._wake_read = self._wake_write = -1

    def run_input_thread(self) -> None:
        """Wait for input and dispatch events (Textual's loop, with the wait described in the module's docstring)."""
        selector = selectors.SelectSelector()
        fileno = self.fileno
        selector.register(fileno, selectors.EVENT_READ)
        selector.register(self._wake_read, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        feed, tick = parser.feed, parser.tick
        decode = getincrementaldecoder("utf-8")().decode

        def process(selector_events: list[tuple[selectors.SelectorKey, int]], final: bool = False) -> None:
            for last, (key, mask) in loop_last(selector_events):
                if key.fd == self._wake_read:
                    with contextlib.suppress(BlockingIOError):
                        while os.read(self._wake_read, 512):
                            pass
                    continue
                if mask & selectors.EVENT_READ:
                    unicode_data = decode(os.read(fileno, 1024 * 4), final=final and last)
                    if not unicode_data:  # stdin is piped and ended
                        break
                    for event in feed(unicode_data):
                        self.process_message(event)
            for event in tick():
                self.process_message(event)

        def timeout() -> float | None:
            due = getattr(parser, "_timeout_time", _UNKNOWN)
            if due is None:
                return None  # nothing half-read: sleep until a key comes or the app ends
            if not isinstance(due, float | int):
                return TEXTUAL_TICK  # another Textual: wake as it does
            return max(0.0, due - get_time())

        try:
            while not self.exit_event.is_set():
                process(selector.select(timeout()))
            selector.unregister(fileno)
            process(selector.select(TEXTUAL_TICK), final=True)
        finally:
            selector.close()
            with contextlib.suppress(EOFError, ParseError):
                for _event in feed(""):
                    pass
