"""Plans and legal measures by keyboard on the real app: a status from the pick-list and a date typed the board's way,
saved through the write path; the flags column's letters, the panel's spelled-out flags and the legend, the focus
card's plans, and the meeting list's letters, all on the demo board (Monday 2026-11-23)."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from helpers.board_app import (
    CLOCK,
    demo_copy,
    edit_cell,
    line_of,
    meeting_app,
    run_board,
    run_meeting,
    start_meeting,
    wait_for_rows,
    writes_done,
)
from helpers.boards import MONDAY_MORNING, HandClock
from helpers.bursts import Key, burst
from helpers.pilot import text_of, until
from textual.pilot import Pilot
from textual.widgets import Static

from factboard_tui.core.domain.meetings import DISCUSSED, MeetingSession
from factboard_tui.core.locale_dates import day_month
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.minutes import save_meeting
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.focus_card import FocusCard
from factboard_tui.tui.widgets.meeting_list import MeetingList
from factboard_tui.tui.widgets.row_detail import RowDetail


def _flags_cell(grid: BoardGrid, code: str) -> str:
    """The flags column's text on `code`'s line (the column right after the triage)."""
    keys = [column.key for column in grid.columns]
    rows = [grid.row(index) for index in range(grid.row_count)]
    row = next(row for row in rows if code in [cell.text for cell in row.cells])
    return row.cells[keys.index("flags")].text


def test_a_plan_status_from_the_pick_list_and_its_review_date_typed_the_boards_way(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        assert _flags_cell(grid, "RT-93") == "KR"  # crisis plan past its review: not current, and review due
        await edit_cell(pilot, grid, "RT-93", "crisis_plan_review", "261215")
        await pilot.press("enter")
        await until(pilot, lambda: board.open_row_by_code("RT-93").crisis_plan_review == date(2026, 12, 15))
        await until(pilot, lambda: _flags_cell(grid, "RT-93") == "", "the flags gone with the new review date")
        await edit_cell(pilot, grid, "DD-75", "coordinated_plan", "p")
        line = app.screen.query_one(CellEditor).line
        await until(pilot, lambda: "påbörjad" in line.render_line(0).text, lambda: repr(line.render_line(0).text))
        await burst(pilot, Key("right"), Key("enter"))
        await until(pilot, lambda: board.open_row_by_code("DD-75").coordinated_plan == "in_progress")
        change = board.history(board.open_row_by_code("DD-75").id or 0)[-1]
        assert (change.field, change.new, change.source) == ("coordinated_plan", "in_progress", "tui")

    run_board(tmp_path, scenario).close()


def test_a_legal_measure_and_an_expiry_inside_the_warning_days_raise_the_flag(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        assert _flags_cell(grid, "DD-75") == ""
        await edit_cell(pilot, grid, "DD-75", "legal_measure", "öp")
        await burst(pilot, Key("right"), Key("enter"))
        await until(pilot, lambda: board.open_row_by_code("DD-75").legal_measure == "opt")
        await edit_cell(pilot, grid, "DD-75", "legal_measure_expiry", "261207")  # 14 days after Monday
        await pilot.press("enter")
        await until(pilot, lambda: _flags_cell(grid, "DD-75") == "L", "the expiring flag")
        assert "!261207" in line_of(grid, "DD-75")
        detail = app.screen.query_one(RowDetail)
        await until(pilot, lambda: "ÖPT expires 2026-12-07 (in 14 days)" in str(detail.border_subtitle))
        assert "L measure expiring" in str(detail.border_title)
        await edit_cell(pilot, grid, "DD-75", "legal_measure", "TUD")  # not a measure of a Swedish board
        await pilot.press("enter")
        await until(
            pilot, lambda: "is not a legal measure of this board" in str(app.screen.query_one("#cell-hint").render())
        )
        await pilot.press("escape")
        await writes_done(pilot)
        assert board.open_row_by_code("DD-75").legal_measure == "opt"

    run_board(tmp_path, scenario).close()


def test_a_second_measure_from_the_pick_list_is_flagged_on_its_own_expiry_and_listed_in_the_panel(
    tmp_path: Path,
) -> None:
    """EE-68 is under LPT to 9 Dec (16 days: no flag); LVM alongside, to 30 Nov, raises L on its own date cell."""

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        assert _flags_cell(grid, "EE-68") == ""
        await edit_cell(pilot, grid, "EE-68", "legal_measure_2", "lv")
        line = app.screen.query_one(CellEditor).line
        await until(pilot, lambda: "lvM" in line.render_line(0).text, lambda: repr(line.render_line(0).text))
        await burst(pilot, Key("right"), Key("enter"))
        await until(pilot, lambda: board.open_row_by_code("EE-68").legal_measure_2 == "lvm")
        await edit_cell(pilot, grid, "EE-68", "legal_measure_expiry_2", "261130")
        await pilot.press("enter")
        await until(pilot, lambda: _flags_cell(grid, "EE-68") == "L", "the expiring flag of measure 2")
        assert "!261130" in line_of(grid, "EE-68") and "!261209" not in line_of(grid, "EE-68")
        detail = app.screen.query_one(RowDetail)
        await until(pilot, lambda: "LVM expires 2026-11-30 (in 7 days)" in str(detail.border_subtitle))
        await until(pilot, lambda: "LPT 2026-11-11 – 2026-12-09; LVM … – 2026-11-30" in text_of(detail))

    run_board(tmp_path, scenario).close()


def test_the_flags_column_is_not_edited_but_says_what_to_edit(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], board: Board) -> None:
        row = board.open_row_by_code("NN-89")
        grid.move_cursor(row_key=str(row.id), column_key="flags")
        await pilot.press("enter")
        await until(pilot, lambda: any("edit those instead" in str(n.message) for n in app._notifications))
        assert not app.screen.query_one(CellEditor).display

    run_board(tmp_path, scenario).close()


def test_the_meeting_shows_the_flags_letters_and_the_focus_card_spells_out_plans_and_measure(tmp_path: Path) -> None:
    async def scenario(app: FactBoardApp, pilot: Pilot[None], clock: HandClock, board: Board) -> None:
        screen = await start_meeting(pilot)
        lines = screen.query_one(MeetingList).lines
        marks = {line.split()[1]: line.partition("⚑")[2].split(" ")[0] for line in lines if "⚑" in line}
        assert marks["NN-89"].startswith("KL") and marks["RT-93"].startswith("KR") and "X" in marks["KL-71"]
        assert "EE-68" not in marks or not set(marks["EE-68"]) & set("KRLXC")  # LPT expires in 16 days: no flag
        card = text_of(screen.query_one(FocusCard))
        assert "NN-89" in card
        assert "Kris: no current Krisplan" in card and "LPT expires 2026-12-02 (in 9 days)" in card
        assert "SIP Påbörjad" in card and "LPT 2026-10-24 – 2026-12-02" in card
        legend = text_of(screen.query_one("#list-legend", Static))
        assert "K no current crisis plan R review due L measure expiring X expired C carried forward" in legend

    run_meeting(tmp_path, scenario).close()


def test_a_row_passed_over_at_the_last_two_meetings_is_flagged_and_leads_its_triage_in_the_next(
    tmp_path: Path,
) -> None:
    path, key = demo_copy(tmp_path)
    with Board.open_with_key(path, key, clock=CLOCK) as before:
        # After the demo's own history of meetings (up to the day before), two more this Monday morning.
        for at in (datetime(2026, 11, 23, 6, 0, tzinfo=UTC), datetime(2026, 11, 23, 7, 0, tzinfo=UTC)):
            session = MeetingSession.start(before.rows(), before.template, at, "CSA")
            for row in before.rows():
                if row.client_code != "PL-85":  # an obs row the meetings never reached
                    session.status[row.id or 0] = DISCUSSED
            save_meeting(before, session, at + timedelta(minutes=20))

    async def scenario() -> None:
        app = meeting_app(path, key, HandClock(MONDAY_MORNING))
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            grid = app.screen.query_one(BoardGrid)
            await until(pilot, lambda: _flags_cell(grid, "PL-85") == "C", "the carried row's flag")
            assert _flags_cell(grid, "DD-75") == ""
            carried = next(row for row in app.screen.feed.rows if row.client_code == "PL-85")
            grid.move_cursor(row_key=str(carried.id))
            detail = app.screen.query_one(RowDetail)
            since = app.screen.feed.carried[carried.id or 0]
            assert since <= date(2026, 11, 22)  # discussed in the demo's past, or never since it came on the board
            said = f"not discussed since {day_month(since, 'en')}"
            await until(pilot, lambda: said in str(detail.border_subtitle), "the panel's flag")
            meeting = await start_meeting(pilot)
            codes = [line.split()[1] for line in meeting.query_one(MeetingList).lines if "·" in line[:2]]
            obs = [code for code in codes if code in ("DD-75", "PL-85")]
            assert obs == ["PL-85", "DD-75"]  # DD-75 came on the board first; the carried row goes ahead of it

    asyncio.run(scenario())
