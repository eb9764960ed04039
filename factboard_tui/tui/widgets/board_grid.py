"""A spreadsheet-like grid for the morning board, built on Textual's Line API.

The built-in `DataTable` re-renders every visible cell through Rich whenever one cell or the focus changes,
and measures column widths on load; at 2,000+ board rows that misses the 16 ms budget for a cursor move.
`BoardGrid` instead takes plain, immutable data (fixed-width columns, rows keyed by a stable id), renders
one `Strip` per line and keeps those strips in an LRU cache, so a cursor move repaints only the two lines it
touches and a data refresh re-renders only rows whose content changed. It is a pure view: it knows nothing
about the board's domain and never imports `factboard_tui.core`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from factboard_tui.core.domain.characters import inert_line
from factboard_tui.core.i18n import N_, _
from factboard_tui.tui.widgets.grid_rows import GridCell, GridColumn, GridRow, fit_text, parse_style
from factboard_tui.tui.widgets.grid_scrollbar import RowsScrollView
from factboard_tui.tui.widgets.styled_lines import StyledLines

__all__ = ["BoardGrid"]

PADDING = " "
"""Blank cell before a cell's text, part of the cell (so the cursor highlight covers it)."""
SEPARATOR = "│"
"""Thin line between two columns, drawn in the `board-grid--separator` style."""


_EMPTY_CELL = GridCell("")

_LINE_COMPONENTS = ("board-grid--header", "board-grid--cursor-row", "board-grid--separator", "board-grid--empty")
"""Component styles every line may use; the cursor cell's style is keyed separately (it changes with focus)."""


WHEEL_ROWS = 3
"""Rows one notch of the mouse wheel scrolls."""


