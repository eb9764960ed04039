"""The week's actions and the whole board, as documents a coordinator can take outside FactBoard.

Coordinators in the municipalities and the team need the week outside the board: who visits whom on which day,
what each person does this week, what concerns one municipality. This module reads the board once and turns it
into an `ExportDocument`: a title, one table per group (a day, a staff member or another care provider) with the
board's own column labels, and one calendar event per visit. `export_formats.render` then writes that document
as CSV, XLSX, Markdown, HTML or ICS bytes, so the CLI and the TUI's export dialog call the very same code.

Every export is plaintext by nature: `export_file.write_export` writes the bytes readable only by their owner, whole
or not at all, and the faces tell the person that the file is not encrypted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import partial
from itertools import chain
from typing import Any, TypeVar

from factboard_tui.core.clock import week_start
from factboard_tui.core.collation import sort_key
from factboard_tui.core.collector import collector_paused
from factboard_tui.core.domain.fields import display
from factboard_tui.core.domain.plan_template import MEASURE_SLOTS, PLAN_KINDS, status_field
from factboard_tui.core.domain.plans import measure_text, plan_text
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate
from factboard_tui.core.domain.views import days_on_board
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import N_, _, ngettext
from factboard_tui.core.memo import Memo
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import RowValues, VisitCell


class Format(StrEnum):
    """The file formats an export can have."""

    CSV = "csv"
    XLSX = "xlsx"
    MD = "md"
    HTML = "html"
    ICS = "ics"


class Grouping(StrEnum):
    """How the week's lines are grouped: the team's week, each person's week, each care provider's week."""

    DAY = "day"
    STAFF = "staff"
    PROVIDER = "provider"


WEEK_FORMATS: tuple[Format, ...] = tuple(Format)
"""Formats of the week export."""
BOARD_FORMATS: tuple[Format, ...] = (Format.CSV, Format.XLSX, Format.HTML)
"""Formats of the board export (a calendar or Markdown of the whole board would help nobody)."""

VISIT = N_("Visit")
NOTE = N_("Note")
DATE = N_("Date")
DAY = N_("Day")
GROUP = N_("Group")
WITHOUT_DAY = N_("No visit this week")
NO_PROVIDER = N_("No other care provider")
NO_STAFF = N_("No staff named")
"""App words of the export, in English (`_(VISIT)` where they are written; the board's own column labels come from
its template)."""

GROUPING_WORDS = {Grouping.DAY: N_("day"), Grouping.STAFF: N_("staff"), Grouping.PROVIDER: N_("provider")}
"""How the subtitle says what the week is grouped by."""

_WEEK = re.compile(r"^(\d{4})-?[Ww](\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an exported table: a stable key, the label people read, and a width hint in characters."""

    key: str
    label: str
    width: int = 10
    long: bool = False
    """Free text that wraps (situation, actions)."""
    printed: bool = True
    """Whether the page made for paper (HTML, A4 landscape) shows it; CSV, xlsx and Markdown show every column."""


@dataclass(frozen=True, slots=True)
class Table:
    """One group of an export: its title, its columns and its rows (values are text, dates, whole numbers or None;
    never True or False, which a format's cache of cell texts would take for 1 and 0)."""

    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]
    triage: list[str]
    """The triage key of each row, so formats that have colour can colour the triage cell like the board."""


