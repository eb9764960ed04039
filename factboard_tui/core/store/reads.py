"""Reading the board: its rows in board order, the visits of a week, a row's history and the team list.

Reads never take the write lock; database errors are told as what they are (`BoardHandle.session`). The board's
order is the template's triage priority, then the date on the board, then the client code. A screen refreshing
after someone else's write reads only what changed (`rows_changed_since`, `rows_by_ids`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from itertools import repeat
from typing import Any

import sqlcipher3
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlmodel import col, select

from factboard_tui.core.clock import week_start
from factboard_tui.core.collector import collector_paused
from factboard_tui.core.domain.carry_forward import MeetingOutcomes
from factboard_tui.core.domain.fields import ROW_FIELDS, Kind
from factboard_tui.core.domain.meetings import DISCUSSED
from factboard_tui.core.errors import NotFound
from factboard_tui.core.i18n import _
from factboard_tui.core.memo import Memo
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.schema import (
    MEETING_ROW_TABLE,
    MEETING_TABLE,
    ROW_TABLE,
    BoardRow,
    Change,
    RowValues,
    Staff,
    VisitCell,
)

_VALUE_COLUMNS = RowValues._fields
_KEY_KINDS = {Kind.TRIAGE, Kind.CATEGORY, Kind.INITIALS, Kind.PLAN, Kind.MEASURE}
_DATES = {
    "date_on",
    "evaluation_date",
    "date_off",
    *(spec.key for spec in ROW_FIELDS.values() if spec.kind is Kind.DATE),
}
_MOMENTS = {"created_at", "updated_at"}
_KEYS = {
    "created_by",
    "updated_by",
    *(spec.key for spec in ROW_FIELDS.values() if spec.kind in _KEY_KINDS),
}
"""Columns that hold one of a few keys (a triage, a category, initials, a plan status, a measure)."""
_ROW_VALUES_SQL = f"SELECT {', '.join(_VALUE_COLUMNS)} FROM board_row"  # column names from code
_BOOLEANS = [_VALUE_COLUMNS.index("children")]


def _read_values(board: BoardHandle, tail: str = "", parameters: tuple[Any, ...] = ()) -> list[RowValues]:
    """Board rows as `RowValues`, read as plain tuples through the DB-API (`tail`: the statement's WHERE, ORDER
    and LIMIT, with `?` parameters).

    No ORM object per row: at 20,000 rows SQLAlchemy's identity map, instance state and per-value regular
    expressions for dates made a read 40 % slower and a heap the collector walked (issue 15). The values are
    converted a column at a time, in chunks small enough to stay in the processor's cache (a whole board's columns
    at once made the conversion grow 24 times from 2,000 rows to 20,000). Each distinct date text is parsed once and
    its `date` shared by every row that has it, and so is each key (a triage, initials): 20,000 rows hold a few
    hundred dates and keys, not 200,000 copies, which is memory the process need not fault in and a heap the
    collector need not walk. The rows are made by `map`, with no Python code per row.
    """
    parsers = [
        (index, Memo(_day if name in _DATES else _moment if name in _MOMENTS else _same, _NONE))
        for index, name in enumerate(_VALUE_COLUMNS)
        if name in _DATES or name in _MOMENTS or name in _KEYS
    ]
    found: list[RowValues] = []
    with collector_paused(), board.connected() as connection:
        cursor = connection.connection.cursor()  # plain tuples, not a SQLAlchemy `Row` each
        try:
            cursor.execute(_ROW_VALUES_SQL + tail, parameters)
            while chunk := cursor.fetchmany(_CHUNK):
                columns: list[Iterable[Any]] = list(zip(*chunk, strict=True))
                for index, parsed in parsers:
                    columns[index] = map(parsed.__getitem__, columns[index])
                for index in _BOOLEANS:
                    columns[index] = map(_TRUTH.get, columns[index], repeat(True))  # 0/1; other numbers true
                found += map(_MAKE_ROW, zip(*columns, strict=True))
        finally:
            cursor.close()
    return found


_CHUNK = 500
_MAKE_ROW = partial(tuple.__new__, RowValues)
"""A `RowValues` from a tuple of its values, made in C (`RowValues._make` is a Python call per row)."""
_TRUTH: dict[Any, bool | None] = {None: None, 0: False}


def _same(text: str) -> str:
    return text


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _moment(text: str) -> datetime:
    """A moment as stored: UTC without an offset, as SQLModel's DateTime reads it back."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


_NONE = {None: None}
"""A column's missing value stays missing (each text is parsed the first time a row has it)."""


