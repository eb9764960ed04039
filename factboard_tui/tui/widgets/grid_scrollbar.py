"""The board grid's vertical scrollbar, made from the few different lines a scrollbar has (issue 15).

Textual's `ScrollBar` draws its whole bar through the Rich console again whenever the thumb moves, then styles and
colour-filters every line of it anew: 2.5 ms of a 12 ms page down at 200x50, more than the grid's own 36 lines.
Yet a bar has only a handful of different lines (the track above and below the thumb, the thumb, and the thumb's
two ends), and a page moves the thumb by a cell or less. `RowsScrollBar` makes each different line once, as
Textual would (`ScrollBarRender.render_bar`'s segments with the widget's style under them, as Textual's `_Styled`
puts it), and hands the same `Strip` objects to `StyledLines`, which keeps their styled and filtered forms.
Anything but a plain vertical bar takes Textual's own way.

`RowsScrollView` gives a view this scrollbar, and redraws its scrollbars only when its size really changed.
Built on Textual's private widget internals (`_styles_cache`, `_dirty_regions`, `_vertical_scrollbar`,
`App._start_widget`, `_size_updated`; Textual is pinned below 9). `tests/tui/test_grid_scrollbar.py` compares
every line with the one Textual draws, in every theme and state.
"""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip

from factboard_tui.tui.widgets.styled_lines import StyledLines

_LINES_KEPT = 64
"""Different lines remembered (a few per theme and state: hover and grab colour the thumb)."""


class RowsScrollBar(ScrollBar):
    """A vertical `ScrollBar` whose lines are made once per different line and styled once (`StyledLines`)."""

    def __init__(self, vertical: bool = True, name: str | None = None, *, thickness: int = 1) -> None:
        super().__init__(vertical, name, thickness=thickness)
        self._styles_cache = StyledLines()
        self._made: dict[tuple[Segment, Style, int], Strip] = {}
        self._bar: list[Strip] | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        """The bar's lines in `crop`: its content lines made from the bar's segments, styled as Textual does."""
        self._bar = self._content_lines()
        if self._bar is not None:
            self._dirty_regions.clear()  # what Textual's own content render would have done
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """Content line `y` (before styling): one of the bar's few different lines, the same object each time."""
        bar = self._bar
        if bar is None or y >= len(bar):
            return super().render_line(y)
        return bar[y]

    def _content_lines(self) -> list[Strip] | None:
        """Each line of the bar as Textual's content render makes it, or None where this one does not apply."""
        if not self.vertical or self.styles.content_align != ("left", "top") or self.text_selection is not None:
            return None
        renderer = self.render()
        if not isinstance(renderer, ScrollBarRender) or not isinstance(renderer.style, Style):
            return None
        width, height = self.size
        style = renderer.style
        bar = renderer.render_bar(  # as `ScrollBarRender.__rich_console__` calls it for a bar of this size
            size=height,
            window_size=renderer.window_size,
            virtual_size=renderer.virtual_size,
            position=renderer.position,
            vertical=True,
            thickness=width,
            back_color=style.bgcolor or Color.parse("#555555"),
            bar_color=style.color or Color.parse("bright_magenta"),
        )
        base = self.visual_style.rich_style
        made = self._made
        if len(made) > _LINES_KEPT:
            made.clear()
        lines = []
        for segment in bar.segments:
            key = (segment, base, width)
            line = made.get(key)
            if line is None:
                if segment.cell_length != width:  # Textual would crop it: not a bar this one knows
                    return None
                text, segment_style, _control = segment
                line = made[key] = Strip([Segment(text, base + segment_style if base else segment_style)], width)
            lines.append(line)
        return lines


class RowsScrollView(ScrollView):
    """A `ScrollView` of rows whose scrollbars are redrawn only when they change, the vertical one a `RowsScrollBar`."""

    def _size_updated(self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True) -> bool:
        """Textual's hook after every layout of the screen, given the layout's own idea of our virtual size.

        A Line-API view sets its virtual size itself (columns x rows), so the layout's always differs, and
        `ScrollView` would then re-render both scrollbars after every layout anywhere on the screen (about 5 ms
        at 2,000 rows, on each save of a cell). Comparing with our own virtual size keeps that for real changes;
        our own changes of the virtual size update the scrollbars in `watch_virtual_size`.
        """
        return super()._size_updated(size, self.virtual_size, container_size, layout)

    def watch_virtual_size(self, virtual_size: Size) -> None:
        """Rows came or went: the scrollbars show when the rows no longer fit, their thumbs sized to all of them.

        Textual has no watcher of its own here: it updates the scrollbars from `_size_updated`, which (above)
        only does so when the view's size changes. Without this, rows that arrived after the first layout (the
        rest of the board after its first screenful) had no scrollbar, or one sized to the first screenful.
        """
        self._scroll_update(virtual_size)

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        """The vertical scrollbar, made as Textual's `Widget.vertical_scrollbar` makes one, but a `RowsScrollBar`."""
        if self._vertical_scrollbar is None:
            bar = RowsScrollBar(vertical=True, name="vertical", thickness=self.scrollbar_size_vertical)
            bar.display = False
            self._vertical_scrollbar = bar
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar
