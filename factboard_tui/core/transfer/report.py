"""The FACT fidelity report: every statistic of a period and each criterion with its source, as a file.

`build_report` reads the board's history (`store.statistics_reads`), computes the figures
(`domain.statistics`) and weighs them (`domain.fidelity`). `report_sections` turns them into labelled lines and
tables in the app's language and the board's words (triage labels, organisations); the statistics screen, the
Markdown, CSV and HTML files all read those same sections, so they never disagree. JSON carries the figures
themselves, for a spreadsheet or a national evaluation's own counting. Everything here is a pure function from a
report to bytes; `export_file.write_recorded_export` writes the file (mode 600, audited), as for any export: the
report is plain text the user asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from factboard_tui.core.domain.fidelity import Criterion, criteria
from factboard_tui.core.domain.plan_statistics import PlanFigures
from factboard_tui.core.domain.statistics import Statistics, compute
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.i18n import N_, _, current_language, ngettext
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.statistics_reads import board_facts
from factboard_tui.core.transfer.export import week_name


class ReportFormat(StrEnum):
    """The report's file formats."""

    HTML = "html"
    MD = "md"
    CSV = "csv"
    JSON = "json"


DEFAULT_DAYS = 365
"""The period a report covers unless told: the year up to today."""


@dataclass(frozen=True, slots=True)
class Report:
    """A period's statistics and criteria, with what is needed to say them in the board's words."""

    team: str
    template: BoardTemplate
    generated_at: datetime
    statistics: Statistics
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class ReportTable:
    """A table of a section: a title, column headings and rows of text."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Section:
    """A part of the report: figures as (label, value) and tables."""

    key: str
    title: str
    figures: tuple[tuple[str, str], ...]
    tables: tuple[ReportTable, ...] = field(default=())


def default_period(today: date) -> tuple[date, date]:
    """The year up to and including today."""
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def build_report(board: BoardHandle, start: date, end: date, caseload: int | None = None) -> Report:
    """The report of `start..end`; `caseload` overrides the template's `caseload_size`."""
    size = board.template.caseload_size if caseload is None else caseload
    figures = compute(board_facts(board, start, end, size), start, end)
    return Report(board.team, board.template, board.clock(), figures, tuple(criteria(figures)))


def default_report_name(report: Report, fmt: ReportFormat) -> str:
    """`factboard-report-2025-12-01-2026-11-30.html`."""
    figures = report.statistics
    return f"factboard-report-{figures.start.isoformat()}-{figures.end.isoformat()}.{fmt.value}"


# -- words and numbers -----------------------------------------------------------------------------------------------


def number(value: float | None, digits: int = 1) -> str:
    """A number as the language writes it (`12,5` in Swedish); a dash for none."""
    if value is None:
        return "—"
    from babel.numbers import format_decimal

    from factboard_tui.core.locale_dates import LOCALES

    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return str(format_decimal(value, format=pattern, locale=LOCALES.get(current_language(), "en_GB")))


def percent(share: float | None) -> str:
    """A share as a whole percent (`45 %`); a dash for none."""
    return "—" if share is None else f"{number(share * 100, 0)} %"


def verdict(met: bool | None) -> str:
    """Met, not met, or cannot be told."""
    return _("not assessed") if met is None else _("met") if met else _("not met")


def criterion_value(item: Criterion) -> str:
    """The board's figure for a criterion, as the report says it."""
    if item.value is None:
        return "—"
    if item.key == "meetings":
        return _("{value} a week").format(value=number(item.value))
    return percent(item.value)


