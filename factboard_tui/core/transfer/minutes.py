"""A finished meeting: stored once, read back as a record, and written out as minutes.

`save_meeting` is the one write path of the meeting tables (`meeting`, `meeting_attendee`, `meeting_row`). The
changes a meeting made are not copied: the record keeps the range of change-log ids the meeting spans, and
`load_meeting` reads them back in the board's own words (`history.describe_change`). `minutes_markdown` and
`minutes_html` are pure functions of a record, shared by the summary screen and `factboard meetings show`.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.history import ChangeLine, describe_change
from factboard_tui.core.domain.inert import markdown_text
from factboard_tui.core.domain.meetings import DISCUSSED, NOT_REACHED, SKIPPED, MeetingSession
from factboard_tui.core.errors import InvalidValue, NotFound
from factboard_tui.core.i18n import N_, _, current_language
from factboard_tui.core.security.audit_words import MEETING_STORED, stored
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import (
    ATTENDEE_TABLE,
    CHANGE_TABLE,
    MEETING_ROW_TABLE,
    MEETING_TABLE,
    ROW_TABLE,
    Change,
)
from factboard_tui.core.store.transaction import write_transaction

# -- the record ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attendee:
    """Someone at the meeting."""

    initials: str
    discipline: str
    """The discipline's label in the board's language (empty if none was set)."""


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """A row as the meeting left it."""

    row_id: int
    client_code: str
    outcome: str
    seconds: int


@dataclass(frozen=True, slots=True)
class MeetingChange:
    """One change made during the meeting, with the client it belongs to."""

    client_code: str
    line: ChangeLine


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """A stored meeting, read back with everything the minutes need."""

    id: int
    team: str
    started_at: datetime
    ended_at: datetime
    chair: str
    agenda: str
    budget_minutes: int
    attendees: tuple[Attendee, ...]
    rows: tuple[RowOutcome, ...]
    changes: tuple[MeetingChange, ...]

    @property
    def duration(self) -> timedelta:
        """How long the meeting took."""
        return self.ended_at - self.started_at

    def codes(self, outcome: str) -> list[str]:
        """Client codes of the rows with this outcome, in meeting order."""
        return [row.client_code for row in self.rows if row.outcome == outcome]

    def summary(self) -> dict[str, Any]:
        """The record as JSON-ready data (what `meetings list --json` prints per meeting)."""
        return {
            "id": self.id,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat(),
            "duration_minutes": round(self.duration.total_seconds() / 60, 1),
            "budget_minutes": self.budget_minutes,
            "chair": self.chair,
            "agenda": self.agenda,
            "attendees": [attendee.initials for attendee in self.attendees],
            "disciplines": sorted({attendee.discipline for attendee in self.attendees if attendee.discipline}),
            "discussed": self.codes(DISCUSSED),
            "skipped": self.codes(SKIPPED),
            "not_reached": self.codes(NOT_REACHED),
            "changes": len(self.changes),
        }


def save_meeting(board: Board, session: MeetingSession, ended_at: datetime) -> int:
    """The one write path of the meeting tables: store a finished meeting; returns its id.

    The meeting's changes are those the change log holds after `session.first_change_id`, up to the newest one
    now; they are referenced by that range, not copied.
    """
    chair = F.parse_initials(session.chair, "author", _("Chair"))
    attendees = [F.parse_initials(initials, "attendee", _("Attendee")) for initials in dict.fromkeys(session.attendees)]
    if ended_at < session.started_at:
        raise InvalidValue("ended_at", _("A meeting cannot end before it started: check the computer's clock."))
    ended_at = ended_at.astimezone(UTC)
    session.book(ended_at)
    disciplines = {member.initials: member.discipline for member in board.staff(include_inactive=True)}
    agenda = " · ".join(item.title for item in session.agenda)
    detail = stored(MEETING_STORED, count=len(session.order), present=len(attendees))
    with write_transaction(board, chair, "meeting", detail) as connection:
        last_change = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM change_log").scalar_one())
        inserted = connection.execute(
            insert(MEETING_TABLE).values(
                started_at=session.started_at.astimezone(UTC),
                ended_at=ended_at,
                chair=chair,
                agenda=agenda,
                budget_minutes=session.budget_minutes,
                first_change_id=session.first_change_id,
                last_change_id=last_change,
            )
        )
        meeting_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        if attendees:
            connection.execute(
                insert(ATTENDEE_TABLE),
                [
                    {"meeting_id": meeting_id, "initials": initials, "discipline": disciplines.get(initials, "")}
                    for initials in attendees
                ],
            )
        if session.order:
            connection.execute(
                insert(MEETING_ROW_TABLE),
                [
                    {
                        "meeting_id": meeting_id,
                        "position": position,
                        "row_id": row_id,
                        "outcome": session.status.get(row_id, NOT_REACHED),
                        "seconds": round(session.seconds.get(row_id, 0.0)),
                    }
                    for position, row_id in enumerate(session.order)
                ],
            )
    return meeting_id


def meeting_ids(board: Board) -> list[int]:
    """Every stored meeting's id, newest first."""
    with board.engine.connect() as connection:
        return [
            int(row[0]) for row in connection.execute(sa_select(MEETING_TABLE.c.id).order_by(MEETING_TABLE.c.id.desc()))
        ]


