"""The core services behind board editing: undo, edit conflicts, copying last week's visits, filters, migration 2."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlcipher3

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.filters import RowFilter
from factboard_tui.core.errors import EditConflict, InvalidValue, NotFound
from factboard_tui.core.store import migrations
from factboard_tui.core.store.board import Board


def add(board: Board, code: str = "DD-75", **values: str) -> int:
    return board.add_row("CSA", {"client_code": code, "triage": "obs", **values})


def test_undo_reverses_my_last_change_and_is_itself_recorded(board: Board) -> None:
    row_id = add(board, situation="Slutat ta medicin.")
    board.set_field("CSA", row_id, "situation", "Tar medicin igen.")
    board.set_field("MJR", row_id, "triage", "Kris")  # someone else's change is not mine to undo
    result = board.undo_last("CSA")
    assert board.row(row_id).situation == "Slutat ta medicin."
    assert board.row(row_id).triage == "crisis"
    assert [(change.op, change.field, change.old, change.new) for change in result.changes] == [
        ("undo", "situation", "Tar medicin igen.", "Slutat ta medicin.")
    ]
    history = board.history(row_id)
    assert history[-1].op == "undo" and history[-1].undoes == history[-3].txn
    # The next undo goes further back (the add), it does not redo the undo.
    board.set_field("MJR", row_id, "triage", "obs")
    board.undo_last("CSA")
    assert board.row(row_id).date_off is not None  # undoing the add takes the row off again
    with pytest.raises(NotFound, match="no change"):
        board.undo_last("CSA")


def test_undo_of_a_visit_and_of_taking_off(board: Board) -> None:
    row_id = add(board)
    board.set_field("CSA", row_id, "mon", "DEN+MJR: hembesök")
    board.undo_last("CSA")
    assert board.week_visits() == {}
    board.take_off("CSA", row_id, "stabil")
    board.undo_last("CSA")
    assert board.row(row_id).date_off is None and board.row(row_id).off_reason is None


def test_undo_refuses_to_overwrite_someone_elses_later_change(board: Board) -> None:
    row_id = add(board)
    board.set_field("CSA", row_id, "actions", "CSA ringer onsdag.")
    board.set_field("MJR", row_id, "actions", "MJR ringer torsdag.")
    version = board.data_version()
    with pytest.raises(InvalidValue, match="changed by MJR"):
        board.undo_last("CSA")
    assert board.row(row_id).actions == "MJR ringer torsdag."
    assert board.data_version() == version


def test_a_write_from_a_stale_editor_is_a_conflict_and_writes_nothing(board: Board) -> None:
    row_id = add(board, situation="Före.")
    board.set_field("MJR", row_id, "situation", "Deras text.")
    version = board.data_version()
    with pytest.raises(EditConflict) as caught:
        board.write_row("CSA", "set", row_id=row_id, values={"situation": "Min text."}, expected={"situation": "Före."})
    assert caught.value.by == "MJR" and caught.value.theirs == "Deras text."
    assert board.data_version() == version
    board.write_row(
        "CSA", "set", row_id=row_id, values={"situation": "Min text."}, expected={"situation": "Deras text."}
    )
    assert board.row(row_id).situation == "Min text."


def test_a_visit_edited_meanwhile_is_a_conflict(board: Board) -> None:
    row_id = add(board)
    monday = week_start(board.today())
    board.write_row("MJR", "set", row_id=row_id, visits={monday: ("MJR", None)})
    with pytest.raises(EditConflict, match="MJR"):
        board.write_row(
            "CSA", "set", row_id=row_id, visits={monday: ("CSA", None)}, expected={f"visit:{monday}": (None, None)}
        )


def test_copy_last_weeks_visits_fills_only_free_days(board: Board) -> None:
    first = add(board, "DD-75")
    second = add(board, "AA-80")
    last_monday = week_start(board.today()) - timedelta(days=7)
    this_monday = last_monday + timedelta(days=7)
    board.write_row(
        "CSA", "set", row_id=first, visits={last_monday: ("BS", None), last_monday + timedelta(2): ("CSA", "tele")}
    )
    board.write_row("CSA", "set", row_id=second, visits={last_monday + timedelta(1): ("KRO", None)})
    board.write_row("CSA", "set", row_id=first, visits={this_monday: ("DEN", None)})  # Monday already planned
    assert board.copy_week_visits("CSA", last_monday, this_monday) == 2
    week = board.visits(this_monday, this_monday + timedelta(7))
    assert week[first][this_monday].staff == "DEN"
    assert (week[first][this_monday + timedelta(2)].staff, week[first][this_monday + timedelta(2)].note) == (
        "CSA",
        "tele",
    )
    assert week[second][this_monday + timedelta(1)].staff == "KRO"
    assert board.copy_week_visits("CSA", last_monday, this_monday) == 0  # nothing left to carry over


def test_filters_by_text_triage_and_staff(board: Board) -> None:
    add(board, "DD-75", situation="Slutat ta medicin.", primary_contact="CSA")
    add(board, "AA-80", situation="Nytt boende.", primary_contact="KRO", triage="Kris")
    monday = week_start(board.today())
    board.write_row("MJR", "set", row_id=board.open_row_by_code("AA-80").id, visits={monday: ("DEN+MJR", None)})
    rows = board.rows()
    visits = board.week_visits()

    def kept(text: str, user: str = "CSA") -> list[str]:
        row_filter = RowFilter(text, user, board.template)
        return [row.client_code for row in rows if row_filter.matches(row, visits.get(row.id or 0, {}))]

    assert kept("") == ["AA-80", "DD-75"]
    assert kept("medicin") == ["DD-75"]
    assert kept("BOENDE") == ["AA-80"]
    assert kept("t:kris") == ["AA-80"]
    assert kept("@me") == ["DD-75"]
    assert kept("@mjr") == ["AA-80"]  # visits this week count as "my rows"
    assert kept("@me medicin t:obs") == ["DD-75"]


def test_a_version_1_board_migrates_to_version_2_keeping_its_history(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    key = bytes(range(32))
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    for statement in migrations.MIGRATIONS[0][1]:
        connection.execute(statement)
    connection.execute("PRAGMA user_version = 1")
    connection.execute(
        "INSERT INTO change_log (at, author, source, entity, op, field, new) "
        "VALUES ('2026-01-01 08:00:00', 'CSA', 'cli', 'row', 'set', 'situation', 'x')"
    )
    assert migrations.migrate(connection) == 1
    assert connection.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    assert connection.execute("SELECT txn, undoes FROM change_log").fetchall() == [("v1-1", None)]
    connection.close()
