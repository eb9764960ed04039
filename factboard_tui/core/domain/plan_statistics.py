"""The plans and legal measures part of the fidelity report: who had a current plan, and which measures ran out.

Norway's FACT evaluation found 40–50 % of the target group without an individual plan, and SDB's Dutch FACT
dashboard lists each client's legal title with its expiry. The board holds both (each row's plans with a status and
a review-due date, its legal measure with a start and an expiry: `plan_template`), so the report counts them with
the same rules as the board's flags (`plans.plan_state`, `plans.measure_state_of`). The figures are made from the
history, never from today's board: a row's fields on a past day come from its change log (`RowPlans`), so a report
of last quarter says what stood then, not what someone recorded this morning.

Definitions (also said in the report):
- the clients counted are the rows on the board on the period's last day;
- a plan is current when it exists and its review date (if any) has not passed; its review is due when it exists
  and its review date is on or before the day (the board's "review due" flag);
- "not recorded" is a plan nobody has given a status; "missing" is one the team recorded as missing;
- a row may hold two legal measures at once (each counts under its own measure);
- a legal measure is in force when it is recorded, has started (or has no start date) and has not expired; it is
  expiring when it expires within the template's warning days; "expired, still recorded" is a measure past its
  expiry that is still on the row (someone has to end or renew it);
- a measure started in the period is one whose start date falls in the period, among the measures each row held
  at any time of the period;
- over the period, the share of clients with a current plan is sampled on the last day of each ISO week in the
  period (or the period's last day), as the rows on the board are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from factboard_tui.core.domain.plan_template import (
    MEASURE_SLOTS,
    PlanSettings,
    review_field,
    status_field,
)
from factboard_tui.core.domain.plans import MeasureState, PlanState, measure_state_of, plan_state

FieldHistory = tuple[tuple[date, Any], ...]
"""A field's values as they changed: (from this day, value), oldest first; the first is from `date.min`."""


@dataclass(frozen=True, slots=True)
class RowPlans:
    """One row's period on the board and its plan and measure fields as they changed."""

    row_id: int
    date_on: date
    date_off: date | None
    fields: Mapping[str, FieldHistory]
    """Field name (`crisis_plan`, `legal_measure_expiry`, …) to its history; a field not here had no value."""

    def on_board(self, day: date) -> bool:
        """Whether the row is on the board on `day` (the day it goes off, it is off)."""
        return self.date_on <= day and (self.date_off is None or day < self.date_off)

    def value(self, name: str, day: date) -> Any:
        """The field's value on `day` (the last change made on or before it)."""
        found = None
        for since, value in self.fields.get(name, ()):
            if since > day:
                break
            found = value
        return found

    def days_changed(self, start: date, end: date) -> Iterator[date]:
        """`start`, and each later day of the period on which one of the fields changed."""
        yield start
        days = {since for history in self.fields.values() for since, _value in history if start < since <= end}
        yield from sorted(days)


@dataclass(frozen=True, slots=True)
class PlanKindFigures:
    """One kind of plan among the clients on the board on the period's last day."""

    kind: str
    exists: int
    in_progress: int
    missing: int
    not_recorded: int
    current: int
    """Existing and not past their review date."""
    review_due: int
    """Existing with their review date on or before the period's last day."""

    @property
    def clients(self) -> int:
        """The clients counted (every one has one of the four statuses)."""
        return self.exists + self.in_progress + self.missing + self.not_recorded

    @property
    def share_current(self) -> float | None:
        """The share of the clients counted with a current plan of this kind."""
        return self.current / self.clients if self.clients else None


@dataclass(frozen=True, slots=True)
class MeasureFigures:
    """One legal measure: where it stood on the period's last day, and how many started in the period."""

    key: str
    in_force: int
    expiring: int
    """In force and expiring within the template's warning days."""
    expired: int
    """Past its expiry and still recorded on a client on the board."""
    started: int
    """Started in the period (any row, on the board at the end or not)."""


