"""Reading the facts the statistics count: periods on the board with their triage over time, meetings, visits.

Statistics are made from history, never from today's board alone: a row's triage on a past day comes from the
change log (its `triage` changes that took effect, in order), a meeting's disciplines from its attendees as they
were recorded at the meeting. Everything is read as tuples (a year of a 2,000-row board is tens of thousands of
visits; ORM objects would cost more than the counting) and handed to `domain.statistics.compute` as plain facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import String, func, type_coerce
from sqlalchemy import select as sa_select

from factboard_tui.core.domain.changes import Op
from factboard_tui.core.domain.fields import LEGACY_PLAN_TEXT
from factboard_tui.core.domain.plan_statistics import RowPlans
from factboard_tui.core.domain.plan_template import MEASURE_FIELDS, PLAN_FIELDS, PLAN_KINDS, status_field
from factboard_tui.core.domain.statistics import BoardFacts, Contact, Episode, HeldMeeting
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.schema import (
    ATTENDEE_TABLE,
    CHANGE_TABLE,
    MEETING_ROW_TABLE,
    MEETING_TABLE,
    ROW_TABLE,
    STAFF_TABLE,
    VISIT_TABLE,
)


def _local_day(moment: datetime) -> date:
    """The day where the team is of a stored UTC time."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone().date()


def board_facts(board: BoardHandle, start: date, end: date, caseload: int = 0) -> BoardFacts:
    """Everything the statistics of `start..end` need (rows of any time: a re-entry looks back 90 days)."""
    parse = date.fromisoformat
    rows_query = sa_select(
        ROW_TABLE.c.id,
        ROW_TABLE.c.client_code,
        type_coerce(ROW_TABLE.c.date_on, String),
        type_coerce(ROW_TABLE.c.date_off, String),
        ROW_TABLE.c.off_reason,
        ROW_TABLE.c.triage,
        *(type_coerce(ROW_TABLE.c[name], String) for name in PLAN_VALUE_FIELDS),
    ).where(ROW_TABLE.c.date_on <= end)
    triage_query = (
        sa_select(CHANGE_TABLE.c.row_id, CHANGE_TABLE.c.at, CHANGE_TABLE.c.new)
        .where(
            CHANGE_TABLE.c.entity == "row",
            CHANGE_TABLE.c.field == "triage",
            CHANGE_TABLE.c.outcome.is_(None),
            CHANGE_TABLE.c.new.is_not(None),
        )
        .order_by(CHANGE_TABLE.c.id)
    )
    visits_query = sa_select(VISIT_TABLE.c.row_id, type_coerce(VISIT_TABLE.c.day, String), VISIT_TABLE.c.staff).where(
        VISIT_TABLE.c.day >= start, VISIT_TABLE.c.day <= end
    )
    # A day's meetings may start before midnight UTC: read a day either side, and keep those whose local day fits.
    meetings_query = sa_select(
        MEETING_TABLE.c.id, MEETING_TABLE.c.started_at, MEETING_TABLE.c.ended_at, MEETING_TABLE.c.budget_minutes
    ).where(
        MEETING_TABLE.c.started_at >= datetime.combine(start - timedelta(days=1), datetime.min.time(), UTC),
        MEETING_TABLE.c.started_at < datetime.combine(end + timedelta(days=2), datetime.min.time(), UTC),
    )
    outcomes_query = sa_select(MEETING_ROW_TABLE.c.meeting_id, MEETING_ROW_TABLE.c.outcome, func.count()).group_by(
        MEETING_ROW_TABLE.c.meeting_id, MEETING_ROW_TABLE.c.outcome
    )
    plan_changes_query = (
        sa_select(CHANGE_TABLE.c.row_id, CHANGE_TABLE.c.at, CHANGE_TABLE.c.op, CHANGE_TABLE.c.field,
                  CHANGE_TABLE.c.old, CHANGE_TABLE.c.new)
        .where(
            CHANGE_TABLE.c.entity == "row",
            CHANGE_TABLE.c.field.in_(PLAN_VALUE_FIELDS),
            CHANGE_TABLE.c.outcome.is_(None),
        )
        .order_by(CHANGE_TABLE.c.id)
    )  # fmt: skip
    with board.engine.connect() as connection:
        found_rows = connection.execute(rows_query).all()
        triage_changes = connection.execute(triage_query).all()
        plan_changes = connection.execute(plan_changes_query).all()
        visits = connection.execute(visits_query).all()
        meetings = connection.execute(meetings_query).all()
        attendees = connection.execute(sa_select(ATTENDEE_TABLE.c.meeting_id, ATTENDEE_TABLE.c.discipline)).all()
        outcomes = connection.execute(outcomes_query).all()
        staff = connection.execute(sa_select(STAFF_TABLE.c.initials, STAFF_TABLE.c.organisation)).all()

    changes: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for row_id, at, new in triage_changes:
        if row_id is not None:
            changes[row_id].append((_local_day(at), str(new)))
    episodes = []
    for row_id, code, on_text, off_text, reason, triage, *_plans in found_rows:
        date_on = parse(on_text)
        timeline = changes.get(row_id) or [(date_on, triage)]
        # The first triage is the one it went on the board with, from its first day (an import writes it later).
        timeline = [(date_on, timeline[0][1]), *((max(day, date_on), key) for day, key in timeline[1:])]
        episodes.append(Episode(row_id, code, date_on, parse(off_text) if off_text else None, reason, tuple(timeline)))

    disciplines: dict[int, set[str]] = defaultdict(set)
    for meeting_id, discipline in attendees:
        if discipline:
            disciplines[meeting_id].add(discipline)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for meeting_id, outcome, count in outcomes:
        counts[meeting_id][outcome] = int(count)
    held = [
        HeldMeeting(
            day=_local_day(started),
            minutes=max(0.0, (ended - started).total_seconds() / 60),
            budget_minutes=int(budget),
            disciplines=frozenset(disciplines.get(meeting_id, ())),
            discussed=counts[meeting_id].get("discussed", 0),
            skipped=counts[meeting_id].get("skipped", 0),
            not_reached=counts[meeting_id].get("not_reached", 0),
        )
        for meeting_id, started, ended, budget in meetings
    ]
    contacts = [
        Contact(row_id, parse(day), tuple(part.strip().upper() for part in staff_text.split("+") if part.strip()))
        for row_id, day, staff_text in visits
        if staff_text
    ]
    crisis = frozenset(level.key for level in board.template.triage if level.crisis)
    return BoardFacts(
        episodes=episodes,
        meetings=held,
        contacts=contacts,
        organisation={initials: organisation for initials, organisation in staff if organisation},
        crisis_levels=crisis,
        caseload=caseload,
        plan_rows=_plan_rows(found_rows, plan_changes),
        plan_settings=board.template.plans,
    )


