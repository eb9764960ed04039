"""The first morning's surprises, each as a nurse or the chair meets it: initials nobody has, placeholders that
read as data, a meeting that cannot be left, counts that disagree (issue 16).

Pilot drives the real app on a real encrypted demo board; a second `Board` on the same file checks what was
written.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from helpers.board_app import line_of, run_board, run_meeting, start_meeting, writes_done
from helpers.boards import HandClock
from helpers.bursts import ENTER, TAB, Key, burst
from helpers.pilot import text_of, until
from textual.pilot import Pilot
from textual.widgets import Input, Static

from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.visits import VisitsDialog
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor

WEDNESDAY = date(2026, 11, 25)
FRIDAY = date(2026, 11, 27)


def hint(app: FactBoardApp) -> str:
    return text_of(app.screen.query_one("#cell-hint", Static))


async def edit(pilot: Pilot[None], grid: BoardGrid, code: str, column: str) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    row = next(row for row in screen.feed.rows if row.client_code == code)
    grid.move_cursor(row_key=str(row.id), column_key=column)
    await pilot.pause()


def test_a_typo_in_a_weekday_cell_is_warned_with_the_closest_staff_and_fixed_with_ctrl_f(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row_id = board.open_row_by_code("GH-77").id or 0
        await edit(pilot, grid, "GH-77", "wed")
        await burst(pilot, ENTER, "dne: hembesök", ENTER)
        await writes_done(pilot)
        assert WEDNESDAY not in board.week_visits().get(row_id, {})  # nothing saved yet
        assert app.screen.query_one(CellEditor).display
        assert "DNE (did you mean DEN?)" in hint(app)
        await burst(pilot, Key("ctrl+f"), ENTER)  # take DEN, save
        await until(pilot, lambda: WEDNESDAY in board.week_visits().get(row_id, {}), "the visit saved")
        visit = board.week_visits()[row_id][WEDNESDAY]
        assert (visit.staff, visit.note) == ("DEN", "hembesök")

    run_board(tmp_path, scenario)


def test_initials_nobody_has_are_saved_only_when_saved_again(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row_id = board.open_row_by_code("GH-77").id or 0
        await edit(pilot, grid, "GH-77", "wed")
        await burst(pilot, ENTER, "XYZ", ENTER)
        await writes_done(pilot)
        assert "Not on the team list: XYZ." in hint(app)
        assert WEDNESDAY not in board.week_visits().get(row_id, {})
        await burst(pilot, ENTER)  # the same again: a locum, say; kept as typed
        await until(pilot, lambda: WEDNESDAY in board.week_visits().get(row_id, {}), "the visit saved")
        assert board.week_visits()[row_id][WEDNESDAY].staff == "XYZ"
        assert "XYZ" in line_of(grid, "GH-77")

    run_board(tmp_path, scenario)


def test_the_visits_dialog_warns_of_a_typo_and_shows_empty_days_empty(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        await burst(pilot, "v")
        dialog = app.screen
        assert isinstance(dialog, VisitsDialog)
        empty = [field for field in dialog.query(Input) if not field.value]
        assert empty and all(not field.placeholder for field in empty)  # no grey sample initials in empty days
        await burst(pilot, TAB, TAB, TAB, TAB, Key("ctrl+u"), "kor+csa: hembesök", Key("ctrl+s"))
        assert app.screen is dialog  # not closed: warned
        assert "KOR (did you mean KRO?)" in text_of(dialog.query_one("#visits-error", Static))
        await burst(pilot, Key("ctrl+f"), Key("ctrl+s"))
        await until(pilot, lambda: FRIDAY in board.week_visits().get(row_id, {}), "Friday's visit saved")
        assert board.week_visits()[row_id][FRIDAY].staff == "KRO+CSA"

    run_meeting(tmp_path, scenario)


def test_copying_last_weeks_visits_is_one_u_away_from_undone(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        next_monday = date(2026, 11, 30)
        week = (next_monday, next_monday + timedelta(days=7))
        await burst(pilot, "]", "c")  # next week, copy this week's visits into it
        await burst(pilot, ENTER)  # confirm
        await until(pilot, lambda: len(board.visits(*week)) > 3, "the week copied")
        copied = sum(len(days) for days in board.visits(*week).values())
        await burst(pilot, "u")
        await until(pilot, lambda: board.visits(*week) == {}, f"all {copied} copied visits undone by one u")
        toasts = lambda: " ".join(str(toast.message) for toast in app._notifications)  # noqa: E731
        await until(pilot, lambda: "Undone in one step" in toasts(), lambda: f"the undo said, not {toasts()!r}")

    run_board(tmp_path, scenario)
