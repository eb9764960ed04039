"""No full garbage collection while keys come; one at the first quiet moment, which still frees every cycle.

A full collection walks every object the collector has not been told to skip, and the app stands still while it
does: 14-58 ms after a few pages at 2,000 or 20,000 rows, 150-350 ms while a big board's rows were still being
read (issue 15). Python starts one on its own count, whatever the person is doing. The app now runs it between
keys (`tui/heap.py`). These tests type bursts of keys while the heap grows as a session's does, faster than Python
would wait before walking it, and check that no full collection ran while the keys came, that one runs once they
stop and frees a cycle that became garbage meanwhile, and that Python's own rule is back when the app ends.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
from helpers.board_app import rows_at, run_board
from helpers.bursts import Key, burst
from helpers.pilot import until
from textual.pilot import Pilot

import factboard_tui.tui.app as app_module
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.heap import QUIET_SECONDS
from factboard_tui.tui.widgets.board_grid import BoardGrid


class Node:
    """An object in a cycle: only a full collection frees it once it has lived through the young ones."""

    def __init__(self) -> None:
        self.me = self


def test_no_full_collection_while_keys_come_and_one_when_they_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "TICK_SECONDS", 0.05)  # the app's tick, quicker for the test
    before = gc.get_threshold()
    full: list[dict[str, Any]] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(info)

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], checker: Board) -> None:
        cycle = Node()
        kept: list[object] = [cycle]
        gone = weakref.ref(cycle)
        del cycle
        gc.callbacks.append(watch)
        try:
            for _ in range(12):
                await burst(pilot, Key("down"), Key("down"), Key("up"), Key("end"), Key("home"))
                kept.append([[] for _ in range(25_000)])  # what a session builds and keeps while keys come
            kept.clear()  # the cycle is garbage now, in the oldest generation
            assert full == [], "a full collection ran while the keys came"
            assert gc.get_count()[2] >= before[2], "Python would have walked the whole heap by now"
            assert gone() is not None
            app.heap.input_at -= QUIET_SECONDS  # then nobody types for a moment
            await until(pilot, lambda: bool(full) and gone() is None, "a full collection at the quiet moment")
        finally:
            gc.callbacks.remove(watch)

    run_board(tmp_path, scenario).close()  # type: ignore[arg-type]
    assert gc.get_threshold() == before, "Python's own rule is back once the app has ended"


def test_rows_changed_elsewhere_show_after_a_reload_freezes_the_heap_again_and_a_quiet_collection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heap is frozen after every full read and collected at quiet moments: neither may lose a row another
    process changed, before or after it."""
    monkeypatch.setattr(app_module, "TICK_SECONDS", 0.05)

    def shown(grid: BoardGrid, text: str) -> bool:
        return any(text in grid.render_line(y).text for y in rows_at(grid))

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], checker: Board) -> None:
        target = checker.open_row_by_code("PL-85")
        assert target.id is not None
        checker.set_field("CSA", target.id, "situation", "[b]x[/b] sover bättre")
        await until(pilot, lambda: shown(grid, "[b]x[/b] so"), "the change before a reload", 20)
        loads = app.heap.collections
        await pilot.press("ctrl+r")  # a full read, frozen once shown
        checker.set_field("CSA", target.id, "situation", "Ringer på onsdag.")
        await until(pilot, lambda: shown(grid, "Ringer på"), "the change after a reload", 20)
        app.heap.input_at -= QUIET_SECONDS
        kept: list[object] = [[[] for _ in range(25_000)] for _ in range(12)]  # a collection comes due
        del kept
        await until(pilot, lambda: app.heap.collections > loads, "a quiet collection", 20)
        checker.set_field("CSA", target.id, "situation", "Efter städningen.")
        await until(pilot, lambda: shown(grid, "Efter städ"), "the change after the collection", 20)

    run_board(tmp_path, scenario).close()  # type: ignore[arg-type]
