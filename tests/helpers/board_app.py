"""The real app on a demo board, for the Pilot tests: wait for the rows, edit a cell by keys, start a meeting, and run
a whole scenario with a second, independent `Board` on the same file to check what was written.

The demo board is a copy of one made once per process (tests/helpers/prepared.py) at Monday 2026-11-23 08:15; the
app gets it opened with its raw key (Argon2id is what the unlock tests test, not these).
"""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Awaitable, Callable
from pathlib import Path

from helpers import prepared
from helpers.boards import MONDAY_MORNING, HandClock
from helpers.bursts import CLEAR, Key, burst
from helpers.pilot import until
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from factboard_tui.core.clock import Clock, frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.attendance import AttendanceScreen
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.screens.meeting import MeetingScreen
from factboard_tui.tui.screens.staff import StaffScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.row_detail import RowDetail

CLOCK = frozen_clock(MONDAY_MORNING)
"""The demo boards' frozen morning."""

CHECK_IN = ("down", "down", "space", "down", "space", "down", "down", "space", "down", "space")
"""From the top of the demo team (BS, CSA, DEN, HMR, KOO, KRO, MDN, …) ticks DEN, HMR, KRO and MDN besides the chair
CSA, who starts ticked: nurses, a doctor, a social worker and a psychologist, four disciplines."""


def demo_copy(tmp_path: Path, name: str = "demo.db") -> tuple[Path, bytes]:
    """A demo board at `tmp_path / name` (a copy, see the module docstring) and its raw key."""
    path = tmp_path / name
    return path, prepared.demo(path)


def open_demo(tmp_path: Path, clock: Clock = CLOCK) -> Board:
    """A demo board of the test's own, opened (a copy, see the module docstring)."""
    path, key = demo_copy(tmp_path)
    return Board.open_with_key(path, key, clock=clock)


def board_app(board: Board, user: str = "CSA", **kwargs: object) -> FactBoardApp:
    """The app on an open board, past the unlock screen, signed in as `user`."""
    return FactBoardApp(board.path, board=board, user=user, clock=board.clock, **kwargs)  # type: ignore[arg-type]


def board_shown(app: App[None]) -> bool:
    """The board is on screen with its rows."""
    return isinstance(app.screen, BoardScreen) and app.screen.query_one(BoardGrid).row_count > 0


async def wait_for_rows(pilot: Pilot[None]) -> None:
    """Wait until the board's rows have arrived from the loading worker."""
    await until(pilot, lambda: board_shown(pilot.app), "the board showing its rows")


def rows_at(grid: BoardGrid) -> range:
    """The view lines the grid's rows are drawn on (under its header, which takes two lines where a label is
    wrapped), as far as there are rows."""
    return range(grid.header_height, grid.header_height + grid.row_count)


def line_of(grid: BoardGrid, code: str) -> str:
    """The grid's line of the row with client code `code`."""
    return next(grid.render_line(y).text for y in rows_at(grid) if code in grid.render_line(y).text)


async def edit_cell(pilot: Pilot[None], grid: BoardGrid, code: str, column: str, text: str) -> None:
    """Open the editor on `code`'s `column` cell, clear it and type `text` by keys (not yet saved)."""
    screen = pilot.app.screen
    assert isinstance(screen, BoardScreen)
    row = next(row for row in screen.feed.rows if row.client_code == code)
    grid.move_cursor(row_key=str(row.id), column_key=column)
    await pilot.press("enter")
    await until(pilot, lambda: pilot.app.screen.query_one(CellEditor).display, "the cell editor")
    await burst(pilot, Key("end"), CLEAR, text)  # to the end, clear (ctrl+u), type: one burst, as a nurse does


def detail_text(app: App[None]) -> str:
    """What the detail panel shows, as plain text."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(app.screen.query_one(RowDetail).content)
    return " ".join(console.export_text().split())


async def writes_done(pilot: Pilot[None]) -> None:
    """Wait until every write the board was asked to make so far is done: a marker sent the way a cell's write goes
    (held until after the next frame, then queued to the one writer thread) has run. A test that asserts nothing
    was written waits for this, not for a while."""
    screen = next(screen for screen in reversed(pilot.app.screen_stack) if isinstance(screen, BoardScreen))
    ran = threading.Event()
    screen.feed.after_writes(ran.set)
    await until(pilot, ran.is_set, "the board's writes so far")


BoardScenario = Callable[[FactBoardApp, BoardGrid, Pilot[None], Board], Awaitable[None]]


def run_board(tmp_path: Path, scenario: BoardScenario, user: str = "CSA", size: tuple[int, int] = (200, 50)) -> Board:
    """Run `scenario` on a demo board of its own; returns a second, independent Board on the same file to check with
    (the caller closes it)."""
    path, key = demo_copy(tmp_path)
    board = Board.open_with_key(path, key, clock=CLOCK)
    checker = Board.open_with_key(path, key, clock=CLOCK)

    async def main() -> None:
        app = board_app(board, user)
        async with app.run_test(size=size) as pilot:
            await wait_for_rows(pilot)
            await scenario(app, app.screen.query_one(BoardGrid), pilot, checker)

    asyncio.run(main())
    return checker


def meeting_app(path: Path, key: bytes, clock: HandClock, **kwargs: object) -> FactBoardApp:
    """The app as the chair starts it on the demo board at `path`, on a clock moved by hand."""
    return board_app(Board.open_with_key(path, key, clock=clock), **kwargs)


async def start_meeting(pilot: Pilot[None], check_in: tuple[str, ...] = CHECK_IN) -> MeetingScreen:
    """From the board: m, tick who is here, ctrl+s; returns the running meeting screen."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.feed.rows))
    await pilot.press("m")
    await until(pilot, lambda: isinstance(app.screen, AttendanceScreen) and bool(app.screen.staff))
    await pilot.press(*check_in, "ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.session is not None)
    screen = app.screen
    assert isinstance(screen, MeetingScreen)
    return screen


MeetingScenario = Callable[[FactBoardApp, Pilot[None], HandClock, Board], Awaitable[None]]


def run_meeting(
    tmp_path: Path, scenario: MeetingScenario, size: tuple[int, int] = (200, 50), **kwargs: object
) -> Board:
    """Run `scenario` on a demo board of its own with a clock moved by hand; returns a second Board on the same file
    to check what was written (the caller closes it)."""
    clock = HandClock(MONDAY_MORNING)
    path, key = demo_copy(tmp_path)
    app = meeting_app(path, key, clock, **kwargs)
    checker = Board.open_with_key(path, key, clock=clock)

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await scenario(app, pilot, clock, checker)

    asyncio.run(main())
    return checker


def staff_loaded(app: App[None]) -> bool:
    """The team list is on screen with its members."""
    return isinstance(app.screen, StaffScreen) and app.screen.query_one("#staff-table", DataTable).row_count > 0
