"""Below a usable size a screen says so, instead of showing a grid with no row in it.

At 60×15 the board's status line, detail panel and key bar left no line for a single row, and nothing said why.
A screen mounts one `SizeNotice` and calls `check` with the terminal's size on every resize: below `MIN_SIZE` it
covers the screen with one line saying how big the window must be.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widgets import Static

from factboard_tui.core.i18n import _

MIN_SIZE = (72, 18)
"""The smallest terminal (columns, lines) in which the board shows rows to work on."""


class SizeNotice(Static):
    """Covers the screen with how big the window must be, while it is smaller than `MIN_SIZE`."""

    DEFAULT_CSS = """
    SizeNotice {
        display: none;
        layer: overlay;
        position: absolute;
        width: 100%;
        height: 100%;
        content-align: center middle;
        text-align: center;
        padding: 1 2;
        background: $surface;
        color: $warning;
        text-style: bold;
    }
    """

    def check(self, size: Size) -> None:
        """Show or hide the notice for a terminal of `size`."""
        small = size.width < MIN_SIZE[0] or size.height < MIN_SIZE[1]
        self.display = small
        if small:
            self.update(
                _("The window is too small for the board ({width}×{height}): make it at least {least}.").format(
                    width=size.width, height=size.height, least=f"{MIN_SIZE[0]}×{MIN_SIZE[1]}"
                )
            )
