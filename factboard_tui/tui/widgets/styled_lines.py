"""Textual's styled-line cache for `BoardGrid`, keeping styled lines made from rows that never change.

Built on Textual's private `StylesCache` (Textual is pinned below 9), in a file of its own so that the one place
that leans on Textual's internals is easy to find and to check when Textual is upgraded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual._styles_cache import StylesCache
from textual.cache import LRUCache
from textual.color import Color
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
        key = (id(content), content_size.width, size.width, base_background, background)
        found = self._styled.get(key)
        if found is not None and found[0] is content:  # the memo holds `content`, so its id is not reused
            return found[1]
        strip = super().render_line(
            styles, y, size, content_size, padding, base_background, background, lambda _y: content, *rest
        )
        self._styled.set(key, (content, strip))
        return strip
