"""The board's statistics for a period, from its history: the figures a FACT fidelity audit asks for.

Norway's FACT evaluation counted board data by hand; these are the same counts made from what the board already
keeps: each row's period on the board with its triage over time (from the change log), the meetings as they were
held (attendance with each person's discipline at the time, each row's outcome, duration against budget) and the
visits in the weekday cells with the staff who made them. `compute` is a pure function of those facts and a
period, so every figure is tested with numbers worked out by hand, without a database (`store/statistics_reads.py`
reads the facts; `transfer/report.py` writes the report; `fidelity.py` weighs the figures against the criteria).

Definitions (what a user of a fidelity report would expect; each one is also said in the report):
- a row is on the board on day `d` when `date_on <= d < date_off` (the day it goes off it is off);
- "rows on the board over time" samples the last day of each ISO week in the period (or the period's last day);
- days on board are counted for the periods that ended in the period (`date_off - date_on`), the open ones apart;
- an episode starts when a row goes on the board in the period and ends when it goes off; a re-entry is an episode
  that starts at most 90 days after an earlier episode of the same client code ended;
- a crisis (an admission) is a row entering a crisis triage level (the level `admitted`) in the period, on its
  first day on the board or by a later change of its triage;
- the team approach counts the rows on the board for at least 14 days of the period (the whole period, if it is
  shorter) and, for each, the most different staff who visited it within any 14 days of its time on the board in
  the period; a planned visit in a weekday cell counts as a contact (the board is where the team records them);
- meetings a week are counted from the week of the first meeting recorded in the period (a board that began
  recording its meetings in March did not skip them before);
- the share of the caseload is the mean number of rows on the board per day of the period over the caseload size;
- plans and legal measures: see `plan_statistics`.
"""

from __future__ import annotations

import statistics as stats
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.fields import OFF_REASONS
from factboard_tui.core.domain.meetings import MIN_DISCIPLINES
from factboard_tui.core.domain.plan_statistics import PlanFigures, RowPlans, plan_figures
from factboard_tui.core.domain.plan_template import PlanSettings
from factboard_tui.core.i18n import _

TEAM_WINDOW_DAYS = 14
"""DACTS H2 and the FACT criteria look at who saw a client within two weeks."""

REENTRY_DAYS = 90
"""An episode starting this many days or fewer after the client's last one ended counts as a re-entry."""

ADMITTED = "admitted"
"""The triage key of an admission: keys are the templates' stable words (every shipped template has it)."""

DAY_BUCKETS: tuple[tuple[int, int | None], ...] = ((0, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, None))
"""The distribution of days on board: inclusive bounds, the last open-ended."""


# -- the facts the store gives ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Episode:
    """One row's period on the board, with its triage as it changed."""

    row_id: int
    client_code: str
    date_on: date
    date_off: date | None
    off_reason: str | None
    triage: tuple[tuple[date, str], ...]
    """(from this day, triage key), oldest first; the first entry is the triage it went on the board with."""

    def on_board(self, day: date) -> bool:
        """Whether the row is on the board on `day` (the day it goes off, it is off)."""
        return self.date_on <= day and (self.date_off is None or day < self.date_off)

    def triage_on(self, day: date) -> str:
        """The row's triage on `day` (its first one before any change)."""
        current = self.triage[0][1]
        for since, key in self.triage:
            if since > day:
                break
            current = key
        return current


@dataclass(frozen=True, slots=True)
class HeldMeeting:
    """A stored meeting, as the statistics need it."""

    day: date
    minutes: float
    budget_minutes: int
    disciplines: frozenset[str]
    """The discipline keys of the people present (those without one do not count)."""
    discussed: int
    skipped: int
    not_reached: int


