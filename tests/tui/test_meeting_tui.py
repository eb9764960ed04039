"""Meeting mode as the chair uses it on the wall screen, and the lock that covers the whole app.

Pilot drives the real app on a real encrypted demo board. The board's clock is moved by hand, so the meeting clock,
the row timer, the pace and the idle lock are checked exactly; a second `Board` on the same file plays the other
terminals (checking what was written, or writing while the meeting runs).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from helpers.board_app import demo_copy, meeting_app, run_meeting, start_meeting, writes_done
from helpers.boards import MONDAY_MORNING, HandClock
from helpers.bursts import CLEAR, Key, burst
from helpers.pilot import screen_text, text_of, until
from textual.pilot import Pilot
from textual.widgets import Digits, Input, SelectionList, Static, TextArea

from factboard_tui.core.domain.meetings import DISCUSSED, NOT_REACHED, SKIPPED
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE
from factboard_tui.core.transfer.minutes import load_meeting, meeting_ids
from factboard_tui.settings import Settings
from factboard_tui.tui import app as tui_app
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.attendance import AttendanceScreen
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.lock import LockScreen
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.screens.meeting_summary import MeetingSummaryScreen
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.focus_card import FocusCard
from factboard_tui.tui.widgets.meeting_list import MeetingList

SIZES = [(200, 50), (120, 40)]


def list_lines(app: FactBoardApp) -> list[str]:
    return app.screen.query_one(MeetingList).lines


# -- starting --------------------------------------------------------------------------------------------------------


def test_m_starts_a_meeting_with_todays_agenda_in_triage_order(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        title = text_of(screen.query_one("#meeting-title", Static))
        assert "Måndag 2026-11-23" in title
        assert "08:15 Veckoplanering" in title and "08:50 Vecko-/dagsplanering" in title
        assert "Present 5: CSA DEN HMR KRO MDN (4 disciplines)" in title
        codes = [line.split()[1] for line in list_lines(app)[:3]]
        assert codes[:2] == ["NN-89", "RT-93"]  # the two crisis rows first
        assert "NN-89" in text_of(screen.query_one(FocusCard))
        assert screen.query_one("#meeting-clock", Digits).value == "00:00"

    run_meeting(tmp_path, scenario)


def test_fewer_than_four_disciplines_warns_at_check_in_and_in_the_header(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff))
        await pilot.press("down", "down", "space")  # the chair CSA (nurse) and DEN (nurse)
        warning = text_of(app.screen.query_one("#attendance-count", Static))
        assert warning == "⚠ Only 1 of 4 disciplines present (Sjuksköterska): FACT asks for at least four."
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.session is not None)
        await pilot.pause()
        assert "Only 1 of 4 disciplines present" in text_of(app.screen.query_one("#meeting-title", Static))

    run_meeting(tmp_path, scenario)


def test_open_meeting_starts_the_meeting_right_after_unlock(tmp_path: Path) -> None:
    clock = HandClock(MONDAY_MORNING)
    path, _key = demo_copy(tmp_path)

    async def main() -> None:
        app = FactBoardApp(path, user="CSA", passphrase=DEMO_PASSPHRASE, clock=clock, meeting=True)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: "Who is here?" in screen_text(app), "the check-in")
            await pilot.press("ctrl+s")  # done checking in: the meeting is under it, on its first row
            await until(pilot, lambda: "time on this row" in screen_text(app), "the meeting's first row")
            await pilot.press("ctrl+l", *DEMO_PASSPHRASE, "enter")  # locked and unlocked: still the meeting
            await until(pilot, lambda: "time on this row" in screen_text(app), "the meeting again")

    asyncio.run(main())


# -- the clock, the row timer and the pace ---------------------------------------------------------------------------


def test_meeting_clock_row_timer_and_pace_follow_the_boards_clock(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        clock.advance(minutes=20, seconds=5)
        await pilot.press("enter")  # first row discussed after 20:05
        clock.advance(seconds=50)
        screen.tick()
        await pilot.pause()
        assert screen.query_one("#meeting-clock", Digits).value == "20:55"
        assert screen.query_one("#row-timer", Digits).value == "00:50"
        clock_text = text_of(screen.query_one("#meeting-clock-text", Static))
        # Monday's slot in the template: 08:15-10:30, 135 minutes (reference 002), not a fixed 15.
        assert clock_text == "elapsed of 135 min 114:05 left row 00:50"
        title = text_of(screen.query_one("#meeting-title", Static))
        assert "1 of 10 rows, 114 min left: behind" in title  # 20:55 for one row projects 209 minutes
        assert screen.query_one("#meeting-header").has_class("-behind")
        for _ in range(7):
            await pilot.press("enter")
        screen.tick()
        await pilot.pause()
        assert "8 of 10 rows, 114 min left: ahead" in text_of(screen.query_one("#meeting-title", Static))
        assert screen.query_one("#meeting-header").has_class("-ahead")
        clock.advance(minutes=115)
        screen.tick()
        await pilot.pause()
        assert "8 of 10 rows, 0 min over: over time" in text_of(screen.query_one("#meeting-title", Static))
        assert "00:55 over" in text_of(screen.query_one("#meeting-clock-text", Static))

    run_meeting(tmp_path, scenario)


# -- the chair's keys ------------------------------------------------------------------------------------------------


def test_chair_keys_step_mark_skip_and_move_rows(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        session = screen.session
        assert session is not None
        first, second, third = session.order[:3]
        await pilot.press("space")  # next: nothing marked
        assert session.current == second and session.outcome(first) == NOT_REACHED
        await pilot.press("p")
        assert session.current == first
        await pilot.press("enter")  # discussed, on
        await pilot.press("s")  # second skipped
        assert session.outcome(first) == DISCUSSED and session.outcome(second) == SKIPPED
        assert session.current == third
        await pilot.press("K")  # third moves above the second
        assert session.order[:3] == [first, third, second]
        lines = list_lines(app)
        assert lines[0].startswith("✓ NN-89") and lines[1].startswith("▶") and lines[2].startswith("↷ RT-93")
        await pilot.press("J", "n")
        assert session.order[:3] == [first, second, third]
        assert session.current == session.order[3]

    run_meeting(tmp_path, scenario)


def test_triage_edited_from_the_focus_card_goes_through_the_write_path_and_shows_on_the_board(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(CellEditor).line.set_value("")
        await pilot.press(*"Inlagd", "enter")
        await until(pilot, lambda: board.row(row_id).triage == "admitted")
        change = board.history(row_id)[-1]
        assert (change.author, change.source, change.field, change.old, change.new) == (
            "CSA",
            "tui",
            "triage",
            "crisis",
            "admitted",
        )
        assert "Inlagd" in text_of(screen.query_one(FocusCard))
        feed = screen.feed
        await until(pilot, lambda: feed.row(row_id).triage == "admitted")

    run_meeting(tmp_path, scenario)


def test_a_bad_triage_is_refused_beside_the_field_and_nothing_is_written(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await start_meeting(pilot)
        version = board.data_version()
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(CellEditor).line.set_value("")
        await pilot.press(*"Hmm", "enter")
        await pilot.pause()
        assert "is not a triage level of this board" in text_of(app.screen.query_one("#cell-hint", Static))
        await pilot.press("escape")
        await writes_done(pilot)
        assert board.data_version() == version

    run_meeting(tmp_path, scenario)


def test_actions_and_visits_edited_in_the_meeting_are_written(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.focused, TextArea), "the actions' text area")
        await burst(pilot, Key("f7"), "Krisplan upprättas idag. DEN ringer.")  # select all, type over it
        await pilot.press("ctrl+s")
        await until(pilot, lambda: board.row(row_id).actions == "Krisplan upprättas idag. DEN ringer.")
        await pilot.press("v")
        await pilot.pause()
        friday = app.screen.query_one("#visit-2026-11-27", Input)
        while not friday.has_focus:  # Tab from day to day (bounded: the dialog has five days and its buttons)
            assert app.screen.focus_chain.index(app.focused) < len(app.screen.focus_chain) - 1  # type: ignore[arg-type]
            await pilot.press("tab")
        await burst(pilot, Key("end"), CLEAR, "KRO+CSA: hembesök", Key("ctrl+s"))
        await until(pilot, lambda: bool(board.week_visits().get(row_id, {})))
        visit = board.week_visits()[row_id][datetime(2026, 11, 27).date()]
        assert (visit.staff, visit.note) == ("KRO+CSA", "hembesök")
        await until(pilot, lambda: "KRO+CSA" in text_of(screen.query_one(FocusCard)))

    run_meeting(tmp_path, scenario)


def test_a_change_made_at_another_desk_shows_on_the_focus_card(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        board.set_field("MJR", row_id, "situation", "Har fått lägenhet via kommunen.")
        await until(pilot, lambda: "Har fått lägenhet" in text_of(screen.query_one(FocusCard)), seconds=3)

    run_meeting(tmp_path, scenario)


def test_a_long_board_lists_the_rows_around_the_current_one(tmp_path: Path) -> None:
    from factboard_tui.core.store.rows import RowWrite

    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        codes = [f"ZZ-{number}" for number in range(50)]
        board.write_rows("KOO", [RowWrite("add", values={"client_code": code, "triage": "Stabil"}) for code in codes])
        screen = await start_meeting(pilot)
        lines = list_lines(app)
        assert lines[0].startswith("▶ NN-89") and lines[-1].endswith("more") and "↓" in lines[-1]
        assert len(lines) <= screen.query_one(MeetingList).content_size.height
        for _ in range(30):
            await pilot.press("enter")
        lines = list_lines(app)
        current = next(index for index, line in enumerate(lines) if line.startswith("▶"))
        assert "↑" in lines[0] and "↓" in lines[-1]
        assert abs(current - len(lines) // 2) <= 2  # the current row stays in the middle of the list

    run_meeting(tmp_path, scenario, size=(120, 40))


# -- privacy ---------------------------------------------------------------------------------------------------------


def test_privacy_hides_free_text_in_the_list_but_not_on_the_focus_card(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        app.theme = "factboard-wall"
        screen = await start_meeting(pilot)
        assert screen.privacy  # on by default in the wall theme
        listed = " ".join(list_lines(app))
        assert "Bostadslös" not in listed and "Slutat ta medicin" not in listed
        assert "Bostadslös. Återkommande inläggningar." in text_of(screen.query_one(FocusCard))
        await pilot.press("h")
        assert not screen.privacy
        assert "Slutat ta medicin" in " ".join(list_lines(app))

    run_meeting(tmp_path, scenario)


def test_privacy_is_off_by_default_on_the_laptop_theme(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        assert app.theme == "factboard-laptop" and not screen.privacy
        assert "Slutat ta medicin" in " ".join(list_lines(app))

    run_meeting(tmp_path, scenario)


# -- the lock --------------------------------------------------------------------------------------------------------


def test_ctrl_l_locks_everything_until_the_passphrase_is_typed(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        assert "NN-89" in screen_text(app) and "Bostadslös" in screen_text(app)  # what the lock must cover
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        shown = screen_text(app)
        for code in ("NN-89", "RT-93", "DD-75"):
            assert code not in shown
        assert "Bostadslös" not in shown and "FACT Sjuhärad" not in shown
        await pilot.press("ctrl+p")  # nothing behind the lock: no palette either
        await pilot.pause()
        assert isinstance(app.screen, LockScreen)
        app.notify("NN-89 changed by someone")  # e.g. a write finishing in the background
        await pilot.pause()
        assert "NN-89" not in screen_text(app)
        await pilot.press(*"wrong passphrase", "enter")
        await until(pilot, lambda: "Wrong passphrase" in text_of(app.screen.query_one("#lock-error", Static)))
        assert isinstance(app.screen, LockScreen)
        await pilot.press(*DEMO_PASSPHRASE, "enter")
        await until(pilot, lambda: app.screen is screen)

    run_meeting(tmp_path, scenario)


def test_the_lock_screen_makes_repeated_wrong_passphrases_wait_like_the_unlock(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        await pilot.press("ctrl+l")
        await pilot.pause()
        error = app.screen.query_one("#lock-error", Static)
        for attempt in range(3):
            await pilot.press(*f"wrong passphrase {attempt}", "enter")
            await until(pilot, lambda: "Wrong passphrase" in text_of(error))
            error.update("")
        await pilot.press(*DEMO_PASSPHRASE, "enter")  # right, but too soon after three wrong ones
        await until(pilot, lambda: "Too many wrong passphrases" in text_of(error))
        assert isinstance(app.screen, LockScreen)
        clock.advance(seconds=6)  # the 5 s wait is over
        await pilot.press(*DEMO_PASSPHRASE, "enter")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))

    run_meeting(tmp_path, scenario)


def test_the_app_locks_itself_after_the_idle_minutes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))

        async def idle_checks(count: int) -> None:
            """Wait until the app's idle timer has read the clock `count` times more."""
            start = clock.readings
            await until(pilot, lambda: clock.readings >= start + count, "the idle timer asking the clock")

        assert "NN-89" in screen_text(app)
        clock.advance(minutes=2, seconds=59)
        await idle_checks(5)
        assert "NN-89" in screen_text(app)  # not yet
        await pilot.press("j")  # a key press starts the idle time again
        clock.advance(minutes=2, seconds=59)
        await idle_checks(5)
        assert "NN-89" in screen_text(app)
        clock.advance(seconds=1)  # three minutes since the last key: the next check locks
        await until(pilot, lambda: isinstance(app.screen, LockScreen), "the idle lock")
        assert "NN-89" not in screen_text(app)

    monkeypatch.setattr(tui_app, "TICK_SECONDS", 0.02)  # the idle timer asks often; the clock is by hand
    run_meeting(tmp_path, scenario, settings=Settings(idle_lock_minutes=3))


