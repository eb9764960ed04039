"""How board rows become grid lines: which columns, how wide, what each cell says.

A pure translation from core records to the `BoardGrid`'s plain data, kept apart from the screen so it can be
tested and timed on its own. Two layouts:

- **wide** (wall screen, 170+ columns): every column of the reference board, plus days on board and the
  evaluation date;
- **compact** (laptop, 120 columns): the columns the meeting steps through, Monday-Friday visits (weekend days only
  when the week has weekend visits); the rest is in the detail panel under the grid.

Short columns keep fixed widths; the free-text columns share what is left. Flags are never colour alone: an
evaluation date that has passed is prefixed with "!", and a row on the board longer than the template's limit has
its day count prefixed with "!". The flags column (⚑, beside the triage) holds one letter per flag about plans,
legal measures and meetings (`PLAN_MARKS`; the legend is on the detail panel's rule). Each plan's status and review
date and the legal measure with its dates follow the layout's own columns, reached by scrolling, so they never take
the free text's room; a review date that has come and an expiry that is near or past are prefixed with "!".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from rich.cells import cell_len

from factboard_tui.core.domain.carry_forward import CARRIED
from factboard_tui.core.domain.dates import format_date
from factboard_tui.core.domain.fields import ROW_FIELDS, Kind, display
from factboard_tui.core.domain.meetings import plan_flags
from factboard_tui.core.domain.plan_template import (
    MEASURE_FIELDS,
    MEASURE_SLOTS,
    PLAN_FIELDS,
    review_field,
)
from factboard_tui.core.domain.plans import measure_states, plan_states
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate
from factboard_tui.core.domain.views import days_on_board, evaluation_passed
from factboard_tui.core.store.schema import RowValues, VisitCell
from factboard_tui.tui.widgets.grid_rows import GridCell, GridColumn, GridRow

WIDE_COLUMNS: tuple[str, ...] = (
    "date_on",
    "days_on_board",
    "client_code",
    "triage",
    "flags",
    "category",
    "primary_contact",
    "doctor",
    "other_providers",
    "children",
    "situation",
    "actions",
    "safety",
    "evaluation_date",
    *WEEKDAY_KEYS,
)
"""The reference board's columns in its order (A-R), with days on board and the evaluation date added."""

COMPACT_COLUMNS: tuple[str, ...] = (
    "date_on",
    "days_on_board",
    "client_code",
    "triage",
    "flags",
    "primary_contact",
    "children",
    "evaluation_date",
    *WEEKDAY_KEYS,
    "situation",
    "actions",
    "category",
    "doctor",
    "other_providers",
    "safety",
)
"""A laptop's order (120 columns): the client and the whole week's visits in view, the free text after them
(scrolled to, the client code and triage staying in view; the detail panel shows the cursor row's whole text).
No column is left out."""

NARROW_COLUMNS: tuple[str, ...] = (
    "client_code",
    "triage",
    "flags",
    "primary_contact",
    *WEEKDAY_KEYS,
    "evaluation_date",
    "days_on_board",
    "date_on",
    "children",
    "situation",
    "actions",
    "category",
    "doctor",
    "other_providers",
    "safety",
)
"""A small terminal's order (80x24): who the client is and who visits when, in view without scrolling."""

NARROW_BELOW = 100
"""Terminal width under which the narrow order is used."""

WIDE_FROM = 170
"""Terminal width from which the wide layout is used."""

FIXED_WIDTHS: dict[str, int] = {
    "date_on": 6,
    "days_on_board": 4,
    "client_code": 6,
    "triage": 7,
    "primary_contact": 4,
    "doctor": 4,
    "children": 4,
    "evaluation_date": 7,
    "flags": 3,
}
"""Columns whose content is short and known: they never grow."""

FLAGS = "flags"
"""The flags column's key: letters, not a field (nobody edits it)."""
FLAGS_HEADER = "⚑"

PLAN_MARKS: dict[str, str] = {
    "crisis_without_plan": "K",
    "review_due": "R",
    "measure_expiring": "L",
    "measure_expired": "X",
    "carried_forward": "C",
}
"""One letter per flag in the flags column and the meeting's list (the focus card and the panel spell them out)."""

PLAN_COLUMNS: tuple[str, ...] = (*PLAN_FIELDS, *MEASURE_FIELDS)
"""Each plan's status and review date, the legal measure and its dates: after every layout's own columns."""

PLAN_COLUMN_MOST = 14
"""The widest a plan status or measure column grows for its words."""

FLEX_WIDTHS: dict[str, tuple[int, int]] = {
    "category": (10, 22),
    "other_providers": (8, 16),
    "situation": (12, 60),
    "actions": (14, 80),
    "safety": (6, 16),
}
"""Columns that share the rest of the width: (least, most)."""