@dataclass(frozen=True, slots=True)
class Contact:
    """Who visited a row on one day (one weekday cell's staff)."""

    row_id: int
    day: date
    staff: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BoardFacts:
    """Everything `compute` reads, in plain values."""

    episodes: Sequence[Episode]
    meetings: Sequence[HeldMeeting]
    contacts: Sequence[Contact]
    organisation: dict[str, str]
    """Staff initials -> organisation key (region, municipality); initials not in the team list have none."""
    crisis_levels: frozenset[str]
    """The triage keys the template marks as crisis."""
    caseload: int = 0
    """The team's caseload size, if it set one (0: not set)."""
    plan_rows: Sequence[RowPlans] = ()
    """Each row's plans and legal measure as they changed (`plan_statistics`)."""
    plan_settings: PlanSettings | None = None
    """The template's plans block; None: the report has no plans part (a test of the other figures)."""


# -- the figures -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekCount:
    """A count for one ISO week (its Monday)."""

    week: date
    count: int


@dataclass(frozen=True, slots=True)
class BoardFigures:
    """The board part of the report."""

    on_board_by_week: tuple[tuple[date, dict[str, int]], ...]
    """(week's Monday, triage key -> rows on the board on the week's last day in the period)."""
    mean_on_board: float
    """Rows on the board on an average day of the period."""
    days_on_board: tuple[int, ...]
    """Days on board of each period that ended in the period, shortest first."""
    days_on_board_median: float | None
    days_on_board_buckets: tuple[tuple[str, int], ...]
    """(`0–7`, count), … over `days_on_board`."""
    open_days_median: float | None
    """Median days on board so far of the rows still on the board at the period's end."""
    episodes_started: int
    episodes_ended: int
    reentries: int
    """Episodes started in the period within 90 days of the same client's previous one ending."""
    off_reasons: tuple[tuple[str, int], ...]
    """Reasons for going off (as first written, grouped ignoring case and spacing), most frequent first."""
    crises_by_week: tuple[WeekCount, ...]
    admissions_by_week: tuple[WeekCount, ...]
    caseload: int
    caseload_share: float | None
    """`mean_on_board / caseload`, when the team set its caseload size."""

    @property
    def crises(self) -> int:
        """Crises in the whole period."""
        return sum(item.count for item in self.crises_by_week)

    @property
    def admissions(self) -> int:
        """Admissions in the whole period."""
        return sum(item.count for item in self.admissions_by_week)


@dataclass(frozen=True, slots=True)
class MeetingFigures:
    """The meetings part of the report."""

    per_week: tuple[WeekCount, ...]
    meetings: int
    weeks: float
    """Weeks from the week of the first meeting recorded in the period (or the period's start) to its end (days / 7):
    what the means are taken over."""
    qualifying_per_week: float
    """Meetings with at least four disciplines present, per week of the period."""
    duration_median: float | None
    budget_median: float | None
    over_budget: int
    disciplines_median: float | None
    with_four_disciplines: int
    discussed: int
    skipped: int
    not_reached: int

    @property
    def per_week_mean(self) -> float:
        """Meetings per week of the period."""
        return self.meetings / self.weeks if self.weeks else 0.0

    @property
    def reviewed_share(self) -> float | None:
        """Of the rows listed at the meetings, the share discussed (DACTS H3)."""
        total = self.discussed + self.skipped + self.not_reached
        return self.discussed / total if total else None


@dataclass(frozen=True, slots=True)
class TeamFigures:
    """The team approach part of the report."""

    eligible: int
    """Rows on the board long enough in the period to be counted (see the module docstring)."""
    seen_by_two: int
    seen_by_four: int
    contacts_by_organisation: tuple[tuple[str, int], ...]
    """(organisation key, or "" for staff not in the team list; contacts), most first."""

    @property
    def share_two(self) -> float | None:
        """Share of the counted rows seen by at least two different staff within 14 days."""
        return self.seen_by_two / self.eligible if self.eligible else None

    @property
    def share_four(self) -> float | None:
        """Share of the counted rows seen by at least four different staff within 14 days."""
        return self.seen_by_four / self.eligible if self.eligible else None