CALENDAR_WITHOUT_DETAILS = N_("without details: client code, staff and visit note only")
CALENDAR_WITH_DETAILS = N_("with details: also actions, triage and other providers")
"""What a calendar export says it holds (translated in `calendar_contents`)."""


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One visit as an all-day calendar event.

    Calendars are often synced to cloud services, so by default an event holds only what a visit needs: the client
    code, the staff initials and the visit note. The row's actions, triage and other providers are added only when
    the person asks for them (`--details`, or the dialog's checkbox).
    """

    uid: str
    """Stable for the same row and day, so a calendar updates an event instead of duplicating it."""
    day: date
    summary: str
    description: str
    categories: tuple[str, ...]


@dataclass(frozen=True)
class ExportDocument:
    """Everything an export says, before it becomes bytes of some format."""

    kind: str
    """`week` or `board`."""
    title: str
    subtitle: str
    template: BoardTemplate
    generated_at: datetime
    tables: list[Table]
    visits: int = 0
    """How many visits the week holds (a week export's count; each is one calendar event)."""
    make_events: Callable[[], list[CalendarEvent]] = list
    """The calendar's events, made when a calendar is written: a fifth of building a week, which no other format
    uses (issue 15)."""
    grouped: bool = False
    """Whether the tables are groups of one list (CSV then gets a group column)."""
    calendar_details: bool = False
    """Whether the calendar events carry the rows' actions, triage and other providers (see `CalendarEvent`)."""
    team: str = ""
    """The team's name, for a printed page's header."""
    period: str = ""
    """The week the document covers (`2026-W48`), for a printed page's header."""

    @property
    def events(self) -> list[CalendarEvent]:
        """One all-day event per visit (made anew each time it is asked for)."""
        return self.make_events()

    @property
    def line_count(self) -> int:
        """How many lines the tables hold together."""
        return sum(len(table.rows) for table in self.tables)


# -- weeks --------------------------------------------------------------------------------------------------------


def parse_week(text: str, today: date) -> date:
    """The Monday of a week given as `2026-W48`, `W48` or `48` (this year), or any ISO date in it."""
    value = text.strip()
    match = _WEEK.match(value)
    year, number = (int(match.group(1)), int(match.group(2))) if match else (today.isocalendar()[0], -1)
    if not match and re.fullmatch(r"[Ww]?\d{1,2}", value):
        number = int(value.lstrip("Ww"))
    if number >= 0:
        try:
            return date.fromisocalendar(year, number, 1)
        except ValueError:
            raise InvalidValue(
                "week", _("There is no week {value}: write a week like 2026-W48.").format(value=value)
            ) from None
    try:
        return week_start(date.fromisoformat(value))
    except ValueError:
        raise InvalidValue(
            "week", _("'{value}' is not a week: write it like 2026-W48 (or a date in it).").format(value=value)
        ) from None


def week_name(monday: date) -> str:
    """`2026-W48` for the week starting on `monday`."""
    year, number, _day = monday.isocalendar()
    return f"{year}-W{number:02d}"


def default_filename(kind: str, fmt: Format, monday: date, grouping: Grouping = Grouping.DAY) -> str:
    """A file name that says what the export holds: `factboard-week-2026-W48-by-staff.xlsx`."""
    if kind == "board":
        return f"factboard-board-{week_name(monday)}.{fmt.value}"
    suffix = "" if grouping is Grouping.DAY else f"-by-{grouping.value}"
    return f"factboard-week-{week_name(monday)}{suffix}.{fmt.value}"


# -- the week's lines ---------------------------------------------------------------------------------------------


T = TypeVar("T")
Visits = dict[int, dict[date, VisitCell]]
"""A week's visits by row id and day, as `Board.visits` gives them."""

WeekLine = tuple[str, date | None, RowValues, str | None, str | None]
"""One line of the week: its kind (`visit`, `evaluation` or `actions`), its day (None for actions with neither a
visit nor an evaluation this week), the row, and a visit's staff and note. A plain tuple: made without a call."""

VISIT_LINE, EVALUATION_LINE, ACTIONS_LINE = "visit", "evaluation", "actions"


def week_lines(rows: Iterable[RowValues], visits: Visits, monday: date) -> Iterator[WeekLine]:
    """The week's lines, row by row: every visit, every evaluation date in the week, and the actions of open rows
    with neither (`rows`: those on the board and those taken off since `monday`)."""
    end = monday + timedelta(days=7)
    for row in rows:
        planned = visits.get(row.id or 0)
        if planned:
            for day, visit in planned.items():
                yield VISIT_LINE, day, row, visit.staff, visit.note
        evaluation = row.evaluation_date
        if evaluation is not None and monday <= evaluation < end:
            yield EVALUATION_LINE, evaluation, row, None, None
        elif not planned and row.date_off is None:
            yield ACTIONS_LINE, None, row, None, None


def week_buckets(monday: date, make: Callable[[], T]) -> dict[date | None, T]:
    """One `make()` for each day of the week, Monday to Sunday, and one for the lines with no day, in that order.

    Lines go to their day's bucket as the rows come, in board order, so the week needs no sort: a sort by (day,
    row, kind) made a key tuple per line and took a tenth of a week export's time (issue 15).
    """
    buckets: dict[date | None, T] = {monday + timedelta(days=number): make() for number in range(7)}
    buckets[None] = make()
    return buckets


def week_columns(template: BoardTemplate) -> tuple[Column, ...]:
    """The week table's columns, with the board's labels where the board has one."""
    label = template.label
    return (
        Column("date", _(DATE), 10),
        Column("day", _(DAY), 10),
        Column("client_code", label("client_code"), 9),
        Column("triage", label("triage"), 9),
        Column("visit", _(VISIT), 10),
        Column("note", _(NOTE), 24, long=True),
        Column("primary_contact", label("primary_contact"), 6),
        Column("doctor", label("doctor"), 6),
        Column("other_providers", label("other_providers"), 16),
        Column("actions", label("actions"), 60, long=True),
        Column("evaluation_date", label("evaluation_date"), 11),
    )


_STAFF_CELL, _CONTACT_CELL, _PROVIDERS_CELL = 4, 6, 8
"""Where `week_columns` puts the visit's staff, the primary contact and the other providers."""

Lines = tuple[list[tuple[Any, ...]], list[str]]
"""A group's lines: each line's cells, and each line's triage key."""


def _week_cells(
    rows: list[RowValues], visits: Visits, monday: date, template: BoardTemplate
) -> tuple[dict[date | None, Lines], int]:
    """Each day's lines as cells in `week_columns`' order, with their triage keys, and how many are visits.

    Made in one pass with no call per line (the weekday names and triage labels are worked out once each, `Memo`),
    and no object per line but its cells: at 20,000 rows every further pass over 60,000 lines, and every object
    made for each, cost more per row than at 2,000, because the lines no longer fit the processor's cache.
    """
    evaluation_label = template.label("evaluation_date")
    weekdays = Memo(lambda day: template.weekday_names[day.weekday()], {None: ""})
    triage = Memo(lambda key: display(key, template, "triage"))
    days: dict[date | None, Lines] = week_buckets(monday, lambda: ([], []))
    visit_count = 0
    for kind, day, row, staff, note in week_lines(rows, visits, monday):
        found, keys = days[day]
        found.append(
            (
                day,
                weekdays[day],
                row.client_code,
                triage[row.triage],
                staff or "",
                (evaluation_label if kind == EVALUATION_LINE else note) or "",
                row.primary_contact or "",
                row.doctor or "",
                row.other_providers or "",
                row.actions or "",
                row.evaluation_date,
            )
        )
        keys.append(row.triage)
        visit_count += kind == VISIT_LINE
    return days, visit_count


def _group_keys(cells: tuple[Any, ...], grouping: Grouping) -> Iterable[str]:
    """Which groups a line belongs to, by staff or by provider (a visit by DEN+MJR is in both DEN's and MJR's
    week; a line that is not a visit is in its primary contact's)."""
    if grouping is Grouping.STAFF:
        staff = cells[_STAFF_CELL]
        return dict.fromkeys(staff.split("+")) if staff else (cells[_CONTACT_CELL] or "~",)
    # The providers as the board holds them: `Borås stad / Socialtjänsten, LSS` is one provider, and no rule about
    # commas or slashes can tell a list of municipalities from one office's name.
    return (" ".join(cells[_PROVIDERS_CELL].split()) or "~",)


def _groups(days: dict[date | None, Lines], grouping: Grouping) -> dict[str, Lines]:
    """Each group's lines, in the week's order."""
    if grouping is Grouping.DAY:
        return {day.isoformat() if day else "~": lines for day, lines in days.items() if lines[0]}
    groups: dict[str, Lines] = {}
    for found, keys in days.values():
        for cells, key in zip(found, keys, strict=True):
            for group in _group_keys(cells, grouping):
                lines = groups.setdefault(group, ([], []))
                lines[0].append(cells)
                lines[1].append(key)
    return groups


def _group_title(key: str, grouping: Grouping, template: BoardTemplate, names: dict[str, str]) -> str:
    if key == "~":
        return _({Grouping.DAY: WITHOUT_DAY, Grouping.STAFF: NO_STAFF, Grouping.PROVIDER: NO_PROVIDER}[grouping])
    if grouping is Grouping.DAY:
        day = date.fromisoformat(key)
        return f"{template.weekday_names[day.weekday()]} {key}"
    if grouping is Grouping.STAFF and names.get(key):
        return f"{key} · {names[key]}"
    return key


@collector_paused()  # builds a line per visit and a cell per column: issue 15
def week_document(
    board: Board, monday: date, grouping: Grouping = Grouping.DAY, calendar_details: bool = False
) -> ExportDocument:
    """The week starting `monday`, grouped as asked (`calendar_details`: see `CalendarEvent`)."""
    template = board.template
    visits = board.visits(monday, monday + timedelta(days=7))
    rows = board.rows(off_since=monday)  # plain values, not ORM objects (STYLE.md habit 18)
    days, visit_count = _week_cells(rows, visits, monday, template)
    names: dict[str, str] = {}
    if grouping is Grouping.STAFF:
        names = {member.initials: member.name for member in board.staff(include_inactive=True)}
    groups = _groups(days, grouping)
    columns = week_columns(template)
    tables = [
        Table(_group_title(key, grouping, template, names), columns, *groups[key])
        for key in sorted(groups, key=lambda key: (key == "~", sort_key(key, template.language)))
    ]
    generated = board.clock().astimezone(UTC)
    sunday = monday + timedelta(days=6)
    return ExportDocument(
        kind="week",
        title=_("{team} · week {week}").format(team=board.team, week=week_name(monday)),
        subtitle=" · ".join(
            (
                f"{monday.isoformat()} – {sunday.isoformat()}",
                ngettext("{count} visit", "{count} visits", visit_count).format(count=visit_count),
                _("grouped by {grouping}").format(grouping=_(GROUPING_WORDS[grouping])),
                _("exported {time}").format(time=f"{generated.astimezone():%Y-%m-%d %H:%M}"),
            )
        ),
        template=template,
        generated_at=generated,
        tables=tables,
        visits=visit_count,
        make_events=partial(_events, board, rows, visits, monday, calendar_details),
        grouped=True,
        calendar_details=calendar_details,
        team=board.team,
        period=week_name(monday),
    )


def _events(
    board: Board, rows: list[RowValues], visits: Visits, monday: date, with_details: bool
) -> list[CalendarEvent]:
    """One all-day event per visit, in the week's order: client code, staff and visit note; the row's details only
    if asked."""
    template = board.template
    days: dict[date | None, list[CalendarEvent]] = week_buckets(monday, list)
    for kind, day, row, staff, note in week_lines(rows, visits, monday):
        if kind != VISIT_LINE or day is None:
            continue
        description = [f"{_(VISIT)}: {staff}", *([f"{_(NOTE)}: {note}"] if note else [])]
        categories: tuple[str, ...] = ()
        if with_details:
            triage = display(row.triage, template, "triage")
            description.append(f"{template.label('triage')}: {triage}")
            if row.other_providers:
                description.append(f"{template.label('other_providers')}: {row.other_providers}")
            if row.actions:
                description.append(f"{template.label('actions')}: {row.actions}")
            categories = (triage,)
        days[day].append(
            CalendarEvent(
                uid=f"{board.board_id}-{row.id}-{day:%Y%m%d}@factboard",
                day=day,
                summary=f"{row.client_code}: {staff}" + (f" ({note})" if note else ""),
                description="\n".join(description),
                categories=categories,
            )
        )
    return list(chain.from_iterable(days.values()))


def calendar_contents(with_details: bool) -> str:
    """What a calendar export holds, as the faces say it after writing one."""
    return _(CALENDAR_WITH_DETAILS if with_details else CALENDAR_WITHOUT_DETAILS)


# -- the board ----------------------------------------------------------------------------------------------------

BOARD_COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("date_on", 11, False),
    ("days_on_board", 6, False),
    ("client_code", 9, False),
    ("triage", 9, False),
    ("category", 18, False),
    ("primary_contact", 6, False),
    ("doctor", 6, False),
    ("other_providers", 16, False),
    ("children", 8, False),
    ("children_note", 14, False),
    ("situation", 40, True),
    ("actions", 50, True),
    ("safety", 12, False),
    ("evaluation_date", 11, False),
    *((status_field(kind), 12, False) for kind in PLAN_KINDS),
    *((slot.measure, 14, False) for slot in MEASURE_SLOTS),
    *((key, 10, False) for key in WEEKDAY_KEYS),
)
"""The board's columns in the reference board's order (A-R), with the columns FactBoard added: key, width, wraps.
Each plan is one column, `Finns (2026-12-01)`, and the legal measure one, `LPT 2026-11-01 – 2026-12-20`, so the
printed board keeps to one A4 page across; the import reads both back (see `plans.split_plan_cell`). A second
measure running alongside has a column of its own."""


PLAN_CELLS = {status_field(kind): kind for kind in PLAN_KINDS}
"""The board export's plan columns, by the field whose label they take."""
MEASURE_CELLS = {slot.measure: slot for slot in MEASURE_SLOTS}
"""The board export's legal measure columns, by the field whose label they take."""
UNPRINTED = frozenset([*(status_field(kind) for kind in PLAN_KINDS if kind != "crisis"), *MEASURE_CELLS])
"""Columns the printed board leaves out, so the rest keep their room on one A4 page across (the print test found
that one more column cuts the headings): the crisis plan is printed where the yes/no was; the other plans and the
legal measure are in every other format."""


def visit_cell_text(visit: VisitCell | None) -> str:
    """A weekday cell as typed on the board: `DEN+MJR`, or `DEN+MJR: note`."""
    if visit is None:
        return ""
    return f"{visit.staff}: {visit.note}" if visit.note else visit.staff


@collector_paused()  # builds a line per visit and a cell per column: issue 15
def board_document(board: Board, monday: date | None = None) -> ExportDocument:
    """The board as the team knows it: every open row with every column and the week's visits."""
    template = board.template
    today = board.today()
    monday = monday or week_start(today)
    rows = board.rows()  # plain values, not ORM objects (STYLE.md habit 18)
    visits = board.visits(monday, monday + timedelta(days=7))
    columns = tuple(
        Column(key, template.label(key), width, wraps, printed=key not in UNPRINTED)
        for key, width, wraps in BOARD_COLUMNS
    )
    values: list[tuple[Any, ...]] = []
    for row in rows:
        days = visits.get(row.id or 0, {})
        cells: list[Any] = []
        for key, _width, _wraps in BOARD_COLUMNS:
            if key in WEEKDAY_KEYS:
                cells.append(visit_cell_text(days.get(monday + timedelta(days=WEEKDAY_KEYS.index(key)))))
            elif key == "days_on_board":
                cells.append(days_on_board(row, today))
            elif key in PLAN_CELLS:
                cells.append(plan_text(row, template, PLAN_CELLS[key], empty=""))
            elif key in MEASURE_CELLS:
                cells.append(measure_text(row, template, "", MEASURE_CELLS[key]))
            else:
                value = getattr(row, key)
                cells.append(value if isinstance(value, date) else display(value, template, key))
        values.append(tuple(cells))
    generated = board.clock().astimezone(UTC)
    table = Table(board.team, columns, values, [row.triage for row in rows])
    return ExportDocument(
        kind="board",
        title=_("{team} · board").format(team=board.team),
        subtitle=" · ".join(
            (
                ngettext("{count} row", "{count} rows", len(rows)).format(count=len(rows)),
                _("visits of week {week}").format(week=week_name(monday)),
                _("exported {time}").format(time=f"{generated.astimezone():%Y-%m-%d %H:%M}"),
            )
        ),
        template=template,
        generated_at=generated,
        tables=[table],
        team=board.team,
        period=week_name(monday),
    )
