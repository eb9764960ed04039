"""The board screen: the whole FACT board, the row under the cursor in full, and a status line.

Rows load in a thread worker and arrive as a `RowsLoaded` message; the grid is updated as a diff keyed by row
id, so a reload (another terminal or a CLI command wrote to the database) keeps the cursor where it was. A cheap
poll of the newest change id notices writes from other processes within half a second.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.model import BoardRow, VisitCell
from factboard_tui.core.store import Board, week_start
from factboard_tui.tui.board_view import WeekContext, grid_columns, grid_rows
from factboard_tui.tui.messages import RowsLoaded
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.row_detail import RowDetail

POLL_SECONDS = 0.5
"""How often the screen asks whether another process changed the board."""


class BoardScreen(Screen[None]):
    """The board as the team sees it on the wall."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="board.reload", tooltip="Read the board again from the database"),
        Binding("q", "app.quit", "Quit", id="app.quit", tooltip="Close the board (it stays encrypted on disk)"),
    ]

    def __init__(self, board: Board, user: str) -> None:
        super().__init__()
        self.board = board
        self.user = user
        self.rows: list[BoardRow] = []
        self.rows_by_key: dict[str, BoardRow] = {}
        self.visits: dict[int, dict[date, VisitCell]] = {}
        self.today = board.today()
        self.data_version = -1

    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        yield BoardGrid(id="grid")
        yield RowDetail(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        grid = self.query_one(BoardGrid)
        grid.empty_text = "No clients on the board yet."
        self._set_columns()
        self.load_rows()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="poll board changes")

    def on_resize(self) -> None:
        self._set_columns()

    def _set_columns(self) -> None:
        grid = self.query_one(BoardGrid)
        grid.set_columns(grid_columns(self.board.template, self.size.width - 2))

    # -- loading -------------------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load_rows()

    @work(thread=True, exclusive=True, group="board-load", name="load board rows")
    def load_rows(self) -> None:
        """Read rows and this week's visits off the UI thread."""
        try:
            version = self.board.data_version()
            today = self.board.today()
            rows = self.board.rows()
            visits = self.board.week_visits(today)
        except FactBoardError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.post_message(RowsLoaded(rows, visits, today, version))

    @work(thread=True, exclusive=True, group="board-poll", name="poll board changes")
    def poll_changes(self) -> None:
        """Reload when another process (or this one) has written since the last load."""
        try:
            version = self.board.data_version()
        except FactBoardError:
            return
        if version != self.data_version:
            self.app.call_from_thread(self.load_rows)

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        self.rows = message.rows
        self.rows_by_key = {str(row.id): row for row in message.rows}
        self.visits = message.visits
        self.today = message.today
        self.data_version = message.data_version
        week = WeekContext(week_start(self.today), self.today)
        grid = self.query_one(BoardGrid)
        grid.set_rows(grid_rows(self.rows, self.visits, self.board.template, week))
        self._update_status()
        self._show_detail(grid.cursor_row_key)

    # -- what the cursor shows -------------------------------------------------------------------------------------

    def on_board_grid_cursor_moved(self, message: BoardGrid.CursorMoved) -> None:
        self._show_detail(message.row_key)

    def _show_detail(self, row_key: str | None) -> None:
        row = self.rows_by_key.get(row_key or "")
        visits = self.visits.get(row.id or 0, {}) if row else {}
        self.query_one(RowDetail).show_row(row, visits, self.board.template, week_start(self.today), self.today)

    def _update_status(self) -> None:
        template = self.board.template
        counts = Counter(row.triage for row in self.rows)
        per_triage = "  ".join(f"{level.label} {counts.get(level.key, 0)}" for level in template.triage)
        year, week, _ = self.today.isocalendar()
        monday = week_start(self.today)
        self.query_one("#status", Static).update(
            f"[b]{self.board.team}[/b]  ·  {self.today.isoformat()}  ·  week {year}-W{week:02d} "
            f"({monday:%d %b}–{monday + timedelta(days=6):%d %b})  ·  {len(self.rows)} rows: {per_triage}"
            f"  ·  signed in: [b]{self.user}[/b]"
        )