VISIT_WIDTH = {True: 8, False: 7}
"""A weekday cell: `DEN+MJR*` (a note) on the wall screen, `DEN+MJR` on a laptop (the note mark in the panel)."""

CELL_OVERHEAD = 2
"""The space before a cell's text and the separator after it."""


@dataclass(frozen=True, slots=True)
class WeekContext:
    """What a grid line needs besides the row: the shown week's Monday and today."""

    monday: date
    today: date
    carried: Mapping[int, date] = field(default_factory=dict)
    """Rows carried forward from the last meetings (their flag letter `C`), with the day last discussed."""


def grid_columns(template: BoardTemplate, total_width: int, weekend_visits: bool = False) -> list[GridColumn]:
    """Columns with widths that fill `total_width`: the wide layout on a wall screen, compact on a laptop, narrow
    on a small terminal. Every field has a column (what does not fit is scrolled to); headers are shown whole
    where there is room (on the wall screen always: a label that does not fit takes two lines), then the free text
    columns share what is left."""
    wide = total_width >= WIDE_FROM
    order = WIDE_COLUMNS if wide else NARROW_COLUMNS if total_width < NARROW_BELOW else COMPACT_COLUMNS
    keys = list(order)
    widths: dict[str, int] = {}
    for key in keys:
        if key in WEEKDAY_KEYS:
            widths[key] = VISIT_WIDTH[wide]
        elif key in ("date_on", "evaluation_date"):
            widths[key] = _date_width(template)
        elif key in FIXED_WIDTHS:
            widths[key] = FIXED_WIDTHS[key]
        else:
            widths[key] = FLEX_WIDTHS[key][0]
    spare = max(0, total_width - sum(widths.values()) - CELL_OVERHEAD * len(keys) + 1)  # no separator after the last
    labels = {key: FLAGS_HEADER if key == FLAGS else template.label(key) for key in keys}
    short = sum(max(0, cell_len(label) - widths[key]) for key, label in labels.items())
    if wide and short > spare:  # on the wall screen every header is whole: those that do not fit take two lines
        labels = {key: label if cell_len(label) <= widths[key] else two_lines(label) for key, label in labels.items()}
    label_widths = {key: max(cell_len(part) for part in label.split("\n")) for key, label in labels.items()}
    if wide:  # on the wall screen no header is cut: the free text lends the cells a whole header still needs
        spare += _lend(widths, sum(max(0, label_widths[key] - widths[key]) for key in keys) - spare)
    for key in sorted(keys, key=lambda key: label_widths[key] - widths[key]):  # headers whole, the cheapest first
        need = label_widths[key] - widths[key]
        if 0 < need <= spare:
            widths[key] += need
            spare -= need
    room = {key: max(0, FLEX_WIDTHS[key][1] - widths[key]) for key in keys if key in FLEX_WIDTHS}
    total_room = sum(room.values())
    shares = {key: min(extra, spare * extra // total_room) if total_room else 0 for key, extra in room.items()}
    left = spare - sum(shares.values())
    for key, extra in room.items():  # what rounding down left over, so the columns fill the width
        more = min(extra - shares[key], left)
        widths[key] += shares[key] + more
        left -= more
    for key in keys:  # a column that grew wide enough for its label on one line shows it so
        if key != FLAGS and cell_len(template.label(key)) <= widths[key]:
            labels[key] = template.label(key)
    return [GridColumn(key, labels[key], widths[key]) for key in keys] + plan_columns(template)


LEND_FLOOR: dict[str, int] = {"actions": 10, "situation": 10}
"""How narrow the free-text columns may become on the wall screen so that every header is whole (their text wraps
in the detail panel, a header cut to `Utvärd…` is lost)."""


def _lend(widths: dict[str, int], needed: int) -> int:
    """Take up to `needed` cells from the free-text columns, down to `LEND_FLOOR`; returns what was taken."""
    taken = 0
    for key, floor in LEND_FLOOR.items():
        give = min(needed - taken, widths.get(key, floor) - floor)
        if give > 0:
            widths[key] -= give
            taken += give
    return taken


def two_lines(label: str) -> str:
    """A header label split at the space that makes its longer line shortest ("Övriga\nvårdgivare"); a single
    word stays whole on one line."""
    spaces = [at for at, character in enumerate(label) if character == " "]
    if not spaces:
        return label
    at = min(spaces, key=lambda at: max(cell_len(label[:at]), cell_len(label[at + 1 :])))
    return f"{label[:at]}\n{label[at + 1 :]}"


def _date_width(template: BoardTemplate) -> int:
    return max(FIXED_WIDTHS["evaluation_date"], len(format_date(date(2026, 11, 29), template.dates, short=True)))


def plan_columns(template: BoardTemplate) -> list[GridColumn]:
    """The plan and measure columns, each as wide as its header or its longest word (dates one wider, for "!")."""
    columns = []
    for key in PLAN_COLUMNS:
        label = template.label(key)
        kind = ROW_FIELDS[key].kind
        if kind is Kind.DATE:
            width = _date_width(template) + 1
        elif kind is Kind.PLAN:
            width = max(map(cell_len, template.plans.statuses.values()))
        else:
            width = max((cell_len(measure.label) for measure in template.plans.measures), default=4)
        columns.append(GridColumn(key, label, min(PLAN_COLUMN_MOST, max(width, cell_len(label)))))
    return columns


def triage_style(template: BoardTemplate, key: str) -> str:
    """The Rich style of a triage label: the level's text colour on its colour, bold."""
    try:
        level = template.triage_level(key)
    except KeyError:
        return "bold"
    return f"bold {level.text} on {level.colour}"


FLAG_STYLE = "bold reverse"
"""How a flagged cell stands out besides its "!" prefix."""


def row_cells(
    row: RowValues, visits: dict[date, VisitCell], template: BoardTemplate, week: WeekContext
) -> dict[str, GridCell]:
    """Every possible grid cell of one row, by column key."""
    days = days_on_board(row, week.today)
    too_long = days > template.max_days_on_board
    evaluation = format_date(row.evaluation_date, template.dates, short=True)
    passed = evaluation_passed(row, week.today)
    cells = {
        "date_on": GridCell(format_date(row.date_on, template.dates, short=True)),
        "days_on_board": GridCell(f"!{days}" if too_long else str(days), FLAG_STYLE if too_long else ""),
        "client_code": GridCell(row.client_code, "bold"),
        "triage": GridCell(display(row.triage, template, "triage"), triage_style(template, row.triage)),
        "category": GridCell(display(row.category, template, "category")),
        "primary_contact": GridCell(row.primary_contact or ""),
        "doctor": GridCell(row.doctor or ""),
        "other_providers": GridCell(row.other_providers or ""),
        "children": GridCell(display(row.children, template, "children") + ("*" if row.children_note else "")),
        "situation": GridCell(row.situation or ""),
        "actions": GridCell(row.actions or ""),
        "safety": GridCell(row.safety or ""),
        "evaluation_date": GridCell(f"!{evaluation}" if passed else evaluation, FLAG_STYLE if passed else ""),
    }
    cells |= plan_cells(row, template, week.today, carried=row.id in week.carried)
    for offset, key in enumerate(WEEKDAY_KEYS):
        visit = visits.get(week.monday + timedelta(days=offset))
        cells[key] = GridCell(visit.staff + ("*" if visit.note else "") if visit else "")
    return cells


def flag_marks(keys: Sequence[str]) -> str:
    """The letters of the flags that have one, in `PLAN_MARKS` order (each once)."""
    return "".join(mark for key, mark in PLAN_MARKS.items() if key in keys)


def plan_cells(row: RowValues, template: BoardTemplate, today: date, carried: bool = False) -> dict[str, GridCell]:
    """The flags cell and the plan and measure cells of one row (`carried`: carried forward from the meetings)."""
    marks = flag_marks([flag.key for flag in plan_flags(row, template, today)] + ([CARRIED] if carried else []))
    cells = {FLAGS: GridCell(marks, FLAG_STYLE if marks else "")}
    for key in PLAN_COLUMNS:
        value = getattr(row, key)
        cells[key] = GridCell(
            format_date(value, template.dates, short=True) if isinstance(value, date) else display(value, template, key)
        )
    due = {review_field(state.kind) for state in plan_states(row, template, today) if state.review_due}
    for measure in measure_states(row, template, today):
        if measure.expiring or measure.expired:
            due.add(MEASURE_SLOTS[measure.slot - 1].expiry)
    for key in due:
        cells[key] = GridCell("!" + cells[key].text, FLAG_STYLE)
    return cells


def grid_row(
    row: RowValues,
    visits: dict[date, VisitCell],
    template: BoardTemplate,
    week: WeekContext,
    columns: Sequence[GridColumn],
) -> GridRow:
    """One board row as a grid line with the given columns (its cells are built when first shown)."""

    def build() -> tuple[GridCell, ...]:
        cells = row_cells(row, visits, template, week)
        return tuple(cells[column.key] for column in columns)

    return GridRow.lazy(str(row.id), build)


def grid_rows(
    rows: Sequence[RowValues],
    visits: dict[int, dict[date, VisitCell]],
    template: BoardTemplate,
    week: WeekContext,
    columns: Sequence[GridColumn],
) -> list[GridRow]:
    """Every row as a grid line, in the order given."""
    return [grid_row(row, visits.get(row.id or 0, {}), template, week, columns) for row in rows]