def load_meeting(board: Board, meeting_id: int) -> MeetingRecord:
    """One stored meeting with its attendees, rows and changes, in the board's words."""
    template = board.template
    with board.session() as session:
        connection = session.connection()
        meeting = (
            connection.execute(sa_select(MEETING_TABLE).where(MEETING_TABLE.c.id == meeting_id)).mappings().first()
        )
        if meeting is None:
            raise NotFound(
                _("There is no meeting {meeting_id}: list the meetings with `factboard meetings list`.").format(
                    meeting_id=meeting_id
                )
            )
        codes = {
            int(row_id): str(code)
            for row_id, code in connection.execute(sa_select(ROW_TABLE.c.id, ROW_TABLE.c.client_code))
        }
        attendees = tuple(
            Attendee(str(initials), template.disciplines.get(str(discipline), str(discipline)))
            for initials, discipline in connection.execute(
                sa_select(ATTENDEE_TABLE.c.initials, ATTENDEE_TABLE.c.discipline)
                .where(ATTENDEE_TABLE.c.meeting_id == meeting_id)
                .order_by(ATTENDEE_TABLE.c.initials)
            )
        )
        rows = tuple(
            RowOutcome(int(row_id), codes.get(int(row_id), "?"), str(outcome), int(seconds))
            for row_id, outcome, seconds in connection.execute(
                sa_select(MEETING_ROW_TABLE.c.row_id, MEETING_ROW_TABLE.c.outcome, MEETING_ROW_TABLE.c.seconds)
                .where(MEETING_ROW_TABLE.c.meeting_id == meeting_id)
                .order_by(MEETING_ROW_TABLE.c.position)
            )
        )
        changes = [
            Change(**change)
            for change in connection.execute(
                sa_select(CHANGE_TABLE)
                .where(
                    CHANGE_TABLE.c.id > meeting["first_change_id"],
                    CHANGE_TABLE.c.id <= meeting["last_change_id"],
                    CHANGE_TABLE.c.entity == "row",
                )
                .order_by(CHANGE_TABLE.c.id)
            ).mappings()
        ]
    return MeetingRecord(
        id=int(meeting["id"]),
        team=board.team,
        started_at=_aware(meeting["started_at"]),
        ended_at=_aware(meeting["ended_at"]),
        chair=str(meeting["chair"]),
        agenda=str(meeting["agenda"]),
        budget_minutes=int(meeting["budget_minutes"]),
        attendees=attendees,
        rows=rows,
        changes=tuple(
            MeetingChange(codes.get(change.row_id or 0, "?"), describe_change(change, template)) for change in changes
        ),
    )


