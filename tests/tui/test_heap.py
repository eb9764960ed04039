"""No collection beyond the youngest while keys come; the one Python would have run at the first quiet moment.

A full collection walks every object the collector has not been told to skip, and the app stands still while it
does: 14-58 ms after a few pages at 2,000 or 20,000 rows, 150-350 ms while a big board's rows were still being
read (issue 15). A collection of generation 1 walks what the last ten young ones let through: 2-10 ms, and every
fourth page down from about the thirtieth missed a frame for it. Python starts both on its own count, whatever the
person is doing. The app now runs them between keys (`tui/heap.py`). These tests type bursts of keys while the
heap grows as a session's does, faster than Python would wait before walking it, and check that neither ran while
the keys came, that the one due runs once they stop and frees a cycle that became garbage meanwhile, that it runs
anyway if the keys never stop, and that Python's own rule is back when the app ends.
"""

from __future__ import annotations

import gc
import time
import weakref
from pathlib import Path
from typing import Any

import pytest
from helpers.board_app import rows_at, run_board
from helpers.bursts import Key, burst
from helpers.pilot import until
from textual.pilot import Pilot

import factboard_tui.tui.app as app_module
import factboard_tui.tui.heap as heap_module
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.heap import QUIET_SECONDS, QuietCollector
from factboard_tui.tui.widgets.board_grid import BoardGrid


class Node:
    """An object in a cycle: only a full collection frees it once it has lived through the young ones."""

    def __init__(self) -> None:
        self.me = self


def test_no_older_collection_while_keys_come_and_the_due_one_when_they_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app_module, "TICK_SECONDS", 0.05)  # the app's tick, quicker for the test
    before = gc.get_threshold()
    older: list[int] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start" and info["generation"] >= 1:
            older.append(info["generation"])

    async def scenario(app: FactBoardApp, grid: BoardGrid, pilot: Pilot[None], checker: Board) -> None:
        cycle = Node()
        kept: list[object] = [cycle]
        gone = weakref.ref(cycle)
        del cycle
        gc.collect(1)  # the cycle has lived through the younger generations: only a full collection frees it
        gc.callbacks.append(watch)
        try:
            for _ in range(12):
                await burst(pilot, Key("down"), Key("down"), Key("up"), Key("end"), Key("home"))
                kept.append([[] for _ in range(25_000)])  # what a session builds and keeps while keys come
            kept.clear()  # the cycle is garbage now, in the oldest generation
            assert older == [], f"collections of generations {older} ran while the keys came"
            assert app.heap.due() == 2, "Python would have walked the whole heap by now"
            assert gone() is not None
            app.heap.input_at -= QUIET_SECONDS  # then nobody types for a moment
            await until(pilot, lambda: older == [2] and gone() is None, "a full collection at the quiet moment")
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


def test_the_middle_generation_alone_is_collected_when_only_it_is_due_and_anyway_if_keys_never_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between full collections the quiet moment runs the collection of generation 1 Python would have run (no more:
    a full one would walk the whole heap for nothing); and a person who never pauses gets it all the same after
    `FORCE_AFTER_SECONDS`, so the cycles made meanwhile are freed."""
    monkeypatch.setattr(heap_module, "FORCE_AFTER_SECONDS", 0.2)
    before = gc.get_threshold()
    ran: list[int] = []

    def watch(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            ran.append(info["generation"])

    heap = QuietCollector()
    gc.collect()
    heap.start()
    gc.callbacks.append(watch)
    try:
        cycle = Node()
        gone = weakref.ref(cycle)
        del cycle
        kept = [[] for _ in range(before[0] * (before[1] + 2))]  # a few more than ten young collections' worth
        assert 1 not in ran and 2 not in ran, "Python ran an older collection by itself"
        assert heap.due() == 1
        heap.touched()  # someone is typing
        assert not heap.collect_if_quiet()
        for _ in range(40):  # and keeps typing
            heap.touched()
            if heap.collect_if_quiet():
                break
            time.sleep(0.02)
        else:
            raise AssertionError("the collection never ran while the keys kept coming")
        assert ran[-1] == 1, f"the collection run was of generation {ran[-1]}, not the one due"
        assert gone() is None, "the cycle made meanwhile was not freed"
        assert heap.due() is None
        del kept
    finally:
        gc.callbacks.remove(watch)
        heap.stop()
    assert gc.get_threshold() == before
