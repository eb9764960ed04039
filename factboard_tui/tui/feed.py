"""The TUI's one way to the board: `BoardFeed`, owned by the app while a board is open.

Every screen, dialog and form reads and writes the board through the feed, and through nothing else:

- one **writer** thread runs every job that writes to the database (cells, new rows, taking off, undo, copying a
  week, the team list, settling conflicts, the meeting's minutes, the access log, audit events, exports, the daily
  backup), one at a time and in the order they were asked for, so a job always sees every edit made before it;
- **reads** that write nothing (a full read, the change poll, the team list, the conflict list) run beside it in
  thread workers;
- the **row store** (`RowStore`) holds the open rows in board order and the shown week's visits; a value saved on
  screen is laid over its row at once and kept there until its write is done (the *unsaved overlay*), so a read
  that started before the write cannot make the cell flick back, nor the next edit of it report a false conflict;
- a cheap **change poll** (the newest change id) notices writes from other processes within half a second, and
  reads back just the rows they touched;
- changes are announced with Textual signals: `changed` (a read, rows read back, a value saved on screen) and
  `refused` (a cell's write was refused: someone else changed it first, or a fault such as a full disk).

Every job's result is handed to the screen that asked, on that screen's own message queue (and dropped if the
screen is gone meanwhile). A refusal (`FactBoardError`) goes to the asker's `failed` handler or, without one, to
one notification: this is the one place where failed work is shown. Any other exception is a bug, and ends the
app through its crash handler like any worker's.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from textual.signal import Signal
from textual.worker import get_current_worker

from factboard_tui.core.clock import local_today, week_start
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.errors import EditConflict, FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.core.security.locks import close_request_path, close_requested
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.file_watch import FolderWatch, Woke
from factboard_tui.core.store.schema import RowValues, VisitCell
from factboard_tui.core.sync.freshness import Heard, heard_from
from factboard_tui.tui.board_jobs import (
    CellWrite,
    write_cell,
)
from factboard_tui.tui.feed_requests import FeedRequests
from factboard_tui.tui.feed_types import CellRefused as CellRefused  # re-exported: screens name them from the feed
from factboard_tui.tui.feed_types import ChangeKind as ChangeKind
from factboard_tui.tui.feed_types import FeedChange as FeedChange
from factboard_tui.tui.feed_types import Job, hand
from factboard_tui.tui.feed_types import Reply as Reply
from factboard_tui.tui.row_store import (
    BoardRead,
    RowsRead,
    RowStore,
    read_board,
    read_changes,
)
from factboard_tui.tui.typeahead import hold_keys, release_keys
from factboard_tui.tui.unsaved import UnsavedCells

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

T = TypeVar("T")

POLL_SECONDS = 0.4
"""How often the feed asks whether another process changed the board (at 0.5 s a change landing just after a tick
showed after 507-510 ms, over issue 15's half second; an idle board's CPU: 204 ms a minute, budget 300)."""
WATCH_SAFETY = 60.0
"""Where the system says when the board's files are written (`FolderWatch`), the poll sleeps until they are, or
until the app's tick (`tick`) wakes it for a look all the same: for what a watch cannot see (a share written from
another machine), and so that a failing disk shows within `NOT_CURRENT_SECONDS`. The tick and the look come
together because every wake of an idle app costs CPU, 3-30 ms on a quiet machine (measured with each thread's
schedstat: the memory a wake touches is cold), and a second wake right after the first costs far less; a look every
2 s of its own was 600 ms a minute. This is only the longest the poll sleeps if nothing wakes it."""
FOLLOW_SECONDS, FOLLOW_FOR = 0.1, 1.0
"""After a write to the board's files, the poll looks 0.1 s later and then every 0.1 s for up to a second: the
commit it belongs to completes after its last write to the WAL (the WAL index, in shared memory, is updated last,
and the kernel does not report that), and the commit's other writes wait for the same look. Once a look has read a
change, one more look follows, not the rest of the second."""

WRITE_AFTER = 0.02
"""Seconds after a cell is saved on screen before its write is queued (about one frame)."""

HEARD_SECONDS = 60.0
"""How often the feed reads again when each peer site was last heard from (the header's "Silkeborg: 26 h ago"), on
the app's tick and only while there are peer sites: a sync, here or by another process, reads it at once."""

NOT_CURRENT_SECONDS = 30.0
"""Seconds without a good read after which the screen says the board is not current (a wall must never look live)."""

WRITER_WAKE = 60.0
"""Seconds the writer waits for a job before it looks whether the app is ending. `stop` (the app's unmount, also
after a crash) wakes it at once; this is a safety net only, as every wake of an idle app costs CPU (see
`WATCH_SAFETY`: at 2 s the writer's were 70 ms a minute)."""

HEARD_AFTER_CHANGE = 5.0
"""A change from another process (maybe a sync) reads the sites heard again, at most this often."""

WRITER_GRACE = 5.0
"""Seconds a cancelled writer waits, idle, for the feed to be stopped before it ends anyway (never hangs an exit)."""


class BoardFeed(FeedRequests):
    """The open board for the TUI: the writer queue, the change poll, the row store, the unsaved overlay, signals."""

    def __init__(self, board: Board, user: str, first_read: BoardRead | None = None) -> None:
        """The feed of an unlocked `board` for `user`; `first_read` (from the unlock) fills the store at once."""
        self._board = board
        self.user = user
        """Who is signed in: the author of every write made through the feed."""
        self.template = board.template
        self.team = board.team
        self.path: Path = board.path
        self._close_request = os.fspath(close_request_path(self.path))  # looked at after every commit: no pathlib then
        self.clock = board.clock
        """The board's clock (tests freeze it)."""
        self.store = RowStore(board.board_order())
        self.today = board.today()
        """The day of the last read."""
        self.monday = week_start(self.today)
        """The Monday of the week whose visits the store holds."""
        self.data_version = -1
        """The newest change id the store has read (-1: nothing read yet)."""
        self.staff_initials: list[str] = []
        """The active team's initials, for completion in cells and forms."""
        self.full_load_running = False
        """A full read is under way: the change poll waits for it."""
        self.heard: list[Heard] = []
        """Each trusted peer site and when its last bundle was written (read again every `HEARD_SECONDS` while there
        are some, and after a change from another process)."""
        self.read_at = board.clock()
        """When the board was last read without trouble (a full read or a change poll), by the board's clock."""
        self.closing = False
        """Another program asked for the board: queued writes are finishing and the board closes."""
        self.stale = False
        """What the last `tick` found: the board has not been read for `NOT_CURRENT_SECONDS` (screens grey out)."""
        self._heard_at = 0.0  # monotonic seconds of the last read of `heard`
        self._app: App[Any] | None = None
        self._writes: queue.Queue[Job | None] = queue.Queue()
        self._pending: list[Job] = []
        """Cell writes waiting for the frame that shows them (see `_write_after_frame`)."""
        self._pending_timer: Timer | None = None
        self._unsaved = UnsavedCells()
        """Cells saved on screen whose write has not finished, laid over every read until it has."""
        self._stopped = False
        self._wake = threading.Event()  # set: the poller reads back changes now
        self._watch: FolderWatch | None = None  # wakes the poller when the board's files are written (Linux)
        self._drawn = threading.Event()  # set: the board's first frame is out (the page check may start)
        self._damaged = False  # the whole-file check failed: the writer runs nothing but the close
        self._whole_board = first_read is not None and first_read.triage_counts is None
        if first_read is not None:
            self._hold(first_read)

    # -- starting and stopping ---------------------------------------------------------------------------------

    @property
    def app(self) -> App[Any]:
        """The app the feed was started in."""
        assert self._app is not None, "the feed is not started"
        return self._app

    def start(
        self, app: App[Any], *, follow: bool = True, verify: Callable[[FactBoardError], object] | None = None
    ) -> None:
        """Start the writer in `app`; with `follow`, read the whole board (if not yet) and poll for changes. With
        `verify` (a board opened without the whole-file check, so its first frame comes at once), the writer first
        checks every page; if one fails, no write runs and `verify` is called with the reason."""
        self._app = app
        self.changed: Signal[FeedChange] = Signal(app, "board changed")
        """Published on the UI thread whenever the store changed."""
        self.refused: Signal[CellRefused] = Signal(app, "cell write refused")
        """Published on the UI thread when a cell's write was refused (the board screen answers it)."""
        if verify is not None:  # first in the queue: no write runs before every page verified
            self._writes.put(partial(self._verify_pages, verify))
        app.run_worker(self._run_writer, thread=True, group="board-writer", name="board writer")
        app.call_after_refresh(self._start_reads, follow)  # beside the first frame they took its core (issue 15)

    def _start_reads(self, follow: bool) -> None:
        """Once the board's first frame is out: the page check, the rest of the rows and the poll."""
        self._drawn.set()
        if follow and not self._stopped:
            if not self._whole_board:
                self.reload()
            names = {self.path.name + "-wal", close_request_path(self.path).name}
            self._watch = FolderWatch(self.path.parent, names)
            self.app.run_worker(self._run_poller, thread=True, group="board-poll", name="poll board changes")
            self.read_heard()

    def stop(self, *, close: bool = True) -> None:
        """Finish: queued writes (and cells saved on screen) are written, then (with `close`) the board is closed."""
        if self._stopped:
            return
        self._stopped = True
        self._wake_poller()  # the poller ends
        self._drawn.set()
        self._queue_pending()
        if close:
            self._writes.put(self._board.close)
        self._writes.put(None)

    def _run_writer(self) -> None:
        """Run queued jobs in order until the feed stops (every queued job runs: closing never drops an edit)."""
        worker = get_current_worker()
        idle_since: float | None = None
        while True:
            try:
                job = self._writes.get(timeout=WRITER_WAKE)
            except queue.Empty:
                if worker.is_cancelled:  # the app is ending and `stop` queues the last jobs, but never wait for ever
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since > WRITER_GRACE:
                        return
                continue
            idle_since = None
            if job is None:
                return
            if self._damaged and job != self._board.close:
                continue  # nothing is written to a file whose pages do not verify
            job()

    def _verify_pages(self, damaged: Callable[[FactBoardError], object]) -> None:
        """Check every page's HMAC (with Python's lock released), then log the unlock; a bad page stops writes."""
        self._drawn.wait(2.0)  # the board's first frame (never for long: a screen may not draw while hidden)
        try:
            self._board.check_integrity()
        except FactBoardError as error:
            self._damaged = True
            self.app.call_later(hand, damaged, error)
            return
        try:
            self._board.record_unlock()
        except FactBoardError as error:
            self._refuse(error, Reply(prefix=_("The unlock could not be entered in the audit log: ")))

    # -- running jobs --------------------------------------------------------------------------------------------

    def write(self, job: Callable[[Board], T], reply: Reply[T] | None = None, *, refresh: bool = False) -> None:
        """Queue `job` for the writer; with `refresh`, read back what changed as soon as it succeeded."""
        reply = reply or Reply()
        if reply.keys_wait:
            hold_keys(self.app)
        self._writes.put(partial(self._run, job, reply, refresh))

    def read(self, job: Callable[[Board], T], reply: Reply[T], *, group: str, name: str) -> None:
        """Run `job` beside the writer, in a thread worker of the asking screen (one at a time per `group`; a
        read the keys wait for is never cancelled by a newer one)."""
        if reply.keys_wait:
            hold_keys(self.app)
        work = partial(self._run, job, reply, False)
        (reply.on or self.app).run_worker(work, thread=True, exclusive=not reply.keys_wait, group=group, name=name)

    def _run(self, job: Callable[[Board], T], reply: Reply[T], refresh: bool) -> None:
        """Run one job (in a thread) and hand its outcome on: the one place where refusals are caught."""
        try:
            try:
                result = job(self._board)
            except FactBoardError as error:
                self._refuse(error, reply)
                return
            if reply.done is not None:
                (reply.on or self.app).call_later(hand, reply.done, result)
            if refresh:
                self.app.call_later(self.poll)
        finally:
            if reply.keys_wait:
                # Posted after the answer, from the same thread: the keys go out once the asker has handled it
                # (its queue holds the answer ahead of the settling round) and the screen it led to has settled.
                self.app.call_later(release_keys, self.app)

    def _refuse(self, error: FactBoardError, reply: Reply[Any]) -> None:
        """A job was refused: to the asker's handler, else as one notification (safe from any thread)."""
        if reply.failed is not None:
            (reply.on or self.app).call_later(hand, reply.failed, error)
        else:
            self.app.notify(f"{reply.prefix}{error}", severity=reply.severity)

    # -- reading the board ---------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the whole board again (the shown week's visits and the team too), off the UI thread."""
        self.full_load_running = True
        monday = self.monday

        def loaded(read: BoardRead) -> None:
            self.full_load_running = False
            self.read_at = self.clock()
            if read.monday == self.monday:  # a read of a week no longer shown is dropped
                self._whole_board = True
                self._hold(read)
                self.changed.publish(FeedChange(ChangeKind.LOADED))

        def failed(error: FactBoardError) -> None:
            self.full_load_running = False
            self.app.notify(str(error), severity="error")

        self.read(
            lambda board: read_board(board, monday),
            Reply(done=loaded, failed=failed),
            group="board-load",
            name="load board rows",
        )

    def _hold(self, read: BoardRead) -> None:
        """Hold a full read, with the values still being written laid over it."""
        self.today = read.today
        self.data_version = read.data_version
        self.staff_initials = read.staff
        self.store.replace(read)
        self._keep_unsaved()

    def poll(self) -> None:
        """Read back the rows changed by any process now (this process's own write shows at once)."""
        self._wake_poller()

    def _wake_poller(self) -> None:
        self._wake.set()
        if self._watch is not None:
            self._watch.wake()

    def _run_poller(self) -> None:
        """Read back what changed, in this one thread, when the board's files are written (and after the app's
        tick), or every `POLL_SECONDS` where the system does not say (a Textual worker per look cost the UI thread
        its state messages twice a second, most of an idle board's CPU: issue 15)."""
        worker = get_current_worker()
        watch = self._watch
        follow_until = next_look = 0.0  # after a write: quick looks until `follow_until`, the next at `next_look`
        try:
            while not (self._stopped or worker.is_cancelled):
                if watch is None or not watch.available:
                    self._wake.wait(POLL_SECONDS)
                    woke = Woke.ASKED
                else:
                    now = time.monotonic()
                    woke = watch.wait(max(0.0, next_look - now) if now < follow_until else WATCH_SAFETY)
                now = time.monotonic()
                if woke is Woke.WRITTEN:  # a commit is being written: look once its writes may be over
                    if now >= follow_until:
                        next_look = now + FOLLOW_SECONDS
                    follow_until = now + FOLLOW_FOR
                    if now < next_look:
                        continue  # the writes that follow it wake the poll too: they wait for the same look
                self._wake.clear()
                if self.full_load_running or self.data_version < 0 or self._stopped:
                    continue
                next_look = now + FOLLOW_SECONDS
                if self._poll(self.data_version, self.monday) and now < follow_until:
                    # The commit that woke the poll is read (or a later one): one look more, for another process's
                    # commit that overlapped it, not ten (each look of an idle app costs CPU: `WATCH_SAFETY`).
                    follow_until = min(follow_until, next_look + 0.5 * FOLLOW_SECONDS)
        finally:
            if watch is not None:
                watch.close()

    def _poll(self, version: int, monday: date) -> bool:
        """Look once: a close request, else the rows changed after `version`; whether a change was found."""
        if not self.closing and os.path.lexists(self._close_request) and close_requested(self.path):
            self.closing = True
            self.app.call_later(self._close_after_writes)
            return False
        try:
            found = read_changes(self._board, version, monday)
        except FactBoardError:
            return False  # a busy or vanished board: the next look asks again (`tick` tells the screens)
        self.read_at = self.clock()
        if self.stale:  # the board is read again: the screens need not wait for the app's next tick to say so
            self.app.call_later(self.tick)
        if found is None:
            return False
        self.app.call_later(self._apply, found, monday)
        return True

    def _apply(self, changed: RowsRead, monday: date) -> None:
        if changed.data_version <= self.data_version or monday != self.monday:
            return
        self.data_version = changed.data_version
        self.store.apply(changed)
        overlaid = self._keep_unsaved()
        for row_id in overlaid:
            self.store.place(row_id)
        if changed.staff is not None:
            self.staff_initials = changed.staff
        if time.monotonic() - self._heard_at > HEARD_AFTER_CHANGE:  # a sync by another process, maybe
            self.read_heard()
        moves = self.store.take_moves()
        changes = frozenset(changed.row_ids) | overlaid
        self.changed.publish(FeedChange(ChangeKind.CHANGED, changes, moves, self.store.version))

    def tick(self) -> None:
        """The app's tick (every 15 s, on the UI thread): announce (`STATUS`) when the board stops or starts
        again being current, wake the poll for a look, and read the sites heard again when due. One tick serves the
        app's timed checks: each wake of an idle app costs CPU (see `WATCH_SAFETY`)."""
        stale = (self.clock() - self.read_at).total_seconds() > NOT_CURRENT_SECONDS
        if stale != self.stale:
            self.stale = stale
            self.changed.publish(FeedChange(ChangeKind.STATUS))
        if self._watch is not None and self._watch.available:
            self._watch.wake()  # the poll's look all the same (`WATCH_SAFETY`), while the CPU is awake anyway
        if self.heard and time.monotonic() - self._heard_at >= HEARD_SECONDS:
            self.read_heard()

    def read_heard(self) -> None:
        """Read when each peer site was last heard from and announce it (`STATUS`); a failure is the poll's to
        tell."""
        self._heard_at = time.monotonic()

        def heard(found: list[Heard]) -> None:
            self.heard = found
            self.changed.publish(FeedChange(ChangeKind.STATUS))

        self.read(heard_from, Reply(done=heard, failed=lambda _error: None), group="sync-heard", name="read heard")

    def not_current_since(self) -> datetime | None:
        """When the board was last read, if the last `tick` found that more than `NOT_CURRENT_SECONDS` ago (else
        None: it is live)."""
        return self.read_at if self.stale else None

    def show_week(self, monday: date) -> None:
        """Show the visits of the week starting `monday` (read in a worker; `changed` says when they are in)."""
        self.monday = monday
        self.reload()

    def today_now(self) -> date:
        """Today by the board's clock (the meeting plans this week, whatever the board showed)."""
        return local_today(self.clock)

    # -- what the store holds ------------------------------------------------------------------------------------

    @property
    def rows(self) -> list[RowValues]:
        """The open rows in board order, as shown."""
        return self.store.in_order()

    def row(self, row_id: int) -> RowValues | None:
        """One open row as shown, or None if it is not on the board (as last read)."""
        return self.store.get(row_id)

    def visits_of(self, row_id: int) -> dict[date, VisitCell]:
        """One row's visits in the shown week."""
        return self.store.visits_of(row_id)

    def day_of(self, key: str) -> date:
        """The date of a weekday column in the shown week."""
        return self.monday + timedelta(days=WEEKDAY_KEYS.index(key))

    def field_label(self, key: str) -> str:
        """A column's label in the board's words (a weekday column: its name and date)."""
        if key in WEEKDAY_KEYS:
            day = self.day_of(key)
            return f"{self.template.weekday_names[day.weekday()]} {day.isoformat()}"
        return self.template.label(key)

    def cell_value(self, row: RowValues, key: str) -> tuple[Any, str]:
        """The stored value of a cell (to detect conflicts) and the text to edit."""
        if key in WEEKDAY_KEYS:
            visit = self.visits_of(row.id or 0).get(self.day_of(key))
            if visit is None:
                return (None, None), ""
            return (visit.staff, visit.note), visit.staff + (f": {visit.note}" if visit.note else "")
        value = getattr(row, key)
        if key == "children" and row.children_note:  # edited together, as the board writes it: `Ja, 2 st`
            return value, f"{F.display(value, self.template, key)}, {row.children_note}"
        return value, F.display(value, self.template, key)

    def validate(self, key: str, text: str) -> Any:
        """The stored value for `text`, or `InvalidValue` (the same rules the write path applies)."""
        if key in WEEKDAY_KEYS:
            staff, note = F.split_visit_cell(text)
            label = self.field_label(key)
            return (F.parse_visit_staff(staff, label) if staff else None, F.clean_visit_note(note) if staff else None)
        return F.coerce(key, text, self.template)

    # -- cells: shown at once, written after the frame -----------------------------------------------------------

    def save_cell(
        self,
        row_id: int,
        key: str,
        text: str,
        original: Any,
        force: bool = False,
        refresh: bool = False,
        action: str | None = None,
    ) -> None:
        """Validate (raises `FactBoardError`), show the new value at once, and queue the write for the writer.

        `original` is the stored value the edit started from; `force` writes over whatever is stored now;
        `refresh` reads the rows back as soon as the write is done (the meeting: not waiting for the poll);
        `action` names the person's action the cell is part of, so its cells are undone in one step.
        """
        typed = self.validate(key, text)
        if self.store.get(row_id) is None:
            return
        day: date | None = None
        if key in WEEKDAY_KEYS:
            day = self.day_of(key)
            visit = None if typed[0] is None else VisitCell(row_id, day, typed[0], typed[1])
            self.store.set_visit(row_id, day, visit)
            token = self._unsaved.remember(row_id, key, visit)
        else:
            self.store.set_value(row_id, key, typed)
            token = self._unsaved.remember(row_id, key, typed)
        write = CellWrite(row_id, key, text, original, day, force, action)
        self._write_after_frame(partial(self._write_cell, write, token, refresh))
        self.changed.publish(FeedChange(ChangeKind.EDITED, frozenset({row_id})))

    def write_cell(self, write: CellWrite) -> None:
        """Queue a cell's write as it is (the person chose "use mine" in a conflict: nothing is shown before)."""
        self._writes.put(partial(self._write_cell, write, None))

    def after_writes(self, job: Job) -> None:
        """Run `job` in the writer thread once every write asked for so far is done, cells saved on screen just now
        included (it waits behind them for the frame, as they do)."""
        self._write_after_frame(job)

    def _write_after_frame(self, job: Job) -> None:
        """Queue a cell's write just after the frame that shows the new value.

        The write takes a few milliseconds of Python in the writer thread; started at once, it would compete
        with the repaint for Python's lock and make saving a cell feel slower. Anything still waiting when the
        feed stops is queued then, so no edit is lost.
        """
        self._pending.append(job)
        if self._pending_timer is None:
            self._pending_timer = self.app.set_timer(WRITE_AFTER, self._queue_pending, name="queue cell writes")

    def _queue_pending(self) -> None:
        self._pending_timer = None
        for job in self._pending:
            self._writes.put(job)
        self._pending.clear()

    def _write_cell(self, write: CellWrite, token: int | None, refresh: bool = False) -> None:
        """Write one cell through the write path (in the writer thread); a refusal is published as `refused`."""
        refused: CellRefused | None = None
        try:
            write_cell(self._board, self.user, write)
        except EditConflict as conflict:
            refused = CellRefused(write, str(conflict), conflict=True)
        except FactBoardError as error:
            refused = CellRefused(write, str(error), conflict=False)
        self.app.call_later(self._cell_written, write, token, refused)
        if refresh:
            self.app.call_later(self.poll)

    def _cell_written(self, write: CellWrite, token: int | None, refused: CellRefused | None) -> None:
        """A cell's write is done: the database holds the truth again; a refusal is announced."""
        if token is not None:
            self._unsaved.forget(write.row_id, write.key, token)
        if refused is None:
            return
        if not refused.conflict:
            self.reload()  # put back what is really stored (the failed value is no longer laid over it)
        self.refused.publish(refused)

    def _keep_unsaved(self) -> frozenset[int]:
        """Lay values saved on screen but still being written over rows just read; returns the rows touched."""
        return self._unsaved.lay_over(self.store, self.day_of)

    # -- closing for another program -----------------------------------------------------------------------------

    def _close_after_writes(self) -> None:
        self._queue_pending()
        self._writes.put(self._close_for_another_program)  # after every write already made

    def _close_for_another_program(self) -> None:
        """A restore or re-key needs the board to itself: close it (queued writes are done) and say why."""
        self._board.close()
        message = _("FactBoard closed the board because a restore or a new key needed it; open it again when done.")
        self.app.call_later(partial(self.app.exit, message=message))

    def _reload_from_writer(self) -> None:
        """Read the board again, asked from the writer thread (nothing to do once the app has stopped)."""
        if not self._stopped:
            with contextlib.suppress(RuntimeError):  # the app closed between the write and this
                self.app.call_from_thread(self.reload)
