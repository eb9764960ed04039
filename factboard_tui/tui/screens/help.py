"""The keys screen, generated from the bindings themselves so it can never disagree with them.

It lists every binding with an `id` that is active on the screen it was opened from (that screen's, its focused
widget's and the app's), grouped by the id's prefix (`board.`, `row.`, `view.`, `app.` …), with the keys as this
user has them after their `[keys]` remapping, the description, the tooltip and the id to put in the config file.
Hidden bindings (`show=False`) are listed too: the footer has no room for them, this screen does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.keys import key_to_character
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from factboard_tui.core import paths
from factboard_tui.core.i18n import N_, _
from factboard_tui.shown import shown

GROUP_ORDER = ("board", "grid", "row", "view", "meeting", "app")
"""Groups shown first, in this order; any other prefixes follow alphabetically."""

GROUP_TITLES = {
    "board": N_("Board"),
    "grid": N_("Moving around the grid"),
    "row": N_("The row under the cursor"),
    "view": N_("What the board shows"),
    "meeting": N_("Meeting"),
    "app": "FactBoard",
}
"""Headings for the groups we know; others are titled by their prefix."""


@dataclass(frozen=True)
class HelpEntry:
    """One line of the keys screen: a binding id with all the keys that trigger it."""

    group: str
    """The id's prefix, e.g. `board` for `board.edit`."""
    binding_id: str
    """What to write in the config's `[keys]` table to remap it."""
    keys: tuple[str, ...]
    """The keys as the config spells them (`ctrl+e`, `f2`, `?`), after the user's remapping."""
    description: str
    """The short description (the footer's label)."""
    tooltip: str
    """The longer explanation."""
    enabled: bool
    """False when the action does not apply right now (`check_action` returned None): shown dimmed."""


def key_name(key: str) -> str:
    """A key as a person would type it in the config: `question_mark` -> `?`, modifiers kept as words."""
    *modifiers, base = key.split("+")
    character = key_to_character(base)
    if character is not None and len(character) == 1 and character.isprintable() and character not in ", ":
        base = character
    return "+".join([*modifiers, base])


def help_entries(active_bindings: Iterable[ActiveBinding]) -> list[HelpEntry]:
    """One entry per binding id, keys merged (a binding for "enter,f2" is two active bindings), bindings order kept."""
    by_id: dict[str, HelpEntry] = {}
    for active in active_bindings:
        binding: Binding = active.binding
        if not binding.id:
            continue
        name = key_name(binding.key)
        known = by_id.get(binding.id)
        if known is None:
            by_id[binding.id] = HelpEntry(
                group=binding.id.split(".", 1)[0] if "." in binding.id else "other",
                binding_id=binding.id,
                keys=(name,),
                description=binding.description or binding.action,
                tooltip=binding.tooltip or active.tooltip or "",
                enabled=active.enabled,
            )
        elif name not in known.keys:
            by_id[binding.id] = HelpEntry(
                known.group,
                known.binding_id,
                (*known.keys, name),
                known.description,
                known.tooltip,
                known.enabled or active.enabled,
            )
    return list(by_id.values())


def grouped(entries: Iterable[HelpEntry]) -> list[tuple[str, list[HelpEntry]]]:
    """Entries by group: known groups in `GROUP_ORDER`, then the rest alphabetically."""
    groups: dict[str, list[HelpEntry]] = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry)

    def order(group: str) -> tuple[int, str]:
        return (GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER), group)

    return [(group, groups[group]) for group in sorted(groups, key=order)]


class HelpScreen(ModalScreen[None]):
    """Every key of the screen underneath, with what it does and how to remap it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", N_("Close"), id="help.close", tooltip=N_("Back to the board")),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"help--heading", "help--key", "help--muted"}
    """Styles for the parts of the Rich tables, so they follow the theme."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    HelpScreen > #help-box {
        width: 90%;
        max-width: 130;
        height: 90%;
        border: round $primary;
        border-title-color: $primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-scroll {
        height: 1fr;
    }
    HelpScreen > .help--heading { color: $primary; text-style: bold; }
    HelpScreen > .help--key { color: $accent; text-style: bold; }
    HelpScreen > .help--muted { color: $text-muted; }
    HelpScreen #help-footer {
        height: auto;
        color: $text-muted;
        border-top: solid $primary 50%;
    }
    """
    # DEFAULT_CSS rather than factboard.tcss: the screen works in any app (tests use a bare one) with any theme.

    def __init__(self, screen: Screen[Any], config_path: Path | None = None) -> None:
        super().__init__()
        self.source = screen
        """The screen whose keys are listed (the one the help was opened from)."""
        self.config_path = paths.config_path() if config_path is None else config_path
        """Named in the footer, so people know where `[keys]` goes."""
        self.entries = help_entries(screen.active_bindings.values())
        """What the screen lists, in binding order; also what tests inspect."""

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box") as box:
            box.border_title = _("Keys")
            with VerticalScroll(id="help-scroll"):
                yield Static(id="help-bindings")
            yield Static(
                shown(
                    _('Remap keys in {path} under [keys], e.g. board.edit = "f2"').format(path=self.config_path),
                    one_line=True,
                ),
                id="help-footer",
            )

    def on_mount(self) -> None:
        self.query_one("#help-bindings", Static).update(self._render_groups())
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def _foreground(self, component: str) -> Style:
        """A component's colour and weight without its background, so the table sits on the box's surface."""
        style = self.get_component_rich_style(component)
        return Style(color=style.color, bold=style.bold, italic=style.italic)

    def _render_groups(self) -> RenderableType:
        """One table per group, coloured from the current theme."""
        heading, key_style, muted = (self._foreground(name) for name in ("help--heading", "help--key", "help--muted"))
        if not self.entries:
            return Text(_("This screen has no keys with ids to list."), style=muted)
        key_width = max(len(", ".join(entry.keys)) for entry in self.entries)  # one key column across groups
        parts: list[RenderableType] = []
        for group, entries in grouped(self.entries):
            table = Table(
                title=Text(_(GROUP_TITLES[group]) if group in GROUP_TITLES else group, style=heading),
                title_justify="left",
                show_header=False,
                box=None,
                expand=True,
                padding=(0, 1),
                pad_edge=False,
            )
            table.add_column(_("keys"), no_wrap=True, min_width=max(key_width, 10))
            table.add_column(_("what"), ratio=1)
            table.add_column(_("id"), no_wrap=True, justify="right")
            for entry in entries:
                what = Text(entry.description, style=Style() if entry.enabled else muted)
                if entry.tooltip:
                    what.append(f" — {entry.tooltip}", style=muted)
                table.add_row(
                    Text(", ".join(entry.keys), style=key_style if entry.enabled else muted),
                    what,
                    Text(entry.binding_id, style=muted),
                )
            parts.extend([table, Text("")])
        return Group(*parts[:-1])
