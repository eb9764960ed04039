"""The grid's plain data: columns, cells and rows, made by the screen and drawn by `BoardGrid`.

Kept apart from the widget so a board's rows can be built (and timed) without Textual, and because these are
the shapes the screen and the grid agree on: immutable, keyed by stable ids, cheap to create by the thousand. How a
cell's text is fitted to its column and its style parsed (`fit_text`, `parse_style`) lives here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.errors import StyleSyntaxError
from rich.style import Style

from factboard_tui.core.domain.characters import inert_line


@dataclass(frozen=True, slots=True)
class GridColumn:
    """A column: a stable key, the header label, a fixed width in cells and an optional Rich style."""

    key: str
    label: str
    width: int
    style: str = ""


class GridCell(NamedTuple):
    """One cell's text and optional Rich style (e.g. a triage label on a coloured background).

    A named tuple rather than a frozen dataclass: a board of 2,000 rows makes 40,000 of them on load, and a
    tuple is several times cheaper to create.
    """

    text: str
    style: str = ""


class GridRow:
    """A row: a stable key (a database id as text), its cells in column order and an optional Rich style.

    The cells may be given, or built on first use (`GridRow.lazy`): the first frame of a 2,000-row board then
    builds only the rows it shows, and the rest are built as they scroll into view.
    """

    __slots__ = ("_build", "_cells", "key", "style")

    def __init__(self, key: str, cells: tuple[GridCell, ...] = (), style: str = "") -> None:
        self.key = key
        self.style = style
        self._cells: tuple[GridCell, ...] | None = cells
        self._build: Callable[[], tuple[GridCell, ...]] | None = None

    @classmethod
    def lazy(cls, key: str, build: Callable[[], tuple[GridCell, ...]], style: str = "") -> GridRow:
        """A row whose cells `build` makes when they are first needed."""
        row = cls(key, style=style)
        row._cells, row._build = None, build
        return row

    @property
    def cells(self) -> tuple[GridCell, ...]:
        """The cells in column order."""
        if self._cells is None:
            assert self._build is not None
            self._cells, self._build = self._build(), None
        return self._cells

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GridRow):
            return NotImplemented
        return self.key == other.key and self.style == other.style and self.cells == other.cells

    def __hash__(self) -> int:
        return hash((self.key, self.style, self.cells))

    def __repr__(self) -> str:
        return f"GridRow({self.key!r}, {self.cells!r}, {self.style!r})"


def fit_text(text: str, width: int) -> str:
    """Return `text` on one line, exactly `width` cells wide, cut with "…" if it is too long.

    Line breaks and tabs become spaces (every row is exactly one terminal line), and a character a terminal would
    act on becomes a visible stand-in (`core.domain.characters.inert_line`): segments go to the terminal as they are.
    """
    if width <= 0:
        return ""
    text = inert_line(text)
    if cell_len(text) > width:  # cut by cells, and keep "…" next to the text when a wide character is split
        text = set_cell_size(text, width - 1).rstrip() + "…"
    return set_cell_size(text, width)


@lru_cache(maxsize=256)
def parse_style(style: str) -> Style:
    """Parse a Rich style string once; a malformed one in the data is shown unstyled rather than crash."""
    if not style:
        return Style.null()
    try:
        return Style.parse(style)
    except StyleSyntaxError:
        return Style.null()
