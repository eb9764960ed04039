"""Concurrency benchmark: 4 processes make 250 edits each on one board at the same moment.

Run: `python benchmarks/bench_concurrency.py` (`--writers N --edits N --repeat N` to vary it). Each repetition
creates a fresh SQLCipher board in a temporary directory, starts the writers (tests/helpers/edit_writer.py
`burst`, the same processes the concurrency proof runs), lets them all start at once and collects every commit's
latency: the time one write through the write path takes, waiting for the write lock included. Prints edits per
second over the whole burst, and the median, 95th percentile and worst commit latency, per writer and for all.
On a shared 2-core machine the numbers also count time spent waiting for a core.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factboard_tui.core.store.board import Board

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers.edit_writer import start_bursts  # the same writer processes the concurrency proof runs

PASSPHRASE = "benchmark passphrase"


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def latency_cells(latencies: list[float]) -> list[str]:
    """Median, 95th percentile and worst of commit latencies, in milliseconds, as table cells."""
    shown = (statistics.median(latencies), percentile(latencies, 0.95), max(latencies))
    return [f"{seconds * 1000:.1f}" for seconds in shown]


def burst(writers: int, edits: int) -> tuple[float, list[dict[str, object]]]:
    """One burst on a fresh board: (seconds from the start signal to the last writer done, each writer's report)."""
    with tempfile.TemporaryDirectory(prefix="factboard-bench-") as folder:
        path = Path(folder) / "board.db"
        os.environ["FACTBOARD_KDF_FLOOR"] = "1"
        board, key = Board.create(path, PASSPHRASE, "sv", "Bench")
        for number in range(1, max(writers, 5) + 1):
            board.add_row("CSA", {"client_code": f"DD-{number}", "triage": "new"})
        board.close()
        start = Path(folder) / "start"
        try:
            processes = start_bursts(path, key, start, writers, edits)
        except RuntimeError as error:
            raise SystemExit(str(error)) from None
        began = time.perf_counter()
        start.touch()
        reports = []
        for process in processes:
            stdout, stderr = process.communicate(timeout=600)
            if process.returncode != 0:
                raise SystemExit(f"a writer was refused: {stderr.strip()}")
            reports.append(json.loads(stdout))
        return time.perf_counter() - began, reports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--edits", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    console = Console()
    table = Table(title=f"{args.writers} writers x {args.edits} edits on one board ({args.repeat} bursts)")
    for column in ("burst", "writer", "edits", "edits/s", "p50 ms", "p95 ms", "max ms"):
        table.add_column(column, justify="right")
    all_latencies: list[float] = []
    rates: list[float] = []
    for repetition in range(1, args.repeat + 1):
        elapsed, reports = burst(args.writers, args.edits)
        burst_latencies: list[float] = []
        for report in sorted(reports, key=lambda found: int(str(found["writer"]))):
            latencies = [float(value) for value in report["latencies"]]  # type: ignore[attr-defined]
            burst_latencies += latencies
            table.add_row(
                str(repetition),
                f"W{report['writer']}",
                str(len(latencies)),
                f"{len(latencies) / float(str(report['elapsed'])):.0f}",
                *latency_cells(latencies),
            )
        rate = len(burst_latencies) / elapsed
        rates.append(rate)
        all_latencies += burst_latencies
        table.add_row(
            str(repetition),
            "all",
            str(len(burst_latencies)),
            f"{rate:.0f}",
            *latency_cells(burst_latencies),
            style="bold",
        )
    table.add_row(
        "median",
        "all",
        str(len(all_latencies)),
        f"{statistics.median(rates):.0f}",
        *latency_cells(all_latencies),
        style="bold green",
    )
    console.print(table)
    console.print(f"load average: {' '.join(f'{load:.2f}' for load in os.getloadavg())} (shared machine)")


if __name__ == "__main__":
    main()
