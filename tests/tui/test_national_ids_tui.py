"""The TUI's ways in refuse a national identity number like the CLI does: beside the field, nothing written.

A nurse types fast; a personnummer pasted into a cell, the text area, the add form, the take-off reason, a visit
note, the meeting's actions or a colleague's name must be stopped where it was typed, with the line that says
why, and the board must be exactly as before. Each test drives the real app with Pilot on a real demo board.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from helpers.board_app import edit_cell, run_board, run_meeting, staff_loaded, start_meeting, writes_done
from helpers.boards import HandClock
from helpers.pilot import on_board, text_of, until
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.row_form import AddRowForm
from factboard_tui.tui.dialogs.staff_form import StaffForm
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.staff import StaffScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor

PNR = "19121212-1212"


def refused(text: str, label: str) -> bool:
    """The line says which field and why, and does not repeat the number."""
    return text.startswith(label) and "identity number" in text and "1212-1212" not in text


def test_cell_editor_text_area_and_visit_note_refuse_and_keep_the_editor_open(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        version = board.data_version()
        hint = app.screen.query_one("#cell-hint", Static)
        await edit_cell(pilot, grid, "DD-75", "safety", f"Pnr {PNR}")
        await pilot.press("enter")
        await until(pilot, lambda: "identity number" in text_of(hint))
        assert refused(text_of(hint), board.template.label("safety"))
        assert app.screen.query_one(CellEditor).display  # still open, to remove it
        await pilot.press("escape")
        await edit_cell(pilot, grid, "DD-75", "wed", f"DEN: ring {PNR}")
        await pilot.press("enter")
        await until(pilot, lambda: "identity number" in text_of(hint))
        assert refused(text_of(hint), "Visit note")
        await pilot.press("escape")
        row = board.open_row_by_code("AA-80")
        grid.move_cursor(row_key=str(row.id), column_key="situation")
        await pilot.press("f2")
        await pilot.pause()
        app.screen.query_one(TextArea).text = f"Ny adress.\nPnr {PNR}"
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#text-error", Static)
        await until(pilot, lambda: "identity number" in text_of(error))
        assert refused(text_of(error), board.template.label("situation"))
        await pilot.press("escape")
        await writes_done(pilot)
        assert board.data_version() == version

    run_board(tmp_path, scenario)


def test_the_add_form_and_the_take_off_reason_refuse_one(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        version = board.data_version()
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddRowForm)
        await pilot.press(*"QX-12")
        app.screen.query_one("#field-triage", Input).value = "obs"
        app.screen.query_one("#field-situation", Input).value = f"Remiss, pnr {PNR}"
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#error-situation", Static)
        await until(pilot, lambda: "identity number" in text_of(error))
        assert refused(text_of(error), board.template.label("situation"))
        assert isinstance(app.screen, AddRowForm)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen))
        grid.move_cursor(row_key=str(board.open_row_by_code("KL-71").id))
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"Flyttat, CPR 010180-1234", "enter")
        reason_error = app.screen.query_one("#reason-error", Static)
        await until(pilot, lambda: "identity number" in text_of(reason_error))
        assert text_of(reason_error).startswith(board.template.label("off_reason"))
        assert "0180-1234" not in text_of(reason_error)
        await pilot.press("escape")
        await writes_done(pilot)
        assert board.data_version() == version
        assert board.open_row_by_code("KL-71").date_off is None

    run_board(tmp_path, scenario)


def test_the_meetings_actions_editor_refuses_one(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        row_id = screen.session.current if screen.session else None
        assert row_id is not None
        before = board.row(row_id).actions
        version = board.data_version()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(TextArea).text = "Ring fnr 01010101006 om krisplan"
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#text-error", Static)
        await until(pilot, lambda: "identity number" in text_of(error), "the refusal under the text")
        assert text_of(error).startswith(board.template.label("actions")) and "01006" not in text_of(error)
        await pilot.press("escape")
        await writes_done(pilot)
        assert board.row(row_id).actions == before and board.data_version() == version

    run_meeting(tmp_path, scenario)


def test_the_staff_form_refuses_one_in_a_name(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    create_demo_board(path).close()
    board = Board.unlock(path, DEMO_PASSPHRASE)
    version = board.data_version()

    async def scenario() -> None:
        app = on_board(board, StaffScreen, "CSA")
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: staff_loaded(app), "the team list loading")
            await pilot.press("a", *"abc", "enter", *"Anna 111222333", "ctrl+s")
            error = app.screen.query_one("#staff-name-error", Static)
            await until(pilot, lambda: "identity number" in text_of(error), "the name error")
            assert text_of(error).startswith("Name") and "111222333" not in text_of(error)
            assert isinstance(app.screen, StaffForm)

    try:
        asyncio.run(scenario())
        assert board.data_version() == version
        assert "ABC" not in {member.initials for member in board.staff(include_inactive=True)}
    finally:
        board.close()
