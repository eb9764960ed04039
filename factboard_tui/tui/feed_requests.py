"""The board feed's requests beyond cells and reads: rows added and taken off, undo, the team, history, the
meeting's claim and minutes, statistics, conflicts, exports and the daily backup.

Each is one line saying which board call runs where: in the feed's writer thread (`write`, in order after every
edit asked for before) or beside it (`read`). `BoardFeed` (tui/feed.py) mixes them in and supplies `write`,
`read` and the rest; they live apart so the feed module keeps to its threads, its store and its cells.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from factboard_tui.core.domain.history import ChangeLine
from factboard_tui.core.domain.meetings import MeetingSession
from factboard_tui.core.i18n import _
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.meeting_claim import MeetingClaim
from factboard_tui.core.store.rows import WriteResult
from factboard_tui.core.store.schema import BoardRow, Staff
from factboard_tui.core.sync.service import ConflictView, settle_conflict
from factboard_tui.core.transfer.minutes import MeetingRecord, load_meeting, save_meeting
from factboard_tui.tui.board_jobs import (
    SOURCE,
    ExportRequest,
    StaffValues,
    export_file,
    open_conflicts,
    report_file,
    row_history,
    save_staff,
)
from factboard_tui.tui.feed_types import Job, Reply
from factboard_tui.tui.row_store import RowStore


class FeedRequests:
    """Mixed into `BoardFeed`, which supplies what these requests run on."""

    user: str
    store: RowStore
    write: Callable[..., None]
    read: Callable[..., None]
    after_writes: Callable[[Job], None]
    _reload_from_writer: Callable[[], None]

    def add_row(self, values: dict[str, str], reply: Reply[int]) -> None:
        """Put a new row on the board; the result is its id."""
        self.write(lambda board: board.write_row(self.user, "add", values=values, source=SOURCE).row_id, reply)

    def take_off(self, row_id: int, reason: str, reply: Reply[Any]) -> None:
        """Take a row off the board with a reason (its history is kept)."""
        self.write(lambda board: board.take_off(self.user, row_id, reason, source=SOURCE), reply, refresh=True)

    def undo(self, reply: Reply[WriteResult]) -> None:
        """Undo this person's newest change (recorded as a change)."""
        self.write(lambda board: board.undo_last(self.user, source=SOURCE), reply, refresh=True)

    def copy_week(self, source: date, target: date, reply: Reply[int]) -> None:
        """Copy the visits of the week of `source` into the free days of the week of `target`; the result is how
        many were copied."""
        self.write(lambda board: board.copy_week_visits(self.user, source, target, source=SOURCE), reply, refresh=True)

    def record_view(self, row_id: int, screen: str) -> None:
        """Access log: this person saw the row on `screen` (the store keeps one entry per 10 minutes)."""
        self.write(
            lambda board: board.record_view(row_id, screen, self.user),
            Reply(prefix=_("The access log could not be written: ")),
        )

    def audit_event(self, action: str, detail: str) -> None:
        """Enter a lock or an unlock at the lock screen in the audit log; a board closed meanwhile records nothing."""
        self.write(lambda board: board.audit_event(action, detail=detail), Reply(failed=lambda _error: None))

    def history(self, row_id: int, reply: Reply[tuple[BoardRow, list[ChangeLine]]]) -> None:
        """One row and its changes (newest first, in the board's words), read beside the writer so it never waits
        behind a backup or an export; once read, the view goes into the access log through the writer."""

        def read(board: Board) -> tuple[BoardRow, list[ChangeLine]]:
            found = row_history(board, row_id)
            self.record_view(row_id, "history")
            return found

        self.read(read, reply, group="history", name="load row history")

    def save_staff(self, values: StaffValues, *, adding: bool, reply: Reply[Staff]) -> None:
        """Add a member (refused if the initials are taken) or change one; the result is the member as stored."""
        self.write(lambda board: save_staff(board, self.user, values, adding=adding), reply)

    def staff(self, reply: Reply[list[Staff]], include_inactive: bool = False) -> None:
        """The team list (read beside the writer)."""
        self.read(
            lambda board: board.staff(include_inactive=include_inactive), reply, group="staff", name="load team list"
        )

    def report(self, start: date, end: date, reply: Reply[Any]) -> None:
        """The period's statistics and fidelity criteria (`core.transfer.report.Report`), counted beside the writer."""
        from factboard_tui.core.transfer.report import build_report

        self.read(lambda board: build_report(board, start, end), reply, group="statistics", name="count statistics")

    def write_report(self, start: date, end: date, folder: Path, reply: Reply[Path]) -> None:
        """Write the period's fidelity report as an HTML file in `folder` (audited, mode 600); the result is where."""
        self.write(lambda board: report_file(board, start, end, folder), reply)

    def conflicts(self, reply: Reply[tuple[list[ConflictView], dict[str, str]]]) -> None:
        """The open sync conflicts, and each site's name by id (this one marked "here")."""
        self.read(open_conflicts, reply, group="conflicts", name="load sync conflicts")

    def settle_conflict(self, conflict_id: int, value: str | None, reply: Reply[Any]) -> None:
        """Keep `value` in a conflict: written as this person's edit, so it settles the conflict at every site."""
        self.write(lambda board: settle_conflict(board, conflict_id, self.user, value), reply, refresh=True)

    def save_meeting(self, session: MeetingSession, reply: Reply[MeetingRecord]) -> None:
        """Store a finished meeting as minutes (after every edit queued before) and read it back; then the board is
        read again, since the rows carried forward follow from the meetings."""
        self.write(lambda board: load_meeting(board, save_meeting(board, session, board.clock())), reply, refresh=True)
        self.after_writes(self._reload_from_writer)

    @property
    def carried(self) -> dict[int, date]:
        """Rows carried forward from the last meetings, with the day each was last discussed."""
        return self.store.carried

    def running_meeting(self, reply: Reply[MeetingClaim | None]) -> None:
        """The board's running meeting, if any (read beside the writer)."""
        self.read(lambda board: board.running_meeting(), reply, group="meeting-claim", name="read running meeting")

    def claim_meeting(self, token: str, take_over: bool, reply: Reply[MeetingClaim]) -> None:
        """Claim the board's meeting for this app (`token`), or take another app's over (audited)."""
        self.write(lambda board: board.claim_meeting(self.user, token, take_over=take_over), reply)

    def renew_meeting(self, token: str, current_row: int | None, reply: Reply[MeetingClaim | None]) -> None:
        """The chair's heartbeat and row; the result is None when someone else took the meeting over."""
        self.write(lambda board: board.renew_meeting_claim(token, current_row), reply)

    def close_meeting(self, token: str) -> None:
        """The meeting ended here: no meeting runs on the board any more (if it was still this app's)."""
        self.write(lambda board: board.close_meeting_claim(token), Reply(failed=lambda _error: None))

    def export(self, request: ExportRequest, reply: Reply[tuple[Path, str]]) -> None:
        """Write the export and enter it in the audit log, after every edit queued before; the result is where the
        file went and what it holds."""
        self.write(lambda board: export_file(board, request), reply)

    def daily_backup(self, directory: Path, keep: int, reply: Reply[tuple[Path | None, str | None]]) -> None:
        """The first unlock of a day backs the board up and checks the audit log; the result is the new backup (if
        one was made) and the audit log's problem (if any)."""
        self.write(lambda board: (board.daily_backup(directory, keep), board.audit_warning), reply)
