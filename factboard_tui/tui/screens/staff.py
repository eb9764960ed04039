"""The team list: who is on the team; `dialogs.staff_form` adds a member or changes one.

The board shows staff by initials; this screen is where those initials get a name, a discipline and an
organisation, and where someone who leaves is marked inactive (they stay in the list, because old rows and
history still name them). The list is read beside the board feed's writer; every save is one of the writer's
jobs through `Board.write_staff`, whose one-line errors the form shows beside the field they concern.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from factboard_tui.core.i18n import N_, _, ngettext
from factboard_tui.core.store.schema import Staff
from factboard_tui.shown import shown
from factboard_tui.tui.dialogs.staff_form import StaffForm
from factboard_tui.tui.feed import BoardFeed, Reply

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
        Binding("a", "add", N_("Add"), id="staff.add", tooltip=N_("Add a member to the team list")),
        Binding("e,enter", "edit", N_("Edit"), id="staff.edit", tooltip=N_("Edit the highlighted member")),
        Binding("escape,q", "close", N_("Back"), id="staff.close", tooltip=N_("Back to the board")),
    ]

    def __init__(self, feed: BoardFeed) -> None:
        super().__init__()
        self.feed = feed
        """The open board whose team list this is (its user is the author of every change made here)."""
        self.members: dict[str, Staff] = {}
        """The members shown, by initials (the table's row keys)."""

    def compose(self) -> ComposeResult:
        yield Static(_("Team list"), id="staff-title")
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

    def load_staff(self, select: str | None = None) -> None:
        """Read the whole team list (inactive members too), beside the writer; then put the cursor on `select`."""
        self.feed.staff(Reply(self, done=partial(self._loaded, select=select)), include_inactive=True)

    def _loaded(self, members: list[Staff], select: str | None) -> None:
        table = self.query_one("#staff-table", DataTable)
        keep = select or self._cursor_initials()
        template = self.feed.template
        self.members = {member.initials: member for member in members}
        rows: list[list[Text]] = []
        for member in members:
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
            for member, cells in zip(members, rows, strict=True):
                table.add_row(*cells, key=member.initials)
            if keep in self.members:
                table.move_cursor(row=table.get_row_index(keep))
        inactive = sum(not member.active for member in members)
        summary = ngettext("Team list · {count} member", "Team list · {count} members", len(members)).format(
            count=len(members)
        )
        if inactive:
            summary += " " + ngettext("({count} inactive)", "({count} inactive)", inactive).format(count=inactive)
        self.query_one("#staff-title", Static).update(summary)
        self.refresh_bindings()

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
        form = StaffForm(self.feed, member)

        def saved(result: bool | None) -> None:
            if result and form.saved is not None:
                self.load_staff(form.saved.initials)

        self.app.push_screen(form, saved)
