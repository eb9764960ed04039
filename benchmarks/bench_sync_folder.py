"""Sync-folder benchmark: what a round through a shared folder costs a site, busy and quiet.

Run: `python benchmarks/bench_sync_folder.py` (add `--quick` for one repetition). Two fresh boards trust each other
and share a folder in a temporary directory. Measured, as medians:

- **busy round**: the region adds 50 rows and runs a round (export, minisign, two durable writes, the ledger);
  the muni then runs a round that settles, verifies and merges that bundle;
- **quiet round**: a round with nothing new, over an inbox and a ledger that already know 500 earlier bundles
  (what `sync watch` and the open board do every minute all day).

Budgets: busy rounds under 1 s each, a quiet round under 50 ms (the open board runs it in its writer; it must
never hold a cell's write up noticeably). Wall-clock and CPU time of this process are shown apart (on a shared
machine the wall clock also counts time spent waiting for a core).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service
from factboard_tui.core.sync.folder import SyncFolder, inbox

PASSPHRASE = "benchmark passphrase"
BUDGETS = {"busy round (writer)": 1.0, "busy round (reader)": 1.0, "quiet round": 0.05}


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition")
    repetitions = 1 if parser.parse_args().quick else 5
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in BUDGETS}
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        region, _key = Board.create(root / "region.db", PASSPHRASE, "sv", "Region")
        muni, _key = Board.create(root / "muni.db", PASSPHRASE, "sv", "Silkeborg")
        service.trust_peer(region, "Silkeborg", muni.site.public.key_text())
        service.trust_peer(muni, "Region", region.site.public.key_text())
        shared = root / "shared"
        shared.mkdir()
        writer, reader = SyncFolder(region, shared, settle=0), SyncFolder(muni, shared, settle=0)
        number = 0
        for _ in range(repetitions):
            for _row in range(50):
                number += 1
                region.add_row("CSA", {"client_code": f"BB-{number}", "triage": "new", "situation": "Bor hemma"})
            results["busy round (writer)"].append(_timed(writer.round))
            results["busy round (reader)"].append(_timed(reader.round))
        for number in range(500):  # earlier bundles the inbox and ledger already know (as months of rounds leave)
            spent = inbox(shared, muni.site_id) / f"{region.site_id}-old-{number:04d}.fbsync"
            spent.write_bytes(b"FBSYNC")
            spent.with_name(spent.name + ".minisig").write_text("old")
        settled = _timed(reader.round)  # each is refused once (no valid signature) and kept in the ledger
        print(f"settling 500 files in one round: {settled[0]:.2f} s wall, {settled[1]:.2f} s cpu")
        for _ in range(repetitions * 4):
            results["quiet round"].append(_timed(reader.round))
        region.close()
        muni.close()
    table = Table(title="A sync round through a shared folder (medians)")
    for heading in ("case", "wall s", "cpu s", "budget s", "result"):
        table.add_column(heading)
    failed = False
    for name, budget in BUDGETS.items():
        wall = statistics.median(item[0] for item in results[name])
        cpu = statistics.median(item[1] for item in results[name])
        failed |= wall > budget
        table.add_row(name, f"{wall:.3f}", f"{cpu:.3f}", f"{budget:.2f}", "pass" if wall <= budget else "MISS")
    Console().print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
