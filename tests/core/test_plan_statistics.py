"""The plans and legal measures part of the fidelity report, checked against answers worked out by hand.

The history is tests/helpers/history.py (period 2-29 November 2026, ISO weeks 45-48); its plans and measures:

    row  on board        plans (recorded on)                                  legal measure (recorded on)
    A    20 Oct - 18 Nov crisis exists, no review (5 Nov)                     LPT 4 Nov - 2 Dec (4 Nov)
    B    3 - 10 Nov      -                                                    -
    C    24 Nov -        crisis exists, review 1 Feb; care missing (25 Nov)   LPT 24 - 28 Nov (24 Nov)
    D    1 Sep -         crisis exists, review 20 Nov (20 Oct);               ÖPT 15 Sep - 10 Dec (2 Nov)
                         coordinated being made (5 Nov);
                         crisis review moved to 30 May (30 Nov: after the period)
    E    16 - 27 Nov     signal exists, no review (17 Nov)                    -

On the period's last day (29 Nov) C and D are on the board. The Swedish template warns 14 days before an expiry.
"""

from __future__ import annotations

from datetime import date

import pytest
from helpers.history import PERIOD, seed_history

from factboard_tui.core.domain.plan_statistics import PlanKindFigures, RowPlans, plan_figures
from factboard_tui.core.domain.statistics import weeks_of
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.report import Report, build_report

W45, W46, W47, W48 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)


@pytest.fixture
def report(board: Board) -> Report:
    seed_history(board)
    return build_report(board, *PERIOD)


def test_plans_per_kind_on_the_periods_last_day(report: Report) -> None:
    plans = report.statistics.plans
    assert plans is not None and plans.clients == 2  # C and D
    kinds = {item.kind: item for item in plans.kinds}
    # Crisis: C exists (review 1 Feb: current); D exists with its review on 20 Nov, past by 29 Nov: due, not current
    # (its move to 30 May came after the period).
    assert kinds["crisis"] == PlanKindFigures("crisis", 2, 0, 0, 0, current=1, review_due=1)
    assert kinds["crisis"].share_current == 0.5
    # Signal: E's went off the board with E; C and D have none recorded.
    assert kinds["signal"] == PlanKindFigures("signal", 0, 0, 0, 2, current=0, review_due=0)
    # Coordinated: D's being made, C none recorded. Care: C's recorded missing, D none recorded.
    assert kinds["coordinated"] == PlanKindFigures("coordinated", 0, 1, 0, 1, current=0, review_due=0)
    assert kinds["care"] == PlanKindFigures("care", 0, 0, 1, 1, current=0, review_due=0)
    assert kinds["care"].share_current == 0.0
    assert [item.kind for item in plans.kinds] == ["crisis", "signal", "coordinated", "care"]


def test_legal_measures_in_force_expiring_expired_and_started(report: Report) -> None:
    plans = report.statistics.plans
    assert plans is not None and plans.warning_days == 14
    measures = {item.key: (item.in_force, item.expiring, item.expired, item.started) for item in plans.measures}
    # ÖPT: D's runs to 10 Dec, 11 days after 29 Nov: in force and expiring; it started 15 Sep, before the period.
    assert measures["opt"] == (1, 1, 0, 0)
    # LPT: C's expired 28 Nov and is still recorded; A's (4 Nov) and C's (24 Nov) started in the period.
    assert measures["lpt"] == (0, 0, 1, 2)
    # The template's other measures are listed with nothing, in its order.
    assert [item.key for item in plans.measures] == ["lpt", "opt", "lrv", "orv", "lvm"]
    assert measures["lrv"] == measures["orv"] == measures["lvm"] == (0, 0, 0, 0)


def test_share_with_a_current_plan_week_by_week(report: Report) -> None:
    plans = report.statistics.plans
    assert plans is not None
    weeks = {monday: shares for monday, shares in plans.current_by_week}
    assert list(weeks) == [W45, W46, W47, W48]
    # 8 Nov: A (crisis since 5 Nov), B (none), D (review 20 Nov not yet past): 2 of 3. 15 Nov: A and D, both current.
    # 22 Nov: D (review past), E (a signalling plan, no crisis plan): none. 29 Nov: C current, D not: 1 of 2.
    assert [weeks[w]["crisis"] for w in weeks] == [pytest.approx(2 / 3), 1.0, 0.0, 0.5]
    # E's signalling plan from 17 Nov: 1 of D and E on 22 Nov.
    assert [weeks[w]["signal"] for w in weeks] == [0.0, 0.0, 0.5, 0.0]
    assert [weeks[w]["coordinated"] for w in weeks] == [0.0, 0.0, 0.0, 0.0]  # D's is being made, not current


def test_a_later_change_does_not_rewrite_a_past_period(board: Board) -> None:
    """The figures of a period come from the history: D's crisis plan review moved on 30 Nov shows from 30 Nov."""
    seed_history(board)
    before = build_report(board, *PERIOD).statistics.plans
    after = build_report(board, PERIOD[0], date(2026, 11, 30)).statistics.plans
    assert before is not None and after is not None
    assert [(k.current, k.review_due) for k in before.kinds if k.kind == "crisis"] == [(1, 1)]
    assert [(k.current, k.review_due) for k in after.kinds if k.kind == "crisis"] == [(2, 0)]


def test_measures_not_begun_unknown_or_open_ended() -> None:
    """A measure starting after the day is not in force yet; a key the template does not know is still counted; a
    measure without an expiry is in force and never expiring."""
    settings = load_template("sv").plans
    start, end = date(2026, 11, 1), date(2026, 11, 30)
    since = date.min

    def row(row_id: int, **fields: object) -> RowPlans:
        return RowPlans(row_id, date(2026, 10, 1), None, {k: ((since, v),) for k, v in fields.items()})

    rows = [
        row(1, legal_measure="lpt", legal_measure_start=date(2026, 12, 5)),
        row(2, legal_measure="tbs", legal_measure_start=date(2026, 11, 10)),
        row(3, legal_measure="lvm", crisis_plan="exists"),
    ]
    figures = plan_figures(rows, settings, start, end, weeks_of(start, end))
    measures = {item.key: (item.in_force, item.expiring, item.expired, item.started) for item in figures.measures}
    assert measures["lpt"] == (0, 0, 0, 0)
    assert measures["tbs"] == (1, 0, 0, 1)  # listed after the template's own
    assert measures["lvm"] == (1, 0, 0, 0)
    assert [item.key for item in figures.measures][-1] == "tbs"
    assert figures.kinds[0].current == 1 and figures.kinds[0].share_current == pytest.approx(1 / 3)
