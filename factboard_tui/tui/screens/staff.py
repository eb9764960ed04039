"""The team list: who is on the team, and a form to add a member or change one.

The board shows staff by initials; this screen is where those initials get a name, a discipline and an
organisation, and where someone who leaves is marked inactive (they stay in the list, because old rows and
history still name them). Reads and writes run in thread workers; every write goes through
`Board.write_staff`, whose one-line errors the form shows beside the field they concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Select, Static

from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.core.fields import parse_initials
from factboard_tui.core.model import Staff
from factboard_tui.core.store import Board
from factboard_tui.core.templates import fold
from factboard_tui.shown import shown

FORM_FIELDS: tuple[str, ...] = ("initials", "name", "discipline", "organisation", "active")
"""The team-list fields the form edits; an `InvalidValue` naming one of them is shown under it."""

STAFF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("initials", "Initials"),
    ("name", "Name"),
    ("discipline", "Discipline"),
    ("organisation", "Organisation"),
    ("active", "Active"),
)
"""The team list's columns: key and heading."""


@dataclass(frozen=True, slots=True)
class StaffValues:
    """What the form holds when Save is pressed, read on the UI thread and handed to the saving worker."""

    initials: str
    name: str
    discipline: str | None
    organisation: str | None
    active: bool | None


class StaffForm(ModalScreen[bool]):
    """Adds a team member, or edits one (initials fixed); dismissed with True once saved, False if cancelled."""

    CSS_PATH = "forms.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="staff.save", tooltip="Save this member to the team list"),
        Binding("escape", "cancel", "Cancel", id="staff.cancel", tooltip="Close the form without saving anything"),
    ]

    @dataclass
    class Saved(Message):
        """The write path accepted the member; `staff` is what is stored now."""

        staff: Staff

    @dataclass
    class Failed(Message):
        """The write path refused; `field` names the field at fault when it is known."""

        field: str | None
        reason: str

    def __init__(self, board: Board, user: str, member: Staff | None = None) -> None:
        super().__init__()
        self.board = board
        """The open board whose team list is edited."""
        self.user = user
        """Who is signed in: the author of the change."""
        self.member = member
        """The member being edited, or None when adding."""
        self.saved: Staff | None = None
        """The member as stored after a successful save (the list moves its cursor there)."""
        self._saving = False

    def compose(self) -> ComposeResult:
        template = self.board.template
        member = self.member
        with Vertical(id="staff-form"):
            title = f"Edit {member.initials}" if member else "Add a team member"
            yield Static(shown(title), id="staff-form-title")
            yield Label("Initials", classes="form-label")
            yield Input(
                value=member.initials if member else "",
                placeholder="1-6 letters, e.g. CSA",
                id="staff-initials",
                disabled=member is not None,
            )
            yield Static("", id="staff-initials-error", classes="field-error")
            yield Label("Name", classes="form-label")
            yield Input(value=member.name if member else "", placeholder="full name", id="staff-name")
            yield Static("", id="staff-name-error", classes="field-error")
            yield Label("Discipline", classes="form-label")
            yield _choice_select(template.disciplines, member.discipline if member else "", "staff-discipline")
            yield Static("", id="staff-discipline-error", classes="field-error")
            yield Label("Organisation", classes="form-label")
            yield _choice_select(template.organisations, member.organisation if member else "", "staff-organisation")
            yield Static("", id="staff-organisation-error", classes="field-error")
            if member is not None:
                yield Checkbox("Active (on the team now)", value=member.active, id="staff-active")
                yield Static("", id="staff-active-error", classes="field-error")
            yield Static("", id="staff-form-error", classes="field-error")
            with Horizontal(id="staff-form-buttons"):
                yield Button("Save", variant="primary", id="staff-save", tooltip="Save (ctrl+s)")
                yield Button("Cancel", id="staff-cancel", tooltip="Close without saving (esc)")
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

    @work(thread=True, exclusive=True, group="staff-save", name="save team member")
    def save(self, values: StaffValues) -> None:
        """Write the member through the one write path, off the UI thread."""
        try:
            if self.member is None:
                self._refuse_existing(values.initials)
            saved = self.board.write_staff(
                self.user,
                values.initials,
                name=values.name,
                discipline=values.discipline,
                organisation=values.organisation,
                active=values.active,
                source="tui",
            )
        except InvalidValue as error:
            self.post_message(self.Failed(error.field, str(error)))
            return
        except FactBoardError as error:
            self.post_message(self.Failed(None, str(error)))
            return
        self.post_message(self.Saved(saved))

    def _refuse_existing(self, raw: str) -> None:
        """Adding must not quietly overwrite a member: `write_staff` would treat known initials as an edit."""
        initials = parse_initials(raw, "initials", "Initials")
        if any(member.initials == initials for member in self.board.staff(include_inactive=True)):
            raise InvalidValue("initials", f"{initials} is already on the team list: edit them there instead.")

    def on_staff_form_saved(self, message: Saved) -> None:
        self._saving = False
        self.saved = message.staff
        self.dismiss(True)

    def on_staff_form_failed(self, message: Failed) -> None:
        self._saving = False
        self.show_error(message.field, message.reason)

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
        prompt="(not set)",
        allow_blank=not chosen,
        value=current if chosen else Select.NULL,
        id=widget_id,
    )


