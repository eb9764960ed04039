"""The export dialog as a coordinator uses it: `x` on the board (or the palette), choose, export, read where.

Runs the real app on a demo board made with a frozen clock (Monday 2026-11-23, week 2026-W48); the dialog is
snapshotted on its own host app at the wall-screen size (200x50) and the laptop size (120x40).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from helpers.bursts import run_command
from helpers.pilot import on_board, text_of, until
from helpers.places import DATA
from helpers.week import csv_rows
from openpyxl import load_workbook
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board
from factboard_tui.core.transfer.export import Format, Grouping
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.export import ExportScreen
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid

MONDAY_MORNING = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
MONDAY = date(2026, 11, 23)
SIZES = [(200, 50), (120, 40)]


@pytest.fixture
def demo(tmp_path: Path) -> Board:
    path = tmp_path / "demo.db"
    create_demo_board(path, clock=frozen_clock(MONDAY_MORNING)).close()
    return Board.unlock(path, DEMO_PASSPHRASE, clock=frozen_clock(MONDAY_MORNING))


async def board_shown(pilot: Pilot[None]) -> BoardScreen:
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, BoardScreen) and pilot.app.screen.query_one(BoardGrid).row_count > 0,
        "the board",
    )
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    return screen


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_export_dialog(snap_compare, demo: Board, size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        pilot.app.screen.query_one("#export-by", Select).value = Grouping.STAFF
        await pilot.pause()

    try:
        assert snap_compare(
            on_board(demo, lambda feed: ExportScreen(feed, MONDAY)), terminal_size=size, run_before=run_before
        )
    finally:
        demo.close()


def test_x_on_the_board_exports_the_week_and_says_where_and_not_encrypted(demo: Board, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = FactBoardApp(demo.path, board=demo, user="KOO", clock=demo.clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await board_shown(pilot)
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
            dialog = app.screen
            assert dialog.query_one("#export-week", Input).value == "2026-W48"
            assert dialog.query_one("#export-path", Input).value == "factboard-week-2026-W48.html"
            dialog.query_one("#export-format", Select).value = Format.XLSX
            await pilot.pause()
            assert dialog.query_one("#export-path", Input).value == "factboard-week-2026-W48.xlsx"  # follows the format
            target = tmp_path / "coordinator" / "week48.xlsx"
            target.parent.mkdir()
            dialog.query_one("#export-path", Input).value = str(target)
            await pilot.press("ctrl+s")
            result = dialog.query_one("#export-result", Static)
            await until(pilot, lambda: "NOT encrypted" in text_of(result), "the export")
            assert f"Wrote 20 visits in 6 groups (XLSX) to {target}" in text_of(result)
            workbook = load_workbook(target)
            assert workbook.sheetnames[0] == "Måndag 2026-11-23"
            dialog.query_one("#export-format", Select).value = Format.CSV  # a Swedish board: `;`, and it says so
            await pilot.pause()
            spreadsheet = target.with_suffix(".csv")
            dialog.query_one("#export-path", Input).value = str(spreadsheet)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: str(spreadsheet) in text_of(result), "the CSV export")
            assert f"Wrote 20 visits in 6 groups (CSV, separated by ';') to {spreadsheet}" in text_of(result)
            assert csv_rows(spreadsheet.read_bytes(), ";")[0][:3] == ["Group", "Date", "Day"]
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "back on the board")

    asyncio.run(scenario())


def test_the_palette_offers_the_board_export_in_the_boards_formats(demo: Board, tmp_path: Path) -> None:
    async def scenario() -> None:
        app = FactBoardApp(demo.path, board=demo, user="KOO", clock=demo.clock)
        async with app.run_test(size=(120, 40)) as pilot:
            screen = await board_shown(pilot)
            assert "export: week's actions" in [command.label for command in screen.palette_commands()]
            await run_command(pilot, "export: board")
            await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
            dialog = app.screen
            formats = dialog.query_one("#export-format", Select)
            assert [value for _label, value in formats._options if value != Select.BLANK] == [  # type: ignore[attr-defined]
                Format.HTML,
                Format.XLSX,
                Format.CSV,
            ]
            assert dialog.query_one("#export-by", Select).disabled
            target = tmp_path / "board.html"
            dialog.query_one("#export-path", Input).value = str(target)
            await pilot.click("#export-run")
            result = dialog.query_one("#export-result", Static)
            await until(pilot, lambda: "NOT encrypted" in text_of(result), "the export")
            assert "<h1>FACT Sjuhärad (demo) · board</h1>" in target.read_text(encoding="utf-8")

    asyncio.run(scenario())


def test_a_bad_week_or_folder_is_said_in_the_dialog_and_writes_nothing(demo: Board, tmp_path: Path) -> None:
    async def scenario() -> None:
        async with on_board(demo, lambda feed: ExportScreen(feed, MONDAY)).run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            dialog = pilot.app.screen
            result = dialog.query_one("#export-result", Static)
            dialog.query_one("#export-path", Input).value = str(tmp_path / "week.html")
            dialog.query_one("#export-week", Input).value = "2026-W99"
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "There is no week 2026-W99" in text_of(result), "the week refused")
            dialog.query_one("#export-week", Input).value = "2026-W48"
            dialog.query_one("#export-path", Input).value = str(tmp_path / "nowhere" / "week.html")
            await pilot.press("ctrl+s")
            await until(pilot, lambda: "does not exist" in text_of(result), "the folder error")
            assert not [path for path in tmp_path.rglob("*") if "week" in path.name or path.name == "nowhere"]
        demo.close()

    asyncio.run(scenario())


def test_an_imported_rows_history_says_from_which_file(demo: Board) -> None:
    from factboard_tui.core.transfer.importer import plan_import, run_import
    from factboard_tui.tui.dialogs.history import HistoryScreen

    data = DATA / "reference_board.csv"
    for row in demo.rows():  # the demo has its own NN-89 and DD-75: take them off first
        demo.take_off("KOO", row.id or 0, "test")
    row_id = run_import(demo, plan_import(demo, data), "KOO").row_ids[0]

    async def scenario() -> None:
        async with on_board(demo, lambda feed: HistoryScreen(feed, row_id)).run_test(size=(120, 40)) as pilot:
            detail = pilot.app.screen.query_one("#history-detail", Static)
            await until(pilot, lambda: "imported from" in text_of(detail), "the history")
            assert "added, imported from reference_board.csv" in text_of(detail)

    try:
        asyncio.run(scenario())
    finally:
        demo.close()


def test_an_export_holds_the_edit_saved_just_before_it_while_another_program_holds_the_write_lock(
    demo: Board, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every write of the TUI goes through one writer, in the order asked: an export asked for right after a cell is
    saved is written after that cell, so the file holds it, even when the cell's write has to wait for the write
    lock of another program (a colleague's terminal, a sync import)."""
    monkeypatch.chdir(tmp_path)  # the dialog's suggested file name is relative: the export lands here
    other = Board.unlock(demo.path, DEMO_PASSPHRASE, clock=demo.clock)
    row_id = other.open_row_by_code("GH-77").id

    async def scenario() -> None:
        app = FactBoardApp(demo.path, board=demo, user="KOO", clock=demo.clock)
        async with app.run_test(size=(200, 50)) as pilot:
            screen = await board_shown(pilot)
            screen.query_one(BoardGrid).move_cursor(row_key=str(row_id), column_key="wed")
            lock = other.engine.connect().execution_options(immediate=True)
            held = lock.begin()  # another program is writing: the cell's write waits for it
            try:
                await pilot.press("enter", *"KOO: Kriskontakt onsdag", "enter", "x")
                await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
                dialog = app.screen
                result = dialog.query_one("#export-result", Static)
                await pilot.press("ctrl+s")
                await until(pilot, lambda: "Exporting" in text_of(result), "the export under way")
            finally:
                held.rollback()
                lock.close()
            await until(pilot, lambda: "NOT encrypted" in text_of(result), "the export")
            assert "Wrote 21 visits" in text_of(result)  # the demo week has 20: the new one is counted
        exported = (tmp_path / "factboard-week-2026-W48.html").read_text(encoding="utf-8")
        assert "Kriskontakt onsdag" in exported
        visit = other.week_visits()[row_id][date(2026, 11, 25)]
        assert (visit.staff, visit.note) == ("KOO", "Kriskontakt onsdag")

    try:
        asyncio.run(scenario())
    finally:
        other.close()
