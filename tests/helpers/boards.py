"""What every test board shares: its passphrase, its author, its frozen morning, a clock moved by hand, and ways to
prove that nothing changed (every file's hash, everything a write could touch)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from factboard_tui.core.store.board import Board

PASSPHRASE = "correct horse battery"
"""The passphrase of every test board."""

USER = "CSA"
"""Who writes in tests."""

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""A Wednesday morning: the frozen time of in-process test boards."""

MONDAY_MORNING = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
"""Monday of the same week, a quarter past eight: the frozen time of the demo boards the TUI tests show."""


class HandClock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment
        self.readings = 0
        """How often the app has asked the time: a test waits for timers to have run by this, not by the clock."""

    def __call__(self) -> datetime:
        self.readings += 1
        return self.moment

    def advance(self, **span: float) -> None:
        self.moment += timedelta(**span)


def snapshot_files(root: Path) -> dict[str, str]:
    """SHA-256 of every file under `root`, by relative path: compare two snapshots to prove nothing changed.

    The empty `<db>.lock` file every open creates (it carries the open boards' shared locks, no data) is left out.
    """
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not (path.suffix == ".lock" and path.stat().st_size == 0)
    }


def state(board: Board) -> tuple[Any, ...]:
    """Everything a write could change, to prove that a refused write changed nothing."""
    rows = [row._asdict() for row in board.rows(include_off=True)]
    visits = board.visits(date(1900, 1, 1), date(2999, 1, 1))
    flat = sorted((row_id, day, v.staff, v.note) for row_id, days in visits.items() for day, v in days.items())
    staff = [member.model_dump() for member in board.staff(include_inactive=True)]
    histories = [[c.model_dump() for c in board.history(row["id"])] for row in rows]
    return board.data_version(), rows, flat, staff, histories