def rows(board: BoardHandle, include_off: bool = False, off_since: date | None = None) -> list[RowValues]:
    """Rows in board order (off the board last, then triage priority, then date on board, then client code) as plain
    values: those on the board, and those taken off too if `include_off`, or only those taken off on or after
    `off_since` (a week's export: a board's years of history are not read for it). Python sorts them: SQLite's
    sorter copies whole records, and `ORDER BY` took 5-9 % longer at every size."""
    tail, parameters = " WHERE date_off IS NULL", ()
    if include_off:
        tail = ""
    elif off_since is not None:
        tail, parameters = " WHERE date_off IS NULL OR date_off >= ?", (off_since.isoformat(),)  # type: ignore[assignment]
    with collector_paused():  # the sort's keys are objects too
        found = _read_values(board, tail, parameters)
        found.sort(key=board_order(board))
        return found


def _in_board_order(board: BoardHandle) -> tuple[str, tuple[str, ...]]:
    """An ORDER BY clause for `board_order` and its parameters (the template's triage keys). ISO dates sort as
    dates and SQLite's binary collation sorts UTF-8 as Python sorts code points; rows with equal keys come by id,
    as Python's stable sort of a table scan would give them."""
    levels = tuple(level.key for level in board.template.triage)
    rank = f"CASE triage {' '.join(f'WHEN ? THEN {index}' for index in range(len(levels)))} ELSE {len(levels)} END"
    return f" ORDER BY date_off IS NOT NULL, {rank if levels else 0}, date_on, client_code, id", levels


def top_rows(board: BoardHandle, limit: int) -> tuple[list[RowValues], dict[str, int]]:
    """The first `limit` rows in board order, and how many rows of each triage the whole board has.

    Enough for a first screenful of a large board (the database sorts, so it costs the same for 20 rows or
    20,000); the caller reads the rest afterwards with `rows()`.
    """
    order, levels = _in_board_order(board)
    first = _read_values(board, f" WHERE date_off IS NULL{order} LIMIT ?", (*levels, limit))
    counting = (
        sa_select(ROW_TABLE.c.triage, func.count()).where(ROW_TABLE.c.date_off.is_(None)).group_by(ROW_TABLE.c.triage)
    )
    with board.connected() as connection:
        counts = {str(triage): int(count) for triage, count in connection.execute(counting)}
    return first, counts


def board_order(board: BoardHandle) -> Callable[[RowValues], tuple[Any, ...]]:
    """The key that sorts rows as the board shows them: off the board last, then triage priority, then the date on
    the board, then the client code (a face that keeps rows in order places a changed row by it)."""
    rank = board.template.triage_rank
    return lambda row: (row.date_off is not None, rank(row.triage), row.date_on, row.client_code)


def rows_changed_since(board: BoardHandle, version: int) -> tuple[int, set[int], bool]:
    """What changed after change id `version`: (newest change id, ids of changed rows, whether staff changed).

    Lets a screen refresh only the rows other people touched instead of reloading the whole board. Asked twice a
    second by an idle TUI, so on a connection kept for it (`watch.ChangePoll`: a fifth of the CPU, issue 15).
    """
    try:
        found = board.change_poll.changes_after(version)
    except (sqlcipher3.dbapi2.DatabaseError, SADatabaseError) as error:
        raise board.user_error(error) from None
    newest = max((change_id for change_id, _row, _entity in found), default=version)
    return newest, {row for _id, row, _entity in found if row is not None}, any(e == "staff" for *_, e in found)


def rows_by_ids(board: BoardHandle, ids: set[int]) -> list[RowValues]:
    """Rows by id, on the board or not (for refreshing a few rows)."""
    if not ids:
        return []
    wanted = sorted(ids)
    found: list[RowValues] = []
    for start in range(0, len(wanted), _IDS_AT_ONCE):  # SQLite binds at most 32,766 parameters
        chunk = wanted[start : start + _IDS_AT_ONCE]
        found += _read_values(board, f" WHERE id IN ({', '.join('?' * len(chunk))})", tuple(chunk))
    return found


_IDS_AT_ONCE = 10_000


def row(board: BoardHandle, row_id: int) -> BoardRow:
    """One row by id."""
    with board.session() as session:
        found = session.get(BoardRow, row_id)
    if found is None:
        raise NotFound(
            _("There is no board row {row_id}: list rows with `factboard rows list --all`.").format(row_id=row_id)
        )
    return found


def open_row_by_code(board: BoardHandle, code: str) -> BoardRow:
    """The client's row that is on the board now."""
    wanted = code.strip().upper()
    with board.session() as session:
        found = session.exec(
            select(BoardRow).where(col(BoardRow.client_code) == wanted, col(BoardRow.date_off).is_(None))
        ).one_or_none()
    if found is None:
        raise NotFound(
            _("No client {wanted} is on the board: check the code with `factboard rows list`.").format(wanted=wanted)
        )
    return found


