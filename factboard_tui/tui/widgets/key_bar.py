"""A one-line key bar: the footer of the board screen, drawn as a single line of text.

Textual's `Footer` builds one widget per key and rebuilds them every time focus moves; on the board, focus moves
on every cell edit (grid -> editor -> grid), and that rebuild alone cost tens of milliseconds per save. This bar
renders the same information (the screen's shown bindings, as the user has them mapped, greyed when they do not
apply) into one `Static`, so a focus change costs a string join.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static


class KeyBar(Static):
    """The keys that apply on this screen now, with what they do."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._instead: Sequence[Binding] | None = None

    def show_instead(self, bindings: Sequence[Binding] | None) -> None:
        """Show these bindings (e.g. an open cell editor's) instead of the screen's; None goes back."""
        self._instead = bindings
        self._bindings_changed(self.screen)

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: object) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        if self._instead is not None:
            shown = [(binding, True) for binding in self._instead]
        else:
            shown = [(binding, enabled) for _node, binding, enabled, _tip in self.screen.active_bindings.values()]
        for binding, enabled in shown:
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            style = "" if enabled else "dim"
            text.append(f" {self.app.get_key_display(binding)} ", style=f"bold {style}".strip())
            text.append(f"{binding.description} ", style=style)
        self.update(text, layout=False)  # always one line: no layout needed
