"""Meeting-mode benchmark: what one chair key costs on boards of 60, 240 and 2,000 rows.

Run: `python benchmarks/bench_meeting.py` (add `--quick` for fewer repetitions). Boards come from
`bench_store.build` (the real write path, cached under `benchmarks/out/`). The app runs headless at 200x50; each
measure times the screen's own work with `perf_counter` around the call (Pilot's pauses are not counted), as the
style guide asks. "step + redraw" is what space/Enter/s cost: the session step, the focus card and the whole list.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_store import PASSPHRASE, build

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.meetings import MeetingSession, row_flags
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.screens.meeting import MeetingScreen

SIZES = (60, 240, 2_000)
NOW = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)


def ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f}"


async def measure_screen(path: Path, repeats: int) -> tuple[list[float], list[float]]:
    """Start a meeting on the board at `path`; time step + redraw and the once-a-second clock tick."""
    board = Board.unlock(path, PASSPHRASE, clock=frozen_clock(NOW))
    app = FactBoardApp(path, board=board, user="KOO", clock=frozen_clock(NOW))
    steps: list[float] = []
    ticks: list[float] = []
    async with app.run_test(size=(200, 50)) as pilot:
        while not getattr(app.screen, "rows", None):
            await pilot.pause(0.05)
        await pilot.press("m")
        await pilot.pause(0.3)
        await pilot.press("ctrl+s")
        while not (isinstance(app.screen, MeetingScreen) and app.screen.session is not None):
            await pilot.pause(0.05)
        screen = app.screen
        assert isinstance(screen, MeetingScreen) and screen.session is not None
        for _ in range(repeats):
            started = time.perf_counter()
            screen.action_discussed()
            steps.append(time.perf_counter() - started)
            await pilot.pause()
            started = time.perf_counter()
            screen.tick()
            ticks.append(time.perf_counter() - started)
    return steps, ticks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    repeats = 5 if parser.parse_args().quick else 15
    table = Table(title="FactBoard meeting mode (medians, ms)")
    for heading in ("measure", "rows", "median ms"):
        table.add_column(heading, justify="right" if heading != "measure" else "left")
    for size in SIZES:
        path = build(size)
        board = Board.unlock(path, PASSPHRASE, clock=frozen_clock(NOW))
        rows = board.rows()[:size]
        week = board.week_visits()
        today = board.today()
        board.close()
        starts, flags = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            MeetingSession.start(rows, board.template, NOW, "KOO")
            starts.append(time.perf_counter() - started)
            started = time.perf_counter()
            for row in rows:
                row_flags(row, week.get(row.id or 0, {}), board.template, today)
            flags.append(time.perf_counter() - started)
        table.add_row("core: start session (triage order)", f"{size:,}", ms(starts))
        table.add_row("core: flags of every row", f"{size:,}", ms(flags))
        steps, ticks = asyncio.run(measure_screen(path, repeats))
        table.add_row("[b]screen: chair step + redraw[/b]", f"{size:,}", f"[b]{ms(steps)}[/b]")
        table.add_row("screen: clock tick (no change)", f"{size:,}", ms(ticks))
    Console().print(table)


if __name__ == "__main__":
    main()
