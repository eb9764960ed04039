"""The one way a value becomes something a terminal shows, for both faces (the CLI's Rich console and the TUI).

A cell, a staff name, a template word, a file name, a peer's name or an error message quoting any of them can hold
`[/]`, `[link=…]` or `[@click=…]`: as Rich or Textual markup the first crashes the renderer, the second becomes a
terminal hyperlink (OSC 8) and the third an action a click runs. It can also hold characters a terminal acts on
(an old value, a file name). So every such string goes to the screen through `shown`: a `rich.text.Text` built
from the value as plain text, with the characters `core.domain.characters.inert` replaces made visible. Only literals
written in code get a style, given as `(text, style)` pairs; none is ever parsed as markup. Textual widgets take
the same `Text` (`Static.update`, table cells, selection prompts).
"""

from __future__ import annotations

from string import Formatter

from rich.style import StyleType
from rich.text import Text

from factboard_tui.core.domain.characters import inert, inert_line

Part = str | tuple[str, StyleType] | Text | None
"""A piece of a shown line: a value (plain text), a `(text, style)` pair, a `Text` made by `shown`, or nothing."""


def shown(*parts: Part | object, style: StyleType = "", one_line: bool = False, no_wrap: bool | None = None) -> Text:
    """The parts as one literal `Text`: values as plain text (never markup), unsafe characters made visible.

    `one_line` also turns line breaks into spaces (for table cells and titles). Any other object is shown as
    `str(object)` (a number, a path).
    """
    clean = inert_line if one_line else inert
    text = Text(style=style, no_wrap=no_wrap, end="\n")
    for part in parts:
        if part is None:
            continue
        if isinstance(part, Text):
            text.append_text(part)
        elif isinstance(part, tuple):
            value, part_style = part
            text.append(clean(str(value)), part_style)
        else:
            text.append(clean(str(part)))
    return text


def cut(value: str, width: int, style: StyleType = "") -> Text:
    """`value` on one line, white space collapsed, cut with "…" when it is wider than `width` cells."""
    line = shown(" ".join(value.split()), style=style, one_line=True, no_wrap=True)
    line.overflow = "ellipsis"
    line.truncate(max(width, 1), overflow="ellipsis")
    return line


def shown_sentence(sentence: str, *, style: StyleType = "", one_line: bool = False, **values: Part | object) -> Text:
    """A translated sentence with styled values in its `{name}` places, as `shown` makes it.

    `shown_sentence(_("Wrote {what} to {path}"), what=(what, "bold"), path=(path, "bold"))`: the sentence stays
    whole for the translator (whose word order may differ), and each value keeps its own style, never parsed as markup.
    """
    parts: list[Part | object] = []
    for literal, name, _spec, _conversion in Formatter().parse(sentence):
        if literal:
            parts.append(literal)
        if name is not None:
            parts.append(values[name])
    return shown(*parts, style=style, one_line=one_line)
