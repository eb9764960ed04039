"""Textual's styled-line cache for `BoardGrid`, keeping styled lines made from rows that never change.

Built on Textual's private `StylesCache` (Textual is pinned below 9), in a file of its own so that the one place
that leans on Textual's internals is easy to find and to check when Textual is upgraded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from textual._styles_cache import StylesCache
from textual.cache import LRUCache
from textual.color import Color
from textual.filter import LineFilter
from textual.geometry import NULL_SPACING, Region, Size, Spacing
from textual.strip import Strip


class StyledLines(StylesCache):
    """Textual's per-widget cache of styled lines, remembering each styled line by the strip it was made from.

    Textual forgets every styled line when a widget scrolls or is refreshed whole (`StylesCache.clear`), then
    styles and colour-filters each line again: about a quarter of a millisecond per line, 10 ms for the grid's
    38 lines on every move that scrolls at 200x50. The grid's row strips are cached and never change once made,
    so the styled line made from one is the same every time: this keeps it (and because it is the same `Strip`
    object, Textual's own caches on it for colour filters, cuts and escape sequences hit as well). Only lines of
    a widget with plain styles (no padding, border, outline, tint, opacity or hatch, as the grid's CSS has) are
    kept; anything else takes Textual's way. Built on Textual's private `StylesCache` (pinned below 9).
    """

    def __init__(self) -> None:
        super().__init__()
        self._plain = False
        self._styled: LRUCache[tuple[int, int, int, Color, Color], tuple[Strip, Strip]] = LRUCache(512)
        self._filters: Sequence[LineFilter] = ()
        self._last: tuple[Any, ...] | None = None
        """How the last plain line was styled (all but its content): `style_ahead` styles more lines the same way."""

    def render_widget(self, widget: Any, crop: Region) -> list[Strip]:
        """Render as Textual does, after checking once per render whether the widget's styles are plain."""
        styles = widget.styles
        self._plain = (
            styles.gutter == NULL_SPACING
            and not any(edge for edge, _color in styles.outline)
            and not styles.tint.a
            and widget.opacity == 1.0
            and styles.text_opacity == 1.0
            and not (styles.has_rule("hatch") and styles.hatch != "none")
        )
        self._filters = widget.get_line_filters()
        return super().render_widget(widget, crop)

    def render_line(
        self,
        styles: Any,
        y: int,
        size: Size,
        content_size: Size,
        padding: Spacing,
        base_background: Color,
        background: Color,
        render_content_line: Callable[[int], Strip],
        *rest: Any,
    ) -> Strip:
        """The styled line `y`: the one made before from the same content strip, or Textual's own."""
        if not self._plain or padding != NULL_SPACING or y >= content_size.height:
            return super().render_line(
                styles, y, size, content_size, padding, base_background, background, render_content_line, *rest
            )
        content = render_content_line(y)
        self._last = (styles, size, content_size, padding, base_background, background, rest)
        key = (id(content), content_size.width, size.width, base_background, background)
        found = self._styled.get(key)
        if found is not None and found[0] is content:  # the memo holds `content`, so its id is not reused
            return found[1]
        strip = super().render_line(
            styles, y, size, content_size, padding, base_background, background, lambda _y: content, *rest
        )
        self._styled.set(key, (content, strip))
        return strip

    def style_ahead(self, content: Strip) -> None:
        """Style and colour-filter a content line before it is shown, as the last plain line was (the grid draws the
        next page ahead, after a frame is out: issue 15). Styling and filtering were most of a page down's frame,
        8-10 ms of its 14-16 at 200x50; when the page is shown its lines come from this memo and from the filter
        cache on the styled strip. Nothing is done before a first plain line was styled; a line styled for sizes
        or colours that have changed meanwhile is never found again (they are part of the memo's key)."""
        if self._last is None or not self._plain:
            return
        styles, size, content_size, padding, base_background, background, rest = self._last
        strip = self.render_line(
            styles, 0, size, content_size, padding, base_background, background, lambda _y: content, *rest
        )
        for line_filter in self._filters:
            strip.apply_filter(line_filter, background)
