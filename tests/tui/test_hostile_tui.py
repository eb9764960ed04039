"""The hostile corpus on every screen of the real app (Pilot): the board grid, the detail panel, the history, the
meeting's focus card and list, the check-in, the team list and the export dialog show each value literally, nothing
crashes, no value becomes a hyperlink (OSC 8) or a clickable action, and a value planted past the write path shows
its characters as visible stand-ins.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from data.hostile_values import STORED, by_name
from helpers.boards import PASSPHRASE, USER
from helpers.hostile import LEGACY, Placed, fill_board, plant_legacy
from helpers.pilot import until
from rich.console import Console, RenderableType
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, SelectionList, Static

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.characters import inert, inert_line
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.attendance import AttendanceScreen
from factboard_tui.tui.dialogs.export import ExportScreen
from factboard_tui.tui.dialogs.history import HistoryScreen
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.screens.staff import StaffScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.focus_card import FocusCard
from factboard_tui.tui.widgets.meeting_list import MeetingList
from factboard_tui.tui.widgets.row_detail import RowDetail

MONDAY_MORNING = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def plain(renderable: RenderableType | object) -> str:
    """What a renderable shows, wide enough that nothing wraps, white space collapsed."""
    console = Console(width=1000, record=True, file=io.StringIO())
    console.print(renderable)
    return " ".join(console.export_text().split())


def flat(value: str) -> str:
    """A value as a screen shows it, white space collapsed (the stand-ins of what a terminal would act on too)."""
    return " ".join(inert(value).split())


def assert_inert_segments(widget: Widget) -> None:
    """No segment the widget draws is a hyperlink or a click action, and none holds a character a terminal acts
    on: what would reach the terminal."""
    for strip in widget.render_lines(Region(0, 0, widget.size.width, widget.size.height)):
        for segment in strip:
            style = segment.style
            assert style is None or style.link is None, (widget, segment)
            assert style is None or "@click" not in style.meta, (widget, segment)
            assert inert_line(segment.text) == segment.text, (widget, segment)


Scenario = Callable[[FactBoardApp, Pilot[None], Board, list[Placed], dict[str, int]], Awaitable[None]]


def run(tmp_path: Path, scenario: Scenario, size: tuple[int, int] = (200, 50)) -> None:
    """The scenario on a board holding the whole corpus (and the planted legacy values), at the wall-screen size."""
    clock = frozen_clock(MONDAY_MORNING)
    path = tmp_path / "board.db"
    board, _key = Board.create(
        path, PASSPHRASE, template_id="sv", team="[/]Team[link=https://evil.example]", clock=clock
    )
    placed = fill_board(board)
    legacy = plant_legacy(board)

    async def main() -> None:
        app = FactBoardApp(path, board=board, user=USER, clock=clock)
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows), "rows")
            await scenario(app, pilot, board, placed, legacy)
            assert app.is_running and app.return_code is None

    asyncio.run(main())


def detail_shows(app: FactBoardApp, code: str) -> bool:
    return plain(app.screen.query_one(RowDetail).content).startswith(f"{code} ")


def test_grid_and_detail_panel_show_every_value_literally_row_by_row(tmp_path: Path) -> None:
    async def scenario(
        app: FactBoardApp, pilot: Pilot[None], board: Board, placed: list[Placed], legacy: dict[str, int]
    ) -> None:
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        grid = screen.query_one(BoardGrid)
        detail = screen.query_one(RowDetail)
        status = plain(screen.query_one("#status", Static).content)
        assert status.startswith("[/]Team[link=https://evil.example] ·")
        by_id = {place.row_id: place for place in placed}
        seen = 0
        for index in range(grid.row_count):
            row = screen.current_row()
            assert row is not None and row.id is not None
            await until(pilot, lambda row=row: detail_shows(app, row.client_code), f"detail of {row.client_code}")
            shown = plain(detail.content)
            line = grid.render_line(grid.cursor_coordinate[0] - grid.scroll_offset.y + grid.header_height).text
            if row.id in by_id:
                entry = by_id[row.id].entry
                for multiline in (True, False):  # situation and actions; safety, other providers and visit note
                    assert flat(entry.expected(multiline)) in shown, (entry.name, shown)
                short = inert_line(entry.expected(multiline=False))[:5]
                assert short in line, (entry.name, line)
                seen += 1
            else:  # a planted legacy value: its stand-ins, never the characters themselves
                value = next(value for name, value in LEGACY.items() if legacy[name] == row.id)
                assert flat(value) in shown, (value, shown)
                assert inert_line(value)[:5] in line, (value, line)
            assert_inert_segments(detail)
            assert_inert_segments(grid)
            if index + 1 < grid.row_count:
                await pilot.press("down")
        assert seen == len(STORED)

    run(tmp_path, scenario)


def test_a_value_written_like_a_click_action_runs_nothing_when_clicked(tmp_path: Path) -> None:
    """`[@click=app.quit]X[/]` is valid markup: shown as markup, the X would quit the app when clicked."""
    clock = frozen_clock(MONDAY_MORNING)
    path = tmp_path / "board.db"
    board, _key = Board.create(path, PASSPHRASE, template_id="sv", team="FACT Test", clock=clock)
    value = by_name("markup-click").value
    board.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": value, "safety": value})

    async def main() -> None:
        app = FactBoardApp(path, board=board, user=USER, clock=clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: detail_shows(app, "DD-75"), "the detail panel")
            detail = app.screen.query_one(RowDetail)
            clicks = 0
            for y, strip in enumerate(detail.render_lines(Region(0, 0, detail.size.width, detail.size.height))):
                x = 0
                for segment in strip:
                    if "X" in segment.text:  # the X, wherever the value's brackets went
                        await pilot.click(RowDetail, offset=(x + segment.text.index("X"), y))
                        clicks += 1
                    x += segment.cell_length
            assert clicks >= 2
            await pilot.pause()
            assert app.is_running and app.return_code is None
            assert isinstance(app.screen, BoardScreen)
            assert value in plain(detail.content)

    asyncio.run(main())


def test_history_shows_every_old_and_new_value_literally(tmp_path: Path) -> None:
    async def scenario(
        app: FactBoardApp, pilot: Pilot[None], board: Board, placed: list[Placed], legacy: dict[str, int]
    ) -> None:
        row_id = board.add_row(USER, {"client_code": "HX-1", "triage": "obs"})
        for place in placed:  # one row whose situation took every value in turn
            board.set_field(USER, row_id, "situation", place.entry.value)
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        await until(pilot, lambda: screen.feed.row(row_id) is not None, "HX-1 on the board")
        screen.query_one(BoardGrid).move_cursor(row_key=str(row_id))
        await pilot.press("H")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen) and bool(app.screen.lines), "history")
        history = app.screen
        assert isinstance(history, HistoryScreen)
        table = history.query_one("#history-table", DataTable)
        news = [line.new for line in history.lines if line.what == board.template.label("situation")]
        assert list(reversed(news)) == [place.entry.expected(multiline=True) for place in placed]
        detail = history.query_one("#history-detail", Static)
        for index, line in enumerate(history.lines):
            cells = [plain(cell) for cell in table.get_row_at(index)]
            assert flat(line.new)[:8].rstrip() in cells[4] or cells[4].endswith("…"), (line.new, cells)
            assert flat(line.new) in plain(detail.content), (line.new, plain(detail.content))
            assert flat(line.old) in plain(detail.content)
            assert_inert_segments(detail)
            assert_inert_segments(table)
            await pilot.press("down")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, BoardScreen), "back on the board")

    run(tmp_path, scenario)


def test_meeting_check_in_focus_card_and_list_show_every_value_literally(tmp_path: Path) -> None:
    async def scenario(
        app: FactBoardApp, pilot: Pilot[None], board: Board, placed: list[Placed], legacy: dict[str, int]
    ) -> None:
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff), "check-in")
        selections = app.screen.query_one(SelectionList)
        prompts = [plain(selections.get_option_at_index(i).prompt) for i in range(selections.option_count)]
        for place in placed:
            assert any(flat(place.entry.expected(multiline=False)) in prompt for prompt in prompts), place.entry.name
        assert_inert_segments(selections)
        await pilot.press("space", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.session is not None, "meeting")
        meeting = app.screen
        assert isinstance(meeting, MeetingScreen) and meeting.session is not None
        if meeting.privacy:  # the list shows free text only with privacy off
            await pilot.press("h")
        by_id = {place.row_id: place for place in placed}
        card = meeting.query_one(FocusCard)
        for _ in meeting.session.order:
            current = meeting.session.current
            shown = plain(card.content)
            if current in by_id:
                entry = by_id[current].entry
                assert flat(entry.expected(multiline=True)) in shown, (entry.name, shown)
                assert flat(entry.expected(multiline=False)) in shown, (entry.name, shown)  # the Monday note
                line = next(line for line in meeting.query_one(MeetingList).lines if by_id[current].code + " " in line)
                assert inert_line(entry.expected(multiline=False))[:4] in line, (entry.name, line)
            assert_inert_segments(card)
            assert_inert_segments(meeting.query_one(MeetingList))
            await pilot.press("n")

    run(tmp_path, scenario)


def test_team_list_shows_every_name_literally(tmp_path: Path) -> None:
    async def scenario(
        app: FactBoardApp, pilot: Pilot[None], board: Board, placed: list[Placed], legacy: dict[str, int]
    ) -> None:
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, StaffScreen) and bool(app.screen.members), "team list")
        table = app.screen.query_one("#staff-table", DataTable)
        names = {plain(table.get_row(place.initials)[0]): plain(table.get_row(place.initials)[1]) for place in placed}
        for place in placed:
            assert names[place.initials] == flat(place.entry.expected(multiline=False)), place.entry.name
        assert_inert_segments(table)

    run(tmp_path, scenario)


def test_export_dialog_says_where_a_file_named_like_markup_went(tmp_path: Path) -> None:
    target = tmp_path / "[b]x[link=mailto:evil@example]y[@click=app.quit]z[red.html"

    async def scenario(
        app: FactBoardApp, pilot: Pilot[None], board: Board, placed: list[Placed], legacy: dict[str, int]
    ) -> None:
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        path = app.screen.query_one("#export-path", Input)
        path.value = str(target)
        path.focus()
        await pilot.press("enter")
        result = app.screen.query_one("#export-result", Static)
        await until(pilot, lambda: "Wrote" in plain(result.content), "the export")
        assert str(target) in plain(result.content)
        assert target.is_file()
        assert_inert_segments(result)
        toasts = [notification.message for notification in app._notifications]  # what the toast says
        assert any(str(target) in message for message in toasts), toasts

    run(tmp_path, scenario)


def test_typing_markup_in_the_filter_and_pasting_escapes_in_the_editor_shows_them_literally(tmp_path: Path) -> None:
    async def scenario(
        app: FactBoardApp, pilot: Pilot[None], board: Board, placed: list[Placed], legacy: dict[str, int]
    ) -> None:
        screen = app.screen
        assert isinstance(screen, BoardScreen)
        await pilot.press("/", *"[/]")
        status = screen.query_one("#status", Static)
        await until(pilot, lambda: "filter [/]" in plain(status.content), "the filter in the status line")
        assert_inert_segments(status)
        await pilot.press("escape")
        grid = screen.query_one(BoardGrid)
        grid.move_cursor(row_key=str(placed[0].row_id), column_key="safety")
        await pilot.press("enter")
        editor = screen.query_one(CellEditor)
        await until(pilot, lambda: editor.is_open, "the cell editor")
        await pilot.press("ctrl+u")
        editor.insert("\x1b]0;PWNED\x07[/]\x9b2J")  # as a terminal's bracketed paste delivers it
        await pilot.pause()
        assert_inert_segments(editor)
        await pilot.press("enter")
        hint = editor.query_one("#cell-hint", Static)
        await until(pilot, lambda: "U+001B ESCAPE" in plain(hint.content), "the refusal under the cell")
        assert editor.is_open
        assert_inert_segments(hint)
        await pilot.press("escape")
        assert board.row(placed[0].row_id).safety == placed[0].entry.value

    run(tmp_path, scenario)
