"""TUI benchmark: first board paint after unlock, keystroke-to-repaint (cursor move, saving a cell), live updates.

First paint is timed from the moment the key is derived (the app already running on its unlock screen) to the
first frame that shows rows.

Run: `python benchmarks/bench_tui.py` (`--quick` for fewer repetitions, `--sizes 240 2000`). It drives the real
app headless at 200x50 on the boards `bench_store.py` builds, and times frames the way a terminal would get them:
from the moment a key event is handed to the driver to the moment the app renders the next frame (rendering the
frame's segments is included). Budgets from issue 3: median under 16 ms and p95 under 33 ms for a cursor move and
for saving a cell, at 240 and 2,000 rows; first board paint after unlock under 300 ms at 2,000 rows; another
process's change visible in under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from textual import events
from textual._compositor import CompositorUpdate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import PASSPHRASE, build

from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.messages import Unlocked
from factboard_tui.tui.row_store import BoardRead, first_read
from factboard_tui.tui.screens.board import DETAIL_DELAY
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def measure_size(size: int, repeats: int) -> dict[str, Any]:
    path = build(size)
    key = Board.read_slot(path).unwrap(PASSPHRASE)
    Board.open_with_key(path, key).close()  # as a cleanly closed app leaves it: no write-ahead log to replay
    frames: list[float] = []
    terminal = open(os.devnull, "w")  # noqa: SIM115 - where the frames' escape sequences go
    sink = Console(file=terminal, force_terminal=True, color_system="truecolor", width=200, height=50)

    app = FactBoardApp(path, user="KOO")  # starts on the unlock screen, as a person sees it
    original = app._display

    first_paint: list[tuple[float, float]] = []

    shown: list[Callable[[], bool]] = []  # what the frame being waited for must show
    arrived = asyncio.Event()  # set by the frame waited for: waiting costs no CPU (a sleep(0) loop counted its own)

    def display(screen: Any, renderable: Any) -> None:
        if renderable is not None:  # turned into escape sequences as Textual's `App._display` does for a terminal
            if isinstance(renderable, CompositorUpdate):
                terminal.write(renderable.render_segments(sink))
            else:
                terminal.write(sink._render_buffer(sink.render(renderable)))
        if not shown or shown[0]():
            frames.append((time.perf_counter(), time.process_time()))
            arrived.set()
        if not first_paint and screen.query(BoardGrid) and screen.query_one(BoardGrid).row_count:
            first_paint.append(frames[-1])
        original(screen, renderable)

    app._display = display  # type: ignore[method-assign]
    results: dict[str, Any] = {}
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        # A person spends seconds typing the passphrase, and Argon2id half a second: what the unlock screen
        # prepares meanwhile (its workers) is done before the key exists.
        await app.workers.wait_for_complete()
        # The moment Argon2id has produced the key: open the database and hand the board to the app.
        started, started_cpu = time.perf_counter(), time.process_time()

        def open_and_read() -> tuple[Board, BoardRead | None]:  # what the unlock worker does after Argon2id
            board = Board.open_with_key(path, key, integrity=False)
            return board, first_read(board)

        board, loaded = await asyncio.to_thread(open_and_read)
        app.post_message(Unlocked(board, "KOO", loaded))
        while not first_paint:
            await asyncio.sleep(0.001)
        results["first paint after unlock"] = [
            ((first_paint[0][0] - started) * 1000, (first_paint[0][1] - started_cpu) * 1000)
        ]
        grid = app.screen.query_one(BoardGrid)

        async def keystroke(
            key: str, character: str | None = None, shows: Callable[[], bool] | None = None
        ) -> tuple[float, float]:
            """Milliseconds from a key to the first frame (that `shows` what the key should have changed): wall
            clock and the process's CPU time (which a busy machine inflates much less)."""
            await pilot.pause()
            shown[:] = [shows] if shows else []
            frames.clear()
            arrived.clear()
            t0, c0 = time.perf_counter(), time.process_time()
            event = events.Key(key, character)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
            try:
                await asyncio.wait_for(arrived.wait(), 10)
            except TimeoutError:
                raise RuntimeError(f"no frame after {key!r}: nothing changed on screen") from None
            return (frames[0][0] - t0) * 1000, (frames[0][1] - c0) * 1000

        results["cursor move (in view)"] = [await keystroke("down") for _ in range(repeats)]
        grid.move_cursor(column_key="triage")
        await pilot.pause()
        moves = []
        for _ in range(repeats):
            grid.action_cursor_first_row()
            for _ in range(5):  # to the last line in view, so the next move scrolls; the detail panel under the
                await pilot.pause(DETAIL_DELAY * 2)  # grid follows the cursor and may change the view's height
                last = grid.scroll_offset.y + grid.scrollable_content_region.height - 2  # a header line above
                if grid.cursor_coordinate[0] == last:
                    break
                grid.move_cursor(row_key=grid.row(last).key)
            top = grid.scroll_offset.y
            moves.append(await keystroke("down"))
            if grid.scroll_offset.y == top:
                raise RuntimeError("the cursor move that should scroll did not scroll")
        results["cursor move (scrolls)"] = moves

        saves = []
        grid.move_cursor(column_key="safety")
        for index in range(repeats):
            await pilot.press("enter")
            editor = app.screen.query_one(CellEditor)
            for _ in range(200):
                await pilot.pause(0.01)
                if editor.is_open:
                    break
            if not editor.is_open:  # seen about once in 100 opens under load: say so, then open it directly
                board_screen: Any = app.screen
                print(
                    f"enter did not open the editor (save {index}): row={board_screen.current_row() is not None} "
                    f"editing={board_screen.editing} focused={app.focused}",
                    file=sys.stderr,
                )
                board_screen.action_edit()
                await pilot.pause()
            if not editor.is_open:
                raise RuntimeError(f"save {index}: the cell editor did not open on {type(app.screen).__name__}")
            text = f"OK {index}"
            editor.line.set_value(text)
            row = grid.cursor_coordinate[0]

            def saved(text: str = text, row: int = row, editor: CellEditor = editor) -> bool:
                return not editor.display and any(text in cell.text for cell in grid.row(row).cells)

            saves.append(await keystroke("enter", shows=saved))
            await pilot.pause(0.05)
        results["save a cell (enter -> repaint)"] = saves

        other = Board.open_with_key(path, key)
        screen: Any = app.screen
        lags = []
        for index in range(max(3, repeats // 5)):
            row = screen.feed.row(int(grid.cursor_row_key))
            text = f"Live {index}"
            t0 = time.perf_counter()
            other.set_field("MJR", row.id or 0, "safety", text)
            while not any(text in grid.render_line(y).text for y in range(1, 49)):
                await asyncio.sleep(0.005)
            lags.append(((time.perf_counter() - t0) * 1000, float("nan")))  # mostly waiting for the poll
        other.close()
        results["other process's change visible"] = lags
    return results


def main() -> None:
    # The app remembers initials and themes in its config file: keep the benchmark's out of the user's.
    config = Path(tempfile.mkdtemp(prefix="factboard-bench-")) / "config.toml"
    config.write_text("[backups]\ndaily = false\n")  # the daily backup would run during the measurements
    os.environ["FACTBOARD_CONFIG"] = str(config)
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--sizes", type=int, nargs="*", default=[240, 2_000, 20_000])
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # measure one size, print JSON (a child run)
    parser.add_argument("--repeats", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    repeats = args.repeats or (10 if args.quick else 40)
    if args.one:
        print(json.dumps(asyncio.run(measure_size(args.one, repeats))))
        return
    table = Table(title="FactBoard TUI at 200x50 (ms)")
    for heading in ("measure", "rows", "median", "p95", "CPU median", "CPU p95", "budget"):
        table.add_column(heading, justify="left" if heading == "measure" else "right")
    budgets = {
        "first paint after unlock": "300 (2,000 rows)",
        "cursor move (in view)": "16 / 33",
        "cursor move (scrolls)": "16 / 33",
        "save a cell (enter -> repaint)": "16 / 33",
        "other process's change visible": "1000",
    }
    notes: list[str] = []
    for size in args.sizes:
        # Each size in a fresh process: the first paint then includes what a person's first unlock pays
        # (imports, parsing the board's CSS), not a process already warmed by the previous size.
        child = subprocess.run(
            [sys.executable, __file__, "--one", str(size), "--repeats", str(repeats)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode != 0:
            sys.exit(f"measuring {size} rows failed:\n{child.stderr}")
        notes += [f"{size:,} rows: {line}" for line in child.stderr.splitlines() if "did not open" in line]
        results: dict[str, list[list[float]]] = json.loads(child.stdout.strip().splitlines()[-1])
        for name, pairs in results.items():
            wall, cpu = [pair[0] for pair in pairs], [pair[1] for pair in pairs]
            measured = [f"{statistics.median(wall):.1f}", f"{p95(wall):.1f}"]
            measured += (
                ["–", "–"] if any(math.isnan(x) for x in cpu) else [f"{statistics.median(cpu):.1f}", f"{p95(cpu):.1f}"]
            )
            table.add_row(name, f"{size:,}", *measured, budgets[name])
    table.caption = f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; CPU = the process's CPU time"
    Console().print(table)
    for note in notes:
        print(note)


if __name__ == "__main__":
    main()
