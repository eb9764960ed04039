"""One meeting per board, on screen: `m` while another terminal runs the meeting, and following it.

`m` first asks the board whether a meeting is running (`core.store.meeting_claim`). If another terminal's chair
runs one, the person is told "A meeting is running since 08:15 (KOO)" and chooses: cancel (focused: an `m` by
mistake changes nothing), follow it, or take it over. A claim whose app gave no sign for a minute (it died) is
said to be so and offered to take over. Following is a read-only view of the chair's row, moved as the chair
moves (the chair's app writes its row with its heartbeat); it says when the meeting ended or changed hands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.meetings import row_flags
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.store.meeting_claim import MeetingClaim
from factboard_tui.shown import shown
from factboard_tui.tui.dialogs.confirm import ChoiceDialog
from factboard_tui.tui.feed import BoardFeed, Reply
from factboard_tui.tui.widgets.focus_card import FocusCard
from factboard_tui.tui.widgets.key_bar import KeyBar

FOLLOW_SECONDS = 1.0
"""How often the follower reads where the chair is."""


def start_or_follow(screen: Screen[Any], feed: BoardFeed, start: Callable[[bool], object]) -> None:
    """`m`: start the meeting (`start(take_over)`), or, while another terminal runs one, ask first."""

    def found(claim: MeetingClaim | None) -> None:
        if claim is None:
            start(False)
            return
        stale = claim.stale(feed.clock())
        if stale:
            question = _(
                "A meeting started at {since} ({chair}) has given no sign for a minute: its app may have closed."
            ).format(since=claim.since(), chair=claim.chair)
            answers = [("cancel", _("Cancel")), ("take", _("Take it over"))]
        else:
            question = _("A meeting is running since {since} ({chair}).").format(since=claim.since(), chair=claim.chair)
            answers = [("cancel", _("Cancel")), ("follow", _("Follow it")), ("take", _("Take it over"))]

        def chosen(answer: object) -> None:
            if answer == "take":
                start(True)
            elif answer == "follow":
                screen.app.push_screen(FollowMeetingScreen(feed))

        screen.app.push_screen(ChoiceDialog(question, answers), chosen)

    feed.running_meeting(Reply(screen, done=found, keys_wait=True))


class FollowMeetingScreen(Screen[None]):
    """The chair's row as the chair moves, read-only; Esc goes back to the board."""

    CSS_PATH = "../styles/meeting.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Back to board"), id="follow.close", tooltip=N_("Stop following")),
    ]

    def __init__(self, feed: BoardFeed) -> None:
        super().__init__()
        self.feed = feed
        self.claim: MeetingClaim | None = None
        self.viewed: int | None = None
        """The row last entered in the access log."""

    def compose(self) -> ComposeResult:
        yield Static("", id="follow-status")
        with VerticalScroll(id="focus-scroll"):
            yield FocusCard(id="focus-card")
        yield KeyBar()

    def on_mount(self) -> None:
        monday = week_start(self.feed.today_now())
        if self.feed.monday != monday:  # the meeting's week
            self.feed.show_week(monday)
        self.set_interval(FOLLOW_SECONDS, self.look, name="follow the meeting")
        self.look()

    def look(self) -> None:
        """Ask the board where the chair is."""
        self.feed.running_meeting(Reply(self, done=self._seen))

    def _seen(self, claim: MeetingClaim | None) -> None:
        self.claim = claim
        status = self.query_one("#follow-status", Static)
        if claim is None:
            status.update(shown(_("The meeting has ended. Esc goes back to the board."), style="bold"))
            return
        status.update(
            shown(
                _("Following the meeting {chair} runs since {since} (read-only) · Esc goes back").format(
                    chair=claim.chair, since=claim.since()
                ),
                style="bold",
            )
        )
        card = self.query_one(FocusCard)
        row = self.feed.row(claim.current_row) if claim.current_row is not None else None
        if row is None:
            card.update(Text(_("The chair has not reached a row yet."), style="dim"))
            return
        if row.id is not None and row.id != self.viewed:  # the access log: this person saw the row
            self.viewed = row.id
            self.feed.record_view(row.id, "meeting follow")
        today = self.feed.today_now()
        visits = self.feed.visits_of(row.id or 0)
        card.show(
            row, visits, row_flags(row, visits, self.feed.template, today), self.feed.template, week_start(today), today
        )

    def action_close(self) -> None:
        self.dismiss(None)
