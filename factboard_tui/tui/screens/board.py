"""The board screen: the whole FACT board, edited by keyboard, live with every other terminal.

It draws what the app's `BoardFeed` holds and redraws what the feed's `changed` signal names: a full read, rows
read back after a write made anywhere (the feed polls for other processes' writes), or a value saved here. The
grid is updated as a diff keyed by row id, so a refresh never loses the cursor or an edit in progress. Editing a
cell (`CellEditing`) saves through the feed, which shows the value at once and writes it in its writer thread.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.timer import Timer
from textual.widgets import Input, Static

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.carry_forward import carried_flag
from factboard_tui.core.domain.filters import RowFilter
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.rows import WriteResult
from factboard_tui.core.store.schema import RowValues
from factboard_tui.tui.board_jobs import undone_message
from factboard_tui.tui.commands import PaletteCommand
from factboard_tui.tui.dialogs.confirm import ConfirmDialog, ReasonDialog
from factboard_tui.tui.dialogs.conflicts import ConflictsScreen
from factboard_tui.tui.dialogs.export import ExportScreen
from factboard_tui.tui.dialogs.history import HistoryScreen
from factboard_tui.tui.dialogs.row_form import AddRowForm
from factboard_tui.tui.feed import BoardFeed, ChangeKind, FeedChange, Reply
from factboard_tui.tui.heap import settle_heap
from factboard_tui.tui.screens.board_cells import CellEditing
from factboard_tui.tui.screens.board_parts import BOARD_BINDINGS, board_palette, heard_text, status_text
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.screens.meeting_follow import start_or_follow
from factboard_tui.tui.screens.staff import StaffScreen
from factboard_tui.tui.screens.statistics import StatisticsScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.board_view import WeekContext, grid_columns, grid_row
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.grid_rows import GridColumn, GridRow
from factboard_tui.tui.widgets.key_bar import KeyBar
from factboard_tui.tui.widgets.row_detail import RowDetail
from factboard_tui.tui.widgets.size_notice import SizeNotice

DETAIL_DELAY = 0.03
"""How long the cursor rests on a row before the detail panel shows it (about one frame)."""


class BoardScreen(CellEditing):
    """The board as the team sees it on the wall, and edits it at their desks."""

    BINDINGS: ClassVar[list[BindingType]] = BOARD_BINDINGS

    def __init__(self, feed: BoardFeed) -> None:
        """The board screen over the app's feed (which may already hold the board's first read)."""
        super().__init__(feed)
        self.row_filter = RowFilter("", feed.user, feed.template)
        self.pending_cursor: str | None = None
        """A row just added: the cursor goes there once it is shown."""
        self.weekend = False
        """Whether the grid shows Saturday and Sunday (the week has weekend visits)."""
        self.grid_cache: dict[str, GridRow] = {}
        """Grid lines already built, by row key: a refresh rebuilds only rows that changed."""
        self.shown_version = -1
        """The row store's version the grid shows (all of it, unfiltered): the next change's moves apply to it."""
        self.detail_timer: Timer | None = None
        self.shown_count = 0
        """How many rows the grid shows (the status line says it)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        yield Static("", id="heard")
        yield Input(placeholder=_("Filter: text, t:kris, @CSA, @me — Enter keeps, Esc clears"), id="filter")
        yield BoardGrid(id="grid")
        yield RowDetail(id="detail")
        yield KeyBar()
        yield CellEditor(hidden=True)
        yield SizeNotice()

    def on_mount(self) -> None:
        grid = self.query_one(BoardGrid)
        grid.empty_text = _("No clients on the board yet: press a to add one.")
        grid.focus()
        self.query_one(SizeNotice).check(self.app.size)
        self._set_columns()
        self.feed.changed.subscribe(self, self.on_feed_change)
        self.feed.refused.subscribe(self, self.on_cell_refused)
        if self.feed.data_version >= 0:  # the first frame already shows rows
            self.on_feed_change(FeedChange(ChangeKind.LOADED))
        self._check_current()

    def on_resize(self) -> None:
        self.query_one(SizeNotice).check(self.app.size)
        self.query_one(RowDetail).steady()
        columns = self.query_one(BoardGrid).columns
        self._set_columns()
        if self.query_one(BoardGrid).columns != columns:  # a new layout: lines must be built again
            self._show_rows()

    @property
    def week(self) -> WeekContext:
        return WeekContext(self.feed.monday, self.feed.today, self.feed.carried)

    def _set_columns(self) -> None:
        """Lay out the columns for the terminal's width (and whether the week has weekend visits)."""
        self.weekend = self.feed.store.has_weekend_visits()
        grid = self.query_one(BoardGrid)
        columns = grid_columns(self.feed.template, self.size.width, self.weekend)
        if list(grid.columns) != columns:
            self.grid_cache.clear()
            keys = [column.key for column in columns]  # the client code and its triage stay when scrolling right
            grid.set_columns(columns, frozen=keys.index("triage") + 1 if "triage" in keys else 0)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what needs a row when the board (or the filter) shows none."""
        if action in ("edit", "take_off", "history") and not self.current_row():
            return None
        return True

    def on_key(self, event: events.Key) -> None:
        """While a cell is edited the grid keeps the focus (cheap to repaint) and the editor gets the keys."""
        editor = self.query_one(CellEditor)
        if editor.is_open and editor.take_key(event):
            event.stop()
            event.prevent_default()

    def on_paste(self, event: events.Paste) -> None:
        editor = self.query_one(CellEditor)
        if editor.is_open:
            event.stop()
            editor.insert(event.text)

    # -- what the feed says ----------------------------------------------------------------------------------------

    def on_feed_change(self, change: FeedChange) -> None:
        """Redraw what changed: everything after a full read, else just the rows named."""
        if change.kind is ChangeKind.STATUS:  # no row changed: the sites heard, or whether the board is current
            self._check_current()
            self._update_status(self.shown_count)
            return
        if change.kind is ChangeKind.EDITED:  # a value saved here: just its line, at once
            grid = self.query_one(BoardGrid)
            for row_id in change.row_ids:
                self.grid_cache.pop(str(row_id), None)
                if (row := self.feed.row(row_id)) is not None:
                    grid.update_row(self._grid_row(row, grid.columns))
            self._show_detail_soon()
            return
        same_columns = change.kind is ChangeKind.CHANGED and self.feed.store.has_weekend_visits() == self.weekend
        for row_id in () if change.kind is ChangeKind.LOADED else change.row_ids:
            self.grid_cache.pop(str(row_id), None)
        if not same_columns:
            self.grid_cache.clear()  # a full read or new columns: every line is built anew, once
            self._set_columns()
        self._show_rows(change if same_columns else None)
        self.warn_if_edited_elsewhere()
        if change.kind is ChangeKind.LOADED:
            settle_heap()  # the rows and their grid lines, as read and built: out of the collector's reach

    def action_reload(self) -> None:
        self.feed.reload()

    def _check_current(self) -> None:
        """Grey the grid out, and say since when, while the board cannot be read (like a ward's wall board)."""
        stale = self.feed.stale
        grid = self.query_one(BoardGrid)
        if stale != grid.has_class("-not-current"):
            grid.set_class(stale, "-not-current")
            self.query_one(RowDetail).set_class(stale, "-not-current")

    def _grid_row(self, row: RowValues, columns: tuple[GridColumn, ...]) -> GridRow:
        key = str(row.id)
        cached = self.grid_cache.get(key)
        if cached is None:
            cached = grid_row(row, self.feed.visits_of(row.id or 0), self.feed.template, self.week, columns)
            self.grid_cache[key] = cached
        return cached

    def _show_rows(self, change: FeedChange | None = None) -> None:
        """Show the rows. Unfiltered, a change's rows are taken out and put in where the store did, at the cost of
        what changed (listing 20,000 rows took 40 ms: issue 15); else the rows shown are listed anew."""
        grid, feed = self.query_one(BoardGrid), self.feed
        columns, rows = grid.columns, feed.rows
        follow = change is not None and change.kind is ChangeKind.CHANGED and not self.row_filter.text
        if change is not None and follow and change.version == self.shown_version + 1:
            moved = ((index, row if row is None else feed.row(row.id or 0) or row) for index, row in change.moves)
            grid.splice((index, row if row is None else self._grid_row(row, columns)) for index, row in moved)
            self.shown_version, visible = change.version, len(rows)
        else:
            if self.row_filter.text:
                rows = [row for row in rows if self.row_filter.matches(row, feed.visits_of(row.id or 0))]
            grid.set_rows([self._grid_row(row, columns) for row in rows])
            self.shown_version, visible = feed.store.version, len(rows)
        self._land_on_added()
        self._update_status(visible)
        self._show_detail_soon()
        self.refresh_bindings()

    def _land_on_added(self) -> None:
        """Put the cursor on the row just added, once the grid shows it: the poll can read the row back before the
        form hears its id, or after (under load either comes first; the cursor stayed behind when the poll won)."""
        grid = self.query_one(BoardGrid)
        if self.pending_cursor is not None and grid.has_row(self.pending_cursor):
            grid.move_cursor(row_key=self.pending_cursor)
            self.pending_cursor = None

    # -- what the cursor shows ---------------------------------------------------------------------------------------

    def current_row(self) -> RowValues | None:
        key = self.query_one(BoardGrid).cursor_row_key
        return self.feed.row(int(key)) if key else None

    def on_board_grid_cursor_moved(self, _message: BoardGrid.CursorMoved) -> None:
        self._show_detail_soon()

    def on_board_grid_cell_chosen(self, _message: BoardGrid.CellChosen) -> None:
        self.action_edit()

    def _show_detail_soon(self) -> None:
        """Show the cursor row in the detail panel once the cursor has rested for `DETAIL_DELAY`.

        The grid's own frame goes out first, so a keystroke repaints at once; a held-down arrow key does not
        lay out the detail of every row it passes.
        """
        if self.detail_timer is not None:
            self.detail_timer.stop()
        self.detail_timer = self.set_timer(DETAIL_DELAY, self._show_detail, name="show row detail")

    def _show_detail(self) -> None:
        self.detail_timer = None
        row = self.current_row()
        visits = self.feed.visits_of(row.id or 0) if row else {}
        feed = self.feed
        since = feed.carried.get(row.id or 0) if row else None
        carried = [carried_flag(since)] if since is not None else []
        self.query_one(RowDetail).show_row(row, visits, feed.template, feed.monday, feed.today, carried)
        if row is not None and row.id is not None:
            feed.record_view(row.id, "board detail")  # access log, by the writer, off the keystroke path

    def _update_status(self, visible: int) -> None:
        self.shown_count = visible
        heard = heard_text(self.feed)
        line = self.query_one("#heard", Static)
        line.update(heard or "")
        line.set_class(heard is not None, "-shown")
        self.query_one("#status", Static).update(status_text(self.feed, visible, self.row_filter.text))

    # -- rows ------------------------------------------------------------------------------------------------------

    def action_add_row(self) -> None:
        def added(row_id: int | None) -> None:
            if row_id is not None:
                self.pending_cursor = str(row_id)
                self._land_on_added()
                self.notify(_("Added to the board."))
                self.feed.poll()

        self.app.push_screen(AddRowForm(self.feed), added)

    def action_take_off(self) -> None:
        row = self.current_row()
        if row is None:
            return
        template = self.feed.template

        def confirmed(reason: object) -> None:
            if isinstance(reason, str) and reason:
                done: Reply[object] = Reply(
                    self, done=lambda _result: self.notify(_("Taken off the board; its history is kept."))
                )
                self.feed.take_off(row.id or 0, reason, done)

        dialog = ReasonDialog(
            _("Take {code} off the board?").format(code=row.client_code),
            template.label("off_reason"),
            lambda text: F.coerce("off_reason", text, template),
        )
        self.app.push_screen(dialog, confirmed)

    def action_undo(self) -> None:
        self.feed.undo(Reply(self, done=self._undone, severity="warning"))

    def _undone(self, result: WriteResult) -> None:
        self.notify(undone_message(result))

    def action_history(self) -> None:
        row = self.current_row()
        if row is not None and row.id is not None:
            self.app.push_screen(HistoryScreen(self.feed, row.id))

    def action_staff(self) -> None:
        self.app.push_screen(StaffScreen(self.feed), lambda _result: self.feed.reload())

    def action_statistics(self) -> None:
        self.app.push_screen(StatisticsScreen(self.feed))

    def action_export(self, kind: str = "week") -> None:
        self.app.push_screen(ExportScreen(self.feed, self.feed.monday, kind))

    def action_conflicts(self) -> None:
        """The review of sync conflicts; the board is read again when it closes."""
        self.app.push_screen(ConflictsScreen(self.feed), lambda _result: self.feed.reload())

    def action_meeting(self) -> None:
        if not any(isinstance(screen, MeetingScreen) for screen in self.app.screen_stack):
            start_or_follow(
                self, self.feed, lambda take_over: self.app.push_screen(MeetingScreen(self.feed, take_over))
            )

    def palette_commands(self) -> list[PaletteCommand]:
        """The board's entries in the command palette, namespaced like the help screen."""
        return board_palette(self)

    # -- filter and weeks ------------------------------------------------------------------------------------------

    def action_filter(self, text: str | None = None) -> None:
        bar = self.query_one("#filter", Input)
        bar.display = True
        if text is not None:
            bar.value = text
        bar.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.row_filter = RowFilter(event.value, self.feed.user, self.feed.template)
        self._show_rows()

    @on(Input.Submitted, "#filter")
    def _filter_kept(self) -> None:
        bar = self.query_one("#filter", Input)
        bar.display = bool(bar.value)
        self.query_one(BoardGrid).focus()

    def key_escape(self) -> None:
        bar = self.query_one("#filter", Input)
        if bar.display:
            bar.value = ""
            bar.display = False
            self.query_one(BoardGrid).focus()

    def action_week(self, step: int) -> None:
        self.grid_cache.clear()
        self.feed.show_week(self.feed.monday + timedelta(days=7 * step))

    def action_copy_week(self) -> None:
        monday = self.feed.monday
        previous = monday - timedelta(days=7)
        _year, week, _day = monday.isocalendar()
        _year, last, _day = previous.isocalendar()

        def confirmed(yes: object) -> None:
            if yes:
                done: Reply[int] = Reply(
                    self,
                    done=lambda copied: self.notify(
                        ngettext(
                            "Copied {count} visit from last week.", "Copied {count} visits from last week.", copied
                        ).format(count=copied)
                    ),
                )
                self.feed.copy_week(previous, monday, done)

        question = _("Copy the visits of week {last} into week {week}, on days that are still free?").format(
            last=last, week=week
        )
        self.app.push_screen(ConfirmDialog(question, _("Copy visits")), confirmed)