# -- the end ---------------------------------------------------------------------------------------------------------


def test_ending_the_meeting_stores_it_and_shows_the_summary(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        held = meeting_ids(board)  # the demo's past meetings
        screen = await start_meeting(pilot)
        clock.advance(minutes=1)
        await pilot.press("enter")
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(CellEditor).line.set_value("")
        await pilot.press(*"Stabil", "enter")
        clock.advance(minutes=2)
        await pilot.press("enter", "s")
        clock.advance(minutes=1, seconds=30)
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")  # "End meeting" has the focus
        await until(pilot, lambda: isinstance(app.screen, MeetingSummaryScreen))
        newest, *before = meeting_ids(board)
        assert before == held and newest > max(held, default=0)
        record = load_meeting(board, newest)
        assert record.duration == timedelta(minutes=4, seconds=30)
        assert record.codes(DISCUSSED) == ["NN-89", "RT-93"] and record.codes(SKIPPED) == ["EE-68"]
        assert [(c.client_code, c.line.old, c.line.new) for c in record.changes] == [("RT-93", "Kris", "Stabil")]
        assert [a.initials for a in record.attendees] == ["CSA", "DEN", "HMR", "KRO", "MDN"]
        assert screen.ended
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))

    run_meeting(tmp_path, scenario)


