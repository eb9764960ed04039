"""What the feed's jobs do to the board: plain functions of an open `Board`, run in the feed's threads.

`BoardFeed` (tui/feed.py) decides *when and where* a job runs (its writer thread, or a reader beside it) and where
its outcome goes; the functions here are *what* a job does, with no Textual in sight, so each reads as the board
calls it makes and raises what the board raises (`FactBoardError`, for the feed to hand on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import visit_key
from factboard_tui.core.domain.history import ChangeLine, describe_change
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import WriteResult
from factboard_tui.core.store.schema import BoardRow, Staff
from factboard_tui.core.sync.service import ConflictView, conflicts, peers
from factboard_tui.core.transfer.export import (
    Format,
    Grouping,
    board_document,
    calendar_contents,
    week_document,
)
from factboard_tui.core.transfer.export_file import write_recorded_export
from factboard_tui.core.transfer.export_formats import format_named, render

SOURCE = "tui"
"""How the change log names writes made here."""


@dataclass(frozen=True, slots=True)
class CellWrite:
    """One cell's write: what was typed, over which stored value, and whether a conflict was already settled."""

    row_id: int
    key: str
    """The column key (a weekday key for a visit)."""
    text: str
    original: Any
    """The stored value the edit started from: the write is refused if the database holds another one now."""
    day: date | None
    """The visit's day, for a weekday column."""
    force: bool = False
    """The person chose "use mine" in a conflict: write whatever is stored now."""
    action: str | None = None
    """The person's action this cell is part of (the visits dialog's week): one undo step for all its cells."""


def write_cell(board: Board, user: str, write: CellWrite) -> None:
    """Write one cell through the write path, refused (`EditConflict`) if its stored value is not `original` now
    (unless `force`)."""
    if write.force:
        expected: dict[str, Any] = {}
    elif write.day is not None:
        expected = {visit_key(write.day): write.original}
    else:
        expected = {write.key: write.original}
    if write.key == "client_code":  # a typo corrected: the same row, its history kept
        code = expected.get("client_code")
        board.correct_client_code(user, write.row_id, write.text, expected=code, source=SOURCE)
        return
    if write.day is not None:
        visits = {write.day: F.split_visit_cell(write.text)}
        board.write_row(
            user, "set", row_id=write.row_id, visits=visits, expected=expected, source=SOURCE, action=write.action
        )
    else:
        values = {write.key: write.text}
        board.write_row(
            user, "set", row_id=write.row_id, values=values, expected=expected, source=SOURCE, action=write.action
        )


def row_history(board: Board, row_id: int) -> tuple[BoardRow, list[ChangeLine]]:
    """One row and its changes (newest first, in the board's words)."""
    row = board.row(row_id)
    changes = board.history(row_id)
    return row, [describe_change(change, board.template) for change in reversed(changes)]


@dataclass(frozen=True, slots=True)
class StaffValues:
    """A team member as typed in the form (checked by the write path)."""

    initials: str
    name: str
    discipline: str | None
    organisation: str | None
    active: bool | None


def save_staff(board: Board, user: str, values: StaffValues, *, adding: bool) -> Staff:
    """Add a member (refused if the initials are taken) or change one; returns the member as stored."""
    if adding:  # `write_staff` would treat known initials as an edit: adding must not overwrite anyone
        wanted = F.parse_initials(values.initials, "initials", _("Initials"))
        if any(member.initials == wanted for member in board.staff(include_inactive=True)):
            raise InvalidValue(
                "initials",
                _("{initials} is already on the team list: edit them there instead.").format(initials=wanted),
            )
    return board.write_staff(
        user,
        values.initials,
        name=values.name,
        discipline=values.discipline,
        organisation=values.organisation,
        active=values.active,
        source=SOURCE,
    )


def open_conflicts(board: Board) -> tuple[list[ConflictView], dict[str, str]]:
    """The open sync conflicts, and each site's name by id (this one marked "here")."""
    found = conflicts(board)
    names = {peer.site.site_id: peer.name for peer in peers(board)}
    names[board.site_id] = f"{board.site.name} (here)"
    return found, names


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """An export asked for in the TUI: the week (`kind` "week") or the whole board, how, and where to."""

    kind: str
    monday: date
    grouping: Grouping
    fmt: Format
    path: Path
    calendar_details: bool


def export_file(board: Board, request: ExportRequest) -> tuple[Path, str]:
    """Write the export and enter it in the audit log; returns where the file went and what it holds."""
    if request.kind == "board":
        document = board_document(board, request.monday)
        what = ngettext("{count} row", "{count} rows", document.line_count).format(count=document.line_count)
    else:
        document = week_document(board, request.monday, request.grouping, request.calendar_details)
        visits = ngettext("{count} visit", "{count} visits", document.visits).format(count=document.visits)
        what = ngettext("{visits} in {count} group", "{visits} in {count} groups", len(document.tables)).format(
            visits=visits, count=len(document.tables)
        )
    fmt = request.fmt
    target = write_recorded_export(board, request.path, render(document, fmt), f"{request.kind} ({fmt.value}), tui")
    contents = f", {calendar_contents(request.calendar_details)}" if fmt is Format.ICS else ""
    return target, f"{what} ({format_named(fmt, document)}{contents})"


def report_file(board: Board, start: date, end: date, folder: Path) -> Path:
    """Write the period's fidelity report as HTML into `folder` (mode 600, audited, like any export); returns where."""
    from factboard_tui.core.transfer.report import ReportFormat, build_report, default_report_name
    from factboard_tui.core.transfer.report_formats import render_report

    made = build_report(board, start, end)
    data = render_report(made, ReportFormat.HTML)
    return write_recorded_export(
        board, folder / default_report_name(made, ReportFormat.HTML), data, "report (html), tui"
    )


def undone_message(result: WriteResult) -> str:
    """What an undo put back: each change, or for a whole action (a copied week) how much, in one line."""
    changes = result.changes
    if len(changes) > 3:
        rows = len({change.row_id for change in changes})
        return ngettext(
            "Undone in one step: {count} changes on {rows} row",
            "Undone in one step: {count} changes on {rows} rows",
            rows,
        ).format(count=len(changes), rows=rows)
    what = ", ".join(f"{change.field}: {change.old or '—'} → {change.new or '—'}" for change in changes)
    return _("Undone: {what}").format(what=what) if what else _("Undone: nothing left to change")
