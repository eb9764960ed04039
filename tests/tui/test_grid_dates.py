"""The grid writes dates as the board's template does: `02.11.26` on a Danish board, `261102` on a Swedish one, in
columns wide enough for them (issue 17's dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import prepared
from helpers.boards import NOW, USER

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.tui.widgets.board_view import WeekContext, grid_columns, row_cells


@pytest.mark.parametrize(
    ("template", "date_on", "evaluation"), [("da", "02.11.26", "04.12.26"), ("sv", "261102", "261204")]
)
def test_the_grid_shows_dates_as_the_board_writes_them(
    tmp_path: Path, template: str, date_on: str, evaluation: str
) -> None:
    path = tmp_path / "board.db"
    board = Board.open_with_key(path, prepared.blank(path, template=template), clock=frozen_clock(NOW))
    try:
        triage = board.template.triage[0].label
        board.add_row(
            USER, {"client_code": "DD-75", "triage": triage, "date_on": "021126" if template == "da" else "261102"}
        )
        (row,) = board.rows()
        board.set_field(USER, row.id or 0, "evaluation_date", "04.12.2026")
        (row,) = board.rows()
        cells = row_cells(row, {}, board.template, WeekContext(date(2026, 11, 23), date(2026, 11, 25)))
        assert (cells["date_on"].text, cells["evaluation_date"].text) == (date_on, evaluation)
        widths = {column.key: column.width for column in grid_columns(board.template, 200)}
        assert widths["date_on"] >= len(date_on) and widths["evaluation_date"] >= len(evaluation)
    finally:
        board.close()
