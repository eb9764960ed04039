"""Audit log benchmark: what the audit entry adds to saving one cell, a repeated view, and verifying a long chain
(with the seal over the board's records, recomputed record by record).

Run: `python benchmarks/bench_audit.py` (add `--quick` for fewer repetitions). One fresh 2,000-row board in a
temporary folder; cell saves alternate between the real write path and the same path with the audit entry
switched off, so both halves see the same machine load (this machine is shared). Prints a table of medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from rich.console import Console
from rich.table import Table

from factboard_tui.core.security import seal
from factboard_tui.core.store import transaction
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite

PASSPHRASE = "benchmark passphrase"


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    saves = 200 if args.quick else 1000
    os.environ.setdefault("FACTBOARD_KDF_FLOOR", "1")  # the key slot's cost is not what this measures
    with tempfile.TemporaryDirectory() as folder:
        board, _key = Board.create(Path(folder) / "board.db", PASSPHRASE)
        triage = board.template.triage[0].key
        adds = [RowWrite("add", values={"client_code": f"C-{i:04d}", "triage": triage}) for i in range(2000)]
        add_ms = timed(lambda: board.write_rows("KOO", adds, source="benchmark"))
        ids = [row.id or 0 for row in board.rows()][:50]
        audited = transaction.audit_writes
        samples: dict[bool, list[float]] = {True: [], False: []}
        for index in range(saves):
            on = index % 2 == 1
            transaction.audit_writes = audited if on else (lambda *_args, **_kwargs: None)
            save = partial(board.set_field, "KOO", ids[index % len(ids)], "actions", f"call {index}")
            samples[on].append(timed(save))
        transaction.audit_writes = audited
        first_view = [timed(partial(board.record_view, row_id, "board detail", "KOO")) for row_id in ids]
        repeat_view = [timed(partial(board.record_view, row_id, "board detail", "KOO")) for row_id in ids]
        for index in range(saves * 5):  # a longer chain to walk
            board.audit_event("export", detail=f"benchmark {index}")
        entries = board.audit_verify().count
        verify_ms = statistics.median(timed(board.audit_verify) for _ in range(3))
        with board.engine.connect() as connection:
            raw = connection.connection.dbapi_connection
            sealed = sum(count for count, _digest in seal.compute(raw).values())
            seal_ms = statistics.median(timed(partial(seal.compute, raw)) for _ in range(3))
        board.close()
    table = Table(title="FactBoard audit log (medians, ms)")
    for heading in ("measure", "median ms", "p90 ms"):
        table.add_column(heading, justify="left" if heading == "measure" else "right")

    def row(name: str, values: list[float]) -> None:
        table.add_row(name, f"{statistics.median(values):.2f}", f"{sorted(values)[int(len(values) * 0.9)]:.2f}")

    row("save one cell, audit entry off", samples[False])
    row("save one cell, with its audit entry", samples[True])
    row("first view of a row (access log entry)", first_view)
    row("same view again within 10 minutes (skipped)", repeat_view)
    table.add_row(f"audit verify, {entries:,} entries (with the seal)", f"{verify_ms:.1f}", "")
    table.add_row(f"  of which the seal recomputed, {sealed:,} records", f"{seal_ms:.1f}", "")
    table.add_row("add 2,000 rows in one write (one entry)", f"{add_ms:.1f}", "")
    Console().print(table)


if __name__ == "__main__":
    main()