def test_quitting_during_a_meeting_asks_first(tmp_path: Path) -> None:
    from factboard_tui.tui.dialogs.confirm import ConfirmDialog

    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog) and "not stored yet" in app.screen.question
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and app.is_running

    run_meeting(tmp_path, scenario)


def test_help_lists_the_meeting_keys_with_their_ids(tmp_path: Path) -> None:
    from factboard_tui.tui.screens.help import HelpScreen

    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await start_meeting(pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {entry.binding_id for entry in app.screen.entries}
        assert {
            "meeting.next",
            "meeting.previous",
            "meeting.discussed",
            "meeting.skip",
            "meeting.move_up",
            "meeting.move_down",
            "meeting.triage",
            "meeting.actions",
            "meeting.visits",
            "meeting.privacy",
            "meeting.attendance",
            "meeting.end",
            "app.lock",
        } <= ids

    run_meeting(tmp_path, scenario)


def test_meeting_keys_are_remapped_from_the_config(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        first = screen.session.current if screen.session else None
        await pilot.press("x")
        assert screen.session is not None and screen.session.status.get(first or 0) == SKIPPED

    run_meeting(tmp_path, scenario, settings=Settings(keys={"meeting.skip": "x"}))


# -- snapshots -------------------------------------------------------------------------------------------------------


def snapshot_app(tmp_path: Path, theme: str | None = None) -> tuple[FactBoardApp, HandClock]:
    clock = HandClock(MONDAY_MORNING)
    return meeting_app(*demo_copy(tmp_path), clock, settings=Settings(theme=theme)), clock


async def running_meeting(pilot: Pilot[None], clock: HandClock) -> None:
    """A meeting four minutes in: two rows discussed, one skipped, on the fourth row for 40 seconds."""
    screen = await start_meeting(pilot)
    clock.advance(minutes=1, seconds=30)
    await pilot.press("enter")
    clock.advance(minutes=1, seconds=50)
    await pilot.press("enter", "s")
    clock.advance(seconds=40)
    screen.tick()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_meeting(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    app, clock = snapshot_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await running_meeting(pilot, clock)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_snapshot_meeting_privacy_on_the_wall(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, clock = snapshot_app(tmp_path, theme="factboard-wall")

    async def run_before(pilot: Pilot[None]) -> None:
        await running_meeting(pilot, clock)

    assert snap_compare(app, terminal_size=(200, 50), run_before=run_before)


def test_snapshot_check_in(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, _clock = snapshot_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff))
        await pilot.press(*["down"] * 5, "space", "down", "space")
        await pilot.pause()
        assert app.screen.query_one(SelectionList).selected == ["CSA", "KRO", "MDN"]

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_snapshot_visits_dialog(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, _clock = snapshot_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await start_meeting(pilot)
        await pilot.press("v")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


def test_snapshot_summary(snap_compare, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, clock = snapshot_app(tmp_path)

    async def run_before(pilot: Pilot[None]) -> None:
        await running_meeting(pilot, clock)
        await pilot.press("t")
        await pilot.pause()
        app.screen.query_one(CellEditor).line.set_value("")
        await pilot.press(*"obs", "enter")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, MeetingSummaryScreen))
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_lock_screen(snap_compare, tmp_path: Path, size) -> None:  # type: ignore[no-untyped-def]
    app, clock = snapshot_app(tmp_path, theme="factboard-wall")

    async def run_before(pilot: Pilot[None]) -> None:
        await running_meeting(pilot, clock)
        await pilot.press("ctrl+l")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
