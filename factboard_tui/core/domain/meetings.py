"""The morning meeting without a face: its order, clock, pace, flags, attendance, record and minutes.

The chair steps through the board in a meeting; everything about that which is not drawing lives here so it is
tested without a terminal: `MeetingSession` (the order of rows, which are discussed or skipped, the time spent on
each), `pace` ("7 of 12 rows, 6 min left: behind"), `row_flags` (what the chair must not miss) and the attendance
check against the FACT criterion of four disciplines. Storing a finished meeting and its minutes is `minutes.py`.

Every time comes from the caller (the board's clock), so a frozen or hand-moved clock drives timers and pace in
tests exactly as real time does in the room.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from factboard_tui.core.collation import sorted_names
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.dates import format_date
from factboard_tui.core.domain.plans import has_current_crisis_plan, is_crisis, measure_states, plan_states
from factboard_tui.core.domain.templates import AgendaItem, BoardTemplate
from factboard_tui.core.domain.views import days_on_board, evaluation_passed
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.schema import RowValues, Staff, VisitCell

MIN_DISCIPLINES = 4
"""FACT teams are certified on having at least this many disciplines at the board meeting."""

DISCUSSED = "discussed"
SKIPPED = "skipped"
NOT_REACHED = "not_reached"
CURRENT = "current"
OUTCOMES = (DISCUSSED, SKIPPED, NOT_REACHED)
"""What a meeting records for each row; `current` is only ever shown, never stored."""


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
        rows: Sequence[RowValues],
        template: BoardTemplate,
        now: datetime,
        chair: str,
        first_change_id: int = 0,
        carried: Collection[int] = (),
    ) -> MeetingSession:
        """A meeting over `rows` in triage priority (crisis and admitted first), with today's agenda and budget;
        within a triage level the rows `carried` forward (not discussed at the last meetings) come first."""
        ordered = sorted(
            rows,
            key=lambda row: (template.triage_rank(row.triage), row.id not in carried, row.date_on, row.client_code),
        )
        return cls(
            started_at=now,
            chair=chair,
            order=[row.id for row in ordered if row.id is not None],
            budget_minutes=template.meeting_budget(now.astimezone().weekday()),
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
        """`discussed`, `skipped`, `current` or `not_reached`, as the list shows it: a row marked keeps its mark
        when it is current again (the last row discussed stays current, and shows discussed, like the minutes)."""
        if row_id in self.status:
            return self.status[row_id]
        return CURRENT if row_id == self.current else NOT_REACHED

    @property
    def reached(self) -> int:
        """Rows discussed or skipped."""
        return sum(1 for row_id in self.order if row_id in self.status)

    def pace(self, now: datetime) -> Pace:
        """How the meeting is doing against its budget."""
        discussed = sum(1 for row_id in self.order if self.status.get(row_id) == DISCUSSED)
        budget = timedelta(minutes=self.budget_minutes)
        return pace(self.reached, len(self.order), self.elapsed(now), budget, discussed=discussed)


# -- pace ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pace:
    """Rows reached against time used, and the verdict the header shows."""

    reached: int
    total: int
    remaining: timedelta
    verdict: str
    """`done`, `ahead`, `on time`, `behind`, `over time` or `skipped rows wait`."""

    @property
    def text(self) -> str:
        """`7 of 12 rows, 6 min left: behind`: one whole sentence per verdict, counted (see `PACE_SENTENCES`)."""
        minutes = int(abs(self.remaining.total_seconds()) // 60)
        sentence = PACE_SENTENCES[self.verdict, self.remaining < timedelta(0)]
        return sentence(self.total).format(reached=self.reached, total=self.total, minutes=minutes)


PACE_SENTENCES: dict[tuple[str, bool], Callable[[int], str]] = {
    ("done", False): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min left: done",
        "{reached} of {total} rows, {minutes} min left: done",
        total,
    ),
    ("done", True): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min over: done",
        "{reached} of {total} rows, {minutes} min over: done",
        total,
    ),
    ("ahead", False): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min left: ahead",
        "{reached} of {total} rows, {minutes} min left: ahead",
        total,
    ),
    ("ahead", True): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min over: ahead",
        "{reached} of {total} rows, {minutes} min over: ahead",
        total,
    ),
    ("on time", False): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min left: on time",
        "{reached} of {total} rows, {minutes} min left: on time",
        total,
    ),
    ("on time", True): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min over: on time",
        "{reached} of {total} rows, {minutes} min over: on time",
        total,
    ),
    ("behind", False): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min left: behind",
        "{reached} of {total} rows, {minutes} min left: behind",
        total,
    ),
    ("behind", True): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min over: behind",
        "{reached} of {total} rows, {minutes} min over: behind",
        total,
    ),
    ("over time", False): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min left: over time",
        "{reached} of {total} rows, {minutes} min left: over time",
        total,
    ),
    ("over time", True): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min over: over time",
        "{reached} of {total} rows, {minutes} min over: over time",
        total,
    ),
    ("skipped rows wait", False): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min left: skipped rows wait",
        "{reached} of {total} rows, {minutes} min left: skipped rows wait",
        total,
    ),
    ("skipped rows wait", True): lambda total: ngettext(
        "{reached} of {total} row, {minutes} min over: skipped rows wait",
        "{reached} of {total} rows, {minutes} min over: skipped rows wait",
        total,
    ),
}
"""The header's pace line as whole sentences, by verdict (`done`, `ahead`, `on time`, `behind`, `over time`,
`skipped rows wait`: stable English words for the styles) and whether the budget is used up; each sentence counted
by the rows on the agenda. It was glued from translated pieces ("{rows}, {left}: {verdict}"), which no translator
could reorder."""


AHEAD_BELOW = 0.85
"""Projected use of the budget under which the meeting counts as ahead."""


def pace(reached: int, total: int, elapsed: timedelta, budget: timedelta, discussed: int | None = None) -> Pace:
    """The verdict from rows reached so far and time used.

    At the speed so far, the remaining rows would take `elapsed / reached` each: if that projects past the budget
    the meeting is behind, under 85 % of it ahead, else on time. Before the first row is done, it is behind once
    more than one row's share of the budget has gone. It is done only when every row is discussed (`discussed`,
    when given): a skipped row still waits.
    """
    remaining = budget - elapsed
    if total and (reached if discussed is None else discussed) >= total:
        verdict = "done"
    elif total and reached >= total:
        verdict = "over time" if elapsed >= budget else "skipped rows wait"
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
    """`evaluation_passed`, `crisis_without_plan`, `review_due`, `measure_expiring`, `measure_expired`, `children`,
    `no_visit`, `too_long`."""
    text: str
    """One line saying it, in the board's labels."""


