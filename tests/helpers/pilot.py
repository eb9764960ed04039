"""What the Pilot tests of single screens share: a bare app to show a screen in, waiting for a worker's result to
show, and the plain text of a `Static`."""

from __future__ import annotations

import io
from collections.abc import Callable

from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Static


class Host(App[None]):
    """A bare app that shows one screen, as the board does when that screen's key is pressed."""

    def __init__(self, make_screen: Callable[[], Screen[None]]) -> None:
        super().__init__()
        self.make_screen = make_screen

    def on_mount(self) -> None:
        self.push_screen(self.make_screen())


async def until(
    pilot: Pilot[None], condition: Callable[[], bool], what: str = "the app getting there", seconds: float = 6.0
) -> None:
    """Wait until `condition` holds (a worker's result shows), then let the app settle; fails naming `what`."""
    for _ in range(round(seconds / 0.02)):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"{what} never happened")


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text on one line."""
    console = Console(width=300, record=True, file=io.StringIO())
    console.print(widget.content)
    return " ".join(console.export_text().split())
