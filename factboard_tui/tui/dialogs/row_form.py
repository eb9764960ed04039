"""The add-row form: put a client on the board from the keyboard.

Fields come in the board's order with the board's own labels. The client code is checked while typing, for its
format (pseudonymous, never a personal number) and against the codes already on the board. Saving goes through
the feed's writer and the one write path; a value that does not fit is shown under its field and nothing is
written.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from factboard_tui.core.domain.fields import ROW_FIELDS, display, parse_client_code, pick_list, split_children
from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.core.i18n import N_, _
from factboard_tui.shown import shown
from factboard_tui.tui.feed import BoardFeed, Reply
from factboard_tui.tui.widgets.cell_editor import complete_from
from factboard_tui.tui.widgets.completing_input import CompletingInput

FORM_FIELDS: tuple[str, ...] = (
    "client_code",
    "triage",
    *(key for key in ROW_FIELDS if key not in ("client_code", "triage", "date_off", "off_reason")),
)
"""The fields the form asks for: code and triage first, then the board's order."""


class AddRowForm(ModalScreen[int | None]):
    """Asks for a new row's fields; dismisses with the new row's id, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save row"), id="form.save", tooltip=N_("Put the client on the board")),
        Binding("escape", "cancel", N_("Cancel"), id="form.cancel", tooltip=N_("Close without adding")),
    ]
    DEFAULT_CSS = """
    AddRowForm { align: center middle; }
    #form-box { width: 84; height: 90%; padding: 1 2; border: thick $primary; background: $surface; }
    #form-title { text-style: bold; margin-bottom: 1; }
    #form-box Label { color: $text-muted; }
    .field-error { color: $error; height: auto; }
    #form-buttons { height: auto; margin-top: 1; align-horizontal: right; }
    #form-buttons Button { margin-left: 2; }
    """

    def __init__(self, feed: BoardFeed) -> None:
        super().__init__()
        self.feed = feed
        """The open board the row goes on."""
        self.open_codes = feed.store.codes()
        """The codes on the board when the form opened: a code among them is refused while it is typed."""
        self.staff_initials = list(feed.staff_initials)

    def compose(self) -> ComposeResult:
        template = self.feed.template
        choices = {key: found for key in FORM_FIELDS if (found := pick_list(key, template))}
        choices |= {"primary_contact": self.staff_initials, "doctor": self.staff_initials}
        with VerticalScroll(id="form-box"):
            yield Static(_("Put a client on the board"), id="form-title")
            for key in FORM_FIELDS:
                hint = (
                    f" ({', '.join(choices[key])})"
                    if key in choices and key not in ("primary_contact", "doctor")
                    else ""
                )
                yield Label(shown(template.label(key) + hint, one_line=True))
                complete = complete_from(choices[key]) if key in choices else None
                value = display(self.feed.today_now(), template, key) if key == "date_on" else ""
                yield CompletingInput(value, id=f"field-{key}", complete=complete)
                yield Static("", classes="field-error", id=f"error-{key}")
            yield Static("", classes="field-error", id="error-form")
            with Horizontal(id="form-buttons"):
                yield Button(_("Cancel"), id="cancel")
                yield Button(_("Add to board (ctrl+s)"), variant="primary", id="save")

    def on_mount(self) -> None:
        self.query_one("#field-client_code", Input).focus()

    @on(Input.Changed, "#field-client_code")
    def _check_code(self, event: Input.Changed) -> None:
        """Tell at once when a code is malformed or already on the board."""
        text = event.value.strip()
        message = ""
        if text:
            try:
                code = parse_client_code(text, self.feed.template.label("client_code"))
            except InvalidValue as error:
                message = str(error) if len(text) >= 4 else ""
            else:
                if code in self.open_codes:
                    message = _("{code} is already on the board: edit that row instead.").format(code=code)
        self.query_one("#error-client_code", Static).update(shown(message))

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        if event.input.id == f"field-{FORM_FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if isinstance(self.focused, CompletingInput):  # ctrl+s takes the completion shown, as Enter and Tab do
            self.focused.take_completion()
        for static in self.query(".field-error"):
            static.update("")  # type: ignore[attr-defined]
        values = {key: self.query_one(f"#field-{key}", Input).value for key in FORM_FIELDS}
        filled = {key: value for key, value in values.items() if value.strip()}
        if "children" in filled and not filled.get("children_note"):  # `Ja, 2 st`, as the board writes it
            filled["children"], note = split_children(filled["children"])
            if note:
                filled["children_note"] = note
        self.feed.add_row(filled, Reply(self, done=self.dismiss, failed=self.show_error, keys_wait=True))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, error: FactBoardError) -> None:
        """Show the problem under its field (or under the form), and focus that field."""
        key = getattr(error, "field", "")
        if key in FORM_FIELDS:
            self.query_one(f"#error-{key}", Static).update(shown(str(error)))
            self.query_one(f"#field-{key}", Input).focus()
        else:
            self.query_one("#error-form", Static).update(shown(str(error)))