def row_flags(row: RowValues, week_visits: dict[date, VisitCell], template: BoardTemplate, today: date) -> list[Flag]:
    """The flags of a row: evaluation passed, crisis without a crisis plan, children, no visit, too long on board."""
    label = template.label
    flags: list[Flag] = []
    if evaluation_passed(row, today) and row.evaluation_date is not None:
        flags.append(
            Flag(
                "evaluation_passed",
                _("{evaluation} passed {date}").format(
                    evaluation=label("evaluation_date"), date=row.evaluation_date.isoformat()
                ),
            )
        )
    flags += plan_flags(row, template, today)
    if row.children:
        note = f" ({row.children_note})" if row.children_note else ""
        flags.append(Flag("children", f"{label('children')}: {template.yes}{note}"))
    if not week_visits:
        flags.append(Flag("no_visit", _("No visit planned this week")))
    days = days_on_board(row, today)
    if days > template.max_days_on_board:
        flags.append(
            Flag(
                "too_long",
                ngettext("{days} day on board (limit {limit})", "{days} days on board (limit {limit})", days).format(
                    days=days, limit=template.max_days_on_board
                ),
            )
        )
    return flags


def plan_flags(row: RowValues, template: BoardTemplate, today: date) -> list[Flag]:
    """The flags of a row's plans and legal measure: crisis with no current crisis plan, a plan's review due, a
    measure expiring within the template's warning days, a measure expired (see `plans`)."""
    flags: list[Flag] = []
    when = functools.partial(format_date, formats=template.dates)
    if is_crisis(row, template) and not has_current_crisis_plan(row, template, today):
        flags.append(
            Flag(
                "crisis_without_plan",
                _("{triage}: no current {crisis_plan}").format(
                    triage=F.display(row.triage, template, "triage"), crisis_plan=template.label("crisis_plan")
                ),
            )
        )
    for state in plan_states(row, template, today):
        if state.review_due and state.review is not None:
            flags.append(
                Flag("review_due", _("{plan}: review due {date}").format(plan=state.label, date=when(state.review)))
            )
    for measure in measure_states(row, template, today):  # every measure the row holds
        if measure.expiry is None or measure.days_left is None:
            continue
        if measure.expired:
            flags.append(
                Flag(
                    "measure_expired",
                    _("{measure} expired {date}").format(measure=measure.label, date=when(measure.expiry)),
                )
            )
        elif measure.expiring:
            flags.append(
                Flag(
                    "measure_expiring",
                    ngettext(
                        "{measure} expires {date} (in {days} day)",
                        "{measure} expires {date} (in {days} days)",
                        measure.days_left,
                    ).format(measure=measure.label, date=when(measure.expiry), days=measure.days_left),
                )
            )
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
    names = ", ".join(sorted_names([template.disciplines.get(key, key) for key in found], template.language))
    return ngettext(
        "Only {count} of {least} disciplines present ({names}): FACT asks for at least four.",
        "Only {count} of {least} disciplines present ({names}): FACT asks for at least four.",
        len(found),
    ).format(count=len(found), least=MIN_DISCIPLINES, names=names or _("none"))
