"""The demo board: a synthetic board anyone can open with no setup, in the style of the reference board.

Its rows, staff and texts come from `data/demo/<template>.toml` (no patient text lives in code); dates are
relative to today so the demo always looks current. Everything is written through the one write path, so the
demo also has history.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from factboard_tui.core.clock import Clock, system_clock, week_start
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.domain.fields import split_visit_cell
from factboard_tui.core.domain.plan_template import MEASURE_SLOTS, PLAN_KINDS, review_field
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, load_template
from factboard_tui.core.paths import key_slot_path, shipped_dir
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.demo_history import write_history

DEMO_PASSPHRASE = "factboard-demo"
"""The demo board's published passphrase: it holds synthetic data only."""


def demo_data(template_id: str = "sv") -> dict[str, Any]:
    """The shipped demo data for a template."""
    path = shipped_dir("data") / "demo" / f"{template_id}.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


DATES_IN = (
    *(review_field(kind) for kind in PLAN_KINDS),
    *(name for slot in MEASURE_SLOTS for name in (slot.start, slot.expiry)),
)
"""Dates a demo row gives as `<field>_in`: days from today (negative: past), so the flags they raise stay true."""


def remove_board_files(path: Path) -> None:
    """Delete a board and everything beside it that belongs to it (for `demo --reset` only)."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"), key_slot_path(path)):
        leftover.unlink(missing_ok=True)


def create_demo_board(path: Path, clock: Clock = system_clock, template_id: str = "sv") -> Board:
    """Create the demo board at `path` and fill it."""
    data = demo_data(template_id)
    template = replace(load_template(data["template"]), caseload_size=int(data.get("caseload_size", 0)))
    board, _key = Board.create(path, DEMO_PASSPHRASE, team=data["team"], clock=clock, template=template)
    author = data["author"]
    for member in data["staff"]:
        board.write_staff(
            author,
            member["initials"],
            name=member["name"],
            discipline=member["discipline"],
            organisation=member["organisation"],
            source="demo",
        )
    write_history(board, data, author)  # the past first, in order: the statistics count it
    today = board.today()
    monday = week_start(today)
    writes: list[RowWrite] = []
    for raw in data["rows"]:
        values = {k: v for k, v in raw.items() if k not in ("days_on", "evaluate_in", "visits") and k[-3:] != "_in"}
        values["date_on"] = today - timedelta(days=int(raw["days_on"]))
        if "evaluate_in" in raw:
            values["evaluation_date"] = today + timedelta(days=int(raw["evaluate_in"]))
        for key in DATES_IN:  # a plan's review or a measure's dates, in days from today
            if f"{key}_in" in raw:
                values[key] = today + timedelta(days=int(raw[f"{key}_in"]))
        visits: dict[date, tuple[str | None, str | None]] = {}
        for day_key, cell in raw.get("visits", {}).items():
            visits[monday + timedelta(days=WEEKDAY_KEYS.index(day_key))] = split_visit_cell(str(cell))
        writes.append(RowWrite(Op.ADD, values=values, visits=visits))
    board.write_rows(author, writes, source="demo")
    return board
