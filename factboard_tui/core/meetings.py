"""The morning meeting without a face: its order, clock, pace, flags, attendance, record and minutes.

The chair steps through the board in a meeting; everything about that which is not drawing lives here so it is
tested without a terminal: `MeetingSession` (the order of rows, which are discussed or skipped, the time spent on
each), `pace` ("7 of 12 rows, 6 min left: behind"), `row_flags` (what the chair must not miss), the attendance
check against the FACT criterion of four disciplines, `save_meeting` (the one write path of the meeting tables)
and the minutes as Markdown or HTML for a coordinator to send on.

Every time comes from the caller (the board's clock), so a frozen or hand-moved clock drives timers and pace in
tests exactly as real time does in the room.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy import select as sa_select

from factboard_tui.core import fields as F
from factboard_tui.core.errors import InvalidValue, NotFound
from factboard_tui.core.history import ChangeLine, describe_change
from factboard_tui.core.model import BoardRow, Change, Meeting, MeetingAttendee, MeetingRow, Staff, VisitCell
from factboard_tui.core.store import Board
from factboard_tui.core.templates import AgendaItem, BoardTemplate
from factboard_tui.core.views import days_on_board, evaluation_passed

MIN_DISCIPLINES = 4
"""FACT teams are certified on having at least this many disciplines at the board meeting."""

DISCUSSED = "discussed"
SKIPPED = "skipped"
NOT_REACHED = "not_reached"
CURRENT = "current"
OUTCOMES = (DISCUSSED, SKIPPED, NOT_REACHED)
"""What a meeting records for each row; `current` is only ever shown, never stored."""

OUTCOME_LABELS = {DISCUSSED: "discussed", SKIPPED: "skipped", NOT_REACHED: "not reached", CURRENT: "current"}
"""How an outcome reads in the list and the minutes."""

_MEETING_TABLE = Meeting.__table__  # type: ignore[attr-defined]
_ATTENDEE_TABLE = MeetingAttendee.__table__  # type: ignore[attr-defined]
_MEETING_ROW_TABLE = MeetingRow.__table__  # type: ignore[attr-defined]
_CHANGE_TABLE = Change.__table__  # type: ignore[attr-defined]
_ROW_TABLE = BoardRow.__table__  # type: ignore[attr-defined]


# -- the meeting while it runs ---------------------------------------------------------------------------------------


@dataclass
class MeetingSession:
    """A meeting in progress: the rows in the chair's order and where the chair is.

    Row ids, not rows: the rows themselves change during the meeting (that is the point of it), and the screen
    reads them fresh from the board.
    """

    started_at: datetime
    """When the meeting clock started."""
    chair: str
    """Initials of who runs the meeting (the signed-in user)."""
    order: list[int]
    """Row ids in the order the meeting goes through them."""
    budget_minutes: int
    """The time the template gives the meeting."""
    agenda: tuple[AgendaItem, ...] = ()
    """Today's agenda from the template."""
    first_change_id: int = 0
    """The newest change id when the meeting started: later changes were made during it."""
    attendees: list[str] = field(default_factory=list)
    """Initials of who checked in."""
    status: dict[int, str] = field(default_factory=dict)
    """Row id -> `discussed` or `skipped`; rows not in here are not reached (yet)."""
    seconds: dict[int, float] = field(default_factory=dict)
    """Time spent on each row so far, not counting the current stretch on the current row."""
    index: int = 0
    """Position of the current row in `order`."""
    current_since: datetime | None = None
    """When the current row became current."""

    @classmethod
    def start(
        cls,
        rows: Sequence[BoardRow],
        template: BoardTemplate,
        now: datetime,
        chair: str,
        first_change_id: int = 0,
    ) -> MeetingSession:
        """A meeting over `rows` in triage priority (crisis and admitted first), with today's agenda and budget."""
        ordered = sorted(rows, key=lambda row: (template.triage_rank(row.triage), row.date_on, row.client_code))
        return cls(
            started_at=now,
            chair=chair,
            order=[row.id for row in ordered if row.id is not None],
            budget_minutes=template.meeting_minutes,
            agenda=template.agenda_for(now.astimezone().weekday()),
            first_change_id=first_change_id,
            current_since=now,
        )

    # -- where the chair is --

    @property
    def current(self) -> int | None:
        """The row id being discussed, if the board has rows."""
        return self.order[self.index] if self.order else None

    def go_to(self, index: int, now: datetime) -> None:
        """Make the row at `index` current, booking the time spent on the one before."""
        if not self.order:
            return
        index = max(0, min(index, len(self.order) - 1))
        self.book(now)
        self.index = index

    def next(self, now: datetime) -> None:
        """On to the next row (nothing is marked)."""
        self.go_to(self.index + 1, now)

    def previous(self, now: datetime) -> None:
        """Back to the row before."""
        self.go_to(self.index - 1, now)

    def discussed(self, now: datetime) -> None:
        """Mark the current row discussed and go on to the next one not yet reached (or, at the end, a skipped one)."""
        self._mark(DISCUSSED, now)

    def skip(self, now: datetime) -> None:
        """Mark the current row skipped and go on to the next one not yet reached."""
        self._mark(SKIPPED, now)

    def _mark(self, outcome: str, now: datetime) -> None:
        row_id = self.current
        if row_id is None:
            return
        self.status[row_id] = outcome
        # The next row not reached yet (after this one, then from the top); when none is left, a skipped one.
        around = [*range(self.index + 1, len(self.order)), *range(self.index)]
        fresh = [i for i in around if self.order[i] not in self.status]
        skipped = [i for i in around if self.status.get(self.order[i]) == SKIPPED]
        target = (fresh or skipped or [self.index])[0]
        self.go_to(target, now)

    def move(self, step: int) -> None:
        """Move the current row up (-1) or down (+1) in the order; it stays current."""
        target = self.index + step
        if not self.order or not 0 <= target < len(self.order):
            return
        self.order[self.index], self.order[target] = self.order[target], self.order[self.index]
        self.index = target

    def follow_board(self, open_ids: Iterable[int]) -> None:
        """Add rows put on the board during the meeting at the end of the order (rows taken off stay listed)."""
        known = set(self.order)
        for row_id in open_ids:
            if row_id not in known:
                self.order.append(row_id)
                known.add(row_id)

    def book(self, now: datetime) -> None:
        """Add the time since the current row became current to its total (before moving on, or at the end)."""
        row_id = self.current
        if row_id is not None and self.current_since is not None:
            self.seconds[row_id] = self.seconds.get(row_id, 0.0) + max(0.0, (now - self.current_since).total_seconds())
        self.current_since = now

    # -- the clock --

    def elapsed(self, now: datetime) -> timedelta:
        """Time since the meeting started."""
        return max(timedelta(0), now - self.started_at)

    def remaining(self, now: datetime) -> timedelta:
        """Time left of the budget (negative when over)."""
        return timedelta(minutes=self.budget_minutes) - self.elapsed(now)

    def row_elapsed(self, now: datetime, row_id: int | None = None) -> timedelta:
        """Time spent on a row (the current one by default), including the stretch running now."""
        row_id = self.current if row_id is None else row_id
        if row_id is None:
            return timedelta(0)
        spent = self.seconds.get(row_id, 0.0)
        if row_id == self.current and self.current_since is not None:
            spent += max(0.0, (now - self.current_since).total_seconds())
        return timedelta(seconds=spent)

    def outcome(self, row_id: int) -> str:
        """`current`, `discussed`, `skipped` or `not_reached`, as the list shows it."""
        if row_id == self.current:
            return CURRENT
        return self.status.get(row_id, NOT_REACHED)

    @property
    def reached(self) -> int:
        """Rows discussed or skipped."""
        return sum(1 for row_id in self.order if row_id in self.status)

    def pace(self, now: datetime) -> Pace:
        """How the meeting is doing against its budget."""
        return pace(self.reached, len(self.order), self.elapsed(now), timedelta(minutes=self.budget_minutes))


