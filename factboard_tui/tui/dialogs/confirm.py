"""Small modal dialogs the board needs: confirm, take off with a reason, settle an edit conflict, long text.

Each returns its answer through `dismiss`, so callers use `push_screen(dialog, callback)`; every one closes on
Esc without doing anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from factboard_tui.core.domain.characters import inert
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _
from factboard_tui.shown import shown


class _Dialog(ModalScreen[object]):
    """Shared frame and Esc handling."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", N_("Cancel"), id="dialog.cancel", tooltip=N_("Close without doing anything")),
    ]
    DEFAULT_CSS = """
    _Dialog, ConfirmDialog, ReasonDialog, ConflictDialog, TextEditorDialog { align: center middle; }
    .dialog-box {
        width: 72; height: auto; max-height: 90%;
        padding: 1 2; border: thick $primary; background: $surface;
    }
    .dialog-title { text-style: bold; margin-bottom: 1; }
    .dialog-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    .dialog-buttons Button { margin-left: 2; }
    .dialog-error { color: $error; height: auto; }
    TextEditorDialog .dialog-box { width: 90%; }
    TextEditorDialog TextArea { height: 12; }
    """

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmDialog(_Dialog):
    """Yes or no to one question; dismisses with True or None. A `risky` yes (quitting with an unstored meeting)
    starts with the focus on Cancel, so a stray Enter does no harm."""

    def __init__(self, question: str, yes: str = "Yes", *, risky: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes = yes
        self.risky = risky

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(shown(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(shown(self.yes, one_line=True), variant="primary", id="yes")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.risky else "#yes", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(True if event.button.id == "yes" else None)


class ChoiceDialog(_Dialog):
    """One question, a few answers as buttons; dismisses with the chosen answer's id, or None on Esc (or on the
    first answer, which is always the one that changes nothing and has the focus)."""

    def __init__(self, question: str, answers: list[tuple[str, str]]) -> None:
        """`answers` are (id, label) pairs; the first is the safe one."""
        super().__init__()
        self.question = question
        self.answers = answers

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(shown(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                for index, (answer, label) in enumerate(self.answers):
                    yield Button(shown(label, one_line=True), id=answer, variant="default" if index else "primary")

    def on_mount(self) -> None:
        self.query_one(Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        safe = self.answers[0][0]
        self.dismiss(None if event.button.id == safe else event.button.id)


class ReasonDialog(_Dialog):
    """Take a client off the board: asks for the reason and confirms; dismisses with the reason or None.

    `validate` (the write path's rules for the field) runs before the dialog closes, so a reason the board would
    refuse is shown here, where it can be fixed, rather than after the dialog is gone.
    """

    def __init__(self, question: str, label: str, validate: Callable[[str], object] | None = None) -> None:
        super().__init__()
        self.question = question
        self.label = label
        self.validate = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(shown(self.question), classes="dialog-title")
            yield Label(shown(self.label))
            yield Input(id="reason", placeholder=_("e.g. stable, evaluated"))
            yield Static("", classes="dialog-error", id="reason-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Take off board"), variant="error", id="yes")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#yes")
    def _confirm(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.query_one("#reason-error", Static).update(_("Say why the client leaves the board: give a reason."))
            return
        if self.validate is not None:
            try:
                self.validate(reason)
            except FactBoardError as error:
                self.query_one("#reason-error", Static).update(str(error))
                return
        self.dismiss(reason)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ConflictDialog(_Dialog):
    """Someone changed the cell being edited: keep theirs (None) or use mine (True)."""

    def __init__(self, message: str, mine: str) -> None:
        super().__init__()
        self.message = message
        self.mine = mine

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(_("Changed while you were editing"), classes="dialog-title")
            yield Static(shown(self.message))
            yield Static(shown(_("Yours: {value}").format(value=self.mine or "—")))
            with Horizontal(classes="dialog-buttons"):
                yield Button(_("Keep theirs"), id="theirs")
                yield Button(_("Use mine"), variant="warning", id="mine")

    def on_mount(self) -> None:
        self.query_one("#theirs", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(True if event.button.id == "mine" else None)


class TextEditorDialog(_Dialog):
    """A multi-line field in a text area; ctrl+s saves (after `validate` says yes), Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), id="text.save", tooltip=N_("Save the text")),
        Binding("escape", "cancel", N_("Cancel"), id="text.cancel", tooltip=N_("Close without saving")),
    ]

    def __init__(self, title: str, text: str, validate: Callable[[str], None], problem: str | None = None) -> None:
        """`problem` is shown under the text at once (a save of this text that failed, and why)."""
        super().__init__()
        self.title_text = title
        self.text = text
        self.validate = validate
        self.problem = problem

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(shown(self.title_text, one_line=True), classes="dialog-title")
            yield TextArea(inert(self.text), id="text", soft_wrap=True, show_line_numbers=False)
            hint = shown(self.problem) if self.problem else Text(_("ctrl+s saves · Esc cancels"))
            yield Static(hint, classes="dialog-error", id="text-error")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        text = self.query_one(TextArea).text
        try:
            self.validate(text)
        except FactBoardError as error:
            self.query_one("#text-error", Static).update(shown(str(error)))
            return
        self.dismiss(text)
