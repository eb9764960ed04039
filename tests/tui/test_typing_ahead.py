"""Keys typed faster than the screens open go where the person meant them, and pick-lists take what they show.

Each test types a whole burst with no pause (one driver read, as a fast typist or a password manager delivers it)
across a field, a dialog or a screen that is still opening, and checks what a person would notice: the board
opened, the value saved in the right cell, the form filled in the right fields. Before the app handed keys out in
order (`tui/typeahead.py`) each of these lost or misplaced keys.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from pathlib import Path

import pytest
from helpers.board_app import CHECK_IN, line_of, run_board, run_meeting, start_meeting, wait_for_rows
from helpers.boards import HandClock
from helpers.bursts import CLEAR, ENTER, TAB, Key, burst, deliver
from helpers.pilot import until
from textual import events
from textual.message_pump import MessagePump
from textual.pilot import Pilot
from textual.widgets import Static

from factboard_tui.core.domain.meetings import DISCUSSED
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.attendance import AttendanceScreen
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor, complete_from, complete_initials

FRIDAY = date(2026, 11, 27)


def unlock_in_one_burst(tmp_path: Path, *parts: str | Key) -> FactBoardApp:
    """Start the app on a demo board and type `parts` into the unlock screen in one burst, before it has even
    drawn; returns the app after the board showed (or fails naming what did not happen)."""
    from helpers import prepared
    from helpers.boards import MONDAY_MORNING

    from factboard_tui.core.clock import frozen_clock

    path = tmp_path / "demo.db"
    prepared.demo(path)
    app = FactBoardApp(path, clock=frozen_clock(MONDAY_MORNING))

    async def scenario() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            await burst(pilot, *parts)
            error = lambda: str(app.query_one("#unlock-error", Static).render()) if app.query("#unlock-error") else ""  # noqa: E731
            await until(
                pilot, lambda: isinstance(app.screen, BoardScreen), lambda: f"the board never showed: {error()}"
            )
            await wait_for_rows(pilot)
            assert "signed in: CSA" in str(app.screen.query_one("#status", Static).render())
            grid = app.screen.query_one(BoardGrid)
            assert grid.cursor_coordinate[0] == 1  # the `j` typed while it unlocked moved the board's cursor

    asyncio.run(scenario())
    return app


def test_a_password_manager_types_passphrase_tab_initials_enter_in_one_burst(tmp_path: Path) -> None:
    unlock_in_one_burst(tmp_path, DEMO_PASSPHRASE, TAB, "CSA", ENTER, "j")


def test_a_fast_typist_types_passphrase_enter_initials_enter_in_one_burst(tmp_path: Path) -> None:
    unlock_in_one_burst(tmp_path, DEMO_PASSPHRASE, ENTER, "CSA", ENTER, "j")


def test_a_then_the_code_at_once_fills_the_add_form_and_pick_lists_take_their_completion(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        # `a` opens the form, the code goes in its first field, Tab, `N` completes to the triage "Ny", Tab takes it;
        # Tab keeps today's date; `Sym` completes the category, Enter takes it and moves on; ctrl+s adds the row.
        await burst(pilot, "aQX-12", TAB, "N", TAB, TAB, "Sym", ENTER, Key("ctrl+s"))
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and grid.row_count == 11, "the row added")
        row = board.open_row_by_code("QX-12")
        assert (row.triage, row.category) == ("new", "symptom_increase")

    run_board(tmp_path, scenario)


def test_keys_typed_behind_the_add_forms_save_wait_for_the_board_it_returns_to(tmp_path: Path) -> None:
    """ctrl+s hands the row to the writer; the form stays open until the writer answers. Keys typed behind it (`m`
    for the meeting) must reach the board the answer returns to, however long the writer takes: here it is still
    busy with an earlier job (as with the day's backup) when the whole burst has arrived."""

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        writer_free = threading.Event()
        screen.feed.write(lambda _board: writer_free.wait(60))  # the one writer, busy until the test lets it go
        deliver(pilot, "aQX-12", TAB, "N", TAB, Key("ctrl+s"), "m")
        type_ahead = app.type_ahead
        # The burst has gone as far as it goes while the writer is busy: every key handed out, or the rest held.
        await until(pilot, lambda: not type_ahead.in_flight and (type_ahead.holds > 0 or not type_ahead.waiting))
        writer_free.set()
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen), lambda: f"the check-in; on {app.screen}")
        row = board.open_row_by_code("QX-12")
        assert (row.triage, row.date_on) == ("new", date(2026, 11, 23))  # `m` went nowhere near the form

    run_board(tmp_path, scenario)


async def open_editor_on(pilot: Pilot[None], grid: BoardGrid, code: str, column: str) -> CellEditor:
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    row = next(row for row in screen.feed.rows if row.client_code == code)
    grid.move_cursor(row_key=str(row.id), column_key=column)
    await pilot.pause()
    return screen.query_one(CellEditor)


