"""The history of one board row: every change to it, newest first, in the board's own words.

A team looks back at a row to see who changed the triage and when, or what the actions said last week. The
change log is read beside the feed's writer (a backup or a write that waits never holds it back; the view then
enters the access log through the writer) and turned into lines by `core.domain.history.describe_change`; the
table shows each change on one line with long values cut, and the panel below shows the highlighted change whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from factboard_tui.core.domain.history import ChangeLine
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _, ngettext
from factboard_tui.core.store.schema import BoardRow
from factboard_tui.shown import cut, shown
from factboard_tui.tui.feed import BoardFeed, Reply

WHEN_WIDTH = 16
"""`2026-11-23 08:15` is sixteen cells."""
WHO_WIDTH = 6
"""Staff initials are at most six letters."""
SOURCE_WIDTH = 8
"""Sources are short words (`tui`, `cli`, `demo`, `import`)."""
FIELD_MAX_WIDTH = 28
"""The widest a field label gets before it is cut."""
VALUE_MIN_WIDTH = 10
"""Old and new never get narrower than this, even in a small terminal."""


def local_time(moment: datetime) -> str:
    """A stored (UTC) moment as the team's local time, to the minute."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def history_title(row: BoardRow, changes: int) -> str:
    """The line above the table: which row, since when it has been on the board, how many changes."""
    if row.date_off is None:
        period = _("on board since {date}").format(date=row.date_on.isoformat())
    else:
        period = _("on board {start} to {end}").format(start=row.date_on.isoformat(), end=row.date_off.isoformat())
    counted = ngettext("{count} change", "{count} changes", changes).format(count=changes)
    return _("History of {code} ({period}) · {changes}").format(code=row.client_code, period=period, changes=counted)


class HistoryScreen(ModalScreen[None]):
    """A modal list of one row's changes over the board; Esc or q goes back."""

    CSS_PATH = "../styles/forms.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q",
            "close",
            N_("Close"),
            id="history.close",
            tooltip=N_("Close the history and go back to the board"),
        ),
    ]

    def __init__(self, feed: BoardFeed, row_id: int) -> None:
        super().__init__()
        self.feed = feed
        """The open board the row belongs to."""
        self.row_id = row_id
        """Which row's history this screen shows."""
        self.lines: list[ChangeLine] = []
        """The changes shown, newest first; row keys of the table are indexes into this list."""

    def compose(self) -> ComposeResult:
        with Vertical(id="history-box"):
            yield Static(_("Loading history…"), id="history-title")
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="history-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.feed.history(self.row_id, Reply(self, done=self._loaded, failed=self._failed))

    def on_resize(self) -> None:
        if self.lines:
            self._fill()

    def action_close(self) -> None:
        self.dismiss(None)

    # -- loading -----------------------------------------------------------------------------------------------------

    def _loaded(self, found: tuple[BoardRow, list[ChangeLine]]) -> None:
        row, self.lines = found
        self.query_one("#history-title", Static).update(shown(history_title(row, len(self.lines))))
        self._fill()

    def _failed(self, error: FactBoardError) -> None:
        self.query_one("#history-title", Static).update(shown(str(error), style="bold red"))

    # -- showing -----------------------------------------------------------------------------------------------------

    def _fill(self) -> None:
        """(Re)build the table at the current width, keeping the highlighted change."""
        table = self.query_one("#history-table", DataTable)
        keep = table.cursor_row
        field_width = min(FIELD_MAX_WIDTH, max((len(line.what) for line in self.lines), default=5))
        fixed = WHEN_WIDTH + WHO_WIDTH + field_width + SOURCE_WIDTH
        padding = 2 * 6  # one cell each side of six columns
        box_width = self.query_one("#history-box").content_size.width or self.size.width
        available = box_width - fixed - padding - 2  # room for the vertical scrollbar
        value_width = max(VALUE_MIN_WIDTH, available // 2)
        with self.app.batch_update():
            table.clear(columns=True)
            table.add_column(_("When"), width=WHEN_WIDTH, key="when")
            table.add_column(_("Who"), width=WHO_WIDTH, key="who")
            table.add_column(_("Field"), width=field_width, key="field")
            table.add_column(_("Old"), width=value_width, key="old")
            table.add_column(_("New"), width=value_width, key="new")
            table.add_column(_("Source"), width=SOURCE_WIDTH, key="source")
            for index, line in enumerate(self.lines):
                table.add_row(
                    shown(local_time(line.at)),
                    shown(line.author, one_line=True),
                    cut(line.what, field_width),
                    cut(line.old, value_width),
                    cut(line.new, value_width),
                    cut(line.source_word, SOURCE_WIDTH),
                    key=str(index),
                )
            if self.lines:
                table.move_cursor(row=min(keep, len(self.lines) - 1))
        self._show_detail(table.cursor_row)

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self._show_detail(message.cursor_row)

    def _show_detail(self, index: int) -> None:
        """The highlighted change in full below the table, long values wrapped."""
        detail = self.query_one("#history-detail", Static)
        if not 0 <= index < len(self.lines):
            detail.update(Text(_("No changes recorded for this row."), style="dim"))
            return
        line = self.lines[index]
        heading = shown(
            (line.what, "bold"), f"  ·  {local_time(line.at)}  ·  {line.author}  ·  {line.origin}", one_line=True
        )
        values = Table.grid(padding=(0, 2), expand=True)
        values.add_column(style="bold", no_wrap=True, width=3)
        values.add_column(ratio=1)
        values.add_row("Old", shown(line.old))
        values.add_row("New", shown(line.new))
        detail.update(Group(heading, values))