@dataclass(frozen=True, slots=True)
class Statistics:
    """Every figure of the report for one period (inclusive dates)."""

    start: date
    end: date
    board: BoardFigures
    meetings: MeetingFigures
    team: TeamFigures
    plans: PlanFigures | None = None
    """Plans and legal measures (`plan_statistics`), when the facts carried the template's plans block."""

    @property
    def days(self) -> int:
        """Days in the period."""
        return (self.end - self.start).days + 1


# -- computing -------------------------------------------------------------------------------------------------------


def compute(facts: BoardFacts, start: date, end: date) -> Statistics:
    """Every figure for the period `start..end` (inclusive)."""
    if end < start:
        raise ValueError("the period ends before it starts")
    return Statistics(
        start=start,
        end=end,
        board=board_figures(facts, start, end),
        meetings=meeting_figures(facts.meetings, start, end),
        team=team_figures(facts, start, end),
        plans=None
        if facts.plan_settings is None
        else plan_figures(facts.plan_rows, facts.plan_settings, start, end, weeks_of(start, end)),
    )


def weeks_of(start: date, end: date) -> list[date]:
    """The Mondays of the ISO weeks the period touches."""
    monday, last = week_start(start), week_start(end)
    found = []
    while monday <= last:
        found.append(monday)
        monday += timedelta(days=7)
    return found


def _by_week(days: Iterable[date], start: date, end: date) -> tuple[WeekCount, ...]:
    counts = Counter(week_start(day) for day in days if start <= day <= end)
    return tuple(WeekCount(monday, counts.get(monday, 0)) for monday in weeks_of(start, end))


def _median(values: Sequence[float]) -> float | None:
    return float(stats.median(values)) if values else None


def bucket_label(low: int, high: int | None) -> str:
    """`0–7`, `91+`: a bucket of days on board."""
    return f"{low}+" if high is None else f"{low}–{high}"