def visits(
    board: BoardHandle, start: date, end: date, row_ids: set[int] | None = None
) -> dict[int, dict[date, VisitCell]]:
    """Visits with `start <= day < end` (of some rows only, if given), by row id and date.

    Read as `rows()` reads (issue 15): plain tuples through the DB-API, not a SQLAlchemy `Row` each, and each
    distinct day and staff text made once and shared by every visit that has it (a week has seven days and a team a
    few dozen pairs of initials, against 60,000 visits at 20,000 rows)."""
    bounds = (start.isoformat(), end.isoformat())  # days are stored as ISO text, which sorts as the dates do
    statements: list[tuple[str, tuple[object, ...]]] = [(_VISITS_SQL, bounds)]
    if row_ids is not None:
        wanted = sorted(row_ids)
        statements = [
            (f"{_VISITS_SQL} AND row_id IN ({', '.join('?' * len(chunk))})", (*bounds, *chunk))
            for chunk in (wanted[at : at + _IDS_AT_ONCE] for at in range(0, len(wanted), _IDS_AT_ONCE))
        ]
    days, staff = Memo(_day), Memo(_same)
    by_row: dict[int, dict[date, VisitCell]] = {}
    with collector_paused(), board.connected() as connection:
        cursor = connection.connection.cursor()
        try:
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                while chunk := cursor.fetchmany(_CHUNK):
                    for row_id, text, initials, note in chunk:
                        day = days[text]
                        by_row.setdefault(row_id, {})[day] = _MAKE_VISIT((row_id, day, staff[initials], note))
        finally:
            cursor.close()
    return by_row


_VISITS_SQL = "SELECT row_id, day, staff, note FROM visit WHERE day >= ? AND day < ?"
_MAKE_VISIT = partial(tuple.__new__, VisitCell)


def week_visits(board: BoardHandle, day: date | None = None) -> dict[int, dict[date, VisitCell]]:
    """The visit plan of the ISO week holding `day` (today by default)."""
    monday = week_start(day or board.today())
    return visits(board, monday, monday + timedelta(days=7))


def history(board: BoardHandle, row_id: int) -> list[Change]:
    """Every change to one row (and its visits), oldest first."""
    with board.session() as session:
        return list(session.exec(select(Change).where(col(Change.row_id) == row_id).order_by(col(Change.id))))


def staff(board: BoardHandle, include_inactive: bool = False) -> list[Staff]:
    """The team list, by initials."""
    statement = select(Staff).order_by(col(Staff.initials))
    if not include_inactive:
        statement = statement.where(col(Staff.active).is_(True))
    with board.session() as session:
        return list(session.exec(statement))


def meeting_outcomes(board: BoardHandle, last: int) -> MeetingOutcomes:
    """The stored outcomes of the last `last` meetings by row, and the day each row not discussed at any of them was
    last discussed (for the carry-forward, see `core.domain.carry_forward`). The second look-up is only for those
    rows, so a year of meetings on a large board costs what the few passed-over rows cost."""
    last_discussed: dict[int, date] = {}
    with board.session() as session:
        connection = session.connection()
        recent = connection.exec_driver_sql(
            "SELECT id FROM meeting ORDER BY started_at DESC, id DESC LIMIT ?", (last,)
        ).all()
        ids = [int(found[0]) for found in recent]
        outcomes: dict[int, list[str]] = {}
        if ids:
            marks = ", ".join("?" for _id in ids)
            for row_id, outcome in connection.exec_driver_sql(
                f"SELECT row_id, outcome FROM meeting_row WHERE meeting_id IN ({marks})", tuple(ids)
            ):
                outcomes.setdefault(int(row_id), []).append(str(outcome))
        passed_over = [row_id for row_id, found in outcomes.items() if DISCUSSED not in found]
        for start in range(0, len(passed_over), 500):
            discussed = connection.execute(
                sa_select(MEETING_ROW_TABLE.c.row_id, func.max(MEETING_TABLE.c.started_at))
                .join(MEETING_TABLE, MEETING_TABLE.c.id == MEETING_ROW_TABLE.c.meeting_id)
                .where(
                    MEETING_ROW_TABLE.c.outcome == DISCUSSED,
                    MEETING_ROW_TABLE.c.row_id.in_(passed_over[start : start + 500]),
                )
                .group_by(MEETING_ROW_TABLE.c.row_id)
            ).all()
            last_discussed |= {int(row_id): _local_day(moment) for row_id, moment in discussed if moment is not None}
    return MeetingOutcomes(len(ids), outcomes, last_discussed)


def _local_day(moment: datetime | str) -> date:
    """The local calendar day of a stored UTC moment."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone().date()
