"""Import benchmark: a 2,000-row board as .xlsx, .ods-like CSV and Swedish Excel CSV, dry run and real import.

Run: `python benchmarks/bench_import.py` (add `--quick` for fewer repetitions). The 2,000-row board is the one
`bench_store.py` builds (under `benchmarks/out/`, reused); it is exported as `.xlsx` and as CSV (Windows-1252,
`;`, CRLF, as Swedish Excel saves it), then imported into a fresh board. Budget from issue 18: a 2,000-row import,
dry run or real, within 1 s beyond unlocking. Each dry run is timed from the file to everything the command prints
(reading, checking every cell, the summary, the first rows' table and every problem line, drawn by Rich into a
160-column console in memory); `--preview all` (every row in the table) is timed too, without a budget. A real
import is timed from the file to the rows committed. Unlocking is not included (the board is opened by its key).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_export import timed
from bench_store import PASSPHRASE, build, quick_repeats
from rich.console import Console
from rich.table import Table

from factboard_tui.cli import transfer as cli_transfer
from factboard_tui.core.clock import week_start
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.export import Format, board_document
from factboard_tui.core.transfer.export_formats import render
from factboard_tui.core.transfer.importer import iter_problems, plan_import, run_import
from factboard_tui.shown import shown

SIZE = 2_000
BUDGET_S = 1.0


def dry_run(board: Board, path: Path, limit: int | None) -> int:
    """What `factboard import --dry-run` prints, drawn into a 160-column console in memory; the characters drawn."""
    console = Console(file=io.StringIO(), width=160, color_system="truecolor", force_terminal=True)
    cli_transfer.out = console  # the command's own printing, to memory
    plan = plan_import(board, path)
    for line in cli_transfer._summary(plan):
        console.print(shown(line), soft_wrap=True)
    console.print(cli_transfer._preview(plan, board.template, limit))
    for line in iter_problems(plan):
        console.print(shown(("problem", "red"), " ", line, one_line=True), soft_wrap=True)
    output = console.file
    assert isinstance(output, io.StringIO)
    return len(output.getvalue())


def main() -> None:
    repeats = quick_repeats(__doc__)
    console = Console()
    source_board = build(SIZE)
    board = Board.open_with_key(source_board, Board.read_slot(source_board).unwrap(PASSPHRASE))
    document = board_document(board, week_start(board.today()))
    xlsx, csv_utf8 = render(document, Format.XLSX), render(document, Format.CSV)
    board.close()
    excel_csv = csv_utf8.decode("utf-8-sig").replace(",", ";").encode("cp1252", "replace")

    table = Table(title=f"FactBoard import, {SIZE:,}-row board (seconds; budget {BUDGET_S:g} s beyond unlocking)")
    for heading in ("what", "file", "median s", "max s", "CPU s", "within budget"):
        table.add_column(heading, justify="left" if heading in ("what", "file") else "right")

    def row(what: str, kind: str, timing: tuple[float, float, float], budget: bool = True) -> None:
        median, worst, cpu = timing
        ok = ("[green]yes[/]" if median <= BUDGET_S else "[red]NO[/]") if budget else "-"
        table.add_row(what, kind, f"{median:.3f}", f"{worst:.3f}", f"{cpu:.3f}", ok)

    os.environ["FACTBOARD_KDF_FLOOR"] = "1"
    with tempfile.TemporaryDirectory() as folder:
        files = {"xlsx": Path(folder) / "board.xlsx", "csv (cp1252, ;)": Path(folder) / "board.csv"}
        files["xlsx"].write_bytes(xlsx)
        # The export's CSV made Swedish-Excel-like: `;` for `,` breaks quoting of texts with commas, which is fine
        # here: the benchmark times reading and checking, and every row is still read (with problems in some).
        files["csv (cp1252, ;)"].write_bytes(excel_csv)
        fresh, _key = Board.create(Path(folder) / "fresh.db", PASSPHRASE)
        for kind, path in files.items():
            *timing, _drawn = timed(lambda path=path: dry_run(fresh, path, cli_transfer.PREVIEW_ROWS), repeats)
            row("dry run (summary, first rows, problems)", kind, tuple(timing))  # type: ignore[arg-type]
            *timing, _drawn = timed(lambda path=path: dry_run(fresh, path, None), max(1, repeats // 2))
            row("dry run --preview all", kind, tuple(timing), budget=False)  # type: ignore[arg-type]
        fresh.close()
        samples: list[float] = []
        cpu: list[float] = []
        for attempt in range(max(2, repeats // 2)):
            target, _key = Board.create(Path(folder) / f"real-{attempt}.db", PASSPHRASE)
            started, started_cpu = time.perf_counter(), time.process_time()
            imported = len(run_import(target, plan_import(target, files["xlsx"]), "KOO").row_ids)
            samples.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            target.close()
            assert imported == SIZE, imported
        row(
            "real import (read, check, write)",
            "xlsx",
            (statistics.median(samples), max(samples), statistics.median(cpu)),
        )
    console.print(table)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    console.print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load}")


if __name__ == "__main__":
    main()
