"""Sync benchmark: export and import of one bundle with 100,000 field changes (budgets, CPU: export 1 s, import 2 s).

Run: `python benchmarks/bench_sync.py` (add `--quick` for one repetition). The source board is built once under
`benchmarks/out/` through the real write path and reused; every repetition imports into a new, empty board that
trusts the source, so the import merges all 100,000 changes. Export covers reading the changes, JSON, compression,
encryption to two recipients, the Ed25519 signature and the minisign signature; import covers signature check,
decryption, strict validation and the merge in one transaction. Prints a table of medians, wall-clock and CPU
time of this process (on a shared machine the wall clock also counts time spent waiting for a core); the budgets
(issue 15) hold for the CPU medians.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.sync import service

OUT = Path(__file__).resolve().parent / "out"
PASSPHRASE = "benchmark passphrase"
TARGET_CHANGES = 100_000
BUDGET_S = {"export": 1.0, "import": 2.0}
"""CPU seconds (median) each step may take."""
WORDS = ["medicin", "boende", "kontakt", "hembesök", "krisplan", "oro", "sömn", "återfall", "planering", "stöd"]


def _code(number: int) -> str:
    letters = "".join(chr(65 + number // 26**power % 26) for power in (2, 1, 0))
    return f"{letters}-{number % 10_000}"


def build() -> Path:
    """A board whose change log holds at least 100,000 field changes (built once, then reused)."""
    path = OUT / "sync-source.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    board, _key = Board.create(path, PASSPHRASE, "sv", "Region")
    rng = random.Random(5)
    levels = [level.key for level in board.template.triage]
    categories = [category.key for category in board.template.categories]
    monday = date(2026, 11, 23)
    number = 0
    while board.data_version() < TARGET_CHANGES:
        writes = []
        for _ in range(500):
            number += 1
            words = " ".join(rng.choice(WORDS) for _ in range(12))
            values = {
                "client_code": _code(number),
                "triage": rng.choice(levels),
                "category": rng.choice(categories),
                "primary_contact": "CSA",
                "doctor": "MJR",
                "other_providers": "hemtjänst",
                "children": True,
                "children_note": "två barn",
                "situation": words,
                "actions": words[::-1],
                "safety": "krisplan finns",
                "evaluation_date": date(2027, 1, 1) + timedelta(days=number % 60),
                "crisis_plan": True,
            }
            visits = {monday + timedelta(days=day): ("DEN+MJR", "hembesök") for day in (0, 2, 4)}
            writes.append(RowWrite("add", values=values, visits=visits))
        board.write_rows("CSA", writes, source="benchmark")
    board.close()
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition instead of three")
    args = parser.parse_args()
    os.environ["FACTBOARD_KDF_FLOOR"] = "1"
    console = Console()
    console.print("building the source board (once)…")
    source = Board.unlock(build(), PASSPHRASE)
    exports: list[float] = []
    imports: list[float] = []
    cpu: dict[str, list[float]] = {"export": [], "import": []}
    size = changes = 0
    with tempfile.TemporaryDirectory() as directory:
        for repetition in range(1 if args.quick else 3):
            target, _key = Board.create(Path(directory) / f"target-{repetition}.db", PASSPHRASE, "sv", "Muni")
            name = f"muni-{repetition}-{os.getpid()}"
            service.trust_peer(source, name, target.site.public.key_text())
            service.trust_peer(target, "region", source.site.public.key_text())
            started, cpu_started = time.perf_counter(), time.process_time()
            bundle = service.export_bundle(source, name)
            exports.append(time.perf_counter() - started)
            cpu["export"].append(time.process_time() - cpu_started)
            started, cpu_started = time.perf_counter(), time.process_time()
            report = service.import_bundle(target, bundle.data)
            imports.append(time.perf_counter() - started)
            cpu["import"].append(time.process_time() - cpu_started)
            size, changes = len(bundle.data), bundle.changes
            assert report.applied.applied == changes, report.applied
            target.close()
            service.revoke_peer(source, name)
    source.close()
    table = Table(title=f"Sync bundle of {changes:,} field changes ({size / 1e6:.1f} MB on disk)", header_style="bold")
    for heading in ("step", "median", "runs", "CPU median", "budget", "within"):
        table.add_column(heading)
    for step, kind, times in (
        ("export (read, encode, encrypt, sign)", "export", exports),
        ("import (verify, decrypt, check, merge)", "import", imports),
    ):
        median = statistics.median(times)
        cpu_median = statistics.median(cpu[kind])
        table.add_row(
            step,
            f"{median:.2f} s",
            " ".join(f"{t:.2f}" for t in times),
            f"{cpu_median:.2f} s",
            f"{BUDGET_S[kind]:.0f} s CPU",
            "yes" if cpu_median <= BUDGET_S[kind] else "NO",
        )
    console.print(table)
    load = os.getloadavg()[0]
    console.print(f"load average during the run: {load:.1f} on {os.cpu_count()} cores (wall time includes waiting)")
    if any(statistics.median(cpu[kind]) > budget for kind, budget in BUDGET_S.items()):
        sys.exit(1)


if __name__ == "__main__":
    main()