class StaffScreen(Screen[None]):
    """The team list, with add and edit; Esc or q goes back to the board."""

    CSS_PATH = "forms.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="staff.add", tooltip="Add a member to the team list"),
        Binding("e,enter", "edit", "Edit", id="staff.edit", tooltip="Edit the highlighted member"),
        Binding("escape,q", "close", "Back", id="staff.close", tooltip="Back to the board"),
    ]

    @dataclass
    class Loaded(Message):
        """The team list read by the loading worker; `select` is who the cursor should go to."""

        members: list[Staff]
        select: str | None

    @dataclass
    class Failed(Message):
        """The team list could not be read; `reason` is the one-line message."""

        reason: str

    def __init__(self, board: Board, user: str) -> None:
        super().__init__()
        self.board = board
        """The open board whose team list this is."""
        self.user = user
        """Who is signed in: the author of every change made here."""
        self.members: dict[str, Staff] = {}
        """The members shown, by initials (the table's row keys)."""

    def compose(self) -> ComposeResult:
        yield Static("Team list", id="staff-title")
        yield DataTable(id="staff-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.load_staff()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Edit is greyed out while there is no member to edit."""
        if action == "edit" and not self.members:
            return None
        return True

    # -- loading -----------------------------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="staff-load", name="load team list")
    def load_staff(self, select: str | None = None) -> None:
        """Read the whole team list (inactive members too) off the UI thread."""
        try:
            members = self.board.staff(include_inactive=True)
        except FactBoardError as error:
            self.post_message(self.Failed(str(error)))
            return
        self.post_message(self.Loaded(members, select))

    def on_staff_screen_loaded(self, message: Loaded) -> None:
        table = self.query_one("#staff-table", DataTable)
        keep = message.select or self._cursor_initials()
        template = self.board.template
        self.members = {member.initials: member for member in message.members}
        rows: list[list[Text]] = []
        for member in message.members:
            style = "" if member.active else "dim"
            rows.append(
                [
                    shown(member.initials, style=f"bold {style}", one_line=True),
                    shown(member.name, style=style, one_line=True),
                    shown(template.disciplines.get(member.discipline, member.discipline), style=style, one_line=True),
                    shown(
                        template.organisations.get(member.organisation, member.organisation), style=style, one_line=True
                    ),
                    shown(template.yes if member.active else template.no, style=style, one_line=True),
                ]
            )
        with self.app.batch_update():
            # Widths are measured here rather than left to the table's auto-width, which measures on idle and
            # can leave lines painted in between at the old widths.
            table.clear(columns=True)
            for index, (key, label) in enumerate(STAFF_COLUMNS):
                width = max([len(label), *(row[index].cell_len for row in rows)])
                table.add_column(label, width=width, key=key)
            for member, cells in zip(message.members, rows, strict=True):
                table.add_row(*cells, key=member.initials)
            if keep in self.members:
                table.move_cursor(row=table.get_row_index(keep))
        inactive = sum(not member.active for member in message.members)
        summary = f"Team list · {len(message.members)} members"
        self.query_one("#staff-title", Static).update(summary + (f" ({inactive} inactive)" if inactive else ""))
        self.refresh_bindings()

    def on_staff_screen_failed(self, message: Failed) -> None:
        self.notify(message.reason, severity="error")

    def _cursor_initials(self) -> str | None:
        table = self.query_one("#staff-table", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- actions -----------------------------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        self._open_form(None)

    def action_edit(self) -> None:
        member = self.members.get(self._cursor_initials() or "")
        if member is not None:
            self._open_form(member)

    def on_data_table_row_selected(self, message: DataTable.RowSelected) -> None:
        """Enter on a row edits it (the table handles enter itself, before the screen's binding)."""
        message.stop()
        self.action_edit()

    def _open_form(self, member: Staff | None) -> None:
        form = StaffForm(self.board, self.user, member)

        def saved(result: bool | None) -> None:
            if result and form.saved is not None:
                self.load_staff(form.saved.initials)

        self.app.push_screen(form, saved)