@dataclass(frozen=True, slots=True)
class PlanFigures:
    """The plans and legal measures part of the report."""

    clients: int
    """Rows on the board on the period's last day."""
    kinds: tuple[PlanKindFigures, ...]
    """In the template's order."""
    measures: tuple[MeasureFigures, ...]
    """The template's measures in its order, then any other key recorded (an older template's)."""
    warning_days: int
    current_by_week: tuple[tuple[date, dict[str, float | None]], ...]
    """(week's Monday, plan kind -> share of the rows on the board with a current plan on the week's last day in the
    period; None when no row was on the board)."""


def plan_figures(
    rows: Sequence[RowPlans], settings: PlanSettings, start: date, end: date, weeks: Sequence[date]
) -> PlanFigures:
    """The figures for the period `start..end`; `weeks` are the Mondays of its ISO weeks."""
    at_end = [row for row in rows if row.on_board(end)]
    kinds = tuple(_kind_figures(at_end, settings, kind.key, end) for kind in settings.kinds)
    known = [measure.key for measure in settings.measures]
    started = _started_in(rows, start, end)
    held = [  # the measures of the rows on the board at the end that have begun
        state for row in at_end for state in _measures(row, settings, end) if state.start is None or state.start <= end
    ]
    keys = known + sorted(({state.key for state in held} | set(started)) - set(known))
    measures = []
    for key in keys:
        states = [state for state in held if state.key == key]
        in_force = [state for state in states if not state.expired]
        measures.append(
            MeasureFigures(
                key=key,
                in_force=len(in_force),
                expiring=sum(1 for state in in_force if state.expiring),
                expired=sum(1 for state in states if state.expired),
                started=started.get(key, 0),
            )
        )
    by_week = []
    for monday in weeks:
        day = min(monday + timedelta(days=6), end)
        on = [row for row in rows if row.on_board(day)]
        shares: dict[str, float | None] = {}
        for kind in settings.kinds:
            current = sum(1 for row in on if _plan(row, settings, kind.key, day).current)
            shares[kind.key] = current / len(on) if on else None
        by_week.append((monday, shares))
    return PlanFigures(
        clients=len(at_end),
        kinds=kinds,
        measures=tuple(measures),
        warning_days=settings.warning_days,
        current_by_week=tuple(by_week),
    )


def _plan(row: RowPlans, settings: PlanSettings, kind: str, day: date) -> PlanState:
    """The row's plan of this kind on `day`, by the board's rules."""
    return plan_state(settings.kind(kind), row.value(status_field(kind), day), row.value(review_field(kind), day), day)


def _measures(row: RowPlans, settings: PlanSettings, day: date) -> list[MeasureState]:
    """The row's legal measures on `day` (one a slot that holds one), by the board's rules."""
    found = []
    for slot in MEASURE_SLOTS:
        key, began, expiry = (row.value(name, day) for name in slot.fields)
        state = measure_state_of(settings, key, began, expiry, day, slot.number)
        if state is not None:
            found.append(state)
    return found


def _kind_figures(rows: Sequence[RowPlans], settings: PlanSettings, kind: str, end: date) -> PlanKindFigures:
    states = [_plan(row, settings, kind, end) for row in rows]
    count = {status: sum(1 for state in states if state.status == status) for status in ("exists", "in_progress")}
    return PlanKindFigures(
        kind=kind,
        exists=count["exists"],
        in_progress=count["in_progress"],
        missing=sum(1 for state in states if state.status == "missing"),
        not_recorded=sum(1 for state in states if state.status not in ("exists", "in_progress", "missing")),
        current=sum(1 for state in states if state.current),
        review_due=sum(1 for state in states if state.review_due),
    )


def _started_in(rows: Sequence[RowPlans], start: date, end: date) -> dict[str, int]:
    """Measure key -> how many (row, measure, start date) held in the period started in it."""
    seen: set[tuple[int, str, date]] = set()
    for row in rows:
        for day in row.days_changed(start, end):
            for slot in MEASURE_SLOTS:
                key, began = row.value(slot.measure, day), row.value(slot.start, day)
                if key and began is not None and start <= began <= end:
                    seen.add((row.row_id, key, began))
    counts: dict[str, int] = {}
    for _row, key, _began in seen:
        counts[key] = counts.get(key, 0) + 1
    return counts
