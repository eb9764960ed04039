"""Meeting mode: the chair runs the morning board meeting on the big screen, from the keyboard.

A thin face over `core.domain.meetings`: the session there keeps the order, the outcomes and the timers; this screen
draws them (header with the meeting clock and pace, the focus card, the compact list) and turns the chair's keys
into session steps. It reads rows from the app's `BoardFeed`, which polls the database, and redraws when the
feed's `changed` signal says so, so a change made at any desk shows here within a second; every quick edit
(triage, actions, visits) is saved through the feed like a cell on the board: shown at once, then written by the
feed's writer through the one write path, so it shows on every other screen the same way. The meeting's clock is
the board's clock, so tests move it by hand.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Digits, Static

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.carry_forward import carried_flag
from factboard_tui.core.domain.meetings import DISCUSSED, Flag, MeetingSession, clock_text, row_flags
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.meeting_claim import HEARTBEAT_SECONDS
from factboard_tui.core.store.schema import RowValues, Staff, VisitCell
from factboard_tui.core.transfer.minutes import MeetingRecord
from factboard_tui.tui.commands import PaletteCommand
from factboard_tui.tui.dialogs.attendance import AttendanceScreen, CheckIn
from factboard_tui.tui.dialogs.confirm import ChoiceDialog, ConfirmDialog
from factboard_tui.tui.feed import BoardFeed, ChangeKind, FeedChange, Reply
from factboard_tui.tui.screens.meeting_edits import MeetingEdits
from factboard_tui.tui.screens.meeting_parts import MEETING_BINDINGS
from factboard_tui.tui.screens.meeting_summary import MeetingSummaryScreen
from factboard_tui.tui.widgets.focus_card import FocusCard
from factboard_tui.tui.widgets.key_bar import KeyBar
from factboard_tui.tui.widgets.meeting_header import MeetingHeader
from factboard_tui.tui.widgets.meeting_list import LEGEND, ListEntry, MeetingList

TICK_SECONDS = 1.0
"""How often the clocks redraw (and a meeting checked in before the board's rows arrived starts)."""

ROW_ACTIONS = frozenset({"next", "previous", "discussed", "skip", "move", "edit_triage", "edit_actions", "edit_visits"})
"""Chair keys that need a running meeting with a current row."""


class MeetingScreen(MeetingEdits):
    """The board meeting: header, focus card, compact list."""

    CSS_PATH = "../styles/meeting.tcss"
    BINDINGS: ClassVar[list[BindingType]] = MEETING_BINDINGS

    def __init__(self, feed: BoardFeed, take_over: bool = False) -> None:
        super().__init__()
        self.feed = feed
        self.token = uuid.uuid4().hex
        """This app's claim on the board's one meeting (`core.store.meeting_claim`)."""
        self.take_over = take_over
        """Another terminal's meeting is taken over when this one starts (the person chose so)."""
        self.claimed = False
        self.published_row: int | None = None
        """The row last written with the claim, for the terminals that follow."""
        """The open board: the meeting reads its rows and saves its edits through it."""
        self.template = feed.template
        self.user = feed.user
        self.session: MeetingSession | None = None
        self.waiting_to_start = False
        """Checked in, but the board's rows have not arrived yet: start on the next tick that has them."""
        self.attendees: list[str] = [self.user]
        self.staff: list[Staff] = []
        self.privacy = False
        self.rows_seen: dict[int, RowValues] = {}
        """Every row the meeting has shown, as last seen: a row taken off during the meeting stays listed."""
        self.editing: dict[str, Any] | None = None
        self.ended = False
        self.viewed: int | None = None
        """The row last entered in the access log from the focus card."""
        self.carried: dict[int, date] = {}
        """Rows carried forward from the last meetings when this one started, with the day last discussed."""

    def compose(self) -> ComposeResult:
        yield MeetingHeader(id="meeting-header")
        with Horizontal(id="meeting-body"):
            with Vertical(id="focus-box"):
                with Horizontal(id="focus-head"):
                    yield Static("", id="focus-position")
                    yield Digits("00:00", id="row-timer")
                with VerticalScroll(id="focus-scroll"):
                    yield FocusCard(id="focus-card")
            with Vertical(id="list-box"):
                yield MeetingList(id="meeting-list")
                yield Static(_(LEGEND), id="list-legend")
        yield KeyBar()

    def on_mount(self) -> None:
        theme = getattr(self.app, "theme_file", None)
        self.privacy = bool(theme and theme.privacy)
        monday = week_start(self.feed.today_now())
        if self.feed.monday != monday:  # the meeting plans this week, whatever the board showed
            self.feed.show_week(monday)
        self.feed.changed.subscribe(self, self._board_changed)
        self.set_interval(TICK_SECONDS, self.tick, name="meeting clock")
        self.app.push_screen(AttendanceScreen(self.feed, self.attendees), self._checked_in)
        self.tick()

    # -- starting ------------------------------------------------------------------------------------------------

    def _checked_in(self, check_in: CheckIn | None) -> None:
        if check_in is None and self.session is None and not self.waiting_to_start:
            self.dismiss(None)  # Esc on the first check-in: an `m` by mistake starts no meeting
            return
        if check_in is not None:
            self.attendees = sorted(check_in.present)
            self.staff = check_in.staff or self.staff
            if self.session is not None:
                self.session.attendees = list(self.attendees)
        if self.session is None:
            self.waiting_to_start = True
        self.tick()

    def _begin(self) -> None:
        """Start the clock over the board's rows as they are now (needs the board's first read)."""
        feed = self.feed
        self.carried = dict(feed.carried)  # as the last meetings left them: this meeting changes it only when stored
        self.session = MeetingSession.start(
            feed.rows,
            self.template,
            self.now(),
            self.user,
            first_change_id=max(0, feed.data_version),
            carried=self.carried,
        )
        self.session.attendees = list(self.attendees)
        self.waiting_to_start = False
        self._follow_board()
        self.feed.claim_meeting(
            self.token, self.take_over, Reply(self, done=self._claimed, failed=self._claim_refused, keys_wait=True)
        )

    # -- one meeting per board -------------------------------------------------------------------------------------

    def _claimed(self, _claim: object) -> None:
        self.claimed = True
        self.set_interval(HEARTBEAT_SECONDS, self._renew, name="meeting heartbeat")
        self._renew()

    def _claim_refused(self, error: FactBoardError) -> None:
        """Another terminal started a meeting meanwhile: this one does not run beside it."""
        self.ended = True
        self.notify(str(error), severity="warning", timeout=10)
        self.dismiss(None)

    def _renew(self) -> None:
        """The heartbeat, with the row the chair is on (followers read it)."""
        if self.claimed and not self.ended and self.session is not None:
            self.published_row = self.session.current
            self.feed.renew_meeting(self.token, self.session.current, Reply(self, done=self._renewed))

    def _renewed(self, claim: object) -> None:
        if claim is None and self.claimed and not self.ended:  # taken over at another terminal
            self.claimed = False
            self.ended = True  # its edits are on the board; the minutes are the new chair's
            self.notify(
                _("The meeting was taken over at another terminal: it goes on there."), severity="warning", timeout=10
            )
            self.dismiss(None)

    def on_unmount(self) -> None:
        if self.claimed:  # stored, discarded or left: no meeting runs on the board any more
            self.claimed = False
            self.feed.close_meeting(self.token)

    @property
    def running(self) -> bool:
        """Whether a meeting has started and is not stored yet."""
        return self.session is not None and not self.ended

    def now(self) -> datetime:
        """The meeting's time: the board's clock."""
        return self.feed.clock()

    # -- every second ----------------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Start when ready, redraw the clocks."""
        if self.ended:
            return
        if self.waiting_to_start and self.feed.data_version >= 0:
            self._begin()
        self._draw_clock()

    def _board_changed(self, change: FeedChange) -> None:
        """The feed's rows changed: a value saved here is just drawn; anything read is followed (new rows join the
        order, rows taken off stay listed as they were)."""
        if self.session is None or self.ended or change.kind is ChangeKind.STATUS:
            return
        if change.kind is ChangeKind.EDITED:
            self.redraw()
        else:
            self._follow_board()

    def _follow_board(self) -> None:
        """Draw from the board's rows again."""
        assert self.session is not None
        rows = self.feed.rows
        for row in rows:
            if row.id is not None:
                self.rows_seen[row.id] = row
        self.session.follow_board(row.id for row in rows if row.id is not None)
        self.redraw()

    def redraw(self) -> None:
        """Draw the card and the list (the clocks redraw on their own every tick)."""
        session = self.session
        if session is None:
            self.query_one(FocusCard).update(Text(_("Check in who is present to start the meeting."), style="dim"))
            return
        today = self.feed.today_now()
        monday = week_start(today)
        row = self.row(session.current)
        visits = self.visits(session.current)
        flags = self.flags(row, visits, today) if row else []
        self.query_one(FocusCard).show(row, visits, flags, self.template, monday, today)
        if row is not None and row.id is not None and row.id != self.viewed:
            self.viewed = row.id
            self.feed.record_view(row.id, "meeting focus card")
        self.query_one("#focus-scroll", VerticalScroll).scroll_home(animate=False)
        if self.claimed and session.current != self.published_row:
            self._renew()  # the chair moved: those who follow see it
        # Only the rows that fit are built (the current one in the middle), so a step costs the same at 2,000 rows.
        listing = self.query_one(MeetingList)
        start, stop = listing.window(session.index, len(session.order))
        entries = []
        for row_id in session.order[start:stop]:
            listed = self.row(row_id)
            if listed is not None:
                flags = self.flags(listed, self.visits(row_id), today)
                entries.append(ListEntry(listed, session.outcome(row_id), flags))
        listing.show(entries, self.template, self.privacy, above=start, below=len(session.order) - stop)
        self.query_one("#list-box").border_title = (
            _("Rows") + "  ·  " + _("privacy on: free text hidden") if self.privacy else _("Rows")
        )
        self._draw_clock()
        self.refresh_bindings()

    def flags(self, row: RowValues, visits: dict[date, VisitCell], today: date) -> list[Flag]:
        """What the chair must not miss about a row: its flags, and "not discussed since …" if it is carried."""
        since = self.carried.get(row.id or 0)
        return row_flags(row, visits, self.template, today) + ([carried_flag(since)] if since is not None else [])

    def row(self, row_id: int | None) -> RowValues | None:
        """A row as the meeting shows it: the board's (with edits still being written), else as last seen."""
        if row_id is None:
            return None
        return self.feed.row(row_id) or self.rows_seen.get(row_id)

    def visits(self, row_id: int | None) -> dict[date, VisitCell]:
        """This week's visits of a row (the feed holds this week while a meeting runs)."""
        return self.feed.visits_of(row_id or 0)

    def _draw_clock(self) -> None:
        """The header, the row's position and its timer, for this moment."""
        session = self.session
        now = self.now()
        self.query_one(MeetingHeader).show(
            session, now, self.feed.team, self.template, self.feed.today_now(), self.attendees, self.staff
        )
        if session is None:
            return
        self.query_one("#row-timer", Digits).update(clock_text(session.row_elapsed(now)))
        position = session.index + 1 if session.order else 0
        self.query_one("#focus-position", Static).update(
            Text.assemble(
                (_("Row {position} of {count}").format(position=position, count=len(session.order)), "bold"),
                "  ·  ",
                _("time on this row"),
            )
        )

    # -- the chair's keys ------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out what needs a row (or a running meeting)."""
        running = self.session is not None and self.session.current is not None and not self.ended
        return True if running or action not in ROW_ACTIONS else None

    def _step(self, step: str) -> None:
        if self.session is None or self.editing is not None:
            return
        getattr(self.session, step)(self.now())
        self.redraw()
        self._draw_clock()

    def action_next(self) -> None:
        self._step("next")

    def action_previous(self) -> None:
        self._step("previous")

    def action_discussed(self) -> None:
        self._step("discussed")

    def action_skip(self) -> None:
        self._step("skip")

    def action_move(self, step: int) -> None:
        if self.session is not None:
            self.session.move(step)
            self.redraw()

    def action_privacy(self) -> None:
        self.privacy = not self.privacy
        self.notify(_("Privacy on: free text shows only on the focus card.") if self.privacy else _("Privacy off."))
        self.redraw()

    def action_attendance(self) -> None:
        self.app.push_screen(AttendanceScreen(self.feed, self.attendees), self._checked_in)

    # -- the end ---------------------------------------------------------------------------------------------------

    def action_end(self) -> None:
        session = self.session
        if session is None or self.ended:
            self.dismiss(None)
            return
        open_rows = sum(1 for row_id in session.order if session.status.get(row_id) != DISCUSSED)
        question = ngettext(
            "End the meeting? {count} row is not discussed yet; it is stored as minutes.",
            "End the meeting? {count} rows are not discussed yet; it is stored as minutes.",
            open_rows,
        ).format(count=open_rows)
        self.app.push_screen(ConfirmDialog(question, _("End meeting")), self._store)

    def _store(self, confirmed: object = True) -> None:
        """Store the meeting as minutes, then show its summary."""
        session = self.session
        if not confirmed or session is None or self.ended:
            return
        self.ended = True
        session.book(self.now())
        # Through the writer queue: edits queued before the end are written first, so the record has them.
        self.feed.save_meeting(session, Reply(self, done=self._show_summary, failed=self._not_saved, keys_wait=True))

    def action_leave(self) -> None:
        """Esc: before the check-in is done, just go; once the meeting runs, store it or discard it (or stay)."""
        if self.session is None or self.ended:
            self.dismiss(None)
            return

        def chosen(answer: object) -> None:
            if answer == "store":
                self._store()
            elif answer == "discard":
                self.ended = True  # its edits are on the board already; only the minutes are not kept
                self.dismiss(None)

        answers = [("stay", _("Keep it running")), ("store", _("Store the minutes")), ("discard", _("Discard it"))]
        self.app.push_screen(ChoiceDialog(_("Leave the meeting?"), answers), chosen)

    def _not_saved(self, error: FactBoardError) -> None:
        self.ended = False
        self.notify(_("The meeting was not stored: {error}").format(error=error), severity="error")

    def _show_summary(self, record: MeetingRecord) -> None:
        self.app.switch_screen(MeetingSummaryScreen(record))

    def palette_commands(self) -> list[PaletteCommand]:
        """The meeting's entries in the command palette."""
        return [
            PaletteCommand(_("meeting: end"), _("End the meeting: summary, stored as minutes"), self.action_end),
            PaletteCommand(_("meeting: check-in"), _("Who is present"), self.action_attendance),
            PaletteCommand(_("meeting: privacy"), _("Hide or show free text in the list"), self.action_privacy),
        ]
