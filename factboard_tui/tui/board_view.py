"""How board rows become grid lines: columns, widths, cell texts and triage labels.

A pure translation from core records to the `BoardGrid`'s plain data, kept apart from the screen so it can be
tested and timed on its own. Widths are fixed per column and computed once per terminal width: short columns
keep their size, the free-text columns share what is left, so the board fills a 200-column wall screen and still
reads at 120 columns on a laptop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from factboard_tui.core.fields import display
from factboard_tui.core.model import BoardRow, VisitCell
from factboard_tui.core.templates import WEEKDAY_KEYS, BoardTemplate
from factboard_tui.tui.widgets.board_grid import GridCell, GridColumn, GridRow

FIXED_WIDTHS: dict[str, int] = {
    "date_on": 8,
    "client_code": 7,
    "triage": 8,
    "primary_contact": 5,
    "doctor": 5,
    "children": 5,
}
"""Columns whose content is short and known: they never grow."""

FLEX_WIDTHS: dict[str, tuple[int, int]] = {
    "category": (10, 22),
    "other_providers": (8, 16),
    "situation": (12, 60),
    "actions": (14, 80),
    "safety": (6, 16),
}
"""Columns that share the rest of the width: (least, most)."""

VISIT_WIDTH = 7
"""A weekday cell fits `DEN+MJR`."""

GRID_COLUMNS: tuple[str, ...] = (
    "date_on",
    "client_code",
    "triage",
    "category",
    "primary_contact",
    "doctor",
    "other_providers",
    "children",
    "situation",
    "actions",
    "safety",
    *WEEKDAY_KEYS,
)
"""The reference board's columns, in its order (A-R)."""

CELL_OVERHEAD = 2
"""The space before a cell's text and the separator after it."""


@dataclass(frozen=True, slots=True)
class WeekContext:
    """What a grid line needs besides the row: the week's Monday and today."""

    monday: date
    today: date


def grid_columns(template: BoardTemplate, total_width: int) -> list[GridColumn]:
    """Columns with widths that fill `total_width` as well as the template's labels allow."""
    fixed = {key: max(width, min(len(template.label(key)), width + 3)) for key, width in FIXED_WIDTHS.items()}
    widths: dict[str, int] = dict(fixed)
    widths.update({key: VISIT_WIDTH for key in WEEKDAY_KEYS})
    widths.update({key: least for key, (least, _most) in FLEX_WIDTHS.items()})
    used = sum(widths.values()) + CELL_OVERHEAD * len(GRID_COLUMNS)
    spare = max(0, total_width - used)
    # Hand out the spare width in proportion to how much each free-text column could still use.
    room = {key: most - least for key, (least, most) in FLEX_WIDTHS.items()}
    total_room = sum(room.values())
    for key, extra in room.items():
        widths[key] += min(extra, spare * extra // total_room) if total_room else 0
    return [GridColumn(key, template.label(key), widths[key]) for key in GRID_COLUMNS]


def triage_style(template: BoardTemplate, key: str) -> str:
    """The Rich style of a triage label: the level's text colour on its colour, bold."""
    try:
        level = template.triage_level(key)
    except KeyError:
        return "bold"
    return f"bold {level.text} on {level.colour}"


def grid_row(row: BoardRow, visits: dict[date, VisitCell], template: BoardTemplate, week: WeekContext) -> GridRow:
    """One board row as a grid line (every column of `GRID_COLUMNS`)."""
    cells: list[GridCell] = [
        GridCell(row.date_on.strftime("%y%m%d")),
        GridCell(row.client_code, "bold"),
        GridCell(display(row.triage, template, "triage"), triage_style(template, row.triage)),
        GridCell(display(row.category, template, "category")),
        GridCell(row.primary_contact or ""),
        GridCell(row.doctor or ""),
        GridCell(row.other_providers or ""),
        GridCell(display(row.children, template, "children")),
        GridCell(row.situation or ""),
        GridCell(row.actions or ""),
        GridCell(row.safety or ""),
    ]
    for offset in range(7):
        visit = visits.get(week.monday + timedelta(days=offset))
        text = visit.staff + ("*" if visit.note else "") if visit else ""
        cells.append(GridCell(text))
    return GridRow(str(row.id), tuple(cells))


def grid_rows(
    rows: Sequence[BoardRow], visits: dict[int, dict[date, VisitCell]], template: BoardTemplate, week: WeekContext
) -> list[GridRow]:
    """Every row as a grid line, in the order given."""
    return [grid_row(row, visits.get(row.id or 0, {}), template, week) for row in rows]
