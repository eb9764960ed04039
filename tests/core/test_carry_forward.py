"""Carry-forward with answers worked out by hand: meetings stored on a real board (Friday 20, Monday 23 and Tuesday 24
November), each row's outcomes at the last two, which rows are carried, since when, and where they go in the next
meeting's order."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from helpers.boards import NOW, USER

from factboard_tui.core.domain.carry_forward import carried_flag, carried_rows
from factboard_tui.core.domain.meetings import DISCUSSED, SKIPPED, MeetingSession
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.minutes import save_meeting

FRIDAY = datetime(2026, 11, 20, 8, 15, tzinfo=UTC)
MONDAY = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
TUESDAY = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)


def _meeting(board: Board, at: datetime, outcomes: dict[str, str]) -> None:
    """A meeting at `at` over the board's rows now, with these outcomes by client code (the rest not reached)."""
    session = MeetingSession.start(board.rows(), board.template, at, USER)
    for row in board.rows():
        if row.client_code in outcomes:
            session.status[row.id or 0] = outcomes[row.client_code]
    save_meeting(board, session, at + timedelta(minutes=15))


def _carried(board: Board) -> dict[str, date]:
    last = board.template.plans.carry_forward
    found = carried_rows(board.rows(), board.meeting_outcomes(last), last)
    return {row.client_code: found[row.id] for row in board.rows() if row.id in found}


def test_rows_not_discussed_at_the_last_two_meetings_are_carried_since_their_last_discussion(board: Board) -> None:
    for code in ("AA-1", "BB-2", "CC-3"):
        board.add_row(USER, {"client_code": code, "triage": "obs", "date_on": "2026-11-02"})
    _meeting(board, FRIDAY, {"AA-1": DISCUSSED, "BB-2": DISCUSSED, "CC-3": DISCUSSED})
    assert _carried(board) == {}  # one meeting held: nobody was passed over twice yet
    _meeting(board, MONDAY, {"AA-1": DISCUSSED, "BB-2": SKIPPED})  # CC-3 not reached
    board.add_row(USER, {"client_code": "DD-4", "triage": "obs", "date_on": "2026-11-23"})
    _meeting(board, TUESDAY, {"CC-3": SKIPPED})  # AA-1, BB-2 and DD-4 not reached
    # AA-1 was discussed on Monday; DD-4 was listed at one meeting only; BB-2 and CC-3 at neither of the last two.
    assert _carried(board) == {"BB-2": date(2026, 11, 20), "CC-3": date(2026, 11, 20)}
    assert carried_flag(date(2026, 11, 20), "en").text == "not discussed since 20 Nov"
    assert carried_flag(date(2026, 11, 20), "sv").text == "not discussed since 20 nov."


def test_a_row_never_discussed_is_carried_since_it_came_on_the_board(board: Board) -> None:
    board.add_row(USER, {"client_code": "AA-1", "triage": "obs", "date_on": "2026-11-19"})
    _meeting(board, MONDAY, {})
    _meeting(board, TUESDAY, {})
    assert _carried(board) == {"AA-1": date(2026, 11, 19)}


def test_carried_rows_go_first_among_their_triage_level_in_the_next_meeting(board: Board) -> None:
    for code, triage in (("AA-1", "kris"), ("BB-2", "obs"), ("CC-3", "obs"), ("DD-4", "obs")):
        board.add_row(USER, {"client_code": code, "triage": triage, "date_on": "2026-11-02"})
    for at in (MONDAY, TUESDAY):
        _meeting(board, at, {"AA-1": DISCUSSED, "BB-2": DISCUSSED, "CC-3": DISCUSSED})  # DD-4 not reached, twice
    last = board.template.plans.carry_forward
    carried = carried_rows(board.rows(), board.meeting_outcomes(last), last)
    session = MeetingSession.start(board.rows(), board.template, NOW, USER, carried=carried)
    codes = {row.id: row.client_code for row in board.rows()}
    # The crisis row stays first (triage before carry-forward); DD-4 leads the obs rows, which are otherwise by date.
    assert [codes[row_id] for row_id in session.order] == ["AA-1", "DD-4", "BB-2", "CC-3"]
    plain = MeetingSession.start(board.rows(), board.template, NOW, USER)
    assert [codes[row_id] for row_id in plain.order] == ["AA-1", "BB-2", "CC-3", "DD-4"]
