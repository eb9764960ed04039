"""One meeting per board, in the core: two apps on one board file (two `Board` handles, as two terminals hold
it), the chair's claim that the other sees, the refusal, the take-over, the stale claim of an app that died, and
what the audit log says about each."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.board_app import demo_copy
from helpers.boards import MONDAY_MORNING, HandClock

from factboard_tui.core.security.audit_words import said
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.meeting_claim import STALE_SECONDS, MeetingRunning


def two_terminals(tmp_path: Path) -> tuple[Board, Board, HandClock]:
    clock = HandClock(MONDAY_MORNING)
    path, key = demo_copy(tmp_path)
    return Board.open_with_key(path, key, clock=clock), Board.open_with_key(path, key, clock=clock), clock


def audit_lines(board: Board) -> list[tuple[str, str, str]]:
    with board.engine.connect() as connection:
        found = connection.exec_driver_sql("SELECT who, action, detail FROM audit_log ORDER BY id").all()
    claims = ("meeting start", "meeting taken over", "meeting closed")  # not the demo's stored meetings ("meeting")
    return [(who, action, said(detail)) for who, action, detail in found if action in claims]


def test_a_running_meeting_is_seen_refused_and_taken_over_with_the_audit_log_saying_so(tmp_path: Path) -> None:
    chair, other, clock = two_terminals(tmp_path)
    try:
        assert other.running_meeting() is None
        chair.claim_meeting("KOO", "chair-app")
        clock.advance(minutes=3)
        assert chair.renew_meeting_claim("chair-app", current_row=7) is not None  # the chair on row 7
        seen = other.running_meeting()
        assert seen is not None and (seen.chair, seen.current_row, seen.started_at) == ("KOO", 7, MONDAY_MORNING)
        with pytest.raises(MeetingRunning) as refused:
            other.claim_meeting("CSA", "second-app")
        assert f"A meeting is running since {seen.since()} (KOO)" in str(refused.value)
        assert other.running_meeting() == seen  # the refusal changed nothing
        other.claim_meeting("CSA", "second-app", take_over=True)
        taken = chair.running_meeting()
        assert taken is not None and taken.chair == "CSA"
        assert chair.renew_meeting_claim("chair-app", current_row=8) is None  # the old chair learns it was taken
        assert other.running_meeting() == taken  # and its heartbeat wrote nothing
        chair.close_meeting_claim("chair-app")  # closing what is no longer its own leaves the new chair's
        assert other.running_meeting() == taken
        other.close_meeting_claim("second-app")
        assert chair.running_meeting() is None
        assert [(who, action) for who, action, _detail in audit_lines(chair)] == [
            ("KOO", "meeting start"),
            ("CSA", "meeting taken over"),
            ("?", "meeting closed"),
        ]
        assert audit_lines(chair)[1][2].startswith("from KOO, running since 2026-11-23T08:15:00")
    finally:
        chair.close()
        other.close()


def test_a_claim_whose_app_died_blocks_nothing(tmp_path: Path) -> None:
    chair, other, clock = two_terminals(tmp_path)
    try:
        chair.claim_meeting("KOO", "chair-app")
        clock.advance(seconds=STALE_SECONDS - 1)
        with pytest.raises(MeetingRunning):  # alive: still the chair's
            other.claim_meeting("CSA", "second-app")
        assert chair.renew_meeting_claim("chair-app", current_row=None) is not None
        clock.advance(seconds=STALE_SECONDS + 1)  # then the chair's app gives no sign (it died)
        claim = other.running_meeting()
        assert claim is not None and claim.stale(clock())
        other.claim_meeting("CSA", "second-app")  # no take-over needed
        assert audit_lines(other)[-1][:2] == ("CSA", "meeting taken over")
        assert audit_lines(other)[-1][2].endswith("(no longer answering)")
    finally:
        chair.close()
        other.close()