PLAN_VALUE_FIELDS: tuple[str, ...] = PLAN_FIELDS + MEASURE_FIELDS
"""The row fields the plans and legal measures part of the report follows through the change log."""


def _typed(name: str, text: str | None) -> Any:
    """A plan or measure field's stored text as its value: a date, a status (the old yes/no crisis plan's `true`
    and `false` read as `exists` and nothing), or a measure key."""
    if text is None or text == "":
        return None
    if name in PLAN_DATE_FIELDS:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return LEGACY_PLAN_TEXT.get(text, text) if name in PLAN_STATUS_FIELDS else text


PLAN_DATE_FIELDS = frozenset(name for name in PLAN_VALUE_FIELDS if name.endswith(("_review", "_start", "_expiry")))
PLAN_STATUS_FIELDS = frozenset(status_field(kind) for kind in PLAN_KINDS)


def _plan_rows(found_rows: Sequence[Any], plan_changes: Sequence[Any]) -> list[RowPlans]:
    """Each row's plan and measure fields as they changed. A field with change records stood at the first one's old
    value before it; one without any stood at today's value all along (a board from before the change log, a
    migrated crisis plan). The values a row was added with hold from its first day on the board (an import adds
    rows on a later day than their date on)."""
    changes: dict[int, dict[str, list[tuple[str, datetime, str | None, str | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for row_id, at, op, name, old, new in plan_changes:
        if row_id is not None:
            changes[row_id][name].append((op, at, old, new))
    rows = []
    for row_id, _code, on_text, off_text, _reason, _triage, *current in found_rows:
        date_on = date.fromisoformat(on_text)
        fields: dict[str, tuple[tuple[date, Any], ...]] = {}
        for name, now_text in zip(PLAN_VALUE_FIELDS, current, strict=True):
            found = changes.get(row_id, {}).get(name)
            if not found:
                if now_text is not None:
                    fields[name] = ((date.min, _typed(name, now_text)),)
                continue
            history = [(date.min, _typed(name, found[0][2]))]
            for op, at, _old, new in found:
                history.append((date_on if op == Op.ADD.value else max(_local_day(at), date_on), _typed(name, new)))
            fields[name] = tuple(sorted(history, key=lambda item: item[0]))
        rows.append(RowPlans(row_id, date_on, date.fromisoformat(off_text) if off_text else None, fields))
    return rows
