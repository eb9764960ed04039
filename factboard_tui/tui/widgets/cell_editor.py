"""The in-place cell editor: a one-line input laid over the grid cell being edited.

Spreadsheet muscle memory: Enter saves, Esc cancels, Tab saves and moves to the next cell, shift+Tab to the
previous one. Pick-list fields (triage, category, yes/no) and staff initials complete as you type; a weekday cell
completes the initials after the last `+` (`DEN+M` -> `DEN+MJR`). A problem with the value is shown on the line
under the input, and nothing is saved until it is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import Suggester, SuggestFromList
from textual.widgets import Input, Static


class InitialsSuggester(Suggester):
    """Completes the last `+`-separated part of a weekday cell from the staff list."""

    def __init__(self, initials: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.initials = sorted(initials)

    async def get_suggestion(self, value: str) -> str | None:
        head, plus, last = value.rpartition("+")
        if not last or ":" in value:
            return None
        for candidate in self.initials:
            if candidate.casefold().startswith(last.casefold()) and candidate.casefold() != last.casefold():
                return f"{head}{plus}{candidate}"
        return None


class CellEditor(Vertical):
    """One-line editor for the cursor cell; posts `Save` or `Cancel`."""

    DEFAULT_CSS = """
    CellEditor {
        position: absolute;
        layer: overlay;
        height: auto;
        background: $surface;
    }
    CellEditor > Input {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    CellEditor > Input:focus {
        border: none;
        background-tint: $accent 20%;
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
        Binding("escape", "cancel", "Cancel edit", id="editor.cancel", tooltip="Close the editor without saving"),
        Binding("tab", "save_and_move(1)", "Save, next cell", id="editor.next", show=False),
        Binding("shift+tab", "save_and_move(-1)", "Save, previous cell", id="editor.previous", show=False),
        Binding("ctrl+s", "save", "Save", id="editor.save", tooltip="Save the value"),
    ]

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
        value: str,
        *,
        label: str,
        choices: Sequence[str] = (),
        initials: Sequence[str] = (),
        width: int = 30,
    ) -> None:
        super().__init__(id="cell-editor")
        self.initial_value = value
        self.label = label
        self.choices = list(choices)
        self.initials = list(initials)
        self.styles.width = width

    def compose(self) -> ComposeResult:
        suggester: Suggester | None = None
        if self.choices:
            suggester = SuggestFromList(self.choices, case_sensitive=False)
        elif self.initials:
            suggester = InitialsSuggester(self.initials)
        yield Input(self.initial_value, suggester=suggester, select_on_focus=False, id="cell-input")
        hint = f"{self.label}: " + (" · ".join(self.choices) if self.choices else "Enter saves, Esc cancels")
        yield Static(hint, classes="hint", id="cell-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @property
    def text(self) -> str:
        """What is typed now."""
        return self.query_one(Input).value

    def show_error(self, message: str) -> None:
        """Show why the value cannot be saved (the editor stays open)."""
        hint = self.query_one("#cell-hint", Static)
        hint.update(message)
        hint.add_class("-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Save(self, event.value, 0))

    def action_save(self) -> None:
        self.post_message(self.Save(self, self.text, 0))

    def action_save_and_move(self, move: int) -> None:
        self.post_message(self.Save(self, self.text, move))

    def action_cancel(self) -> None:
        self.post_message(self.Cancel(self))
