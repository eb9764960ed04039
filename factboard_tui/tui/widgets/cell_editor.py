"""The in-place cell editor: a one-line input laid over the grid cell being edited.

Spreadsheet muscle memory: Enter saves, Esc cancels, Tab saves and moves to the next cell, shift+Tab to the
previous one. The editor opens with the old value selected, so typing replaces it (an arrow key, Home or End keeps
it and moves the cursor instead). Pick-list fields (triage, category, yes/no) and staff initials complete as you
type, and what is shown in grey is what is saved: Enter and Tab take it, like right arrow or End (`k` Enter saves
`kris`); a weekday cell completes the initials after the last `+` (`DEN+M` -> `DEN+MJR`). A problem with the value
is shown on the line under the input, and nothing is saved until it is fixed.

Why not Textual's `Input`: saving a cell must repaint within 16 ms. An `Input` has to take the focus, and every
focus change makes Textual restyle both widgets, repaint the whole grid and rebuild the key bar, which alone
costs more than the budget. This editor never needs the focus: the board keeps one mounted and hidden, `open`s
it over a cell, and hands it the keys while it is open (`take_key`). A screen that mounts it on its own can
let it take the focus instead; the keys then arrive through `on_key`, and behave the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from factboard_tui.core.domain.characters import inert_line
from factboard_tui.core.i18n import N_, _
from factboard_tui.shown import shown

Completion = Callable[[str], str | None]
"""Given what is typed, the whole value it completes to (None when nothing fits)."""


def complete_from(choices: Sequence[str]) -> Completion:
    """Complete to the first choice that starts with what is typed, ignoring case."""

    def complete(value: str) -> str | None:
        typed = value.casefold()
        if not typed or any(c.casefold() == typed for c in choices):  # a whole choice is kept as typed
            return None
        return next((c for c in choices if c.casefold().startswith(typed)), None)

    return complete


def complete_initials(initials: Sequence[str]) -> Completion:
    """Complete the last `+`-separated part of a weekday cell from the staff list (not after a `:` note)."""
    ordered = sorted(initials)

    def complete(value: str) -> str | None:
        head, plus, last = value.rpartition("+")
        if not last or ":" in value:
            return None
        typed = last.casefold()
        if any(candidate.casefold() == typed for candidate in ordered):  # `DE` stays `DE` even if `DEN` exists
            return None
        for candidate in ordered:
            if candidate.casefold().startswith(typed):
                return f"{head}{plus}{candidate}"
        return None

    return complete


class LineInput(Widget):
    """One line of editable text with a block cursor and a grey completion after it."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-input--cursor", "line-input--completion", "line-input--selection"}

    DEFAULT_CSS = """
    LineInput {
        height: 1;
        padding: 0 1;
        background: $boost;
        background-tint: $accent 20%;
        & > .line-input--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
        & > .line-input--completion { color: $text-muted; }
        & > .line-input--selection { background: $accent; color: $text; }
    }
    """

    def __init__(self, value: str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.value = value
        self.cursor = len(value)
        self.selected = bool(value)
        """Whether the whole value is selected (as the editor opens): typing replaces it."""
        self.complete: Completion | None = None

    @property
    def completion(self) -> str:
        """The grey text after the cursor that Enter, Tab, right arrow or End accept ("" when none)."""
        if self.complete is None or self.selected or self.cursor != len(self.value):
            return ""
        whole = self.complete(self.value)
        return whole[len(self.value) :] if whole and len(whole) > len(self.value) else ""

    @property
    def accepted(self) -> str:
        """What saving takes: the text with its visible completion, spelt as the pick-list has it (`k` -> `Kris`)."""
        if not self.completion or self.complete is None:
            return self.value
        return self.complete(self.value) or self.value

    def set_value(self, value: str, *, select: bool = False) -> None:
        """Replace the text and put the cursor at its end; `select` selects it all, so typing replaces it."""
        self.value, self.cursor, self.selected = value, len(value), select and bool(value)
        self.refresh()

    def insert(self, text: str) -> None:
        """Type `text` at the cursor, or over the selected value (line breaks become spaces: a cell is one line)."""
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
        if self.selected:
            self.value, self.cursor, self.selected = "", 0, False
        self.value = self.value[: self.cursor] + text + self.value[self.cursor :]
        self.cursor += len(text)
        self.refresh()

    def edit(self, key: str) -> bool:
        """Apply an editing key (arrows, Home/End, deletes); False if `key` is not one."""
        if self.selected and key in ("backspace", "delete", "ctrl+u", "ctrl+w", "ctrl+k"):
            self.set_value("")  # a delete takes the whole selection
            return True
        if self.selected and key in ("left", "right", "home", "end", "ctrl+a", "ctrl+e", "ctrl+left", "ctrl+right"):
            self.selected = False  # keep the value, edit inside it: the cursor starts where the arrow points
            self.cursor = 0 if key in ("left", "home", "ctrl+a", "ctrl+left") else len(self.value)
            self.refresh()
            return True
        value, cursor = self.value, self.cursor
        if key in ("right", "end", "ctrl+e") and cursor == len(value) and self.completion:
            value = value + self.completion
            cursor = len(value)
        elif key == "left":
            cursor = max(0, cursor - 1)
        elif key == "right":
            cursor = min(len(value), cursor + 1)
        elif key in ("home", "ctrl+a"):
            cursor = 0
        elif key in ("end", "ctrl+e"):
            cursor = len(value)
        elif key == "ctrl+left":
            cursor = value.rstrip()[:cursor].rstrip().rfind(" ") + 1 if cursor else 0
        elif key == "ctrl+right":
            following = value.find(" ", cursor + 1)
            cursor = len(value) if following < 0 else following
        elif key == "backspace":
            if cursor:
                value, cursor = value[: cursor - 1] + value[cursor:], cursor - 1
        elif key == "delete":
            value = value[:cursor] + value[cursor + 1 :]
        elif key == "ctrl+w":  # delete the word before the cursor
            start = value[:cursor].rstrip().rfind(" ") + 1
            value, cursor = value[:start] + value[cursor:], start
        elif key == "ctrl+u":
            value, cursor = value[cursor:], 0
        elif key == "ctrl+k":
            value = value[:cursor]
        else:
            return False
        self.value, self.cursor = value, cursor
        self.refresh()
        return True

    def render(self) -> Text:
        width = max(1, self.content_region.width)
        completion = self.completion
        drawn = self.value + (completion or " ")
        start = max(0, self.cursor - width + 1)  # scroll so the cursor stays in view
        text = Text(no_wrap=True, overflow="crop", end="")
        if self.selected:  # the old value, highlighted: typing replaces it
            text.append(inert_line(self.value[-(width - 1) :]), self.get_component_rich_style("line-input--selection"))
            text.append(" ", self.get_component_rich_style("line-input--cursor"))
            return text
        # Pasted text may hold anything until it is saved (and refused): drawn inert, one stand-in per character.
        text.append(inert_line(self.value[start : self.cursor]))
        cursor_style = self.get_component_rich_style("line-input--cursor")
        text.append(inert_line(drawn[self.cursor]) if self.cursor < len(drawn) else " ", cursor_style)
        text.append(inert_line(self.value[self.cursor + 1 :]))
        if completion:
            text.append(inert_line(completion[1:]), self.get_component_rich_style("line-input--completion"))
        return text


class CellEditor(Vertical, can_focus=True):
    """One-line editor for the cursor cell; posts `Save` or `Cancel`."""

    DEFAULT_CSS = """
    CellEditor {
        position: absolute;
        layer: overlay;
        height: auto;
        background: $surface;
    }
    CellEditor > .hint {
        height: auto;
        padding: 0 1;
        background: $panel;
        color: $text-muted;
    }
    CellEditor > .hint.-error {
        background: $error 30%;
        color: $text;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape", "cancel", N_("Cancel edit"), id="editor.cancel", tooltip=N_("Close the editor without saving")
        ),
        Binding("ctrl+s", "save", N_("Save"), id="editor.save", tooltip=N_("Save the value (Enter too)")),
        Binding("tab", "save_and_move(1)", N_("Save, next cell"), id="editor.next"),
        Binding("shift+tab", "save_and_move(-1)", N_("Save, previous cell"), id="editor.previous"),
        Binding(
            "ctrl+f",
            "fix",
            N_("Take the closest"),
            id="editor.fix",
            tooltip=N_("Put in the team member the warning offers instead of what was typed"),
        ),
    ]

    NAVIGATION_KEYS: ClassVar[frozenset[str]] = frozenset({"up", "down", "pageup", "pagedown"})
    """Keys an open editor swallows, so the grid cursor does not move under it."""

    class Save(Message):
        """The person wants to save `text`; `move` is +1/-1 after Tab/shift+Tab, else 0."""

        def __init__(self, editor: CellEditor, text: str, move: int) -> None:
            super().__init__()
            self.editor = editor
            self.text = text
            self.move = move

    class Cancel(Message):
        """The person closed the editor without saving."""

        def __init__(self, editor: CellEditor) -> None:
            super().__init__()
            self.editor = editor

    def __init__(
        self,
        value: str = "",
        *,
        label: str = "",
        choices: Sequence[str] = (),
        initials: Sequence[str] = (),
        width: int = 30,
        hidden: bool = False,
    ) -> None:
        """An editor showing `value`; `hidden` mounts it closed, to be `open`ed over a cell later."""
        super().__init__(id="cell-editor")
        self.initial_value = value
        self.label = label
        self.choices = list(choices)
        self.initials = list(initials)
        self.styles.width = width
        self.display = not hidden
        self._actions: dict[str, str] = {}
        self.fix: str | None = None
        """What a warning offers instead of what is typed (the closest staff initials), taken with ctrl+f."""
        self.key_bar_bindings: list[Binding] = []
        """The editor's keys as this user has them, for the screen's key bar while the editor is open."""

    def compose(self) -> ComposeResult:
        line = LineInput(self.initial_value, id="cell-input")
        line.complete = self._completion()
        yield line
        yield Static(self._hint(), classes="hint", id="cell-hint")

    def on_mount(self) -> None:
        self._actions = self._key_actions()
        if self.display:  # mounted open, on its own: it takes the keys through the focus
            self.focus()

    def _key_actions(self) -> dict[str, str]:
        """Key -> action for this editor's bindings, after the user's `[keys]` remapping."""
        bindings = self._bindings.copy()
        bindings.apply_keymap(self.app._keymap)
        self.key_bar_bindings = [Binding("enter", "save", _("Save"))]
        # ctrl+f only matters once a warning offers a fix, and the warning names it: not in the key bar.
        self.key_bar_bindings += [binding for _key, binding in bindings if binding.action != "fix"]
        return {key: items[0].action for key, items in bindings.key_to_bindings.items() if items}

    def _completion(self) -> Completion | None:
        if self.choices:
            return complete_from(self.choices)
        if self.initials:
            return complete_initials(self.initials)
        return None

    def _hint(self) -> Text:
        return shown(f"{self.label}: " + (" · ".join(self.choices) if self.choices else _("Enter saves, Esc cancels")))

    @property
    def line(self) -> LineInput:
        return self.query_one(LineInput)

    @property
    def is_open(self) -> bool:
        """Whether the editor is shown (a cell is being edited)."""
        return self.display

    @property
    def text(self) -> str:
        """What saving takes: what is typed, with the completion shown after it."""
        return self.line.accepted

    def open(
        self,
        value: str,
        *,
        label: str,
        choices: Sequence[str] = (),
        initials: Sequence[str] = (),
        width: int = 30,
        offset: tuple[int, int] = (0, 0),
    ) -> None:
        """Show the editor at `offset` with `value`, the field's label and its completions.

        It does not take the focus: the screen that opened it passes it the keys (`take_key`, `insert`).
        """
        self.label, self.choices, self.initials = label, list(choices), list(initials)
        self.styles.width = width
        self.styles.offset = offset
        line = self.line
        line.complete = self._completion()
        line.set_value(value, select=True)
        hint = self.query_one("#cell-hint", Static)
        hint.update(self._hint())
        hint.remove_class("-error")
        self.fix = None
        self.display = True

    def close(self) -> None:
        """Hide the editor."""
        self.display = False

    def show_error(self, message: str) -> None:
        """Show why the value cannot be saved (the editor stays open)."""
        hint = self.query_one("#cell-hint", Static)
        hint.update(shown(message))
        hint.add_class("-error")

    def offer_fix(self, fix: str | None) -> None:
        """Offer `fix` for ctrl+f (the warning shown says what it is)."""
        self.fix = fix

    def action_fix(self) -> None:
        """Take what the warning offered, to save with Enter (or change further)."""
        if self.fix is not None:
            self.line.set_value(self.fix)
            self.fix = None
            hint = self.query_one("#cell-hint", Static)
            hint.update(self._hint())
            hint.remove_class("-error")

    def take_key(self, event: events.Key) -> bool:
        """Act on a key typed while the editor is open; False leaves it to the screen (F1, ctrl+p …)."""
        action = self._actions.get(event.key)
        if action is not None:
            self.call_next(self.run_action, action)
        elif event.key == "enter":
            self.action_save()
        elif event.key in self.NAVIGATION_KEYS or self.line.edit(event.key):
            pass
        elif event.is_printable and event.character:
            self.line.insert(event.character)
        else:
            return False
        return True

    def insert(self, text: str) -> None:
        """Type pasted text at the cursor."""
        self.line.insert(text)

    def on_key(self, event: events.Key) -> None:
        if self.take_key(event):
            event.stop()
            event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        event.stop()
        self.insert(event.text)

    def action_save(self) -> None:
        self.post_message(self.Save(self, self.text, 0))

    def action_save_and_move(self, move: int) -> None:
        self.post_message(self.Save(self, self.text, move))

    def action_cancel(self) -> None:
        self.post_message(self.Cancel(self))
