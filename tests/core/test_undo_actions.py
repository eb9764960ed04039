"""Undo works on what the person did: one action is one undo step, on one row or many (issue 16).

Copying last week's visits, an import of many rows and one week of the visits dialog (several cells named as one
action) are each undone by one `undo_last`, and the undo is itself one action.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.board_app import open_demo

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.errors import EditConflict, InvalidValue, NotFound
from factboard_tui.core.store.rows import RowWrite


def test_copying_a_week_of_visits_is_undone_in_one_step(tmp_path: Path) -> None:
    board = open_demo(tmp_path)
    try:
        this_monday = week_start(board.today())
        next_monday = this_monday + timedelta(days=7)
        copied = board.copy_week_visits("CSA", this_monday, next_monday)
        assert copied > 10
        after = board.visits(next_monday, next_monday + timedelta(days=7))
        assert sum(len(days) for days in after.values()) == copied
        result = board.undo_last("CSA")
        assert board.visits(next_monday, next_monday + timedelta(days=7)) == {}
        assert len({change.row_id for change in result.changes}) > 1
        assert len({change.txn for change in result.changes}) == 1  # the undo is one action too
    finally:
        board.close()


def test_an_import_of_many_rows_is_undone_in_one_step(tmp_path: Path) -> None:
    board = open_demo(tmp_path)
    try:
        before = {row.client_code for row in board.rows()}
        writes = [RowWrite(Op.ADD, values={"client_code": f"ZZ-{n:02}", "triage": "obs"}) for n in range(10, 15)]
        board.write_rows("CSA", writes, source="import:old.xlsx")
        assert len(board.rows()) == len(before) + 5
        board.undo_last("CSA")
        assert {row.client_code for row in board.rows()} == before
    finally:
        board.close()


def test_cells_saved_as_one_action_are_undone_together_and_older_actions_stay(tmp_path: Path) -> None:
    board = open_demo(tmp_path)
    try:
        row_id = board.open_row_by_code("GH-77").id or 0
        board.set_field("CSA", row_id, "safety", "Tillsyn")  # an older action: stays after one undo
        monday = week_start(board.today())
        action = uuid.uuid4().hex
        for offset, staff in ((2, "DEN"), (4, "KRO+CSA")):
            day = monday + timedelta(days=offset)
            board.write_row("CSA", "set", row_id=row_id, visits={day: (staff, None)}, action=action)
        board.undo_last("CSA")
        assert row_id not in board.week_visits()
        assert board.row(row_id).safety == "Tillsyn"
        board.undo_last("CSA")
        assert board.row(row_id).safety != "Tillsyn"
        with pytest.raises(NotFound):
            for _ in range(20):
                board.undo_last("CSA")
    finally:
        board.close()


def test_a_mistyped_client_code_is_corrected_on_the_same_row_with_its_history(tmp_path: Path) -> None:
    board = open_demo(tmp_path)
    try:
        row = board.open_row_by_code("NN-89")
        before = len(board.history(row.id or 0))
        board.correct_client_code("CSA", row.id or 0, "NN-98", expected="NN-89")
        corrected = board.open_row_by_code("NN-98")
        assert corrected.id == row.id and corrected.situation == row.situation
        history = board.history(row.id or 0)
        assert len(history) == before + 1  # nothing lost, one change more
        assert (history[-1].field, history[-1].old, history[-1].new) == ("client_code", "NN-89", "NN-98")
        with pytest.raises(InvalidValue):  # another open row's code: refused, nothing written
            board.correct_client_code("CSA", row.id or 0, "RT-93")
        with pytest.raises(EditConflict):  # someone corrected it meanwhile
            board.correct_client_code("CSA", row.id or 0, "NN-88", expected="NN-89")
        board.undo_last("CSA")
        assert board.open_row_by_code("NN-89").id == row.id
    finally:
        board.close()