# -- pace ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pace:
    """Rows reached against time used, and the verdict the header shows."""

    reached: int
    total: int
    remaining: timedelta
    verdict: str
    """`done`, `ahead`, `on time`, `behind` or `over time`."""

    @property
    def text(self) -> str:
        """`7 of 12 rows, 6 min left: behind`."""
        minutes = int(abs(self.remaining.total_seconds()) // 60)
        left = f"{minutes} min left" if self.remaining >= timedelta(0) else f"{minutes} min over"
        return f"{self.reached} of {self.total} rows, {left}: {self.verdict}"


AHEAD_BELOW = 0.85
"""Projected use of the budget under which the meeting counts as ahead."""


def pace(reached: int, total: int, elapsed: timedelta, budget: timedelta) -> Pace:
    """The verdict from rows reached so far and time used.

    At the speed so far, the remaining rows would take `elapsed / reached` each: if that projects past the budget
    the meeting is behind, under 85 % of it ahead, else on time. Before the first row is done, it is behind once
    more than one row's share of the budget has gone.
    """
    remaining = budget - elapsed
    if total and reached >= total:
        verdict = "done"
    elif elapsed >= budget:
        verdict = "over time"
    elif reached == 0:
        verdict = "behind" if total and elapsed > budget / total else "on time"
    else:
        projected = elapsed * total / reached
        verdict = "behind" if projected > budget else "ahead" if projected < budget * AHEAD_BELOW else "on time"
    return Pace(reached, total, remaining, verdict)


def clock_text(span: timedelta) -> str:
    """A span as `MM:SS` (`-MM:SS` when negative; hours roll into minutes)."""
    seconds = int(span.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    return f"{sign}{seconds // 60:02d}:{seconds % 60:02d}"


# -- flags -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Flag:
    """Something about a row the chair must not miss."""

    key: str
    """`evaluation_passed`, `crisis_without_plan`, `children`, `no_visit`, `too_long`."""
    text: str
    """One line saying it, in the board's labels."""


def row_flags(row: BoardRow, week_visits: dict[date, VisitCell], template: BoardTemplate, today: date) -> list[Flag]:
    """The flags of a row: evaluation passed, crisis without a crisis plan, children, no visit, too long on board."""
    label = template.label
    flags: list[Flag] = []
    if evaluation_passed(row, today) and row.evaluation_date is not None:
        flags.append(Flag("evaluation_passed", f"{label('evaluation_date')} passed {row.evaluation_date.isoformat()}"))
    try:
        crisis = template.triage_level(row.triage).crisis
    except KeyError:
        crisis = False
    if crisis and not row.crisis_plan:
        flags.append(
            Flag("crisis_without_plan", f"{F.display(row.triage, template, 'triage')}: no {label('crisis_plan')}")
        )
    if row.children:
        note = f" ({row.children_note})" if row.children_note else ""
        flags.append(Flag("children", f"{label('children')}: {template.yes}{note}"))
    if not week_visits:
        flags.append(Flag("no_visit", "No visit planned this week"))
    days = days_on_board(row, today)
    if days > template.max_days_on_board:
        flags.append(Flag("too_long", f"{days} days on board (limit {template.max_days_on_board})"))
    return flags


# -- attendance ------------------------------------------------------------------------------------------------------


def disciplines_present(staff: Iterable[Staff], present: Iterable[str]) -> set[str]:
    """The discipline keys among the staff checked in (members without a discipline do not count)."""
    here = set(present)
    return {member.discipline for member in staff if member.initials in here and member.discipline}


def attendance_warning(staff: Iterable[Staff], present: Iterable[str], template: BoardTemplate) -> str | None:
    """A line for the chair when fewer than four disciplines are present, else None."""
    found = disciplines_present(staff, present)
    if len(found) >= MIN_DISCIPLINES:
        return None
    names = ", ".join(sorted(template.disciplines.get(key, key) for key in found)) or "none"
    return f"Only {len(found)} of {MIN_DISCIPLINES} disciplines present ({names}): FACT asks for at least four."


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
    chair = F.parse_initials(session.chair, "author", "Chair")
    attendees = [F.parse_initials(initials, "attendee", "Attendee") for initials in dict.fromkeys(session.attendees)]
    if ended_at < session.started_at:
        raise InvalidValue("ended_at", "A meeting cannot end before it started: check the computer's clock.")
    ended_at = ended_at.astimezone(UTC)
    session.book(ended_at)
    disciplines = {member.initials: member.discipline for member in board.staff(include_inactive=True)}
    agenda = " · ".join(item.title for item in session.agenda)
    with board._write_transaction() as connection:
        last_change = int(connection.exec_driver_sql("SELECT coalesce(max(id), 0) FROM change_log").scalar_one())
        inserted = connection.execute(
            insert(_MEETING_TABLE).values(
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
                insert(_ATTENDEE_TABLE),
                [
                    {"meeting_id": meeting_id, "initials": initials, "discipline": disciplines.get(initials, "")}
                    for initials in attendees
                ],
            )
        if session.order:
            connection.execute(
                insert(_MEETING_ROW_TABLE),
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
            int(row[0])
            for row in connection.execute(sa_select(_MEETING_TABLE.c.id).order_by(_MEETING_TABLE.c.id.desc()))
        ]


def load_meeting(board: Board, meeting_id: int) -> MeetingRecord:
    """One stored meeting with its attendees, rows and changes, in the board's words."""
    template = board.template
    with board.session() as session:
        connection = session.connection()
        meeting = (
            connection.execute(sa_select(_MEETING_TABLE).where(_MEETING_TABLE.c.id == meeting_id)).mappings().first()
        )
        if meeting is None:
            raise NotFound(f"There is no meeting {meeting_id}: list the meetings with `factboard meetings list`.")
        codes = {
            int(row_id): str(code)
            for row_id, code in connection.execute(sa_select(_ROW_TABLE.c.id, _ROW_TABLE.c.client_code))
        }
        attendees = tuple(
            Attendee(str(initials), template.disciplines.get(str(discipline), str(discipline)))
            for initials, discipline in connection.execute(
                sa_select(_ATTENDEE_TABLE.c.initials, _ATTENDEE_TABLE.c.discipline)
                .where(_ATTENDEE_TABLE.c.meeting_id == meeting_id)
                .order_by(_ATTENDEE_TABLE.c.initials)
            )
        )
        rows = tuple(
            RowOutcome(int(row_id), codes.get(int(row_id), "?"), str(outcome), int(seconds))
            for row_id, outcome, seconds in connection.execute(
                sa_select(_MEETING_ROW_TABLE.c.row_id, _MEETING_ROW_TABLE.c.outcome, _MEETING_ROW_TABLE.c.seconds)
                .where(_MEETING_ROW_TABLE.c.meeting_id == meeting_id)
                .order_by(_MEETING_ROW_TABLE.c.position)
            )
        )
        changes = [
            Change(**change)
            for change in connection.execute(
                sa_select(_CHANGE_TABLE)
                .where(
                    _CHANGE_TABLE.c.id > meeting["first_change_id"],
                    _CHANGE_TABLE.c.id <= meeting["last_change_id"],
                    _CHANGE_TABLE.c.entity == "row",
                )
                .order_by(_CHANGE_TABLE.c.id)
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
        return " ".join(text.split()).replace("|", "\\|") or "—"

    lines = [
        f"# Meeting {record.id}: {record.team}, {_local(record.started_at)}",
        "",
        f"- **Agenda:** {record.agenda or '—'}",
        f"- **Chair:** {record.chair}",
        f"- **Duration:** {_minutes_text(record.duration)} (budget {record.budget_minutes} min)",
        f"- **Attendees ({len(record.attendees)}):** "
        + (", ".join(f"{a.initials} ({a.discipline or '—'})" for a in record.attendees) or "—"),
        f"- **Discussed ({len(record.codes(DISCUSSED))}):** {', '.join(record.codes(DISCUSSED)) or '—'}",
        f"- **Skipped ({len(record.codes(SKIPPED))}):** {', '.join(record.codes(SKIPPED)) or '—'}",
        f"- **Not reached ({len(record.codes(NOT_REACHED))}):** {', '.join(record.codes(NOT_REACHED)) or '—'}",
        "",
        f"## Changes made during the meeting ({len(record.changes)})",
        "",
    ]
    if record.changes:
        lines += ["| time | who | client | what | old | new |", "|---|---|---|---|---|---|"]
        for change in record.changes:
            line = change.line
            lines.append(
                f"| {line.at.astimezone():%H:%M} | {line.author} | {change.client_code} | {cell(line.what)} "
                f"| {cell(line.old)} | {cell(line.new)} |"
            )
    else:
        lines.append("No changes.")
    return "\n".join(lines) + "\n"


def minutes_html(record: MeetingRecord) -> str:
    """The meeting's minutes as a standalone HTML page (every value escaped)."""
    e = html.escape

    def item(label: str, value: str) -> str:
        return f"<li><strong>{e(label)}:</strong> {e(value)}</li>"

    attendees = ", ".join(f"{a.initials} ({a.discipline or '—'})" for a in record.attendees) or "—"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Meeting {record.id}: {e(record.team)}</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #888;padding:.2em .5em;text-align:left}</style>",
        "</head><body>",
        f"<h1>Meeting {record.id}: {e(record.team)}, {e(_local(record.started_at))}</h1>",
        "<ul>",
        item("Agenda", record.agenda or "—"),
        item("Chair", record.chair),
        item("Duration", f"{_minutes_text(record.duration)} (budget {record.budget_minutes} min)"),
        item(f"Attendees ({len(record.attendees)})", attendees),
    ]
    for outcome, label in ((DISCUSSED, "Discussed"), (SKIPPED, "Skipped"), (NOT_REACHED, "Not reached")):
        codes = record.codes(outcome)
        parts.append(item(f"{label} ({len(codes)})", ", ".join(codes) or "—"))
    parts += ["</ul>", f"<h2>Changes made during the meeting ({len(record.changes)})</h2>"]
    if record.changes:
        parts.append("<table><tr><th>time</th><th>who</th><th>client</th><th>what</th><th>old</th><th>new</th></tr>")
        for change in record.changes:
            line = change.line
            cells = (f"{line.at.astimezone():%H:%M}", line.author, change.client_code, line.what, line.old, line.new)
            parts.append("<tr>" + "".join(f"<td>{e(text)}</td>" for text in cells) + "</tr>")
        parts.append("</table>")
    else:
        parts.append("<p>No changes.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
