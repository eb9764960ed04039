"""Review of sync conflicts: edits of one free-text field made at two sites before either had seen the other.

Sync keeps the newest value standing (the same on every site) and lists the conflict here until a person settles
it. The table lists open conflicts; the panel below shows every competing value in full, numbered, with who wrote
it at which site. Pressing a number keeps that value: it is written through the write path as this person's edit,
so it travels to the other sites and settles the conflict there too. The list is read beside the board feed's
writer; settling is one of the writer's jobs.
"""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.sync.hlc import as_datetime
from factboard_tui.core.sync.service import ConflictView
from factboard_tui.shown import cut, shown
from factboard_tui.tui.feed import BoardFeed, Reply

VALUE_WIDTH = 60
"""How much of the standing value the table shows before cutting it."""


def _one_line(text: str | None, width: int) -> Text:
    return cut(text or "—", width)


class ConflictsScreen(ModalScreen[None]):
    """Open sync conflicts, with the competing values of the highlighted one; 1-3 keeps a value."""

    CSS_PATH = "../styles/conflicts.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "1", "take(1)", N_("Keep 1"), id="conflicts.take_1", tooltip=N_("Keep value 1 of the highlighted conflict")
        ),
        Binding(
            "2", "take(2)", N_("Keep 2"), id="conflicts.take_2", tooltip=N_("Keep value 2 of the highlighted conflict")
        ),
        Binding(
            "3", "take(3)", N_("Keep 3"), id="conflicts.take_3", tooltip=N_("Keep value 3 of the highlighted conflict")
        ),
        Binding("escape,q", "close", N_("Close"), id="conflicts.close", tooltip=N_("Back to the board")),
    ]

    def __init__(self, feed: BoardFeed) -> None:
        super().__init__()
        self.feed = feed
        """The open board whose conflicts are shown (settled as its user's edits)."""
        self.conflicts: list[ConflictView] = []
        """Shown conflicts; table row keys are indexes into this list."""
        self.sites: dict[str, str] = {}
        """Site id -> name, to say where each value was written."""

    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts-box"):
            yield Static(_("Loading sync conflicts…"), id="conflicts-title")
            yield DataTable(id="conflicts-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="conflicts-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.load_conflicts()

    def action_close(self) -> None:
        self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out a number that the highlighted conflict has no value for."""
        if action == "take":
            current = self._current()
            return current is not None and int(str(parameters[0])) <= len(current.candidates)
        return True

    # -- loading and settling ----------------------------------------------------------------------------------------

    def load_conflicts(self) -> None:
        """Read the open conflicts and the sites' names (beside the writer)."""
        self.feed.conflicts(Reply(self, done=self._loaded, failed=self._failed))

    def action_take(self, number: int) -> None:
        """Keep value `number` of the highlighted conflict: written by the feed's writer, then the list is read."""
        conflict = self._current()
        if conflict is None or number > len(conflict.candidates):
            return
        said = _("{code} {field}: kept value {number}.").format(
            code=conflict.client_code, field=conflict.label, number=number
        )
        reply: Reply[object] = Reply(self, done=lambda _view: self._settled(said), failed=self._failed)
        self.feed.settle_conflict(conflict.id, conflict.candidates[number - 1]["value"], reply)

    def _loaded(self, found: tuple[list[ConflictView], dict[str, str]]) -> None:
        self.conflicts, self.sites = found
        count = len(self.conflicts)
        title = (
            _("Sync conflicts · {count} to settle: press a value's number to keep it").format(count=count)
            if count
            else _("Sync conflicts · none to settle")
        )
        self.query_one("#conflicts-title", Static).update(shown(title))
        table = self.query_one("#conflicts-table", DataTable)
        with self.app.batch_update():
            table.clear(columns=True)
            table.add_column(_("Client"), width=8, key="client")
            table.add_column(_("Field"), width=24, key="field")
            table.add_column(_("Values"), width=6, key="values")
            table.add_column(_("Standing now (provisional)"), width=VALUE_WIDTH, key="standing")
            for index, conflict in enumerate(self.conflicts):
                table.add_row(
                    shown(conflict.client_code, one_line=True),
                    _one_line(conflict.label, 24),
                    str(len(conflict.candidates)),
                    _one_line(conflict.provisional, VALUE_WIDTH),
                    key=str(index),
                )
        self._show_detail(table.cursor_row)
        self.refresh_bindings()

    def _settled(self, said: str) -> None:
        self.notify(said, title=_("Conflict settled"))
        self.load_conflicts()

    def _failed(self, error: FactBoardError) -> None:
        self.notify(str(error), title=_("Could not settle"), severity="error")

    # -- showing -----------------------------------------------------------------------------------------------------

    def _current(self) -> ConflictView | None:
        if not self.is_mounted or not self.conflicts:
            return None
        index = self.query_one("#conflicts-table", DataTable).cursor_row
        return self.conflicts[index] if 0 <= index < len(self.conflicts) else None

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._show_detail(message.cursor_row)
        self.refresh_bindings()

    def _show_detail(self, index: int) -> None:
        """Every competing value of the highlighted conflict, whole and numbered."""
        detail = self.query_one("#conflicts-detail", Static)
        if not 0 <= index < len(self.conflicts):
            detail.update(Text(_("Nothing to settle: both sites agree on every field."), style="dim"))
            return
        conflict = self.conflicts[index]
        heading = shown(
            (f"{conflict.client_code} · {conflict.label}", "bold"),
            _("  ·  edited at two sites before either had seen the other"),
            one_line=True,
        )
        values = Table.grid(padding=(0, 2), expand=True)
        values.add_column(no_wrap=True, width=3, style="bold")
        values.add_column(no_wrap=True, width=42)
        values.add_column(ratio=1)
        for number, candidate in enumerate(conflict.candidates, start=1):
            standing = candidate["value"] == conflict.provisional
            where = self.sites.get(candidate["site"], candidate["site"][:8])
            when = as_datetime(candidate["stamp"].split(" ")[0]).astimezone().strftime("%Y-%m-%d %H:%M")
            values.add_row(
                f"{number}.",
                shown(
                    _("{author} at {site}, {time}").format(author=candidate["author"], site=where, time=when),
                    one_line=True,
                ),
                shown(candidate["value"] or "—", style="bold" if standing else ""),
            )
        detail.update(Group(heading, values))
