"""One meeting per board, as two terminals see it: the app on one side, a second `Board` handle on the same
file on the other (what another terminal's app writes through the same core functions), on one hand-moved clock."""

from __future__ import annotations

from pathlib import Path

from helpers.board_app import run_meeting, start_meeting
from helpers.boards import HandClock
from helpers.bursts import ENTER, ESCAPE, TAB, Key, burst
from helpers.pilot import screen_text, until
from textual.pilot import Pilot

from factboard_tui.core.store.board import Board
from factboard_tui.core.store.meeting_claim import HEARTBEAT_SECONDS, STALE_SECONDS
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.attendance import AttendanceScreen
from factboard_tui.tui.dialogs.confirm import ChoiceDialog
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.screens.meeting_follow import FollowMeetingScreen


def test_m_while_another_terminal_runs_the_meeting_follows_it_or_takes_it_over(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, other: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        rows = app.screen.feed.rows  # type: ignore[attr-defined]
        claim = other.claim_meeting("KOO", "koo-app")  # KOO's terminal starts the meeting
        other.renew_meeting_claim("koo-app", rows[0].id)
        await burst(pilot, "m")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the question")
        assert f"A meeting is running since {claim.since()} (KOO)." in screen_text(app)
        await burst(pilot, TAB, ENTER)  # Cancel has the focus; Tab to "Follow it"
        await until(pilot, lambda: isinstance(app.screen, FollowMeetingScreen), "the follower's view")
        await until(pilot, lambda: rows[0].client_code in screen_text(app), "the chair's row")
        assert "Following the meeting KOO runs since" in screen_text(app)
        other.renew_meeting_claim("koo-app", rows[3].id)  # the chair moves on
        await until(pilot, lambda: rows[3].client_code in screen_text(app), "the chair's next row")
        await burst(pilot, ESCAPE)
        await until(pilot, lambda: isinstance(app.screen, BoardScreen), "back on the board")
        with other.engine.connect() as connection:  # what the follower saw is in the access log, as in a meeting
            seen = connection.exec_driver_sql("SELECT client, detail FROM audit_log WHERE action = 'view'").all()
        assert {(rows[0].client_code, "meeting follow"), (rows[3].client_code, "meeting follow")} <= set(seen)
        await burst(pilot, "m")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the question again")
        await burst(pilot, TAB, TAB, ENTER)  # "Take it over"
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff))
        await burst(pilot, Key("ctrl+s"))  # check in as is
        await until(pilot, lambda: getattr(other.running_meeting(), "chair", None) == "CSA", "the meeting taken over")
        assert isinstance(app.screen, MeetingScreen) and app.screen.running
        assert other.renew_meeting_claim("koo-app", rows[4].id) is None  # KOO's app learns it at its next beat

    run_meeting(tmp_path, scenario)


def test_the_chairs_meeting_is_claimed_renewed_and_released_and_a_second_start_is_refused(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, other: Board) -> None:
        screen = await start_meeting(pilot)
        await until(pilot, lambda: other.running_meeting() is not None, "the claim")
        claim = other.running_meeting()
        assert claim is not None and claim.chair == "CSA" and claim.current_row == screen.session.current  # type: ignore[union-attr]
        clock.advance(seconds=STALE_SECONDS + HEARTBEAT_SECONDS)  # long after the start: the heartbeat keeps it
        readings = clock.readings
        await until(
            pilot,
            lambda: clock.readings > readings + 2 and not other.running_meeting().stale(clock()),  # type: ignore[union-attr]
            "a heartbeat",
            seconds=3 * HEARTBEAT_SECONDS,
        )
        await burst(pilot, ESCAPE)
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "leave the meeting?")
        await burst(pilot, TAB, TAB, ENTER)  # discard it
        await until(pilot, lambda: other.running_meeting() is None, "the claim released")

    run_meeting(tmp_path, scenario)


def test_a_meeting_whose_app_died_is_offered_to_take_over(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, other: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        other.claim_meeting("KOO", "koo-app")
        clock.advance(seconds=STALE_SECONDS + 1)  # KOO's app gives no sign
        await burst(pilot, "m")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog), "the question")
        assert "has given no sign for a minute" in screen_text(app)
        await burst(pilot, TAB, ENTER)  # "Take it over"
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff))
        await burst(pilot, Key("ctrl+s"))  # check in as is
        await until(pilot, lambda: getattr(other.running_meeting(), "chair", None) == "CSA", "the meeting taken over")

    run_meeting(tmp_path, scenario)


def test_quitting_the_app_during_a_meeting_leaves_no_meeting_running(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, other: Board) -> None:
        await start_meeting(pilot)
        await until(pilot, lambda: other.running_meeting() is not None, "the claim")
        app.exit()  # what "Quit anyway" does

    checker = run_meeting(tmp_path, scenario)
    try:
        assert checker.running_meeting() is None  # the next m anywhere starts at once, no stale question
    finally:
        checker.close()
