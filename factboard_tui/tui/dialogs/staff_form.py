"""The form that adds a team member or changes one (initials fixed once given).

A modal over the team list. It shows each one-line refusal of the write path beside the field it concerns, and
saves through the board feed's writer like every other write.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static

from factboard_tui.core.domain.templates import fold
from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.store.schema import Staff
from factboard_tui.shown import shown
from factboard_tui.tui.board_jobs import StaffValues
from factboard_tui.tui.feed import BoardFeed, Reply

FORM_FIELDS: tuple[str, ...] = ("initials", "name", "discipline", "organisation", "active")
"""The team-list fields the form edits; an `InvalidValue` naming one of them is shown under it."""


class StaffForm(ModalScreen[bool]):
    """Adds a team member, or edits one (initials fixed); dismissed with True once saved, False if cancelled."""

    CSS_PATH = "../styles/forms.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", N_("Save"), id="staff.save", tooltip=N_("Save this member to the team list")),
        Binding(
            "escape", "cancel", N_("Cancel"), id="staff.cancel", tooltip=N_("Close the form without saving anything")
        ),
    ]

    def __init__(self, feed: BoardFeed, member: Staff | None = None) -> None:
        super().__init__()
        self.feed = feed
        """The open board whose team list is edited (its user is the author of the change)."""
        self.member = member
        """The member being edited, or None when adding."""
        self.saved: Staff | None = None
        """The member as stored after a successful save (the list moves its cursor there)."""
        self._saving = False

    def compose(self) -> ComposeResult:
        template = self.feed.template
        member = self.member
        with Vertical(id="staff-form"):
            title = _("Edit {initials}").format(initials=member.initials) if member else _("Add a team member")
            yield Static(shown(title), id="staff-form-title")
            yield Label(_("Initials"), classes="form-label")
            yield Input(
                value=member.initials if member else "",
                placeholder=_("1-6 letters, e.g. CSA"),
                id="staff-initials",
                disabled=member is not None,
            )
            yield Static("", id="staff-initials-error", classes="field-error")
            yield Label(_("Name"), classes="form-label")
            yield Input(value=member.name if member else "", placeholder=_("full name"), id="staff-name")
            yield Static("", id="staff-name-error", classes="field-error")
            yield Label(_("Discipline"), classes="form-label")
            yield _choice_select(template.disciplines, member.discipline if member else "", "staff-discipline")
            yield Static("", id="staff-discipline-error", classes="field-error")
            yield Label(_("Organisation"), classes="form-label")
            yield _choice_select(template.organisations, member.organisation if member else "", "staff-organisation")
            yield Static("", id="staff-organisation-error", classes="field-error")
            if member is not None:
                yield Checkbox(_("Active (on the team now)"), value=member.active, id="staff-active")
                yield Static("", id="staff-active-error", classes="field-error")
            yield Static("", id="staff-form-error", classes="field-error")
            with Horizontal(id="staff-form-buttons"):
                yield Button(_("Save"), variant="primary", id="staff-save", tooltip=_("Save (ctrl+s)"))
                yield Button(_("Cancel"), id="staff-cancel", tooltip=_("Close without saving (esc)"))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#staff-name" if self.member else "#staff-initials", Input).focus()

    # -- actions -----------------------------------------------------------------------------------------------------

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        if self._saving:
            return
        self._saving = True
        self._clear_errors()
        self.save(self._values())

    @on(Button.Pressed, "#staff-save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#staff-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted, "#staff-initials")
    def _initials_submitted(self) -> None:
        """Enter after the initials moves on to the name (a member is rarely only initials)."""
        self.query_one("#staff-name", Input).focus()

    @on(Input.Submitted, "#staff-name")
    def _name_submitted(self) -> None:
        """Enter after the name saves, the quick path for fixing a name."""
        self.action_save()

    def _values(self) -> StaffValues:
        discipline = self.query_one("#staff-discipline", Select).value
        organisation = self.query_one("#staff-organisation", Select).value
        active = self.query_one("#staff-active", Checkbox).value if self.member else None
        return StaffValues(
            initials=self.query_one("#staff-initials", Input).value,
            name=self.query_one("#staff-name", Input).value,
            discipline=discipline if isinstance(discipline, str) else None,
            organisation=organisation if isinstance(organisation, str) else None,
            active=active,
        )

    # -- saving ------------------------------------------------------------------------------------------------------

    def save(self, values: StaffValues) -> None:
        """Write the member through the feed's writer and the one write path."""
        reply = Reply(self, done=self._saved, failed=self._failed, keys_wait=True)
        self.feed.save_staff(values, adding=self.member is None, reply=reply)

    def _saved(self, staff: Staff) -> None:
        self._saving = False
        self.saved = staff
        self.dismiss(True)

    def _failed(self, error: FactBoardError) -> None:
        self._saving = False
        self.show_error(error.field if isinstance(error, InvalidValue) else None, str(error))

    # -- errors ------------------------------------------------------------------------------------------------------

    def show_error(self, field: str | None, reason: str) -> None:
        """One line under the field at fault, or at the bottom of the form; the field gets the focus."""
        target = field if field in FORM_FIELDS and self.query(f"#staff-{field}-error") else "form"
        error = self.query_one(f"#staff-{target}-error", Static)
        error.update(shown(reason))
        error.add_class("-shown")
        if target != "form":
            widget = self.query_one(f"#staff-{target}")
            if not widget.disabled:
                widget.focus()

    def _clear_errors(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.update("")
            error.remove_class("-shown")


def _choice_select(options: dict[str, str], current: str, widget_id: str) -> Select[str]:
    """A pick-list of a template's choices (values are keys), in the order of their labels.

    Blank is allowed only while nothing is chosen: the write path cannot clear a discipline or organisation.
    """
    chosen = current in options
    ordered = sorted(options.items(), key=lambda item: fold(item[1]))
    return Select(
        [(shown(label, one_line=True), key) for key, label in ordered],
        prompt=_("(not set)"),
        allow_blank=not chosen,
        value=current if chosen else Select.NULL,
        id=widget_id,
    )
