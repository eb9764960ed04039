"""The TUI speaks the chosen language: binding descriptions and tooltips (footer, help, palette) translated.

Textual builds each widget class's bindings once, when the class is defined, and copies them into every instance:
so a `Binding("a", "add_row", N_("Add"))` keeps its English source in the class, and `speak` swaps each class's
merged bindings for a translated copy (the English kept aside, so switching back, or to another language, starts
from the source). Screens already on the stack get the new words too. A widget class defined after `speak` would keep
its English words: the board's screens and dialogs load after the unlock prompt is drawn (issue 15), so the app calls
`translate_classes` again once it has imported them, before it shows the board (`app.py`).

Textual's own bindings that show (Input's, the command palette's) are translated the same way: their English words
are listed in `TEXTUAL_WORDS` so the catalogs carry them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from factboard_tui.core.i18n import N_, _, use_language

TEXTUAL_WORDS = (
    N_("Quit"),
    N_("Copy"),
    N_("Paste"),
    N_("Cut"),
    N_("Undo"),
    N_("Redo"),
    N_("Select all"),
    N_("Palette"),
    N_("Open command palette"),
    N_("Toggle"),
    N_("Focus next"),
    N_("Focus previous"),
    N_("Dismiss"),
    N_("Show dropdown"),
    N_("Scroll up"),
    N_("Scroll down"),
)
"""Descriptions of Textual's own bindings that a footer or the help screen may show."""

_english: dict[type[DOMNode], BindingsMap] = {}
"""Each class's bindings as written (in English), kept the first time its bindings are translated."""


def _classes(root: type[DOMNode] = DOMNode) -> list[type[DOMNode]]:
    found: list[type[DOMNode]] = []
    stack = [root]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


def _translated(binding: Binding) -> Binding:
    return replace(
        binding,
        description=_(binding.description) if binding.description else "",
        tooltip=_(binding.tooltip) if binding.tooltip else "",
    )


def translate_classes() -> None:
    """Every widget class's bindings in the language in use (cheap: a few hundred classes)."""
    for cls in _classes():
        merged = cls._merged_bindings
        if merged is None:
            continue
        english = _english.setdefault(cls, merged)
        cls._merged_bindings = BindingsMap.from_keys(
            {key: [_translated(binding) for binding in bindings] for key, bindings in english.key_to_bindings.items()}
        )


def translate_node(node: DOMNode) -> None:
    """`node`'s own bindings (and its children's) as its class has them now."""
    for each in (node, *node.walk_children(with_self=False)):
        merged = type(each)._merged_bindings
        if merged is not None:
            each._bindings = merged.copy()


def speak(language: str | None, app: App[Any] | None = None) -> str:
    """Speak `language` (see `core.i18n.use_language`): gettext, every class's bindings, and what `app` shows now."""
    used = use_language(language)
    translate_classes()
    if app is not None:
        translate_node(app)
        for screen in app.screen_stack:
            translate_node(screen)
        app.refresh_bindings()
    return used
