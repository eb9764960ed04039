"""The sync conflict review in the TUI: reached from the board's command palette, settles with a number key."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.boards import NOW
from helpers.bursts import run_command
from helpers.pilot import central_european_time, on_board, until
from helpers.sites import make_sites, send
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.conflicts import ConflictsScreen
from factboard_tui.tui.screens.board import BoardScreen

SIZES = [(200, 50), (120, 40)]


@pytest.fixture(autouse=True)
def _team_time_zone() -> Iterator[None]:
    """Times on screen in Central European time, whatever the machine says."""
    with central_european_time():
        yield


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[dict[str, Board]]:
    """Two sites that edited the same situation and the same actions before either had seen the other."""
    boards = make_sites(tmp_path, ["region", "muni"])
    region, muni = boards["region"], boards["muni"]
    row_id = region.add_row("CSA", {"client_code": "DD-75", "triage": "new", "situation": "Bor hemma."})
    region.add_row("CSA", {"client_code": "EE-12", "triage": "watch", "actions": "Ring."})
    send(boards, "region", "muni")
    muni_row = muni.open_row_by_code("DD-75").id or 0
    muni.set_field("MJR", muni_row, "situation", "Inlagd på avdelning 3 sedan söndag; kommunen informerad.")
    region.set_field("CSA", row_id, "situation", "Bor hemma, oroliga grannar har hört av sig till kontaktpersonen.")
    muni.set_field("MJR", muni.open_row_by_code("EE-12").id or 0, "actions", "Hembesök tisdag.")
    region.set_field("CSA", region.open_row_by_code("EE-12").id or 0, "actions", "Läkarbesök onsdag.")
    send(boards, "muni", "region")
    yield boards
    for board in boards.values():
        board.close()


def _loaded(app: App[None]) -> bool:
    screen = app.screen
    return isinstance(screen, ConflictsScreen) and bool(screen.conflicts)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_snapshot_conflicts(snap_compare, sites: dict[str, Board], size) -> None:  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot[None]) -> None:
        await until(pilot, lambda: _loaded(pilot.app), "the conflicts loading")

    board = sites["region"]
    assert snap_compare(on_board(board, ConflictsScreen, "CSA"), terminal_size=size, run_before=run_before)


def test_the_palette_opens_the_review_and_a_number_keeps_that_value(tmp_path: Path, sites: dict[str, Board]) -> None:
    region = sites["region"]
    wanted = next(c for c in service.conflicts(region) if c.field == "situation").candidates[0]["value"]

    async def scenario() -> None:
        app = FactBoardApp(region.path, board=region, user="CSA", clock=frozen_clock(NOW))
        async with app.run_test(size=(200, 50)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, BoardScreen), "the board")
            await run_command(pilot, "sync: review conflicts")
            await until(pilot, lambda: _loaded(app), "the conflicts loading")
            assert isinstance(app.screen, ConflictsScreen)
            assert [c.client_code for c in app.screen.conflicts] == ["DD-75", "EE-12"]
            await pilot.press("1")
            await until(pilot, lambda: len(service.conflicts(region)) == 1, "settling")
            await until(pilot, lambda: len(app.screen.conflicts) == 1, "the list shrinking")  # type: ignore[attr-defined]
            assert app.screen.query_one(DataTable).row_count == 1
            await pilot.press("escape")
            assert isinstance(app.screen, BoardScreen)

    asyncio.run(scenario())
    assert region.open_row_by_code("DD-75").situation == wanted
    # The kept value travels and settles the same conflict at the other site.
    send(sites, "region", "muni")
    assert [c.client_code for c in service.conflicts(sites["muni"])] == ["EE-12"]
