"""The fidelity report's figures, each checked against an answer worked out by hand from a known history.

The history (tests/helpers/history.py) in short, for the period 2-29 November 2026 (28 days, ISO weeks 45-48):

    row  client  on     off    triage                                   visits in the period (staff)
    A    AA-01   20 Oct 18 Nov new; crisis from 4 Nov; stable from 11 Nov 3 Nov KOO+CSA, 5 Nov HMR, 10 Nov MDN
    B    BB-02   3 Nov  10 Nov admitted                                  4 Nov HMR+DEN
    C    BB-02   24 Nov -      crisis                                    -
    D    DD-04   1 Sep  -      watch                                     2 Nov CSA, 20 Nov CSA, 25 Nov DEN
    E    EE-05   16 Nov 27 Nov stable                                    17 Nov XYZ (not in the team list)

Staff: KOO coordinator, CSA nurse, HMR doctor (region); MDN psychologist, DEN nurse (municipality).
Meetings (budget 15 min each): 2 Nov (10 min; KOO CSA HMR MDN), 4 Nov (20; same), 6 Nov (15; CSA DEN),
9 Nov (12; KOO CSA HMR MDN), 24 Nov (18; all five), 26 Nov (14; KOO CSA HMR).
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.boards import NOW
from helpers.history import PERIOD, seed_history

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.statistics import WeekCount
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.report import Report, build_report

W45, W46, W47, W48 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16), date(2026, 11, 23)


@pytest.fixture
def report(board: Board) -> Report:
    seed_history(board)
    return build_report(board, *PERIOD, caseload=20)


def test_rows_on_the_board_over_time_by_triage(report: Report) -> None:
    board = report.statistics.board
    # Counted on each week's Sunday: 8 Nov A (crisis since 4 Nov), B, D; 15 Nov A (stable since 11 Nov), D (B went
    # off 10 Nov); 22 Nov D, E (A went off 18 Nov); 29 Nov C, D (E went off 27 Nov).
    assert board.on_board_by_week == (
        (W45, {"crisis": 1, "admitted": 1, "watch": 1}),
        (W46, {"stable": 1, "watch": 1}),
        (W47, {"watch": 1, "stable": 1}),
        (W48, {"crisis": 1, "watch": 1}),
    )
    # Days on the board within the period: A 2-17 Nov 16, B 3-9 Nov 7, C 24-29 Nov 6, D 28, E 16-26 Nov 11 = 68.
    assert board.mean_on_board == pytest.approx(68 / 28)


def test_days_on_board_median_and_distribution(report: Report) -> None:
    board = report.statistics.board
    # Periods that ended in the period: A 20 Oct-18 Nov 29 days, B 3-10 Nov 7, E 16-27 Nov 11.
    assert board.days_on_board == (7, 11, 29)
    assert board.days_on_board_median == 11
    buckets = (("0–7", 1), ("8–14", 1), ("15–30", 1), ("31–60", 0), ("61–90", 0), ("91+", 0))
    assert board.days_on_board_buckets == buckets
    # Still on at 29 Nov: C 5 days, D 89 days (1 Sep-29 Nov): median 47.
    assert board.open_days_median == 47


def test_episodes_and_reentries_within_90_days(report: Report) -> None:
    board = report.statistics.board
    assert (board.episodes_started, board.episodes_ended) == (3, 3)  # B, E, C started; A, B, E ended
    assert board.reentries == 1  # C: BB-02 back 14 days after B went off


def test_reasons_for_going_off_group_spelling(report: Report) -> None:
    # "Flyttat" (B) and "FLYTTAT" (E) are one reason, written as it was first written.
    assert report.statistics.board.off_reasons == (("Flyttat", 2), ("Stabil", 1))


def test_crises_and_admissions_over_time(report: Report) -> None:
    board = report.statistics.board
    # A turned crisis on 4 Nov (week 45), C came on in crisis 24 Nov (week 48); B came on admitted 3 Nov.
    assert board.crises_by_week == (WeekCount(W45, 1), WeekCount(W46, 0), WeekCount(W47, 0), WeekCount(W48, 1))
    assert board.admissions_by_week == (WeekCount(W45, 1), WeekCount(W46, 0), WeekCount(W47, 0), WeekCount(W48, 0))
    assert (board.crises, board.admissions) == (2, 1)


def test_share_of_the_caseload(report: Report, board: Board) -> None:
    assert report.statistics.board.caseload_share == pytest.approx(68 / 28 / 20)  # 12 %
    unset = build_report(board, *PERIOD)  # the template's caseload_size is 0: not set
    assert unset.statistics.board.caseload_share is None
    assert [c.met for c in unset.criteria if c.key == "caseload_share"] == [None]


def test_meetings_per_week_duration_and_disciplines(report: Report) -> None:
    meetings = report.statistics.meetings
    assert meetings.per_week == (WeekCount(W45, 3), WeekCount(W46, 1), WeekCount(W47, 0), WeekCount(W48, 2))
    assert meetings.meetings == 6 and meetings.per_week_mean == pytest.approx(1.5)
    # Durations 10, 20, 15, 12, 18, 14: median (14 + 15) / 2; over the 15-minute budget: 20 and 18.
    assert (meetings.duration_median, meetings.budget_median, meetings.over_budget) == (14.5, 15, 2)
    # Disciplines 4, 4, 1 (two nurses), 4, 4 (DEN is a second nurse), 3: median 4; four or more at 4 meetings.
    assert (meetings.disciplines_median, meetings.with_four_disciplines) == (4, 4)
    assert meetings.qualifying_per_week == pytest.approx(1.0)


def test_meetings_a_week_count_from_the_first_meeting_recorded(board: Board) -> None:
    seed_history(board)
    # Four weeks earlier the board held no meeting yet: the six meetings still make 1.5 a week, not 0.75.
    longer = build_report(board, date(2026, 10, 5), PERIOD[1]).statistics.meetings
    assert (longer.meetings, longer.weeks, longer.per_week_mean) == (6, 4.0, 1.5)
    assert longer.per_week[:4] == tuple(WeekCount(date(2026, 10, 5 + 7 * i), 0) for i in range(4))


def test_rows_discussed_skipped_and_not_reached(report: Report) -> None:
    meetings = report.statistics.meetings
    # 2 Nov A D discussed; 4 Nov A B discussed, D skipped; 6 Nov A discussed, B D not reached; 9 Nov A B D
    # discussed; 24 Nov C D E discussed; 26 Nov C discussed, D skipped, E not reached.
    assert (meetings.discussed, meetings.skipped, meetings.not_reached) == (12, 2, 3)
    assert meetings.reviewed_share == pytest.approx(12 / 17)


def test_team_approach_seen_by_two_and_four_within_14_days(report: Report) -> None:
    team = report.statistics.team
    # On the board 14 days or more of the period: A (16) and D (28). A saw KOO, CSA, HMR, MDN within 3-10 Nov (4);
    # D saw CSA 20 Nov and DEN 25 Nov (2); DEN's visit to A on 27 Oct is before the period.
    assert (team.eligible, team.seen_by_two, team.seen_by_four) == (2, 2, 1)
    assert (team.share_two, team.share_four) == (1.0, 0.5)
    # Contacts: region KOO CSA HMR (A), CSA CSA (D), HMR (B) = 6; municipality MDN (A), DEN (D), DEN (B) = 3; XYZ 1.
    assert team.contacts_by_organisation == (("region", 6), ("municipality", 3), ("", 1))


def test_each_criterion_with_its_source_met_or_not(report: Report) -> None:
    found = {c.key: (c.value, c.met) for c in report.criteria}
    assert found["meetings"] == (pytest.approx(1.0), False)  # 4 meetings with four disciplines in 4 weeks
    assert found["seen_by_four"] == (0.5, True)
    assert found["seen_by_two"] == (1.0, True)
    assert found["reviewed"] == (pytest.approx(12 / 17), False)
    assert found["caseload_share"] == (pytest.approx(68 / 28 / 20), True)
    sources = {c.key: c.source for c in report.criteria}
    assert "DACTS" in sources["seen_by_two"] and "H2" in sources["seen_by_two"]
    assert "H3" in sources["reviewed"] and "FACT-LVB" in sources["meetings"]
    assert "FACTs 2017" in sources["seen_by_four"]


def test_a_period_with_nothing_in_it_assesses_nothing(board: Board) -> None:
    seed_history(board)
    empty = build_report(board, date(2025, 1, 1), date(2025, 1, 31))
    assert [c.met for c in empty.criteria] == [None, None, None, None, None]
    assert empty.statistics.meetings.meetings == 0 and empty.statistics.team.eligible == 0


def test_the_demo_has_every_figure(tmp_path: Path) -> None:
    """`factboard demo`'s quarter of history gives every figure of the report something to count."""
    from factboard_tui.core.transfer.demo import create_demo_board

    demo = create_demo_board(tmp_path / "demo.db", clock=frozen_clock(NOW))
    try:
        figures = build_report(demo, NOW.date() - timedelta(days=90), NOW.date()).statistics
    finally:
        demo.close()
    board, meetings, team = figures.board, figures.meetings, figures.team
    assert all(len(counts) >= 3 for _week, counts in board.on_board_by_week[1:])  # triage levels week by week
    assert board.days_on_board_median and board.episodes_ended >= 10 and board.reentries >= 1
    assert len(board.off_reasons) >= 3 and board.crises >= 1 and board.admissions >= 1
    assert board.caseload_share is not None and 0.05 < board.caseload_share < 0.3
    assert meetings.per_week_mean >= 3 and meetings.duration_median and meetings.with_four_disciplines >= 10
    assert meetings.discussed and meetings.skipped and meetings.not_reached
    assert team.eligible >= 10 and team.seen_by_two and team.seen_by_four
    assert {key for key, _count in team.contacts_by_organisation} == {"region", "municipality"}
    plans = figures.plans
    assert plans is not None and plans.clients >= 10
    assert sum(k.exists for k in plans.kinds) and sum(k.review_due for k in plans.kinds)
    assert sum(m.expiring for m in plans.measures) and sum(m.expired for m in plans.measures)


@pytest.mark.parametrize("value", ["-1", "100001", '"ninety"', "true"])
def test_a_caseload_size_that_is_no_count_is_refused(tmp_path: Path, value: str) -> None:
    from factboard_tui.core.domain.templates import load_template
    from factboard_tui.core.errors import TemplateError
    from factboard_tui.core.paths import templates_dir

    text = (templates_dir() / "sv.toml").read_text(encoding="utf-8")
    (tmp_path / "sv.toml").write_text(text.replace("caseload_size = 0", f"caseload_size = {value}"), encoding="utf-8")
    with pytest.raises(TemplateError, match="caseload_size"):
        load_template("sv", directory=tmp_path)


def test_an_older_template_copy_has_no_caseload_size_set() -> None:
    import json

    from factboard_tui.core.domain.templates import BoardTemplate, load_template

    copy = json.loads(load_template("sv").to_json())
    del copy["caseload_size"]
    assert BoardTemplate.from_json(json.dumps(copy)).caseload_size == 0
