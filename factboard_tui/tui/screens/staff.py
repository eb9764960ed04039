"""The team list: who is on the team; `dialogs.staff_form` adds a member or changes one.

The board shows staff by initials; this screen is where those initials get a name, a discipline and an
organisation, and where someone who leaves is marked inactive (they stay in the list, because old rows and
history still name them). Reads and writes run in thread workers; every write goes through
`Board.write_staff`, whose one-line errors the form shows beside the field they concern.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import Staff
from factboard_tui.shown import shown
from factboard_tui.tui.dialogs.staff_form import StaffForm

STAFF_COLUMNS: tuple[tuple[str, str], ...] = (
    ("initials", "Initials"),
    ("name", "Name"),
    ("discipline", "Discipline"),
    ("organisation", "Organisation"),
    ("active", "Active"),
)
"""The team list's columns: key and heading."""


class StaffScreen(Screen[None]):
    """The team list, with add and edit; Esc or q goes back to the board."""

    CSS_PATH = "../styles/forms.tcss"

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
