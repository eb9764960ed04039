"""What the Pilot tests of single screens share: a bare app to show a screen in (over a board's feed, as the app
gives it), waiting for a worker's result to show, the plain text of a `Static` or of the whole screen, and the
team's time zone for times on screen."""

from __future__ import annotations

import io
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static

from factboard_tui.core.store.board import Board
from factboard_tui.tui.feed import BoardFeed
from factboard_tui.tui.typeahead import KeysInOrderApp


class Host(KeysInOrderApp):
    """A bare app that shows one screen, as the board does when that screen's key is pressed."""

    def __init__(self, make_screen: Callable[[], Screen[None]], feed: BoardFeed | None = None) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.feed = feed
        """The board's feed the screen reads and writes through (started and stopped with the app)."""

    def on_mount(self) -> None:
        if self.feed is not None:
            self.feed.start(self, follow=False)
        self.push_screen(self.make_screen())

    def on_unmount(self) -> None:
        if self.feed is not None:
            self.feed.stop(close=False)  # the test keeps using the board


def on_board(board: Board, make_screen: Callable[[BoardFeed], Screen[None]], user: str | None = None) -> Host:
    """A bare app showing the screen `make_screen` makes over a feed of `board` for `user` (the board's actor if
    None)."""
    feed = BoardFeed(board, user or board.actor)
    return Host(lambda: make_screen(feed), feed)


async def until(
    pilot: Pilot[None],
    condition: Callable[[], bool],
    what: str | Callable[[], str] = "the app getting there",
    seconds: float = 6.0,
) -> None:
    """Wait until `condition` holds (a worker's result shows), then let the app settle; fails naming `what` (or
    what `what()` says about the state it ended in)."""
    for _ in range(round(seconds / 0.02)):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{what() if callable(what) else what} never happened")


def screen_text(app: App[object]) -> str:
    """Everything the terminal shows now (the SVG screenshot, spaces as spaces)."""
    return app.export_screenshot().replace("&#160;", " ")


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text on one line."""
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(widget.content)
    return " ".join(console.export_text().split())


CENTRAL_EUROPE = "CET-1CEST,M3.5.0,M10.5.0/3"
"""The team's time zone (Sweden, Denmark), as a POSIX TZ rule."""


@contextmanager
def central_european_time() -> Iterator[None]:
    """Local time is Central European while inside, whatever the machine says: times on screen are stable."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = CENTRAL_EUROPE
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
