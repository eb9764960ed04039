"""What one row of a bulk read costs as the board grows: `rows()` and the others per row, 500 to 50,000 rows.

Why this exists. Issue 15 asks bulk reads to grow no faster than the board (≤ 11× from 2,000 to 20,000 rows), and
bench_app's scaling table compares just those two sizes. On a shared machine with 2 MiB of L2 cache per core that
ratio hides a step: a read of 2,000 rows leaves about 2 MB of objects, which fit in one core's L2 cache; 20,000 rows
leave about 20 MB, which do not. This sweep shows where the per-row cost changes: if it is flat on both sides of
the step and rises only across it, the growth is the memory the rows take, not work the code does per row.

Every size is measured in one process: in each round, each measure at every size one after the other (in the
other order the next round), so each sees the same machine load; the scaling column is the median of each round's
own ratio. Each per-row figure is the median CPU time of one read, over its row count:

- `rows()`: the whole read, as the screens and exports get it (values converted, sorted in board order);
- `fetch, dropped`: the driver's tuples fetched and let go (SQLite, SQLCipher, the values made);
- `fetch, kept`: the same tuples held until the read ends (the memory a read of that size must keep);
- `visits() of a week` and `week export to CSV (core)`: bench_app's other two bulk reads.

Run: `python benchmarks/bench_rows_sweep.py` (boards are built once under `benchmarks/out/`; `--quick` for fewer
rounds and no 50,000-row board).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial

from bench_store import PASSPHRASE, build
from rich.console import Console
from rich.table import Table

from factboard_tui.core.clock import week_start
from factboard_tui.core.store import reads
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.export import week_document
from factboard_tui.core.transfer.export_formats import Format, render

SIZES = (500, 2_000, 5_000, 10_000, 20_000, 50_000)
REFERENCE = 2_000
"""The size the others are compared with (bench_app's smallest)."""


def fetch(board: Board, keep: bool) -> Callable[[], object]:
    """The read's fetch alone: the driver's tuples, held to the end or let go chunk by chunk."""

    def run() -> object:
        held: list[object] = []
        with board.connected() as connection:
            cursor = connection.connection.cursor()
            cursor.execute(reads._ROW_VALUES_SQL + " WHERE date_off IS NULL")  # the statement rows() runs
            while chunk := cursor.fetchmany(500):
                if keep:
                    held += chunk
            cursor.close()
        return held

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="three rounds and no 50,000-row board")
    arguments = parser.parse_args()
    sizes = [size for size in SIZES if not (arguments.quick and size > 20_000)]
    rounds = 3 if arguments.quick else 7
    boards = {}
    for size in sizes:
        path = build(size)
        boards[size] = Board.open_with_key(path, Board.read_slot(path).unwrap(PASSPHRASE))
    monday = week_start(next(iter(boards.values())).today())
    measures: dict[str, Callable[[Board], Callable[[], object]]] = {
        "rows()": lambda board: board.rows,
        "fetch, dropped": lambda board: fetch(board, keep=False),
        "fetch, kept": lambda board: fetch(board, keep=True),
        "visits() of a week": lambda board: partial(board.visits, monday, monday + timedelta(days=7)),
        "week export to CSV (core)": lambda board: lambda: render(week_document(board, monday), Format.CSV),
    }
    cpu: dict[tuple[str, int], list[float]] = {}
    for make in measures.values():
        for board in boards.values():
            make(board)()  # statements prepared, pages in the cache
    for round_number in range(rounds):
        # One measure at every size, one size after the other, so the sizes compared are measured seconds apart;
        # the order turns each round, so a machine slowing down (a neighbour on the host) weighs on both ends alike.
        order = list(boards.items())
        if round_number % 2:
            order.reverse()
        for name, make in measures.items():
            for size, board in order:
                work = make(board)
                gc.collect()
                c0 = time.process_time()
                found = work()
                gc.collect(0)
                cpu.setdefault((name, size), []).append((time.process_time() - c0) * 1_000_000 / size)
                del found
    for board in boards.values():
        board.close()
    table = Table(title="Bulk read CPU per row (µs; medians) by board size, sizes in turn in one process")
    table.add_column("measure")
    for size in sizes:
        table.add_column(f"{size:,}", justify="right")
    table.add_column(f"{REFERENCE:,} → 20,000 (linear 10×; median of each round's)", justify="right")
    for name in measures:
        per_row = {size: statistics.median(cpu[(name, size)]) for size in sizes}
        # Each round's own ratio, then their median: the two sizes of one round saw the same machine.
        pairs = zip(cpu[(name, REFERENCE)], cpu[(name, 20_000)], strict=True)
        ratio = statistics.median(large * 20_000 / (small * REFERENCE) for small, large in pairs)
        table.add_row(name, *(f"{per_row[size]:.2f}" for size in sizes), f"{ratio:.1f}×")
    console = Console()
    console.print(table)
    console.print("load average " + " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
