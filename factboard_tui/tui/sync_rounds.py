"""The open board's sync rounds in the background, through the config's `[sync] folder`.

Every `[sync] every` seconds (and once soon after the board opens) a round (`core.sync.folder`) runs as a job of
the feed's writer, after any edit already made and never beside another write: typing is never held up, a cell
saved meanwhile just waits its turn. What the round imported shows through the feed's poll like any other
process's writes; the sites' freshness in the header is read again after it. A refusal or a fault (the folder not
mounted, a full disk) reaches the person as one notification through the feed's one place for failed work, once
per distinct problem, and the next round tries again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync.folder import RoundReport, SyncFolder
from factboard_tui.settings import SyncSettings
from factboard_tui.tui.feed import BoardFeed, Reply

if TYPE_CHECKING:
    from textual.app import App

FIRST_ROUND_SECONDS = 3.0
"""Seconds after the board opens before its first background round (the first screenful comes first)."""


class SyncRounds:
    """Background sync rounds of one open board (nothing at all without a `[sync] folder`)."""

    def __init__(self, feed: BoardFeed, settings: SyncSettings) -> None:
        self.feed = feed
        self.settings = settings
        self.running = False
        """A round is queued or under way: the timer does not queue another."""
        self.told = ""
        """The last problem notified (the same one is not repeated every round)."""
        self._folder: SyncFolder | None = None

    def start(self, app: App[Any]) -> None:
        """Run rounds in `app` from now on, if a folder is set."""
        if self.settings.folder is None:
            return
        app.set_timer(FIRST_ROUND_SECONDS, self.run_round, name="first sync round")
        app.set_interval(self.settings.every, self.run_round, name="sync rounds")

    def run_round(self) -> None:
        """Queue a round for the feed's writer (unless one is queued already)."""
        if self.running or self.feed.closing:
            return
        self.running = True
        self.feed.write(self._round, Reply(done=self._done, failed=self._failed), refresh=True)

    def _round(self, board: Board) -> RoundReport:
        if self._folder is None:  # kept between rounds: it remembers its looks at files still arriving
            assert self.settings.folder is not None
            self._folder = SyncFolder(board, self.settings.folder)
        return self._folder.round()

    def _done(self, report: RoundReport) -> None:
        self.running = False
        self.feed.read_heard()
        if report.waiting and self._folder is not None:  # read a file seen arriving once it kept still
            self.feed.app.set_timer(self._folder.settle + 0.5, self.run_round, name="sync round after settling")
        if report.refused:
            first = report.refused[0]
            self._tell(
                ngettext(
                    "Sync: {name} in the shared folder was refused: {reason}",
                    "Sync: {count} files in the shared folder were refused, {name} first: {reason}",
                    len(report.refused),
                ).format(count=len(report.refused), name=first.path.name, reason=first.reason)
            )
        elif report.imported or report.written:
            self.told = ""

    def _failed(self, error: FactBoardError) -> None:
        self.running = False
        self._tell(_("Sync through the shared folder did not run: {error}").format(error=error))

    def _tell(self, message: str) -> None:
        if message != self.told:
            self.told = message
            self.feed.app.notify(message, severity="warning", timeout=30)