class BoardGrid(RowsScrollView, can_focus=True):
    """A keyboard-driven grid of fixed-width columns, with a cell cursor and a header that never scrolls."""

    ALLOW_SELECT = False

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "board-grid--header",
        "board-grid--cursor-row",
        "board-grid--cursor-cell",
        "board-grid--separator",
        "board-grid--empty",
    }

    DEFAULT_CSS = (Path(__file__).parent / "board_grid.tcss").read_text(encoding="utf-8")  # the app's may override

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", N_("Up"), show=False, id="grid.cursor_up"),
        Binding("down,j", "cursor_down", N_("Down"), show=False, id="grid.cursor_down"),
        Binding("left,h", "cursor_left", N_("Left"), show=False, id="grid.cursor_left"),
        Binding("right,l", "cursor_right", N_("Right"), show=False, id="grid.cursor_right"),
        Binding("home", "cursor_first_column", N_("First column"), show=False, id="grid.first_column"),
        Binding("end", "cursor_last_column", N_("Last column"), show=False, id="grid.last_column"),
        Binding("ctrl+home,g", "cursor_first_row", N_("First row"), show=False, id="grid.first_row"),
        Binding("ctrl+end,G", "cursor_last_row", N_("Last row"), show=False, id="grid.last_row"),
        Binding("pageup", "cursor_page_up", N_("Page up"), show=False, id="grid.page_up"),
        Binding("pagedown", "cursor_page_down", N_("Page down"), show=False, id="grid.page_down"),
        Binding("tab", "cursor_next_cell", N_("Next cell"), show=False, id="grid.next_cell"),
        Binding("shift+tab", "cursor_previous_cell", N_("Previous cell"), show=False, id="grid.previous_cell"),
    ]

    class CellChosen(Message):
        """A cell was double-clicked: the person wants to edit it (as Enter on it does)."""

    empty_text: reactive[str] = reactive(N_("No rows"))
    """Shown dimmed under the header when there are no rows."""

    class CursorMoved(Message):
        """The cursor moved to another row or column (also sent once when the first rows arrive)."""

        def __init__(self, grid: BoardGrid, row_key: str | None, column_key: str | None) -> None:
            self.grid = grid
            """The grid whose cursor moved."""
            self.row_key = row_key
            """Key of the row under the cursor, or None when there are no rows."""
            self.column_key = column_key
            """Key of the column under the cursor, or None when there are no columns."""
            super().__init__()

        @property
        def control(self) -> BoardGrid:
            """The grid that sent the message (for `@on(..., "#id")` selectors)."""
            return self.grid

        def can_replace(self, message: Message) -> bool:
            """Collapse a flood of moves (a held-down key) into the latest one."""
            return isinstance(message, BoardGrid.CursorMoved) and message.grid is self.grid

    def __init__(
        self,
        columns: Sequence[GridColumn] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Create a grid, optionally with its columns; rows arrive later through `set_rows`."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._styles_cache = self._styled_lines = StyledLines()  # Textual's own line styling, kept per line
        self._columns: tuple[GridColumn, ...] = ()
        self._column_x: list[int] = []  # x of each column's left edge (including its padding)
        self._total_width = 0
        self._frozen_width = 0  # the first columns (code, triage) stay put when the rest scrolls sideways
        self._header_height = 1  # two lines where a label is wrapped to be shown whole ("Övriga\nvårdgivare")
        self._rows: list[GridRow] = []
        self._index_by_key: dict[str, int] | None = {}  # None: rebuilt when next asked (after `splice`)
        self._versions: dict[str, int] = {}  # bumped when a row's content changes; part of the cache key
        self._cursor_row = 0
        self._cursor_column = 0
        self._line_cache: LRUCache[tuple[str, int, int, int, int, Style | None], Strip] = LRUCache(1024)
        self._header_cache: tuple[tuple[int, int], list[Strip]] | None = None
        self._plain_style_cache: Style | None = None  # `rich_style` walks the ancestors: slow per line
        self._separator_styles: dict[Style, Style] = {}
        """The separator's style by the style of the line it is drawn on (a plain row, the cursor row, a header)."""
        self._styles_seen: tuple[Style, ...] | None = None  # the line styles the cached strips were drawn with
        self._styles_checked = False
        self.set_columns(columns)

    # -- public API -------------------------------------------------------------------------------------

    @property
    def header_height(self) -> int:
        """Lines the header takes (the first row is drawn under it)."""
        return self._header_height

    @property
    def columns(self) -> tuple[GridColumn, ...]:
        """The columns, in display order."""
        return self._columns

    @property
    def row_count(self) -> int:
        """Number of rows (the header is not counted)."""
        return len(self._rows)

    def row(self, index: int) -> GridRow:
        """The row shown at `index` (0 is the first row under the header)."""
        return self._rows[index]

    @property
    def cursor_row_key(self) -> str | None:
        """Key of the row under the cursor, or None when there are no rows."""
        return self._rows[self._cursor_row].key if self._rows else None

    @property
    def cursor_column_key(self) -> str | None:
        """Key of the column under the cursor, or None when there are no columns."""
        return self._columns[self._cursor_column].key if self._columns else None

    @property
    def cursor_coordinate(self) -> tuple[int, int]:
        """The cursor as (row index, column index)."""
        return self._cursor_row, self._cursor_column

    def set_columns(self, columns: Sequence[GridColumn], frozen: int = 0) -> None:
        """Replace the columns, keeping the cursor on the same column key if it still exists; the first `frozen`
        columns stay in view when the grid scrolls sideways (the client code and its triage, say)."""
        old_key = self.cursor_column_key
        self._columns = tuple(columns)
        self._column_x = []
        x = 0
        for column in self._columns:
            self._column_x.append(x)
            x += max(0, column.width) + len(PADDING) + len(SEPARATOR)
        self._total_width = max(0, x - len(SEPARATOR))
        self._frozen_width = self._column_x[frozen] if 0 < frozen < len(self._columns) else 0
        self._header_height = 1 + max((column.label.count("\n") for column in self._columns), default=0)
        keys = [column.key for column in self._columns]
        new_column = keys.index(old_key) if old_key in keys else self._cursor_column
        self._cursor_column = max(0, min(new_column, len(keys) - 1))
        self._clear_caches()
        self._update_virtual_size()
        self.refresh()
        if self._rows and self.cursor_column_key != old_key:
            self._post_cursor_moved()

    def set_rows(self, rows: Iterable[GridRow]) -> None:
        """Replace all rows, keeping the cursor (and its place on screen) on the same row key if it remains.

        Only rows whose content changed lose their cached lines; unchanged rows repaint from the cache.
        """
        old_key = self.cursor_row_key
        old_screen_y = self._cursor_row - self.scroll_offset.y
        old_rows, old_index = self._rows, self._index()
        new_rows = list(rows)
        versions = self._versions
        for row in new_rows:
            index = old_index.get(row.key)
            if index is None or (old_rows[index] is not row and old_rows[index] != row):
                versions[row.key] = versions.get(row.key, 0) + 1
        self._rows = new_rows
        self._index_by_key = by_key = {row.key: index for index, row in enumerate(new_rows)}
        self._update_virtual_size()
        if old_key is not None and old_key in by_key:
            self._cursor_row = by_key[old_key]
            if 0 <= old_screen_y < self._data_height:  # the cursor row stays where the eye left it
                self.scroll_to(y=self._cursor_row - old_screen_y, animate=False, force=True)
        else:
            self._cursor_row = max(0, min(self._cursor_row, len(new_rows) - 1))
        self._scroll_cursor_into_view()
        self.refresh()
        if self.cursor_row_key != old_key:
            self._post_cursor_moved()

    def splice(self, changes: Iterable[tuple[int, GridRow | None]]) -> None:
        """Take rows out and put rows in, one change after another: `(index, None)` removes the row at `index`,
        `(index, row)` inserts `row` there. The cursor stays on its row's key (and where the eye left it on
        screen), and only the rows put in lose their cached lines. A live change costs work per row changed (the
        list moves its pointers in C), where `set_rows` compares and indexes every row of the board."""
        old_key = self.cursor_row_key
        cursor = self._cursor_row
        old_screen_y = cursor - self.scroll_offset.y
        rows, versions = self._rows, self._versions
        lost = False  # the cursor's row was taken out (and may come back in at its new place)
        for index, row in changes:
            if row is None:
                del rows[index]
                if index < cursor:
                    cursor -= 1
                elif index == cursor:
                    lost = True
            else:
                rows.insert(index, row)
                versions[row.key] = versions.get(row.key, 0) + 1
                if lost and row.key == old_key:
                    cursor, lost = index, False
                elif index <= cursor and not lost:
                    cursor += 1
        self._index_by_key = None
        self._update_virtual_size()
        self._cursor_row = max(0, min(cursor, len(rows) - 1))
        if not lost and 0 <= old_screen_y < self._data_height:  # the cursor row stays where the eye left it
            self.scroll_to(y=self._cursor_row - old_screen_y, animate=False, force=True)
        self._scroll_cursor_into_view()
        self.refresh()
        if self.cursor_row_key != old_key:
            self._post_cursor_moved()

    def _index(self) -> dict[str, int]:
        """Row key -> index, rebuilt once after `splice` (only when a key is looked up)."""
        if self._index_by_key is None:
            self._index_by_key = {row.key: index for index, row in enumerate(self._rows)}
        return self._index_by_key

    def update_row(self, row: GridRow) -> None:
        """Replace the row with the same key (if present) and repaint its line. The cursor's row (nearly always the
        one saved) is tried before the index, which a `splice` leaves to be rebuilt: 4 ms at 20,000 rows (issue 15)."""
        cursor, rows = self._cursor_row, self._rows
        at_cursor = self._index_by_key is None and 0 <= cursor < len(rows) and rows[cursor].key == row.key
        index = cursor if at_cursor else self._index().get(row.key)
        if index is None or rows[index] == row:
            return
        rows[index] = row
        self._versions[row.key] = self._versions.get(row.key, 0) + 1
        self._refresh_row(index)

    def has_row(self, key: str) -> bool:
        """Whether the row with `key` is shown."""
        return key in self._index()

    def move_cursor(self, row_key: str | None = None, column_key: str | None = None) -> None:
        """Move the cursor to a row and/or column by key; unknown keys and None leave that axis alone."""
        row = self._index().get(row_key, self._cursor_row) if row_key is not None else self._cursor_row
        column = self._cursor_column
        if column_key is not None:
            column = next((i for i, c in enumerate(self._columns) if c.key == column_key), column)
        self._move_to(row, column)

    # -- actions ----------------------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self._move_to(self._cursor_row - 1, self._cursor_column)

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self._move_to(self._cursor_row + 1, self._cursor_column)

    def action_cursor_left(self) -> None:
        """Move the cursor one column left."""
        self._move_to(self._cursor_row, self._cursor_column - 1)

    def action_cursor_right(self) -> None:
        """Move the cursor one column right."""
        self._move_to(self._cursor_row, self._cursor_column + 1)

    def action_cursor_first_column(self) -> None:
        """Move the cursor to the first column."""
        self._move_to(self._cursor_row, 0)

    def action_cursor_last_column(self) -> None:
        """Move the cursor to the last column."""
        self._move_to(self._cursor_row, len(self._columns) - 1)

    def action_cursor_first_row(self) -> None:
        """Move the cursor to the first row."""
        self._move_to(0, self._cursor_column)

    def action_cursor_last_row(self) -> None:
        """Move the cursor to the last row."""
        self._move_to(len(self._rows) - 1, self._cursor_column)

    def action_cursor_page_up(self) -> None:
        """Move the cursor up by one screenful of rows (and draw the one above it ahead)."""
        self._move_to(self._cursor_row - self._data_height, self._cursor_column)
        self.call_after_refresh(self._draw_ahead, -self._data_height)

    def action_cursor_page_down(self) -> None:
        """Move the cursor down by one screenful of rows (and draw the one below it ahead)."""
        self._move_to(self._cursor_row + self._data_height, self._cursor_column)
        self.call_after_refresh(self._draw_ahead, self._data_height)

    def action_cursor_next_cell(self) -> None:
        """Move to the next cell, wrapping to the first cell of the next row (spreadsheet Tab)."""
        if self._cursor_column + 1 < len(self._columns):
            self._move_to(self._cursor_row, self._cursor_column + 1)
        elif self._cursor_row + 1 < len(self._rows):
            self._move_to(self._cursor_row + 1, 0)

    def action_cursor_previous_cell(self) -> None:
        """Move to the previous cell, wrapping to the last cell of the previous row (spreadsheet shift+Tab)."""
        if self._cursor_column > 0:
            self._move_to(self._cursor_row, self._cursor_column - 1)
        elif self._cursor_row > 0:
            self._move_to(self._cursor_row - 1, len(self._columns) - 1)

    def cursor_cell_region(self) -> Region:
        """Where the cursor cell is on the screen (for an editor laid over it)."""
        content = self.scrollable_content_region
        if not self._rows or not self._columns:
            return Region(content.x, content.y + self._header_height, 0, 1)
        scroll_x, scroll_y = self.scroll_offset
        left = self._column_x[self._cursor_column]
        x = content.x + left - (0 if left < self._frozen_width else scroll_x)
        y = content.y + self._header_height + self._cursor_row - scroll_y
        return Region(x, y, self._columns[self._cursor_column].width + len(PADDING), 1)

    # -- events -----------------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        """Move the cursor to the clicked cell (a click on the header only changes the column); a double-click on
        a cell asks to edit it."""
        offset = event.get_content_offset(self)
        if offset is None or not self._columns:
            return
        scroll_x, scroll_y = self.scroll_offset
        x = offset.x if offset.x < self._frozen_width and scroll_x else offset.x + scroll_x
        column = bisect_right(self._column_x, x) - 1
        on_header = offset.y < self._header_height
        row = self._cursor_row if on_header else scroll_y + offset.y - self._header_height
        if row < len(self._rows):
            self._move_to(row, column)
            if event.chain == 2 and not on_header:  # a double-click edits, as in a spreadsheet
                self.post_message(self.CellChosen())

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        """The wheel scrolls the rows, `WHEEL_ROWS` a notch (Textual's own handling, which would scroll too
        whenever the scrollbar shows, is prevented)."""
        self._wheel(event, WHEEL_ROWS)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._wheel(event, -WHEEL_ROWS)

    def _wheel(self, event: events.MouseEvent, rows: int) -> None:
        event.stop()
        event.prevent_default()
        top = max(0, min(self.max_scroll_y, self.scroll_offset.y + rows))
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, force=True)

    def on_resize(self, event: events.Resize) -> None:
        """A new size changes every line's width: drop the cache and keep the cursor visible."""
        self._clear_caches()
        self._scroll_cursor_into_view()

    def notify_style_update(self) -> None:
        """Theme, CSS or focus changed: check the line styles before the next line is drawn.

        Focus changes land here too (the cursor cell looks different when the grid has focus), but they change
        only the cursor cell's style, which is part of the cursor line's cache key: the other lines stay cached
        and only the cursor line is repainted. Opening and closing the cell editor stays cheap that way.
        Component styles are updated after this call, so the comparison waits for the next `render_line`.
        """
        super().notify_style_update()
        self._plain_style_cache = None
        self._styles_checked = False
        if self._rows:
            self._refresh_row(self._cursor_row)
        else:
            self.refresh()

    def _check_styles(self) -> None:
        """Drop every cached line if the styles lines are drawn with have changed since they were cached."""
        self._styles_checked = True
        styles = (self._plain_style, *(self.get_component_rich_style(name) for name in _LINE_COMPONENTS))
        if styles != self._styles_seen:
            self._styles_seen = styles
            self._line_cache.clear()
            self._header_cache = None
            self._separator_styles.clear()
            self.refresh()

    # -- rendering --------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Render line `y` of the view: the header's lines first, then the rows under it (from the cache)."""
        if not self._styles_checked:
            self._check_styles()
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if y < self._header_height:
            return self._render_header(width, scroll_x, y)
        index = scroll_y + y - self._header_height
        if index >= len(self._rows):
            if y == self._header_height and not self._rows:
                text = inert_line(_(self.empty_text)).strip()
                text = " " * max(0, (width - cell_len(text)) // 2) + text
                style = self.get_component_rich_style("board-grid--empty")
                return Strip([Segment(set_cell_size(text, width), style)], width)
            return Strip.blank(width, self._plain_style)
        return self._line(index, width, scroll_x)

    def _line(self, index: int, width: int, scroll_x: int) -> Strip:
        """Row `index`'s line as it shows at this width and horizontal scroll (from the cache, or drawn into it)."""
        row = self._rows[index]
        state = self._cursor_column if index == self._cursor_row else -1
        cursor_style = self.get_component_rich_style("board-grid--cursor-cell") if state >= 0 else None
        key = (row.key, self._versions.get(row.key, 0), state, width, scroll_x, cursor_style)
        strip = self._line_cache.get(key)
        if strip is None:
            cursor_row = self.get_component_rich_style("board-grid--cursor-row")
            base = cursor_row if state >= 0 else self._plain_style
            strip = self._in_view(self._render_row(row, state, base), scroll_x, width, base)
            self._line_cache.set(key, strip)
        return strip

    def _draw_ahead(self, step: int) -> None:
        """Draw and style (as Textual will) the lines of the next page towards `step`, after the frame that moved a
        page is out and before the next key: a page down then repaints from the caches (issue 15)."""
        if not self._rows or not self._styles_checked:
            return
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        first = scroll_y + step
        for index in range(max(0, first), min(len(self._rows), first + self._data_height)):
            self._styled_lines.style_ahead(self._line(index, width, scroll_x))

    def _render_header(self, width: int, scroll_x: int, line: int = 0) -> Strip:
        """Render one line of the column labels (a wrapped label's second part on line 1), cropped to the
        horizontal scroll position."""
        if self._header_cache is not None and self._header_cache[0] == (width, scroll_x):
            return self._header_cache[1][line]
        style = self.get_component_rich_style("board-grid--header")
        strips = []
        for at in range(self._header_height):
            parts = [
                (column.label.split("\n")[at] if at <= column.label.count("\n") else "", style)
                for column in self._columns
            ]
            strips.append(self._in_view(self._join(parts, style), scroll_x, width, style))
        self._header_cache = ((width, scroll_x), strips)
        return strips[line]

    def _in_view(self, strip: Strip, scroll_x: int, width: int, style: Style) -> Strip:
        """The part of a full-width line in view: the frozen columns, then the rest from the scroll position."""
        frozen = self._frozen_width
        if not frozen or not scroll_x or frozen >= width:
            return strip.crop_extend(scroll_x, scroll_x + width, style)
        kept = strip.crop_extend(0, frozen, style)
        return Strip.join([kept, strip.crop_extend(frozen + scroll_x, scroll_x + width, style)])

    def _render_row(self, row: GridRow, cursor_column: int, base: Style) -> Strip:
        """Render a whole row at full width; `cursor_column` is -1 unless this is the cursor row."""
        row_style = base + parse_style(row.style)
        cursor_style = self.get_component_rich_style("board-grid--cursor-cell")
        cells = row.cells
        parts: list[tuple[str, Style]] = []
        for index, column in enumerate(self._columns):
            cell = cells[index] if index < len(cells) else _EMPTY_CELL
            style = row_style + parse_style(column.style) + parse_style(cell.style)
            parts.append((cell.text, style + cursor_style if index == cursor_column else style))
        return self._join(parts, row_style)

    def _join(self, parts: list[tuple[str, Style]], line_style: Style) -> Strip:
        """Lay out one (text, style) per column: fitted, padded and separated, at the full virtual width."""
        separator = Segment(SEPARATOR, self._separator_style(line_style))
        segments: list[Segment] = []
        for (text, style), column in zip(parts, self._columns, strict=True):
            if segments:
                segments.append(separator)
            segments.append(Segment(PADDING + fit_text(text, column.width), style))
        return Strip(segments, self._total_width)

    # -- internals --------------------------------------------------------------------------------------

    @property
    def _data_height(self) -> int:
        """How many rows fit under the header (at least one)."""
        return max(1, self.scrollable_content_region.height - self._header_height)

    def _separator_style(self, line_style: Style) -> Style:
        """The separator's colour laid over the line's background: `$foreground 25%` is a colour with alpha, which
        Rich cannot draw (a partial style would give the text's own colour, so the bars merged with the text into
        one run: a renderer that draws a long run a little narrower or wider moved the bars after it)."""
        style = self._separator_styles.get(line_style)
        if style is None:
            colour = self.get_component_styles("board-grid--separator").color
            background = Color.from_rich_color(line_style.bgcolor) if line_style.bgcolor else self.background_colors[1]
            style = self._separator_styles[line_style] = line_style + Style(color=(background + colour).rich_color)
        return style

    @property
    def _plain_style(self) -> Style:
        """The grid's own Rich style (colours of a plain row), cached until the styles change."""
        if self._plain_style_cache is None:
            self._plain_style_cache = self.rich_style
        return self._plain_style_cache

    def _clear_caches(self) -> None:
        self._line_cache.clear()
        self._header_cache = None
        self._plain_style_cache = None
        self._separator_styles.clear()

    def _update_virtual_size(self) -> None:
        size = Size(self._total_width, len(self._rows) + self._header_height)
        if self.virtual_size != size:
            self.virtual_size = size

    def _post_cursor_moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.cursor_row_key, self.cursor_column_key))

    def _refresh_row(self, index: int) -> None:
        """Repaint the line showing row `index`, if it is on screen."""
        y = index + self._header_height - self.scroll_offset.y
        if self._header_height <= y < self.scrollable_content_region.height:
            self.refresh(Region(0, y, self.scrollable_content_region.width, 1))

    def _move_to(self, row: int, column: int) -> None:
        """Clamp and move the cursor, repainting only the old and new cursor lines."""
        row = max(0, min(row, len(self._rows) - 1))
        column = max(0, min(column, len(self._columns) - 1))
        old_row, old_column = self._cursor_row, self._cursor_column
        self._cursor_row, self._cursor_column = row, column
        self._scroll_cursor_into_view()
        if (row, column) != (old_row, old_column):
            self._refresh_row(old_row)
            self._refresh_row(row)
            self._post_cursor_moved()

    def _scroll_cursor_into_view(self) -> None:
        """Scroll the least distance that shows the whole cursor cell under the header."""
        if not self._rows or not self._columns:
            return
        view_width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        new_y = min(scroll_y, self._cursor_row)
        new_y = max(new_y, self._cursor_row - self._data_height + 1)
        left = self._column_x[self._cursor_column]
        right = left + self._columns[self._cursor_column].width + len(PADDING)
        new_x = 0  # on a frozen column (code, triage): back to the start, as Home on a spreadsheet
        if left >= self._frozen_width:  # the others scroll, showing the frozen columns to their left
            new_x = max(scroll_x, right - view_width) if view_width else scroll_x
            new_x = max(0, min(new_x, left - self._frozen_width))
        if (new_x, new_y) != (scroll_x, scroll_y):
            self.scroll_to(new_x, new_y, animate=False, force=True)
