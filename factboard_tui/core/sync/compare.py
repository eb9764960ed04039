"""Two sites' boards compared by content: what sync must make equal (rows by their global id, visits, staff), without
local ids and times. The convergence tests and the sync folder's proofs compare boards with `board_state_hash`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from factboard_tui.core.domain import fields as F
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import bundle as B


def board_state(board: Board) -> dict[str, Any]:
    """The board's content by global identity (row UUIDs, staff initials), without local ids and times."""
    with board.engine.connect() as connection:
        fields = list(F.ROW_FIELDS)
        rows = {
            str(row[0]): [None if value is None else str(value) for value in row[1:]]
            for row in connection.exec_driver_sql(f"SELECT uid, {', '.join(fields)} FROM board_row")
        }
        visits = sorted(
            [str(uid), str(day), str(staff), note]
            for uid, day, staff, note in connection.exec_driver_sql(
                "SELECT r.uid, v.day, v.staff, v.note FROM visit v JOIN board_row r ON r.id = v.row_id"
            )
        )
        staff = {
            str(row[0]): [str(value) for value in row[1:]]
            for row in connection.exec_driver_sql("SELECT initials, name, discipline, organisation, active FROM staff")
        }
    return {"rows": rows, "visits": visits, "staff": staff}


def board_state_hash(board: Board) -> str:
    """SHA-256 of `board_state`: two sites in step have the same one."""
    return hashlib.sha256(B.canonical_json(board_state(board))).hexdigest()