def board_figures(facts: BoardFacts, start: date, end: date) -> BoardFigures:
    """Rows over time by triage, days on board, episodes and re-entries, reasons, crises and admissions."""
    episodes = facts.episodes
    in_period = [e for e in episodes if e.date_on <= end and (e.date_off is None or e.date_off > start)]
    samples = []
    for monday in weeks_of(start, end):
        day = min(monday + timedelta(days=6), end)
        samples.append((monday, dict(Counter(e.triage_on(day) for e in in_period if e.on_board(day)))))
    days = (end - start).days + 1
    # Days on the board within the period, added up: the mean number of rows on the board per day.
    board_days = sum(((_last_day(e, end)) - max(e.date_on, start)).days + 1 for e in in_period)
    ended = sorted((e.date_off - e.date_on).days for e in episodes if e.date_off and start <= e.date_off <= end)
    still_open = [(end - e.date_on).days for e in in_period if e.on_board(end)]
    buckets = tuple(
        (bucket_label(low, high), sum(1 for d in ended if d >= low and (high is None or d <= high)))
        for low, high in DAY_BUCKETS
    )
    started = [e for e in episodes if start <= e.date_on <= end]
    by_client: dict[str, list[Episode]] = {}
    for e in episodes:
        by_client.setdefault(e.client_code, []).append(e)
    reentries = sum(1 for e in started if _reentry(e, by_client[e.client_code]))
    reasons: Counter[str] = Counter()
    first_written: dict[str, str] = {}
    for e in episodes:
        if e.date_off and start <= e.date_off <= end and e.off_reason:
            key = " ".join(e.off_reason.split()).casefold()
            said = _(e.off_reason) if e.off_reason in OFF_REASONS else " ".join(e.off_reason.split())
            first_written.setdefault(key, said)  # FactBoard's own reasons (an undone add) in the reader's language
            reasons[key] += 1
    crises, admissions = [], []
    for e in episodes:
        previous: str | None = None
        for since, key in e.triage:
            day = max(since, e.date_on)
            if key in facts.crisis_levels and previous not in facts.crisis_levels:
                crises.append(day)
            if key == ADMITTED and previous != ADMITTED:
                admissions.append(day)
            previous = key
    mean = board_days / days
    return BoardFigures(
        on_board_by_week=tuple(samples),
        mean_on_board=mean,
        days_on_board=tuple(ended),
        days_on_board_median=_median(ended),
        days_on_board_buckets=buckets,
        open_days_median=_median(still_open),
        episodes_started=len(started),
        episodes_ended=len(ended),
        reentries=reentries,
        off_reasons=tuple(
            (first_written[key], count) for key, count in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        crises_by_week=_by_week(crises, start, end),
        admissions_by_week=_by_week(admissions, start, end),
        caseload=facts.caseload,
        caseload_share=mean / facts.caseload if facts.caseload > 0 else None,
    )


def _last_day(episode: Episode, end: date) -> date:
    """The episode's last day on the board within a period ending on `end`."""
    return min(episode.date_off - timedelta(days=1), end) if episode.date_off else end


def _reentry(episode: Episode, same_client: Sequence[Episode]) -> bool:
    """Whether an earlier episode of the same client ended at most 90 days before this one started."""
    return any(
        other.row_id != episode.row_id
        and other.date_off is not None
        and 0 <= (episode.date_on - other.date_off).days <= REENTRY_DAYS
        for other in same_client
    )


def meeting_figures(meetings: Sequence[HeldMeeting], start: date, end: date) -> MeetingFigures:
    """Meetings per week, duration against budget, disciplines present, rows discussed, skipped and not reached."""
    held = [m for m in meetings if start <= m.day <= end]
    # From the week of the first meeting recorded: a board that began recording meetings in March did not skip them
    # from January to March; before its first meeting the board cannot say.
    first = max(start, week_start(min(m.day for m in held))) if held else start
    weeks = ((end - first).days + 1) / 7
    qualifying = [m for m in held if len(m.disciplines) >= MIN_DISCIPLINES]
    return MeetingFigures(
        per_week=_by_week((m.day for m in held), start, end),
        meetings=len(held),
        weeks=weeks,
        qualifying_per_week=len(qualifying) / weeks,
        duration_median=_median([m.minutes for m in held]),
        budget_median=_median([m.budget_minutes for m in held]),
        over_budget=sum(1 for m in held if m.minutes > m.budget_minutes),
        disciplines_median=_median([len(m.disciplines) for m in held]),
        with_four_disciplines=len(qualifying),
        discussed=sum(m.discussed for m in held),
        skipped=sum(m.skipped for m in held),
        not_reached=sum(m.not_reached for m in held),
    )


def team_figures(facts: BoardFacts, start: date, end: date) -> TeamFigures:
    """Rows seen by at least two and four different staff within 14 days, and contacts by organisation."""
    period_days = (end - start).days + 1
    needed = min(TEAM_WINDOW_DAYS, period_days)
    by_row: dict[int, list[Contact]] = {}
    organisations: Counter[str] = Counter()
    for contact in facts.contacts:
        if start <= contact.day <= end:
            by_row.setdefault(contact.row_id, []).append(contact)
            for initials in contact.staff:
                organisations[facts.organisation.get(initials, "")] += 1
    eligible = two = four = 0
    for episode in facts.episodes:
        first = max(episode.date_on, start)
        last = _last_day(episode, end)
        if (last - first).days + 1 < needed:
            continue
        eligible += 1
        seen = _most_staff_in_window(
            [c for c in by_row.get(episode.row_id, []) if first <= c.day <= last], TEAM_WINDOW_DAYS
        )
        two += seen >= 2
        four += seen >= 4
    return TeamFigures(
        eligible=eligible,
        seen_by_two=two,
        seen_by_four=four,
        contacts_by_organisation=tuple(sorted(organisations.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


def _most_staff_in_window(contacts: Sequence[Contact], window: int) -> int:
    """The most different staff among contacts within any `window` consecutive days."""
    ordered = sorted(contacts, key=lambda c: c.day)
    best = 0
    for index, first in enumerate(ordered):
        staff: set[str] = set()
        for later in ordered[index:]:
            if (later.day - first.day).days >= window:
                break
            staff.update(later.staff)
        best = max(best, len(staff))
    return best
