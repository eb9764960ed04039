"""A small meeting board for the meeting tests: four rows whose triage order is known, one visit this week and a
team of five, written through the one write path."""

from __future__ import annotations

from factboard_tui.core.clock import week_start
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite

ROWS = [
    {"client_code": "AA-80", "triage": "Stabil", "date_on": "2026-10-06", "children": "Ja", "children_note": "2 st"},
    {"client_code": "NN-89", "triage": "Kris", "date_on": "2026-10-20", "crisis_plan": "Nej"},
    {"client_code": "DD-75", "triage": "obs", "date_on": "2026-07-01", "evaluation_date": "2026-11-20"},
    {"client_code": "EE-68", "triage": "Inlagd", "date_on": "2026-11-13"},
]
"""Four rows whose triage order is NN-89 (crisis), EE-68 (admitted), DD-75 (watch), AA-80 (stable)."""


def fill(board: Board) -> dict[str, int]:
    """The rows above (with one visit for EE-68 this week) and a team of five; returns row ids by code."""
    monday = week_start(board.today())
    writes = [RowWrite("add", values=values) for values in ROWS]
    writes[3] = RowWrite("add", values=ROWS[3], visits={monday: ("DEN", None)})
    results = board.write_rows("KOO", writes, source="test")
    for initials, discipline in (("KOO", "coordinator"), ("CSA", "nurse"), ("HMR", "doctor"), ("MDN", "psychologist")):
        board.write_staff("KOO", initials, discipline=discipline)
    board.write_staff("KOO", "DEN", discipline="nurse")
    return {values["client_code"]: result.row_id for values, result in zip(ROWS, results, strict=True)}
