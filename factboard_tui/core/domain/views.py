"""Board rows as plain records: what `rows list --json` prints and what exports and the TUI show.

One function turns a stored row and its week of visits into a dict with both the stable keys (for scripts) and
the board's own labels (for people), so every face shows the same thing.
"""

from __future__ import annotations

import functools
from datetime import date, timedelta
from typing import Any

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.fields import ROW_FIELDS
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate
from factboard_tui.core.store.schema import BoardRow, RowValues, VisitCell


def days_on_board(row: BoardRow | RowValues, today: date) -> int:
    """Whole days since the row went on the board (until it went off, for closed periods)."""
    return ((row.date_off or today) - row.date_on).days


def evaluation_passed(row: BoardRow | RowValues, today: date) -> bool:
    """Whether the row's evaluation date lies before today (and the row is still on the board)."""
    return row.date_off is None and row.evaluation_date is not None and row.evaluation_date < today


def week_cells(visits: dict[date, VisitCell], monday: date) -> dict[str, dict[str, Any] | None]:
    """The seven weekday cells of one ISO week, by weekday key."""
    cells: dict[str, dict[str, Any] | None] = {}
    for key, day, text in _week_days(monday):
        visit = visits.get(day)
        cells[key] = {"date": text, "staff": visit.staff, "note": visit.note} if visit else None
    return cells


@functools.lru_cache(maxsize=8)
def _week_days(monday: date) -> tuple[tuple[str, date, str], ...]:
    """Each weekday's key, date and ISO text in the week of `monday` (worked out once per week, not per row)."""
    days = (monday + timedelta(days=offset) for offset in range(len(WEEKDAY_KEYS)))
    return tuple((key, day, day.isoformat()) for key, day in zip(WEEKDAY_KEYS, days, strict=True))


def row_record(
    row: BoardRow | RowValues, visits: dict[date, VisitCell], template: BoardTemplate, today: date
) -> dict[str, Any]:
    """One row as a JSON-ready dict: every field, labels, days on board and this week's visits."""
    record: dict[str, Any] = {"id": row.id}
    for key in ROW_FIELDS:
        value = getattr(row, key)
        record[key] = value.isoformat() if isinstance(value, date) else value
    record["triage_label"] = template.triage_level(row.triage).label if row.triage else None
    record["category_label"] = template.category_label(row.category) if row.category else None
    record["days_on_board"] = days_on_board(row, today)
    record["evaluation_passed"] = evaluation_passed(row, today)
    record["visits"] = week_cells(visits, week_start(today))
    record["updated_at"] = row.updated_at.isoformat()
    record["updated_by"] = row.updated_by
    return record