def report_sections(report: Report) -> list[Section]:
    """The report as labelled figures and tables, in the order it is read."""
    figures, template = report.statistics, report.template
    board, meetings, team = figures.board, figures.meetings, figures.team
    levels = [level.key for level in template.triage]
    seen = set().union(*(counts for _week, counts in board.on_board_by_week)) if board.on_board_by_week else set()
    keys = levels + sorted(seen - set(levels))
    labels = {level.key: level.label for level in template.triage}
    per_week = {item.week: item.count for item in meetings.per_week}
    crises = {item.week: item.count for item in board.crises_by_week}
    admissions = {item.week: item.count for item in board.admissions_by_week}
    week_rows = tuple(
        (
            week_name(monday),
            *(str(counts.get(key, 0)) for key in keys),
            str(sum(counts.values())),
            str(crises.get(monday, 0)),
            str(admissions.get(monday, 0)),
            str(per_week.get(monday, 0)),
        )
        for monday, counts in board.on_board_by_week
    )
    by_week = ReportTable(
        _("By week"),
        (_("Week"), *(labels.get(key, key) for key in keys), _("On the board"), _("Crises"), _("Admissions"),
         _("Meetings")),
        week_rows,
    )  # fmt: skip
    caseload = (
        _("{share} of {caseload}").format(share=percent(board.caseload_share), caseload=board.caseload)
        if board.caseload_share is not None
        else _("not set (caseload_size in the template, or --caseload)")
    )
    board_section = Section(
        "board",
        _("Board"),
        (
            (_("Rows on the board, mean a day"), number(board.mean_on_board)),
            (_("Days on board, median (periods that ended)"), number(board.days_on_board_median)),
            (_("Days on board so far, median (rows still on the board)"), number(board.open_days_median)),
            (_("Episodes started"), str(board.episodes_started)),
            (_("Episodes ended"), str(board.episodes_ended)),
            (_("Re-entries within 90 days"), str(board.reentries)),
            (_("Crises"), str(board.crises)),
            (_("Admissions"), str(board.admissions)),
            (_("Share of the caseload on the board (CCAF: 10–20 %)"), caseload),
        ),
        (
            by_week,
            ReportTable(
                _("Days on board (periods that ended)"),
                (_("Days"), _("Periods")),
                tuple((label, str(count)) for label, count in board.days_on_board_buckets),
            ),
            ReportTable(
                _("Reasons for going off"),
                (_("Reason"), _("Rows")),
                tuple((reason, str(count)) for reason, count in board.off_reasons),
            ),
        ),
    )
    meeting_section = Section(
        "meetings",
        _("Meetings"),
        (
            (_("Meetings"), str(meetings.meetings)),
            (_("Meetings a week (FACT: at least 3)"), number(meetings.per_week_mean)),
            (_("Duration, median minutes"), number(meetings.duration_median)),
            (_("Budget, median minutes"), number(meetings.budget_median)),
            (_("Meetings over budget"), str(meetings.over_budget)),
            (_("Disciplines present, median (FACT: at least 4)"), number(meetings.disciplines_median)),
            (_("Meetings with at least 4 disciplines"), str(meetings.with_four_disciplines)),
            (_("Rows discussed"), str(meetings.discussed)),
            (_("Rows skipped"), str(meetings.skipped)),
            (_("Rows not reached"), str(meetings.not_reached)),
        ),
    )
    organisations = template.organisations
    team_section = Section(
        "team",
        _("Team approach"),
        (
            (_("Board clients counted (on the board 14 days or more)"), str(team.eligible)),
            (
                _("Seen by 2 or more staff within 14 days"),
                f"{team.seen_by_two} ({percent(team.share_two)})",
            ),
            (
                _("Seen by 4 or more staff within 14 days"),
                f"{team.seen_by_four} ({percent(team.share_four)})",
            ),
        ),
        (
            ReportTable(
                _("Contacts by organisation"),
                (_("Organisation"), _("Contacts")),
                tuple(
                    (organisations.get(key, key) if key else _("not in the team list"), str(count))
                    for key, count in team.contacts_by_organisation
                ),
            ),
        ),
    )
    criteria_section = Section(
        "criteria",
        _("Fidelity criteria"),
        (),
        (
            ReportTable(
                _("Fidelity criteria"),
                (_("Criterion"), _("Source"), _("Board"), _("Met")),
                tuple((_(c.text), _(c.source), criterion_value(c), verdict(c.met)) for c in report.criteria),
            ),
        ),
    )
    sections = [board_section, meeting_section, team_section]
    if figures.plans is not None:
        sections.append(plans_section(figures.plans, template, figures.end))
    return [*sections, criteria_section]


def plans_section(plans: PlanFigures, template: BoardTemplate, end: date) -> Section:
    """Plans per kind and legal measures on the period's last day, and the share with a current plan by week."""
    settings = template.plans
    labels = {kind.key: kind.label for kind in settings.kinds}
    on_day = end.isoformat()
    kinds = ReportTable(
        _("Plans on {day}").format(day=on_day),
        (_("Plan"), settings.statuses["exists"], settings.statuses["in_progress"], settings.statuses["missing"],
         _("Not recorded"), _("Current"), _("Review due")),
        tuple(
            (labels.get(item.kind, item.kind), str(item.exists), str(item.in_progress), str(item.missing),
             str(item.not_recorded), f"{item.current} ({percent(item.share_current)})", str(item.review_due))
            for item in plans.kinds
        ),
    )  # fmt: skip
    measures = ReportTable(
        _("Legal measures on {day}").format(day=on_day),
        (
            settings.measure,
            _("In force"),
            ngettext("Expiring within {days} day", "Expiring within {days} days", plans.warning_days).format(
                days=plans.warning_days
            ),
            _("Expired, still recorded"),
            _("Started in the period"),
        ),
        tuple(
            (settings.measure_label(item.key), str(item.in_force), str(item.expiring), str(item.expired),
             str(item.started))
            for item in plans.measures
        ),
    )  # fmt: skip
    by_week = ReportTable(
        _("Clients with a current plan, by week"),
        (_("Week"), *(labels.get(key, key) for key in labels)),
        tuple(
            (week_name(monday), *(percent(shares.get(key)) for key in labels))
            for monday, shares in plans.current_by_week
        ),
    )
    return Section(
        "plans",
        _("Plans and legal measures"),
        ((_("Clients on the board on {day}").format(day=on_day), str(plans.clients)),),
        (kinds, measures, by_week),
    )


