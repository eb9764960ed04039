"""Where a client's plans and legal measure stand on a given day: the rules behind the board's flags and the figures.

A row stores each plan's status and review-due date and the legal measure in force with its start and expiry
(`plan_template` names the fields). What the team must not miss is derived here, from a row and today, so the board,
the focus card, the meeting, the CLI and the statistics all read one answer: a plan whose review date has come
("review due"), a measure expiring within the template's warning days, a measure past its expiry, and a client in
crisis with no current crisis plan (none, not finished, or past its review).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from factboard_tui.core.domain.dates import format_date
from factboard_tui.core.domain.fields import display
from factboard_tui.core.domain.plan_template import (
    MEASURE_SLOTS,
    PLAN_EXISTS,
    MeasureSlot,
    PlanKind,
    PlanSettings,
    review_field,
    status_field,
)
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.store.schema import BoardRow, RowValues

Row = BoardRow | RowValues
"""A row as the board reads it: an ORM row, or plain values on bulk paths (exports, `rows list`)."""


@dataclass(frozen=True, slots=True)
class PlanState:
    """One plan of one row on one day."""

    kind: str
    label: str
    status: str | None
    """`missing`, `in_progress`, `exists`, or None (nothing recorded)."""
    review: date | None
    review_due: bool
    """It exists and its review date is today or past."""
    current: bool
    """It exists and its review date (if any) has not passed."""


@dataclass(frozen=True, slots=True)
class MeasureState:
    """The legal measure of one row on one day."""

    key: str
    label: str
    start: date | None
    expiry: date | None
    days_left: int | None
    """Days from today to the expiry (0: expires today; negative: expired); None without an expiry date."""
    expiring: bool
    """Expires today or within the template's warning days."""
    expired: bool
    slot: int = 1
    """Which of the row's measures (`plan_template.MEASURE_SLOTS`): 1, or 2 for a second one running alongside."""


def plan_state(kind: PlanKind, status: str | None, review: date | None, today: date) -> PlanState:
    """One plan on `today` from its stored status and review-due date (the statistics ask this of past days)."""
    exists = status == PLAN_EXISTS
    return PlanState(
        kind=kind.key,
        label=kind.label,
        status=status,
        review=review,
        review_due=exists and review is not None and review <= today,
        current=exists and (review is None or review >= today),
    )


def plan_states(row: Row, template: BoardTemplate, today: date) -> list[PlanState]:
    """Every plan kind of the template, for this row, in the board's order."""
    return [
        plan_state(kind, getattr(row, status_field(kind.key)), getattr(row, review_field(kind.key)), today)
        for kind in template.plans.kinds
    ]


def measure_state_of(
    settings: PlanSettings, key: str | None, start: date | None, expiry: date | None, today: date, slot: int = 1
) -> MeasureState | None:
    """A legal measure on `today` from its stored key and dates, or None when none is recorded."""
    if not key:
        return None
    days_left = None if expiry is None else (expiry - today).days
    return MeasureState(
        key=key,
        label=settings.measure_label(key),
        start=start,
        expiry=expiry,
        days_left=days_left,
        expiring=days_left is not None and 0 <= days_left <= settings.warning_days,
        expired=days_left is not None and days_left < 0,
        slot=slot,
    )


def measure_state(row: Row, template: BoardTemplate, today: date) -> MeasureState | None:
    """The row's first legal measure on `today`, or None when none is recorded there."""
    first = MEASURE_SLOTS[0]
    key, start, expiry = (getattr(row, name) for name in first.fields)
    return measure_state_of(template.plans, key, start, expiry, today)


def measure_states(row: Row, template: BoardTemplate, today: date) -> list[MeasureState]:
    """The row's legal measures on `today` (each slot holding one), in slot order."""
    found = []
    for slot in MEASURE_SLOTS:
        key, start, expiry = (getattr(row, name) for name in slot.fields)
        state = measure_state_of(template.plans, key, start, expiry, today, slot.number)
        if state is not None:
            found.append(state)
    return found


def has_current_crisis_plan(row: Row, template: BoardTemplate, today: date) -> bool:
    """Whether the row's crisis plan exists and is not past its review date."""
    return any(state.current for state in plan_states(row, template, today) if state.kind == "crisis")


def is_crisis(row: Row, template: BoardTemplate) -> bool:
    """Whether the row's triage level is a crisis level of the template."""
    try:
        return template.triage_level(row.triage).crisis
    except KeyError:
        return False


# -- a plan or a measure as one cell ---------------------------------------------------------------------------------

NONE = "—"
"""What a plan or measure with nothing recorded reads as on the panel and the card."""
_PLAN_CELL = re.compile(r"^(?P<status>.*?)\s*\((?P<review>[^()]*)\)\s*$")
_MEASURE_CELL = re.compile(r"^(?P<measure>.*?)\s+(?P<start>\S+)\s+[–-]\s+(?P<expiry>\S+)\s*$")
_OPEN_DATE = "…"


def plan_text(row: Row, template: BoardTemplate, kind: str, empty: str = NONE) -> str:
    """`Finns (2026-12-01)`: a plan's status in the board's word and its review-due date; `empty` when nothing is
    recorded. The board's export writes the plan this way, and the import reads it back (`split_plan_cell`)."""
    status = display(getattr(row, status_field(kind)), template, status_field(kind))
    review = format_date(getattr(row, review_field(kind)), template.dates)
    if review:
        return f"{status or empty} ({review})"
    return status or empty


def measure_text(row: Row, template: BoardTemplate, empty: str = NONE, slot: MeasureSlot = MEASURE_SLOTS[0]) -> str:
    """`LPT 2026-11-01 – 2026-12-20`: a legal measure (the first slot unless told) and its dates (`…` for one not
    given); `empty` when none. The board's export writes each measure this way, and the import reads it back."""
    measure = display(getattr(row, slot.measure), template, slot.measure)
    if not measure:
        return empty
    start = format_date(getattr(row, slot.start), template.dates)
    expiry = format_date(getattr(row, slot.expiry), template.dates)
    if start or expiry:
        return f"{measure} {start or _OPEN_DATE} – {expiry or _OPEN_DATE}"
    return measure


def measures_text(row: Row, template: BoardTemplate, empty: str = NONE) -> str:
    """Every legal measure the row holds, `; ` between them (the panel and the focus card list them all)."""
    texts = [measure_text(row, template, "", slot) for slot in MEASURE_SLOTS]
    return "; ".join(text for text in texts if text) or empty


def split_plan_cell(text: str) -> tuple[str, str | None]:
    """A plan cell as `plan_text` writes it: (status, review date text or None)."""
    found = _PLAN_CELL.match(text.strip())
    if found is None:
        return text.strip(), None
    return found["status"], found["review"].strip() or None


def split_measure_cell(text: str) -> tuple[str, str | None, str | None]:
    """A measure cell as `measure_text` writes it: (measure, start text or None, expiry text or None)."""
    found = _MEASURE_CELL.match(text.strip())
    if found is None:
        return text.strip(), None, None
    start, expiry = found["start"], found["expiry"]
    return found["measure"], None if start == _OPEN_DATE else start, None if expiry == _OPEN_DATE else expiry
