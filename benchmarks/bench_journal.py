"""Journalled operations benchmark: what the journal costs, and how long the next start takes to finish one.

Run: `python benchmarks/bench_journal.py` (`--quick` for fewer repetitions). On boards of 2,000 and 20,000 rows
(built by bench_store.py's builder under `benchmarks/out/`, copied to a temporary folder) it times, as medians,
CPU time and wall time apart:

- the look every start takes before it asks for the passphrase, when nothing was cut off (budget 2 ms: it is on
  the way to every unlock);
- a backup, a re-key and a restore, and of each the part the journal adds (the SHA-256 fingerprints of the new
  files; the flushes are inside the totals);
- the next start finishing a restore that was cut off right after its commit (budget 1 s at 20,000 rows: the
  unlock screen waits for it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import PASSPHRASE, build  # the same boards as the store benchmark

from factboard_tui.core.security import backups
from factboard_tui.core.security.durable import fingerprint
from factboard_tui.core.store.board import Board

SIZES = (2_000, 20_000)
BUDGETS = {"start, nothing to finish": 2.0, "next start finishes a cut-off restore": 1000.0}
"""Budgets in milliseconds (wall time, median)."""


def timed(action: Callable[[], object], repeats: int, setup: Callable[[], object] | None = None) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `action` (after `setup`, which is not timed)."""
    walls, cpus = [], []
    for _ in range(repeats):
        if setup is not None:
            setup()
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000


class CutOff(BaseException):
    """Stops a restore right after its commit, where a kill would."""


Row = Callable[[str, int, float, float], None]


def measure(size: int, folder: Path, repeats: int, row: Row) -> None:
    """Every measure on a copy of the board of `size` rows in `folder`."""
    db = folder / "board.db"
    for suffix in ("", ".keyslot"):
        shutil.copyfile(build(size).with_name(build(size).name + suffix), db.with_name(db.name + suffix))
    key = Board.read_slot(db).unwrap(PASSPHRASE)
    safe = folder / "backups"
    made: list[Path] = []
    moments = iter(range(100_000))

    def start() -> None:
        backups.recover_board(db)
        backups.recover_backups(db, safe)

    def backup() -> None:
        second = next(moments)
        made.append(backups.take_backup(db, key, safe, datetime(2026, 11, 25, 8, second // 60, second % 60), 2)[0])

    def restore() -> None:
        second = next(moments)
        backups.restore_backup(db, made[-1], PASSPHRASE, datetime(2026, 11, 26, 8, second // 60, second % 60))

    def cut_off_restore() -> None:
        real_finish = backups.Journal.finish

        def stop(_journal: backups.Journal) -> None:
            raise CutOff

        backups.Journal.finish = stop  # type: ignore[method-assign]
        try:
            restore()
        except CutOff:
            pass
        finally:
            backups.Journal.finish = real_finish  # type: ignore[method-assign]

    row("start, nothing to finish", size, *timed(start, repeats * 20))
    row("backup (export, check, flush, journal, prune)", size, *timed(backup, repeats))
    row("  of it: fingerprint of the copy", size, *timed(lambda: fingerprint(made[-1]), repeats))
    row("re-key (Argon2id unwrap and wrap included)", size, *timed(lambda: backups.rekey(db, PASSPHRASE), repeats))
    key = Board.read_slot(db).unwrap(PASSPHRASE)
    backup()
    row("restore (copy, flush, journal, renames)", size, *timed(restore, repeats))
    row("next start finishes a cut-off restore", size, *timed(start, repeats, setup=cut_off_restore))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    repeats = 3 if parser.parse_args().quick else 7
    os.environ["FACTBOARD_KDF_FLOOR"] = "1"
    table = Table(title="Journalled operations (medians)")
    for heading in ("measure", "rows", "wall ms", "CPU ms", "budget ms", ""):
        table.add_column(heading, justify="left" if heading == "measure" else "right")

    def row(measure: str, size: int, wall: float, cpu: float) -> None:
        budget = BUDGETS.get(measure)
        verdict = "" if budget is None else ("pass" if wall <= budget else "[red]miss[/]")
        limit = "" if budget is None else f"{budget:g}"
        table.add_row(measure, f"{size:,}", f"{wall:.2f}", f"{cpu:.2f}", limit, verdict)

    with tempfile.TemporaryDirectory() as scratch:
        for size in SIZES:
            (Path(scratch) / str(size)).mkdir()
            measure(size, Path(scratch) / str(size), repeats, row)
    console = Console(width=120)
    console.print(table)
    console.print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