def plans_data(plans: PlanFigures | None) -> dict[str, Any] | None:
    """The plans part of the JSON report (shares 0..1, None for none)."""
    if plans is None:
        return None
    return {
        "clients": plans.clients,
        "warning_days": plans.warning_days,
        "kinds": {
            item.kind: {
                "exists": item.exists,
                "in_progress": item.in_progress,
                "missing": item.missing,
                "not_recorded": item.not_recorded,
                "current": item.current,
                "share_current": item.share_current,
                "review_due": item.review_due,
            }
            for item in plans.kinds
        },
        "measures": {
            item.key: {
                "in_force": item.in_force,
                "expiring": item.expiring,
                "expired": item.expired,
                "started": item.started,
            }
            for item in plans.measures
        },
        "current_by_week": {week_name(monday): shares for monday, shares in plans.current_by_week},
    }


def report_title(report: Report) -> tuple[str, str]:
    """The heading and the line under it."""
    figures = report.statistics
    title = _("FACT fidelity report: {team}").format(team=report.team)
    period = _("{start} to {end} ({days} days); made {made}").format(
        start=figures.start.isoformat(),
        end=figures.end.isoformat(),
        days=figures.days,
        made=report.generated_at.astimezone().strftime("%Y-%m-%d %H:%M"),
    )
    return title, period


DEFINITIONS = N_(
    "A row is on the board from its date on until the day before its date off. Rows by week are counted on each "
    "week's last day. Meetings a week are counted from the week of the first meeting recorded. A crisis or an "
    "admission is a row entering that triage. The team approach counts rows on the "
    "board 14 days or more in the period, and the most different staff in their weekday cells within any 14 days. "
    "Plans and legal measures are counted for the rows on the board on the period's last day, as they stood that "
    "day: a plan is current when it exists and its review date has not passed; a measure is in force when it has "
    "started and not expired."
)
"""How the figures are counted, said in every report (the module docstring of `domain.statistics` in full)."""


def report_data(report: Report) -> dict[str, Any]:
    """The figures themselves, JSON-ready (dates ISO, shares 0..1)."""
    figures = report.statistics
    board, meetings, team = figures.board, figures.meetings, figures.team
    return {
        "team_name": report.team,
        "from": figures.start.isoformat(),
        "to": figures.end.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "board": {
            "on_board_by_week": [{"week": week_name(m), "triage": c} for m, c in board.on_board_by_week],
            "mean_on_board": board.mean_on_board,
            "days_on_board": list(board.days_on_board),
            "days_on_board_median": board.days_on_board_median,
            "days_on_board_buckets": dict(board.days_on_board_buckets),
            "open_days_median": board.open_days_median,
            "episodes_started": board.episodes_started,
            "episodes_ended": board.episodes_ended,
            "reentries_90_days": board.reentries,
            "off_reasons": dict(board.off_reasons),
            "crises_by_week": {week_name(w.week): w.count for w in board.crises_by_week},
            "admissions_by_week": {week_name(w.week): w.count for w in board.admissions_by_week},
            "caseload": board.caseload or None,
            "caseload_share": board.caseload_share,
        },
        "meetings": {
            "per_week": {week_name(w.week): w.count for w in meetings.per_week},
            "meetings": meetings.meetings,
            "per_week_mean": meetings.per_week_mean,
            "with_four_disciplines_per_week": meetings.qualifying_per_week,
            "duration_median_minutes": meetings.duration_median,
            "budget_median_minutes": meetings.budget_median,
            "over_budget": meetings.over_budget,
            "disciplines_median": meetings.disciplines_median,
            "with_four_disciplines": meetings.with_four_disciplines,
            "discussed": meetings.discussed,
            "skipped": meetings.skipped,
            "not_reached": meetings.not_reached,
        },
        "team": {
            "counted": team.eligible,
            "seen_by_two": team.seen_by_two,
            "seen_by_four": team.seen_by_four,
            "share_two": team.share_two,
            "share_four": team.share_four,
            "contacts_by_organisation": dict(team.contacts_by_organisation),
        },
        "criteria": [
            {"key": c.key, "criterion": c.text, "source": c.source, "value": c.value, "met": c.met}
            for c in report.criteria
        ],
        "plans": plans_data(figures.plans),
    }
