"""The board screen: the whole FACT board, edited by keyboard, live with every other terminal.

Rows load in a thread worker and arrive as a `RowsLoaded` message; the grid is updated as a diff keyed by row
id, so a reload never loses the cursor or an edit in progress. A cheap poll of the newest change id notices
writes from other processes within half a second.

Saving a cell is validated on the spot (the same field rules the write path uses), shown at once in the grid,
and written through the one write path in a worker with the value the editor started from: if someone changed
that very value meanwhile, the write is refused and the person chooses whose value stays. A write that fails for
another reason (a full disk, say) is never dropped: the editor opens again over the cell with what was typed and
the reason, so the person can save again once it is fixed, or let it go with Esc.
"""

from __future__ import annotations

import queue
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import get_current_worker

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import visit_key
from factboard_tui.core.domain.filters import RowFilter
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.errors import EditConflict, FactBoardError
from factboard_tui.core.security.locks import close_requested
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import BoardRow, VisitCell
from factboard_tui.shown import shown
from factboard_tui.tui.commands import PaletteCommand
from factboard_tui.tui.dialogs.confirm import ConfirmDialog, ConflictDialog, ReasonDialog, TextEditorDialog
from factboard_tui.tui.dialogs.conflicts import open_conflicts
from factboard_tui.tui.dialogs.row_form import AddRowForm
from factboard_tui.tui.messages import RowsChanged, RowsLoaded, read_board
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.board_view import WeekContext, grid_columns, grid_row
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.grid_rows import GridColumn, GridRow
from factboard_tui.tui.widgets.key_bar import KeyBar
from factboard_tui.tui.widgets.row_detail import RowDetail

POLL_SECONDS = 0.5
"""How often the screen asks whether another process changed the board."""

WRITE_AFTER = 0.02
"""Seconds after a cell is saved on screen before its write starts (about one frame)."""

DETAIL_DELAY = 0.03
"""How long the cursor rests on a row before the detail panel shows it (about one frame)."""

READ_ONLY: dict[str, str] = {
    "client_code": "The client code cannot be changed: take the row off and add it again.",
    "days_on_board": "Days on board follow from the date on board: edit that date instead.",
}
"""Columns the grid shows but nobody edits, with what to do instead."""


@dataclass(frozen=True, slots=True)
class FailedEdit:
    """A cell edit whose write failed: what was typed, what it replaced, and why it was not saved."""

    row_id: int
    key: str
    text: str
    original: Any
    force: bool
    reason: str


