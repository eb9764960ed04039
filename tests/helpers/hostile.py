"""A board holding the whole hostile corpus, for the tests that pass every value through one face at a time.

`fill_board` writes each value the board can hold through the one write path: one row per value (its code
`HV-<n>`), the value in the situation, actions, safety and other providers, and as this week's Monday visit note;
and one team member per value (initials `HV` + letters) with the value as their name. `plant_legacy` then writes
refused values straight into the database, as a board written before today's character rules (which let C1
codes and bidi overrides through) or a tampered file could hold them: what must stay inert on every screen.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from datetime import date, timedelta

from data.hostile_values import STORED, Hostile

from factboard_tui.core.clock import week_start
from factboard_tui.core.store.board import Board

LEGACY = {
    "legacy-clear": "before\x1b[2Jafter",
    "legacy-title": "\x1b]0;PWNED-TITLE\x07title",
    "legacy-osc8": "\x1b]8;;https://evil.example\x1b\\PWNED-LINK\x1b]8;;\x1b\\",
    "legacy-c1": "c1\x9b2J\x9d0;PWNED-C1\x9c\x85",
    "legacy-bidi": "abc\u202edcba",
}
"""Values no write path accepts any more, planted with SQL: each must show inert."""


@dataclass(frozen=True)
class Placed:
    """Where a stored value is on the board."""

    entry: Hostile
    row_id: int
    code: str
    initials: str


def initials_for(index: int) -> str:
    """`HVA`, `HVB`, … `HVZ`, `HVAA` …: staff initials for the index-th value."""
    letters = string.ascii_uppercase
    suffix = letters[index % 26] + (letters[index // 26 - 1] if index >= 26 else "")
    return "HV" + suffix


def fill_board(board: Board, author: str = "CSA") -> list[Placed]:
    """Every storable corpus value on the board, through the write path (see the module docstring)."""
    monday = week_start(board.today())
    placed: list[Placed] = []
    for index, entry in enumerate(STORED, start=1):
        code = f"HV-{index}"
        row_id = board.write_row(
            author,
            "add",
            values={
                "client_code": code,
                "triage": "obs",
                "situation": entry.value,
                "actions": entry.value,
                "safety": entry.value,
                "other_providers": entry.value,
            },
            visits={monday: ("DEN", entry.value)},
            source="test",
        ).row_id
        initials = initials_for(index - 1)
        board.write_staff(author, initials, name=entry.value, discipline="nurse", source="test")
        placed.append(Placed(entry, row_id, code, initials))
    return placed


def plant_legacy(board: Board, author: str = "CSA") -> dict[str, int]:
    """Rows whose situation and actions hold the `LEGACY` values, written with SQL past the write path."""
    ids: dict[str, int] = {}
    for index, (name, value) in enumerate(LEGACY.items(), start=1):
        row_id = board.write_row(
            author, "add", values={"client_code": f"LG-{index}", "triage": "obs", "situation": "x"}, source="test"
        ).row_id
        with board.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE board_row SET situation = ?, actions = ?, safety = ? WHERE id = ?",
                (value, value, value, row_id),
            )
            connection.exec_driver_sql(
                "UPDATE change_log SET new = ? WHERE row_id = ? AND field = 'situation'", (value, row_id)
            )
        ids[name] = row_id
    return ids


def monday_of(board: Board) -> date:
    """The Monday of the board's current week (where `fill_board` put the visits)."""
    return week_start(board.today())


def sunday_of(board: Board) -> date:
    return monday_of(board) + timedelta(days=6)