def test_enter_takes_the_pick_lists_completion_and_typing_replaces_the_old_value(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        await open_editor_on(pilot, grid, "NN-89", "triage")  # Kris today
        await burst(pilot, ENTER, "i", ENTER)  # open (the old value selected), `i` replaces it, Enter takes Inlagd
        await until(pilot, lambda: board.open_row_by_code("NN-89").triage == "admitted", "Inlagd saved")
        await burst(pilot, ENTER, CLEAR, "k", ENTER)  # the keys: clear, `k`, Enter saves Kris
        await until(pilot, lambda: board.open_row_by_code("NN-89").triage == "crisis", "Kris saved")
        await open_editor_on(pilot, grid, "NN-89", "children")
        before = board.open_row_by_code("NN-89").children
        await burst(pilot, ENTER, "n" if before else "j", TAB)  # yes/no: Tab takes Nej (or Ja) and moves on
        await until(pilot, lambda: board.open_row_by_code("NN-89").children is (not before), "the yes/no saved")
        assert not app.screen.query_one(CellEditor).display
        assert "Kris" in line_of(grid, "NN-89")

    run_board(tmp_path, scenario)


def test_a_whole_pick_is_kept_not_completed_to_a_longer_one() -> None:
    """What Enter takes is what shows: `DE` typed whole stays `DE` even though `DEN` starts with it."""
    assert complete_from(["DE", "DEN"])("de") is None
    assert complete_from(["Kris", "Inlagd"])("k") == "Kris"
    assert complete_initials(["DE", "DEN", "MJR"])("MJR+de") is None
    assert complete_initials(["DE", "DEN", "MJR"])("DEN+m") == "DEN+MJR"


def test_tab_tab_tab_tab_and_a_visit_in_one_burst_land_on_friday(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        before = dict(board.week_visits().get(row_id, {}))
        # `v` opens the dialog on Monday; four Tabs to Friday; the visit; ctrl+s; all in one read.
        await burst(pilot, "v", TAB, TAB, TAB, TAB, CLEAR, "kro+csa: hembesök", Key("ctrl+s"))
        await until(pilot, lambda: FRIDAY in board.week_visits().get(row_id, {}), "Friday's visit saved")
        visits = board.week_visits()[row_id]
        assert (visits[FRIDAY].staff, visits[FRIDAY].note) == ("KRO+CSA", "hembesök")
        assert {day: visit for day, visit in visits.items() if day != FRIDAY} == {
            day: visit for day, visit in before.items() if day != FRIDAY
        }  # nothing on any other day

    run_meeting(tmp_path, scenario)


def test_check_in_typed_at_once_with_m_ticks_who_is_here_and_starts(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
        keys = [Key(name) if len(name) > 1 else name for name in CHECK_IN]
        await burst(pilot, "m", *keys, Key("ctrl+s"), ENTER)  # Enter: the first row discussed, at once
        await until(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.session is not None)
        screen = app.screen
        assert isinstance(screen, MeetingScreen) and screen.session is not None
        assert screen.attendees == ["CSA", "DEN", "HMR", "KRO", "MDN"]
        await until(pilot, lambda: DISCUSSED in screen.session.status.values() if screen.session else False)
        assert not any(isinstance(s, AttendanceScreen) for s in app.screen_stack)

    run_meeting(tmp_path, scenario)


def test_the_meetings_triage_takes_three_keys(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None and board.row(row_id).triage == "crisis"
        await burst(pilot, "t", "s", ENTER)  # t, a letter, Enter: Stabil
        await until(pilot, lambda: board.row(row_id).triage == "stable", "Stabil saved from the meeting")

    run_meeting(tmp_path, scenario)


def test_keys_typed_ahead_wait_for_the_widgets_with_work_left_not_every_widget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key typed ahead waits for the screen to settle before the next goes out. That wait used to post a
    callback to every node of the board (twelve to eighteen, in two rounds a key): a quarter of a page down's CPU,
    which put it over a frame at 2,000 and 20,000 rows (issue 15). A node waiting for its next message has nothing
    to finish, so now only the few with work left get one (four a key here, against 36); the keys still land, in
    order."""
    woken: list[MessagePump] = []
    original = MessagePump.on_callback

    async def counted(self: MessagePump, event: events.Callback) -> None:
        called = getattr(event.callback, "func", event.callback)  # `call_later` wraps it in a partial
        if getattr(called, "__name__", "") == "one_done":  # the type-ahead's wait, not anyone else's
            woken.append(self)
        await original(self, event)

    monkeypatch.setattr(MessagePump, "on_callback", counted)

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], checker: Board) -> None:
        await pilot.pause(0.3)
        nodes = 1 + len(list(app.screen.walk_children(with_self=True)))
        woken.clear()
        keys = 8
        await burst(pilot, *[Key("down")] * keys)
        await until(pilot, lambda: grid.cursor_coordinate[0] == keys, "the cursor eight rows down")
        await until(pilot, lambda: not app.type_ahead.busy, "the keys all handed out")
        assert nodes >= 10, f"the board has only {nodes} nodes: the count below proves nothing"
        assert len(woken) <= 6 * keys, f"{len(woken)} nodes woken to wait for {keys} keys ({nodes} on the screen)"

    run_board(tmp_path, scenario).close()  # type: ignore[arg-type]