class BoardScreen(Screen[None]):
    """The board as the team sees it on the wall, and edits it at their desks."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,f2", "edit", "Edit", id="board.edit", tooltip="Edit the cell under the cursor"),
        Binding("a", "add_row", "Add", id="board.add", tooltip="Put a client on the board"),
        Binding("o", "take_off", "Off board", id="board.off", tooltip="Take the client off the board (asks why)"),
        Binding("u,ctrl+z", "undo", "Undo", id="board.undo", tooltip="Undo your last change (recorded as a change)"),
        Binding("slash", "filter", "Filter", id="board.filter", tooltip="Filter: text, t:triage, @INITIALS, @me"),
        Binding("H", "history", "History", id="board.history", tooltip="Who changed what on this row, and when"),
        Binding(
            "left_square_bracket",
            "week(-1)",
            "Prev week",
            id="board.previous_week",
            tooltip="Visits of the week before",
        ),
        Binding(
            "right_square_bracket", "week(1)", "Next week", id="board.next_week", tooltip="Visits of the week after"
        ),
        Binding("c", "copy_week", "Copy last week", id="board.copy_week", tooltip="Carry last week's visits over"),
        Binding("s", "staff", "Staff", id="board.staff", tooltip="The team list: add and edit staff"),
        Binding(
            "x", "export", "Export", id="board.export", show=False, tooltip="Export the week or the board to a file"
        ),
        Binding("m", "meeting", "Meeting", id="board.meeting", tooltip="Run the morning meeting on this screen"),
        Binding("ctrl+r", "reload", "Reload", id="board.reload", show=False, tooltip="Read the board again"),
    ]

    def __init__(self, board: Board, user: str, first_read: RowsLoaded | None = None) -> None:
        """The board screen; `first_read` is the board as just read (else the screen reads it on mount)."""
        super().__init__()
        self.first_read = first_read
        self.board = board
        self.user = user
        self.rows: list[BoardRow] = []
        self.rows_by_key: dict[str, BoardRow] = {}
        self.visits: dict[int, dict[date, VisitCell]] = {}
        self.today = board.today()
        self.monday = week_start(self.today)
        self.data_version = -1
        self.row_filter = RowFilter("", user, board.template)
        self.pending_cursor: str | None = None
        self.editing: dict[str, Any] | None = None
        self.staff_initials: list[str] = []
        self.full_load_running = False
        """A full load is under way: the change poll waits for it."""
        self.weekend = False
        self.writes: queue.Queue[Callable[[], None] | None] = queue.Queue()
        """Writes waiting for the writer thread, oldest first."""
        self.grid_cache: dict[str, GridRow] = {}
        """Grid lines already built, by row key: a refresh rebuilds only rows that changed."""
        self.detail_timer: Timer | None = None
        self.unsaved: dict[tuple[int, str], tuple[int, Any]] = {}
        """(row id, column key) -> (token, value) for cells saved on screen whose write has not finished."""
        self.unsaved_token = 0
        self.pending_writes: list[Callable[[], None]] = []
        """Cell writes waiting for the frame that shows them (see `write_after_frame`)."""
        self.pending_timer: Timer | None = None
        self.failed_edits: list[FailedEdit] = []
        """Cell edits whose write failed, waiting for the editor to show them again (oldest first)."""
        self.closing = False
        self.triage_counts: dict[str, int] | None = None
        """The whole board's rows per triage while only a first screenful is loaded (else counted from rows)."""
        """Another program asked for the board: writes are finishing and the board closes."""

    def compose(self) -> ComposeResult:
        yield Static("", id="status")
        yield Input(placeholder="Filter: text, t:kris, @CSA, @me — Enter keeps, Esc clears", id="filter")
        yield BoardGrid(id="grid")
        yield RowDetail(id="detail")
        yield KeyBar()
        yield CellEditor(hidden=True)

    def on_mount(self) -> None:
        grid = self.query_one(BoardGrid)
        grid.empty_text = "No clients on the board yet: press a to add one."
        grid.focus()
        self._set_columns()
        first, self.first_read = self.first_read, None
        if first is not None:
            self.on_rows_loaded(first)  # the first frame already shows rows
        if first is None or first.triage_counts is not None:  # none yet, or only the first screenful
            self.load_rows()
        self.set_interval(POLL_SECONDS, self.poll_changes, name="poll board changes")
        self.run_writer()

    def on_resize(self) -> None:
        columns = self.query_one(BoardGrid).columns
        self._set_columns()
        if self.query_one(BoardGrid).columns != columns:  # a new layout: lines must be built again
            self._show_rows()

    @property
    def week(self) -> WeekContext:
        return WeekContext(self.monday, self.today)

    def _set_columns(self) -> None:
        """Lay out the columns for the terminal's width (and whether the week has weekend visits)."""
        self.weekend = any(day.weekday() >= 5 for days in self.visits.values() for day in days)
        grid = self.query_one(BoardGrid)
        columns = grid_columns(self.board.template, self.size.width - 2, self.weekend)
        if list(grid.columns) != columns:
            self.grid_cache.clear()
            grid.set_columns(columns)

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

    # -- the writer ---------------------------------------------------------------------------------------------

    def write_later(self, job: Callable[[], None]) -> None:
        """Queue a write: writes run one at a time, in the order they were made, off the UI thread."""
        self.writes.put(job)

    @work(thread=True, group="board-writer", name="board writer")
    def run_writer(self) -> None:
        """Run queued writes in order until the screen goes away."""
        worker = get_current_worker()
        while True:
            try:
                job = self.writes.get(timeout=0.2)
            except queue.Empty:
                if worker.is_cancelled:  # only once every queued write is done: closing never drops an edit
                    return
                continue
            if job is None:
                return
            job()

    def write_after_frame(self, job: Callable[[], None]) -> None:
        """Queue a cell's write just after the frame that shows the new value.

        The write takes a few milliseconds of Python in the writer thread; started at once, it would compete
        with the repaint for Python's lock and make saving a cell feel slower. Anything still waiting when the
        screen goes away is queued on unmount, so no edit is lost.
        """
        self.pending_writes.append(job)
        if self.pending_timer is None:
            self.pending_timer = self.set_timer(WRITE_AFTER, self._queue_pending_writes, name="queue cell writes")

    def _queue_pending_writes(self) -> None:
        self.pending_timer = None
        for job in self.pending_writes:
            self.write_later(job)
        self.pending_writes.clear()

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self._reopen_failed_edit)  # an edit that failed while a dialog was open

    def on_unmount(self) -> None:
        self._queue_pending_writes()
        self.writes.put(None)

    def _close_after_writes(self) -> None:
        self._queue_pending_writes()
        self.write_later(self._close_for_another_program)  # after every write already made

    def _close_for_another_program(self) -> None:
        """A restore or re-key needs the board to itself: close it (queued writes are done) and say why."""
        self.board.close()
        self.app.call_from_thread(
            self.app.exit,
            message="FactBoard closed the board because a restore or a new key needed it; open it again when done.",
        )

    # -- loading ---------------------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.load_rows()

    @work(thread=True, exclusive=True, group="board-load", name="load board rows")
    def load_rows(self) -> None:
        """Read rows, the shown week's visits and the staff list off the UI thread."""
        self.full_load_running = True
        try:
            loaded = read_board(self.board, self.monday)
        except FactBoardError as error:
            self.full_load_running = False
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.post_message(loaded)

    @work(thread=True, exclusive=True, group="board-poll", name="poll board changes")
    def poll_changes(self) -> None:
        """Fetch just the rows changed since the last read, by this process or any other."""
        if self.full_load_running or self.data_version < 0:
            return
        if close_requested(self.board.path) and not self.closing:
            self.closing = True
            self.app.call_from_thread(self._close_after_writes)
            return
        try:
            version, row_ids, staff_changed = self.board.rows_changed_since(self.data_version)
            if version == self.data_version:
                return
            rows = self.board.rows_by_ids(row_ids)
            visits = self.board.visits(self.monday, self.monday + timedelta(days=7), row_ids)
            staff = [member.initials for member in self.board.staff()] if staff_changed else None
        except FactBoardError:
            return
        self.post_message(RowsChanged(rows, row_ids, visits, version, staff))

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        self.full_load_running = False
        self.rows = message.rows
        self.rows_by_key = {str(row.id): row for row in message.rows}
        self.visits = message.visits
        self.today = message.today
        self.data_version = message.data_version
        self.staff_initials = message.staff
        self.triage_counts = message.triage_counts
        if self.unsaved:
            self._keep_unsaved()
            self.rows = [self.rows_by_key[str(row.id)] for row in message.rows]
        self.grid_cache.clear()  # a full read: every line is built anew, once
        self._set_columns()
        self._show_rows()
        self._warn_if_edited_elsewhere()

    def on_rows_changed(self, message: RowsChanged) -> None:
        if message.data_version <= self.data_version:
            return
        self.data_version = message.data_version
        for row_id in message.row_ids:
            key = str(row_id)
            self.rows_by_key.pop(key, None)
            self.visits.pop(row_id, None)
            self.grid_cache.pop(key, None)
        for row in message.rows:
            if row.date_off is None:
                self.rows_by_key[str(row.id)] = row
        self.visits.update(message.visits)
        self._keep_unsaved()
        self.rows = self.board.in_board_order(list(self.rows_by_key.values()))
        if message.staff is not None:
            self.staff_initials = message.staff
        weekend = any(day.weekday() >= 5 for days in self.visits.values() for day in days)
        if weekend != self.weekend:
            self._set_columns()
        self._show_rows()
        self._warn_if_edited_elsewhere()

    def refresh_changes(self) -> None:
        """Show this process's own write at once instead of waiting for the next poll."""
        self.poll_changes()

    def _grid_row(self, row: BoardRow, columns: Sequence[GridColumn]) -> GridRow:
        key = str(row.id)
        cached = self.grid_cache.get(key)
        if cached is None:
            cached = grid_row(row, self.visits.get(row.id or 0, {}), self.board.template, self.week, columns)
            self.grid_cache[key] = cached
        return cached

    def _show_rows(self) -> None:
        grid = self.query_one(BoardGrid)
        if self.row_filter.text:
            visible = [row for row in self.rows if self.row_filter.matches(row, self.visits.get(row.id or 0, {}))]
        else:
            visible = self.rows
        columns = grid.columns
        grid.set_rows([self._grid_row(row, columns) for row in visible])
        if self.pending_cursor is not None:  # a row just added: put the cursor on it
            grid.move_cursor(row_key=self.pending_cursor)
            self.pending_cursor = None
        self._update_status(len(visible))
        self._show_detail_soon()
        self.refresh_bindings()

    # -- what the cursor shows ---------------------------------------------------------------------------------------

    def current_row(self) -> BoardRow | None:
        return self.rows_by_key.get(self.query_one(BoardGrid).cursor_row_key or "")

    def on_board_grid_cursor_moved(self, _message: BoardGrid.CursorMoved) -> None:
        self._show_detail_soon()

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
        visits = self.visits.get(row.id or 0, {}) if row else {}
        self.query_one(RowDetail).show_row(row, visits, self.board.template, self.monday, self.today)
        if row is not None and row.id is not None:
            self.record_view(row.id, "board detail")

    def record_view(self, row_id: int, screen: str) -> None:
        """Access log: this person saw the row on `screen`; written by the writer thread, off the keystroke path
        (the store records the same person, row and screen once per 10 minutes)."""
        self.write_later(partial(self._write_view, row_id, screen))

    def _write_view(self, row_id: int, screen: str) -> None:
        try:
            self.board.record_view(row_id, screen, self.user)
        except FactBoardError as error:
            self.app.call_from_thread(self.notify, f"The access log could not be written: {error}", severity="error")

    def _update_status(self, visible: int) -> None:
        template = self.board.template
        counts = self.triage_counts or Counter(row.triage for row in self.rows)
        total = sum(counts.values())
        per_triage = "  ".join(f"{level.label} {counts.get(level.key, 0)}" for level in template.triage)
        year, week, _ = self.monday.isocalendar()
        filtered = self.row_filter.text
        self.query_one("#status", Static).update(
            shown(
                (self.board.team, "bold"),
                f"  ·  {self.today.isoformat()}  ·  week {year}-W{week:02d} "
                f"({self.monday:%d %b}–{self.monday + timedelta(days=6):%d %b})",
                *(() if self.monday == week_start(self.today) else (" ", (" not this week ", "reverse"))),
                f"  ·  {total} rows: {per_triage}",
                *(("  ·  filter ", (filtered, "bold"), f": {visible} shown") if filtered else ()),
                "  ·  signed in: ",
                (str(self.user), "bold"),
                one_line=True,
            )
        )

    # -- editing a cell ------------------------------------------------------------------------------------------

    def action_edit(self) -> None:
        row = self.current_row()
        key = self.query_one(BoardGrid).cursor_column_key
        if row is None or key is None or self.editing is not None:
            return
        if key in READ_ONLY:
            self.notify(READ_ONLY[key], severity="warning")
            return
        original, text = self._cell_value(row, key)
        self._open_editor(row, key, text, original)

    def _open_editor(
        self, row: BoardRow, key: str, text: str, original: Any, problem: str | None = None, force: bool = False
    ) -> None:
        """Edit a cell starting from `text`; `original` is the stored value the edit replaces (for conflicts),
        `problem` a reason to show at once (a save that failed), `force` a choice already made in a conflict."""
        self.editing = {"row_id": row.id, "key": key, "original": original, "force": force}
        template = self.board.template
        label = self._field_label(key)
        spec = F.ROW_FIELDS.get(key)
        if spec is not None and spec.kind is F.Kind.LONG_TEXT:
            self.app.push_screen(
                TextEditorDialog(
                    f"{row.client_code} · {label}", text, lambda value: self._validate(key, value), problem=problem
                ),
                lambda value: self._finish_long_edit(value),
            )
            return
        choices: list[str] = []
        if key == "triage":
            choices = [level.label for level in template.triage]
        elif key == "category":
            choices = [category.label for category in template.categories]
        elif spec is not None and spec.kind is F.Kind.YES_NO:
            choices = [template.yes, template.no]
        initials = self.staff_initials if key in WEEKDAY_KEYS or key in ("primary_contact", "doctor") else []
        region = self.query_one(BoardGrid).cursor_cell_region()
        width = max(region.width, 36)
        offset = (min(region.x, max(0, self.size.width - width)), region.y)
        editor = self.query_one(CellEditor)
        editor.open(text, label=label, choices=choices, initials=initials, width=width, offset=offset)
        self.query_one(KeyBar).show_instead(editor.key_bar_bindings)
        if problem is not None:
            editor.show_error(problem)

    def _field_label(self, key: str) -> str:
        if key in WEEKDAY_KEYS:
            day = self.monday + timedelta(days=WEEKDAY_KEYS.index(key))
            return f"{self.board.template.weekday_names[day.weekday()]} {day.isoformat()}"
        return self.board.template.label(key)

    def _cell_value(self, row: BoardRow, key: str) -> tuple[Any, str]:
        """The stored value of a cell (to detect conflicts) and the text to edit."""
        if key in WEEKDAY_KEYS:
            visit = self.visits.get(row.id or 0, {}).get(self.monday + timedelta(days=WEEKDAY_KEYS.index(key)))
            if visit is None:
                return (None, None), ""
            return (visit.staff, visit.note), visit.staff + (f": {visit.note}" if visit.note else "")
        value = getattr(row, key)
        return value, F.display(value, self.board.template, key)

    def _validate(self, key: str, text: str) -> Any:
        """The stored value for `text`, or `InvalidValue` (the same rules the write path applies)."""
        if key in WEEKDAY_KEYS:
            staff, note = F.split_visit_cell(text)
            label = self._field_label(key)
            return (F.parse_visit_staff(staff, label) if staff else None, F.clean_visit_note(note) if staff else None)
        return F.coerce(key, text, self.board.template)

    @on(CellEditor.Save)
    def _save_from_editor(self, message: CellEditor.Save) -> None:
        if self.editing is None:
            return
        try:
            self._save_cell(message.text)
        except FactBoardError as error:
            message.editor.show_error(str(error))
            return
        self._close_editor()
        grid = self.query_one(BoardGrid)
        if message.move > 0:
            grid.action_cursor_next_cell()
        elif message.move < 0:
            grid.action_cursor_previous_cell()

    @on(CellEditor.Cancel)
    def _cancel_editor(self) -> None:
        self._close_editor()

    def _close_editor(self) -> None:
        self.editing = None
        self.query_one(CellEditor).close()
        self.query_one(KeyBar).show_instead(None)
        self.call_after_refresh(self._reopen_failed_edit)

    def _finish_long_edit(self, text: str | None) -> None:
        if text is not None and self.editing is not None:
            self._save_cell(text)  # already validated by the dialog
        self.editing = None
        self.call_after_refresh(self._reopen_failed_edit)

    def _save_cell(self, text: str) -> None:
        """Validate, show the new value at once, and queue the write for the writer thread."""
        assert self.editing is not None
        row_id, key, original = self.editing["row_id"], self.editing["key"], self.editing["original"]
        force = bool(self.editing.get("force"))
        typed = self._validate(key, text)
        row = self.rows_by_key.get(str(row_id))
        if row is None:
            return
        if key in WEEKDAY_KEYS:
            day = self.monday + timedelta(days=WEEKDAY_KEYS.index(key))
            days = dict(self.visits.get(row_id, {}))  # a new dict: grid lines not yet built keep the old one
            if typed[0] is None:
                days.pop(day, None)
            else:
                days[day] = VisitCell(row_id, day, typed[0], typed[1])
            self.visits[row_id] = days
            token = self._remember_unsaved(row_id, key, days.get(day))
            self.write_after_frame(partial(self.write_cell, row_id, key, text, original, day, force, token))
        else:
            updated = row.model_copy(update={key: typed})
            self.rows = [updated if existing is row else existing for existing in self.rows]
            self.rows_by_key[str(row_id)] = updated
            token = self._remember_unsaved(row_id, key, typed)
            self.write_after_frame(partial(self.write_cell, row_id, key, text, original, None, force, token))
        grid = self.query_one(BoardGrid)
        self.grid_cache.pop(str(row_id), None)
        grid.update_row(self._grid_row(self.rows_by_key[str(row_id)], grid.columns))
        self._show_detail_soon()

    def _remember_unsaved(self, row_id: int, key: str, value: Any) -> int:
        """Note a value shown but not yet written, so a read that started before the write cannot undo it."""
        self.unsaved_token += 1
        self.unsaved[(row_id, key)] = (self.unsaved_token, value)
        return self.unsaved_token

    def _forget_unsaved(self, row_id: int, key: str, token: int) -> None:
        """The write is done (or refused): what the database holds is the truth again."""
        if self.unsaved.get((row_id, key), (None, None))[0] == token:
            del self.unsaved[(row_id, key)]

    def _keep_unsaved(self) -> None:
        """Lay values saved on screen but still being written over rows just read from the database.

        A read (the change poll, a full load) may have started before this person's write committed; without
        this, the cell would flick back to its old value, and the next edit of it would report a false conflict.
        """
        for (row_id, key), (_token, value) in self.unsaved.items():
            row = self.rows_by_key.get(str(row_id))
            if row is None:
                continue
            self.grid_cache.pop(str(row_id), None)
            if key in WEEKDAY_KEYS:
                day = self.monday + timedelta(days=WEEKDAY_KEYS.index(key))
                days = dict(self.visits.get(row_id, {}))
                if value is None:
                    days.pop(day, None)
                else:
                    days[day] = value
                self.visits[row_id] = days
            else:
                self.rows_by_key[str(row_id)] = row.model_copy(update={key: value})

    def write_cell(
        self,
        row_id: int,
        key: str,
        text: str,
        original: Any,
        day: date | None,
        force: bool = False,
        token: int | None = None,
    ) -> None:
        """Write one cell through the write path (in the writer thread); a conflict asks whose value stays."""
        try:
            self._write_cell(row_id, key, text, original, day, force, token)
        finally:
            if token is not None:
                self.app.call_from_thread(self._forget_unsaved, row_id, key, token)

    def _write_cell(
        self, row_id: int, key: str, text: str, original: Any, day: date | None, force: bool, token: int | None
    ) -> None:
        expected = {} if force else ({visit_key(day): original} if day else {key: original})
        try:
            if day is not None:
                staff, note = F.split_visit_cell(text)
                self.board.write_row(
                    self.user, "set", row_id=row_id, visits={day: (staff, note)}, expected=expected, source="tui"
                )
            else:
                self.board.write_row(
                    self.user, "set", row_id=row_id, values={key: text}, expected=expected, source="tui"
                )
        except EditConflict as conflict:
            self.app.call_from_thread(self._ask_whose_value, conflict, row_id, key, text, day)
            return
        except FactBoardError as error:
            failed = FailedEdit(row_id, key, text, original, force, str(error))
            self.app.call_from_thread(self._write_failed, failed, token)

    def _write_failed(self, failed: FailedEdit, token: int | None) -> None:
        """A cell's write failed: show what is really stored, and give the typed value back in the editor."""
        self.failed_edits.append(failed)
        if token is not None:  # before the read below: it must not lay the value that failed over the rows
            self._forget_unsaved(failed.row_id, failed.key, token)
        self.load_rows()  # put back what is really stored
        if self.app.screen is not self:  # made from the meeting, say: say so there, the editor waits here
            label = self._field_label(failed.key)
            message = f"Not saved ({label}): {failed.reason} It waits on the board."
            self.notify(message, severity="error", timeout=30, markup=False)
        self._reopen_failed_edit()

    def _reopen_failed_edit(self) -> None:
        """Open the editor again over the oldest cell whose write failed, with what was typed and why it was not
        saved; waits while another cell is edited or a dialog is open."""
        if not self.failed_edits or self.editing is not None or self.app.screen is not self or self.closing:
            return
        failed = self.failed_edits.pop(0)
        row = self.rows_by_key.get(str(failed.row_id))
        label = self._field_label(failed.key)
        if row is None:  # taken off meanwhile: nothing left to edit, but say what was not saved
            message = f"Not saved ({label}: {failed.text}): {failed.reason}"
            self.notify(message, severity="error", timeout=30, markup=False)
            self.call_after_refresh(self._reopen_failed_edit)
            return
        self.query_one(BoardGrid).move_cursor(row_key=str(failed.row_id), column_key=failed.key)
        self._open_editor(row, failed.key, failed.text, failed.original, f"Not saved: {failed.reason}", failed.force)

    def _ask_whose_value(self, conflict: EditConflict, row_id: int, key: str, text: str, day: date | None) -> None:
        def decided(use_mine: object) -> None:
            if use_mine:
                self.write_later(partial(self.write_cell, row_id, key, text, None, day, force=True))
            else:
                self.load_rows()  # drop the value shown before the conflict

        self.app.push_screen(ConflictDialog(str(conflict), text), decided)

    def _warn_if_edited_elsewhere(self) -> None:
        """Tell the person editing a cell that someone else just changed it (before they save)."""
        if self.editing is None:
            return
        row = self.rows_by_key.get(str(self.editing["row_id"]))
        if row is None:
            return
        current, now_text = self._cell_value(row, self.editing["key"])
        editor = self.query_one(CellEditor)
        if current != self.editing["original"] and editor.is_open:
            editor.show_error(f"Changed by someone else meanwhile, now '{now_text or '—'}': saving asks whose stays.")

    # -- rows ------------------------------------------------------------------------------------------------------

    def action_add_row(self) -> None:
        open_codes = {row.client_code for row in self.rows}

        def added(row_id: int | None) -> None:
            if row_id is not None:
                self.pending_cursor = str(row_id)
                self.notify("Added to the board.")
                self.refresh_changes()

        self.app.push_screen(AddRowForm(self.board, self.user, open_codes, self.staff_initials), added)

    def action_take_off(self) -> None:
        row = self.current_row()
        if row is None:
            return
        label = self.board.template.label("off_reason")

        def confirmed(reason: object) -> None:
            if isinstance(reason, str) and reason:
                self.write_later(partial(self.take_off, row.id or 0, reason))

        template = self.board.template
        dialog = ReasonDialog(
            f"Take {row.client_code} off the board?", label, lambda text: F.coerce("off_reason", text, template)
        )
        self.app.push_screen(dialog, confirmed)

    def take_off(self, row_id: int, reason: str) -> None:
        try:
            self.board.take_off(self.user, row_id, reason, source="tui")
        except FactBoardError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, "Taken off the board; its history is kept.")
        self.app.call_from_thread(self.refresh_changes)

    def action_undo(self) -> None:
        self.write_later(self.undo)

    def undo(self) -> None:
        try:
            result = self.board.undo_last(self.user, source="tui")
        except FactBoardError as error:
            self.app.call_from_thread(self.notify, str(error), severity="warning")
            return
        what = ", ".join(f"{change.field}: {change.old or '—'} → {change.new or '—'}" for change in result.changes)
        self.app.call_from_thread(self.notify, f"Undone: {what or 'nothing left to change'}")
        self.app.call_from_thread(self.refresh_changes)

    def action_history(self) -> None:
        from factboard_tui.tui.dialogs.history import HistoryScreen

        row = self.current_row()
        if row is not None and row.id is not None:
            self.app.push_screen(HistoryScreen(self.board, row.id))

    def action_staff(self) -> None:
        from factboard_tui.tui.screens.staff import StaffScreen

        def back(_result: object) -> None:
            self.load_rows()

        self.app.push_screen(StaffScreen(self.board, self.user), back)

    def action_export(self, kind: str = "week") -> None:
        from factboard_tui.tui.dialogs.export import ExportScreen

        self.app.push_screen(ExportScreen(self.board, self.monday, kind))

    def action_meeting(self) -> None:
        from factboard_tui.tui.screens.meeting import MeetingScreen

        if not any(isinstance(screen, MeetingScreen) for screen in self.app.screen_stack):
            self.app.push_screen(MeetingScreen(self))

    def palette_commands(self) -> list[PaletteCommand]:
        """The board's entries in the command palette, namespaced like the help screen."""
        row = self.current_row()
        commands = [
            PaletteCommand("meeting: start", "Run the morning meeting on this screen", self.action_meeting),
            PaletteCommand("row: add client to board", "Put a client on the board", self.action_add_row),
            PaletteCommand("row: undo my last change", "Undo your newest change (recorded)", self.action_undo),
            PaletteCommand("view: filter by text", "Show rows whose text matches", self.action_filter),
            PaletteCommand(
                "view: my rows", "Rows where you are contact, doctor or visit", lambda: self.action_filter("@me")
            ),
            PaletteCommand(
                "view: filter by staff", "Rows of one staff member: type @INITIALS", lambda: self.action_filter("@")
            ),
            PaletteCommand(
                "view: filter by triage", "Rows of one triage level: type t:LEVEL", lambda: self.action_filter("t:")
            ),
            PaletteCommand("view: previous week", "Visits of the week before", lambda: self.action_week(-1)),
            PaletteCommand("view: next week", "Visits of the week after", lambda: self.action_week(1)),
            PaletteCommand(
                "visits: copy last week's", "Carry last week's visits into this week", self.action_copy_week
            ),
            PaletteCommand("staff: list and edit", "The team list", self.action_staff),
            PaletteCommand(
                "export: week's actions", "The week to CSV, Excel, HTML, Markdown or a calendar", self.action_export
            ),
            PaletteCommand(
                "export: board", "The whole board to CSV, Excel or HTML", lambda: self.action_export("board")
            ),
            PaletteCommand(
                "sync: review conflicts",
                "Settle edits made at two sites at once",
                lambda: open_conflicts(self, self.board, self.user),
            ),
        ]
        if row is not None:
            commands += [
                PaletteCommand(
                    f"row: edit cell ({row.client_code})", "Edit the cell under the cursor", self.action_edit
                ),
                PaletteCommand(
                    f"row: take off board ({row.client_code})", "Close the period, with a reason", self.action_take_off
                ),
                PaletteCommand(f"row: history ({row.client_code})", "Who changed what, and when", self.action_history),
            ]
        return commands

    # -- filter and weeks ------------------------------------------------------------------------------------------

    def action_filter(self, text: str | None = None) -> None:
        bar = self.query_one("#filter", Input)
        bar.display = True
        if text is not None:
            bar.value = text
        bar.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.row_filter = RowFilter(event.value, self.user, self.board.template)
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
        self.monday += timedelta(days=7 * step)
        self.grid_cache.clear()
        self.load_rows()

    def action_copy_week(self) -> None:
        previous = self.monday - timedelta(days=7)
        _year, week, _ = self.monday.isocalendar()
        _year, last, _ = previous.isocalendar()

        def confirmed(yes: object) -> None:
            if yes:
                self.write_later(partial(self.copy_week, previous, self.monday))

        question = f"Copy the visits of week {last} into week {week}, on days that are still free?"
        self.app.push_screen(ConfirmDialog(question, "Copy visits"), confirmed)

    def copy_week(self, source: date, target: date) -> None:
        try:
            copied = self.board.copy_week_visits(self.user, source, target, source="tui")
        except FactBoardError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, f"Copied {copied} visits from last week.")
        self.app.call_from_thread(self.refresh_changes)
