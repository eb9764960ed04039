"""Store benchmark: unlock (Argon2id) and open + load of boards with 240, 2,000 and 20,000 rows.

Run: `python benchmarks/bench_store.py` (add `--quick` for fewer repetitions). Boards are built once under
`benchmarks/out/` through the real write path and reused. Prints a table of medians; the budget from issue 2 is
open + load of 2,000 rows under 150 ms after unlock.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factboard_tui.core.clock import week_start
from factboard_tui.core.security.keys import KeySlot, tune_kdf
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite

OUT = Path(__file__).resolve().parent / "out"
PASSPHRASE = "benchmark passphrase"
SIZES = (240, 2_000, 20_000)
WORDS = [
    "medicin",
    "boende",
    "kontakt",
    "hembesök",
    "krisplan",
    "oro",
    "sömn",
    "återfall",
    "planering",
    "läkare",
    "samtal",
    "stöd",
]


def build(size: int) -> Path:
    """A board with `size` open rows, each with a few visits this week (built once, then reused)."""
    path = OUT / f"board-{size}.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["FACTBOARD_KDF_FLOOR"] = "1"
    board, _key = Board.create(path, PASSPHRASE, "sv", f"Benchmark {size}")
    rng = random.Random(size)
    levels = [level.key for level in board.template.triage]
    monday = week_start(board.today())
    writes = []
    for number in range(size):
        letters = chr(65 + number // 26 % 26) + chr(65 + number % 26) + chr(65 + number // 676 % 26)
        visits: dict = {
            monday + timedelta(days=day): ("DEN+MJR" if day % 2 else "CSA", None) for day in rng.sample(range(7), 3)
        }
        writes.append(
            RowWrite(
                "add",
                values={
                    "client_code": f"{letters}-{number % 10000}",
                    "triage": rng.choice(levels),
                    "date_on": board.today() - timedelta(days=rng.randrange(200)),
                    "situation": " ".join(rng.choices(WORDS, k=12)),
                    "actions": " ".join(rng.choices(WORDS, k=25)),
                    "primary_contact": "CSA",
                    "doctor": "HMR",
                    "safety": "OK",
                },
                visits=visits,
            )
        )
    for start in range(0, size, 1000):
        board.write_rows("KOO", writes[start : start + 1000], source="benchmark")
    board.close()
    os.environ.pop("FACTBOARD_KDF_FLOOR")
    return path


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeats = 3 if args.quick else 9
    console = Console()

    # Unlock: a slot tuned the way `init` tunes it, on this machine.
    params = tune_kdf()
    slot = KeySlot.wrap(bytes(32), PASSPHRASE, "benchmark", params)
    unlock_times = []
    for _ in range(repeats):
        started = time.perf_counter()
        slot.unwrap(PASSPHRASE)
        unlock_times.append(time.perf_counter() - started)

    table = Table(title="FactBoard store (medians, ms)")
    table.add_column("measure")
    table.add_column("rows", justify="right")
    table.add_column("median ms", justify="right")
    table.add_column("max ms", justify="right")
    table.add_row(
        f"unlock: Argon2id {params.memory_kib // 1024} MiB x{params.iterations} + AES-GCM unwrap",
        "-",
        median_ms(unlock_times),
        f"{max(unlock_times) * 1000:.1f}",
    )
    for size in SIZES:
        path = build(size)
        key = Board.read_slot(path).unwrap(PASSPHRASE)
        open_times, load_times, total_times = [], [], []
        for _ in range(repeats):
            started = time.perf_counter()
            board = Board.open_with_key(path, key)
            opened = time.perf_counter()
            rows = board.rows()
            board.week_visits()
            loaded = time.perf_counter()
            board.close()
            assert len(rows) == size
            open_times.append(opened - started)
            load_times.append(loaded - opened)
            total_times.append(loaded - started)
        table.add_row("open (key, integrity check, schema)", f"{size:,}", median_ms(open_times), "")
        table.add_row("load rows + week's visits", f"{size:,}", median_ms(load_times), "")
        budget = " (budget 150)" if size == 2_000 else ""
        table.add_row(
            f"[b]open + load after unlock{budget}[/b]",
            f"{size:,}",
            f"[b]{median_ms(total_times)}[/b]",
            f"{max(total_times) * 1000:.1f}",
        )
    console.print(table)
    console.print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()


def quick_repeats(description: str | None) -> int:
    """The repetitions a benchmark runs: 5, or 2 with `--quick` (the command line every bench_*.py shares)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    return 2 if parser.parse_args().quick else 5
