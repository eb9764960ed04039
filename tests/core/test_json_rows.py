"""`rows list --json` has SQLite write each record (issue 15: 20,000 rows within its budget): the records must be
the ones `views.row_record` makes from the rows as Python reads them, key for key, value for value, in board order,
on a board holding every hostile value, legacy control characters, rows off the board, an unknown category and moments
stored in other forms than the store's own."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from helpers.hostile import fill_board, monday_of, plant_legacy

from factboard_tui.core.domain.views import row_record
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.json_rows import row_records_json


def as_python_reads_them(board: Board, include_off: bool) -> list[dict[str, Any]]:
    today = board.today()
    week = board.week_visits(today)
    return [row_record(row, week.get(row.id, {}), board.template, today) for row in board.rows(include_off)]


def plant(board: Board, sql: str, *parameters: object) -> None:
    """A value written past the write path (a board from an older FactBoard, or another tool)."""
    with board.engine.begin() as connection:
        connection.exec_driver_sql(sql, parameters)


@pytest.mark.parametrize("include_off", [False, True], ids=["on the board", "--all"])
def test_the_records_sqlite_writes_are_the_ones_python_makes(board: Board, include_off: bool) -> None:
    fill_board(board)
    plant_legacy(board)
    monday = monday_of(board)
    ids = [
        board.write_row(
            "CSA",
            "add",
            values={
                "client_code": f"JS-{index}",
                "triage": triage,
                "category": "symptom_increase" if index % 2 else None,
                "children": [True, False, None][index % 3],
                "crisis_plan": bool(index % 2),
                "evaluation_date": monday + timedelta(days=index - 3),
                "date_on": monday - timedelta(days=40 * index),
            },
            visits={monday + timedelta(days=day): ("DEN", f"note {day}") for day in range(index % 8)},
            source="test",
        ).row_id
        for index, triage in enumerate(["crisis", "watch", "stable", "admitted", "new", "watch", "stable"], start=1)
    ]
    board.write_row("CSA", "add", values={"client_code": "JS-99", "triage": "obs"}, visits={}, source="test")
    board.take_off("CSA", ids[0], "Treatment ended")
    board.take_off("CSA", ids[1], "Moved")
    plant(board, "UPDATE board_row SET category = 'no_such_category' WHERE id = ?", ids[2])
    plant(board, "UPDATE board_row SET updated_at = '2026-11-23 08:15:00.000000' WHERE id = ?", ids[3])
    plant(board, "UPDATE board_row SET updated_at = '2026-11-23T08:15:00.5' WHERE id = ?", ids[4])
    plant(board, "UPDATE board_row SET updated_at = '2026-11-23 08:15:00' WHERE id = ?", ids[5])
    plant(board, "UPDATE board_row SET triage = '' WHERE id = ?", ids[6])

    python = as_python_reads_them(board, include_off)
    written = row_records_json(board, board.today(), include_off)

    # Compared as text Python writes: keys in the same order, true not 1, the same escapes.
    assert [json.dumps(json.loads(record)) for record in written] == [json.dumps(record) for record in python]
    assert len(written) == len(board.rows(include_off)) > 40
    assert all("\n" not in record for record in written)  # one record a line, whatever a value holds