def _aware(moment: datetime) -> datetime:
    """A stored time (UTC, perhaps read back without its zone) as a timezone-aware datetime."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


# -- minutes ---------------------------------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _minutes_text(span: timedelta) -> str:
    return f"{int(span.total_seconds() // 60)} min {int(span.total_seconds() % 60):02d} s"


def minutes_markdown(record: MeetingRecord) -> str:
    """The meeting's minutes as Markdown: a coordinator can send them on as they are."""

    def cell(text: str) -> str:
        return markdown_text(" ".join(text.split())) or "—"

    title = _("Meeting {number}: {team}, {time}").format(
        number=record.id, team=cell(record.team), time=_local(record.started_at)
    )
    lines = [f"# {title}", ""]
    lines += [f"- **{label}:** {value}" for label, value in _summary(record, cell)]
    lines += ["", f"## {_(CHANGES_HEADING)} ({len(record.changes)})", ""]
    if record.changes:
        lines += ["| " + " | ".join(_(word) for word in CHANGE_COLUMNS) + " |", "|---|---|---|---|---|---|"]
        for change in record.changes:
            line = change.line
            cells = (line.author, change.client_code, line.what, line.old, line.new)
            lines.append(f"| {line.at.astimezone():%H:%M} | " + " | ".join(cell(text) for text in cells) + " |")
    else:
        lines.append(_("No changes."))
    return "\n".join(lines) + "\n"


CHANGES_HEADING = N_("Changes made during the meeting")
CHANGE_COLUMNS = (N_("time"), N_("who"), N_("client"), N_("what"), N_("old"), N_("new"))
OUTCOME_WORDS = ((DISCUSSED, N_("Discussed")), (SKIPPED, N_("Skipped")), (NOT_REACHED, N_("Not reached")))
"""The minutes' words (Markdown and HTML say the same), translated where they are written."""


def _summary(record: MeetingRecord, cell: Callable[[str], str]) -> list[tuple[str, str]]:
    """The minutes' list: agenda, chair, duration, attendees and the rows by outcome, as (label, value)."""
    attendees = ", ".join(f"{a.initials} ({a.discipline or '—'})" for a in record.attendees) or "—"
    items = [
        (_("Agenda"), cell(record.agenda)),
        (_("Chair"), cell(record.chair)),
        (
            _("Duration"),
            _("{duration} (budget {minutes} min)").format(
                duration=_minutes_text(record.duration), minutes=record.budget_minutes
            ),
        ),
        (_("Attendees ({count})").format(count=len(record.attendees)), attendees),
    ]
    for outcome, word in OUTCOME_WORDS:
        codes = record.codes(outcome)
        items.append((f"{_(word)} ({len(codes)})", ", ".join(codes) or "—"))
    return items


def minutes_html(record: MeetingRecord) -> str:
    """The meeting's minutes as a standalone HTML page (every value escaped)."""
    e = html.escape

    def item(label: str, value: str) -> str:
        return f"<li><strong>{e(label)}:</strong> {e(value)}</li>"

    title = _("Meeting {number}: {team}, {time}").format(
        number=record.id, team=record.team, time=_local(record.started_at)
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(current_language())}"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.2em .5em;text-align:left}</style>",
        "</head><body>",
        f"<h1>{e(title)}</h1>",
        "<ul>",
        *(item(label, value) for label, value in _summary(record, lambda text: text or "—")),
    ]
    parts += ["</ul>", f"<h2>{e(_(CHANGES_HEADING))} ({len(record.changes)})</h2>"]
    if record.changes:
        parts.append("<table><tr>" + "".join(f"<th>{e(_(word))}</th>" for word in CHANGE_COLUMNS) + "</tr>")
        for change in record.changes:
            line = change.line
            cells = (f"{line.at.astimezone():%H:%M}", line.author, change.client_code, line.what, line.old, line.new)
            parts.append("<tr>" + "".join(f"<td>{e(text)}</td>" for text in cells) + "</tr>")
        parts.append("</table>")
    else:
        none = _("No changes.")  # outside the f-string: Babel sees it
        parts.append(f"<p>{e(none)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
