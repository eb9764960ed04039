"""Fidelity report benchmark: a year's report of a board that had 2,000 rows on it during that year.

Run: `python benchmarks/bench_report.py` (add `--quick` for fewer repetitions). The board is built once under
`benchmarks/out/` through the real write paths, with the clock moved week by week: 2,000 rows going on and off the
board over 52 weeks (about 200 on it at a time, a third changing triage once), two visits a week for each row by one
or two of twelve staff, and four meetings a week over the rows on the board with nine people present. Budget from
issue 19: a year's report at 2,000 rows within 2 s beyond unlocking, on this machine. Timed from an open (unlocked)
board to the report's bytes in memory: reading the history, counting, and rendering (HTML includes pygal's charts);
writing the file is not included. CPU time is shown beside wall time: the 2 cores are shared.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench_store import quick_repeats
from rich.console import Console
from rich.table import Table

from factboard_tui.core.domain.meetings import DISCUSSED, NOT_REACHED, MeetingSession
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.minutes import save_meeting
from factboard_tui.core.transfer.report import build_report
from factboard_tui.core.transfer.report_formats import ReportFormat, render_report

OUT = Path(__file__).resolve().parent / "out"
PASSPHRASE = "benchmark passphrase"
SIZE = 2_000
WEEKS = 52
BUDGET_S = 2.0
TODAY = date(2026, 11, 27)
"""The built board's last day (a Friday): the report covers the 365 days up to it."""
STAFF = [
    ("KOO", "coordinator", "region"),
    ("CSA", "nurse", "region"),
    ("DEN", "nurse", "region"),
    ("HMR", "doctor", "region"),
    ("MDN", "psychologist", "region"),
    ("MJR", "peer_support", "region"),
    ("KRO", "social_worker", "municipality"),
    ("SNG", "occupational_therapist", "municipality"),
    ("BS", "housing_support", "municipality"),
    ("ALN", "nurse", "municipality"),
    ("PER", "social_worker", "municipality"),
    ("LIS", "nurse", "region"),
]


def _noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def build() -> Path:
    """The year-long board (built once, then reused)."""
    path = OUT / f"report-{SIZE}.db"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    os.environ["FACTBOARD_KDF_FLOOR"] = "1"
    moment = [_noon(TODAY - timedelta(weeks=WEEKS))]
    board, _key = Board.create(path, PASSPHRASE, "sv", f"Benchmark report {SIZE}", clock=lambda: moment[0])
    for initials, discipline, organisation in STAFF:
        board.write_staff("KOO", initials, discipline=discipline, organisation=organisation)
    rng = random.Random(SIZE)
    levels = [level.key for level in board.template.triage]
    staff = [initials for initials, _d, _o in STAFF]
    first = TODAY - timedelta(weeks=WEEKS) - timedelta(days=TODAY.weekday())
    plan: dict[date, list[tuple[str, int, str]]] = {}  # Monday -> (code, days on board, triage)
    for number in range(SIZE):
        monday = first + timedelta(weeks=rng.randrange(WEEKS))
        code = f"{chr(65 + number // 26 % 26)}{chr(65 + number % 26)}{chr(65 + number // 676 % 26)}-{number}"
        plan.setdefault(monday, []).append((code, rng.choice((10, 20, 35, 50, 70, 90)), rng.choice(levels)))
    open_rows: dict[int, date] = {}  # row id -> its last day
    for week in range(WEEKS + 1):
        monday = first + timedelta(weeks=week)
        moment[0] = _noon(monday)
        new = plan.get(monday, [])
        if new:
            writes = [RowWrite("add", values={"client_code": c, "triage": t, "date_on": monday}) for c, _n, t in new]
            for (_code, days, _t), result in zip(new, board.write_rows("KOO", writes, source="benchmark"), strict=True):
                open_rows[result.row_id] = monday + timedelta(days=days)
        for weekday in (0, 1, 3, 4):  # four meetings a week, at 08:15
            day = monday + timedelta(days=weekday)
            if day > TODAY:
                break
            started = datetime(day.year, day.month, day.day, 8, 15, tzinfo=UTC)
            order = sorted(row for row, last in open_rows.items() if last > day)
            session = MeetingSession(started, "KOO", order, budget_minutes=60, first_change_id=board.data_version())
            session.attendees = rng.sample(staff, 9)
            session.status = {row: DISCUSSED if rng.random() < 0.9 else NOT_REACHED for row in order}
            save_meeting(board, session, started + timedelta(minutes=rng.randrange(40, 75)))
        moment[0] = _noon(monday + timedelta(days=2))
        later = []
        for row, last in open_rows.items():
            days = [monday + timedelta(days=d) for d in rng.sample(range(5), 2)]
            visits = {d: ("+".join(rng.sample(staff, rng.choice((1, 2)))), None) for d in days if d < last}
            values = {"triage": rng.choice(levels)} if rng.random() < 0.05 else {}
            if visits or values:
                later.append(RowWrite("set", row, values=values, visits=visits))
        if later:
            board.write_rows("KOO", later, source="benchmark")
        moment[0] = _noon(monday + timedelta(days=6))
        leaving = [row for row, last in open_rows.items() if last <= monday + timedelta(days=6)]
        offs = [
            RowWrite("off", row, values={"off_reason": rng.choice(("Stabil", "Flyttat", "Inlagd"))}) for row in leaving
        ]
        if offs and monday + timedelta(days=6) <= TODAY + timedelta(days=2):
            board.write_rows("KOO", offs, source="benchmark")
            for row in leaving:
                del open_rows[row]
    board.close()
    os.environ.pop("FACTBOARD_KDF_FLOOR")
    return path


def main() -> None:
    repeats = quick_repeats(__doc__)
    console = Console()
    started = time.perf_counter()
    path = build()
    console.print(f"board: {path} (ready in {time.perf_counter() - started:.1f} s)")
    board = Board.open_with_key(path, Board.read_slot(path).unwrap(PASSPHRASE), clock=lambda: _noon(TODAY))
    start, end = TODAY - timedelta(days=364), TODAY
    table = Table(title=f"FactBoard fidelity report, a year of a {SIZE:,}-row board (seconds; budget {BUDGET_S:g} s)")
    for heading in ("format", "bytes", "median s", "max s", "CPU s", "within budget"):
        table.add_column(heading, justify="left" if heading == "format" else "right")
    for fmt in ReportFormat:
        samples, cpu, data = [], [], b""
        for _ in range(repeats):
            wall0, cpu0 = time.perf_counter(), time.process_time()
            data = render_report(build_report(board, start, end), fmt)
            samples.append(time.perf_counter() - wall0)
            cpu.append(time.process_time() - cpu0)
        median = statistics.median(samples)
        ok = "[green]yes[/]" if median <= BUDGET_S else "[red]NO[/]"
        table.add_row(fmt.value, f"{len(data):,}", f"{median:.3f}", f"{max(samples):.3f}",
                      f"{statistics.median(cpu):.3f}", ok)  # fmt: skip
    report = build_report(board, start, end)
    figures = report.statistics
    console.print(table)
    console.print(
        f"rows in the year: {figures.board.episodes_started:,} started, {figures.board.episodes_ended:,} ended; "
        f"meetings {figures.meetings.meetings}; rows counted for the team approach {figures.team.eligible:,}; "
        f"load {os.getloadavg()[0]:.1f}"
    )
    board.close()


if __name__ == "__main__":
    main()
