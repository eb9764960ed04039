"""The encrypted store and its one write path, on real SQLCipher databases in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from helpers.boards import NOW, PASSPHRASE, snapshot_files, state

from factboard_tui.core.clock import week_start
from factboard_tui.core.errors import InvalidValue, SchemaTooNew
from factboard_tui.core.store import migrations
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.store.schema import (
    AuditRecord,
    AuditWitness,
    BoardMeta,
    BoardRow,
    Change,
    Meeting,
    MeetingAttendee,
    MeetingRow,
    Staff,
    SyncAck,
    SyncBundle,
    SyncConflict,
    SyncPeer,
    Visit,
)

TODAY = NOW.astimezone().date()
MONDAY = week_start(TODAY)


def raw_connect(path: Path, key: bytes) -> Any:
    """A plain sqlcipher3 connection opened with the raw key, as any SQLCipher 4 tool would."""
    connection = sqlcipher3.connect(str(path))
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return connection


def add_dd75(board: Board) -> int:
    return board.add_row("CSA", {"client_code": "DD-75", "triage": "obs", "situation": "Slutat ta medicin."})


# -- add, set, off, back again ----------------------------------------------------------------------------------


def test_add_set_off_and_come_back_as_a_new_period(board: Board) -> None:
    row_id = board.add_row("CSA", {"client_code": "dd-75", "triage": "obs", "Aktuell situation": "Slutat ta medicin."})
    row = board.row(row_id)
    assert (row.client_code, row.triage, row.situation) == ("DD-75", "watch", "Slutat ta medicin.")
    assert row.date_on == TODAY
    assert (row.created_by, row.updated_by) == ("CSA", "CSA")
    assert [r.id for r in board.rows()] == [row_id]

    board.set_field("MJR", row_id, "actions", "CSA ringer på onsdag.")
    board.set_field("MJR", row_id, "FVK", "csa")  # the board's own column label works as a field name
    row = board.row(row_id)
    assert (row.actions, row.primary_contact, row.updated_by) == ("CSA ringer på onsdag.", "CSA", "MJR")

    board.take_off("CSA", row_id, "Utskriven till öppenvård")
    closed = board.row(row_id)
    assert (closed.date_off, closed.off_reason) == (TODAY, "Utskriven till öppenvård")
    assert board.rows() == []
    assert [r.id for r in board.rows(include_off=True)] == [row_id]
    with pytest.raises(InvalidValue) as refused:
        board.set_field("CSA", row_id, "actions", "för sent")
    assert refused.value.field == "date_off"

    again = board.add_row("CSA", {"client_code": "DD-75", "triage": "Ny"})
    assert again != row_id
    assert [r.id for r in board.rows()] == [again]
    assert {r.id for r in board.rows(include_off=True)} == {row_id, again}
    assert board.row(again).actions is None  # the new period starts empty; the old one keeps its history
    assert board.row(row_id).actions == "CSA ringer på onsdag."
    assert {c.row_id for c in board.history(again)} == {again}


def test_a_second_open_row_for_the_same_client_is_refused(board: Board) -> None:
    add_dd75(board)
    before = state(board)
    with pytest.raises(InvalidValue) as refused:
        board.add_row("KRO", {"client_code": " dd-75 ", "triage": "Kris"})
    assert refused.value.field == "client_code"
    assert "already on the board" in str(refused.value)
    assert state(board) == before


def test_history_records_field_old_new_author_and_source(board: Board) -> None:
    row_id = board.write_row(
        "CSA", "add", values={"client_code": "AA-80", "triage": "Stabil", "safety": "OK"}, source="import"
    ).row_id
    board.set_field("MJR", row_id, "safety", "Oro för hot", source="cli")
    board.set_field("MJR", row_id, "safety", "Oro för hot", source="cli")  # no change: no record
    board.set_field("KRO", row_id, "Må", "den + mjr: hembesök", source="app")
    board.set_field("KRO", row_id, "mon", "", source="app")

    history = [(c.field, c.old, c.new, c.author, c.source, c.op) for c in board.history(row_id)]
    added = {entry for entry in history if entry[5] == "add"}
    assert added == {
        ("client_code", None, "AA-80", "CSA", "import", "add"),
        ("triage", None, "stable", "CSA", "import", "add"),
        ("safety", None, "OK", "CSA", "import", "add"),
        ("date_on", None, TODAY.isoformat(), "CSA", "import", "add"),
    }
    monday = MONDAY.isoformat()
    assert history[len(added) :] == [
        ("safety", "OK", "Oro för hot", "MJR", "cli", "set"),
        (f"visit:{monday}", None, "DEN+MJR", "KRO", "app", "set"),
        (f"visit_note:{monday}", None, "hembesök", "KRO", "app", "set"),
        (f"visit:{monday}", "DEN+MJR", None, "KRO", "app", "set"),
        (f"visit_note:{monday}", "hembesök", None, "KRO", "app", "set"),
    ]
    assert all(c.at is not None and c.entity == "row" for c in board.history(row_id))
    assert board.visits(MONDAY, MONDAY + timedelta(days=7)) == {}  # the cleared visit is gone
    assert board.row(row_id).updated_by == "KRO"  # a visit-only change still stamps the row


# -- refused values write nothing ---------------------------------------------------------------------------------

Case = Callable[[Board, int], object]

REFUSED: dict[str, tuple[Case, str, str]] = {
    "unknown triage": (
        lambda b, _r: b.add_row("CSA", {"client_code": "EE-1", "triage": "purple"}),
        "triage",
        "not a triage level",
    ),
    "bad date": (
        lambda b, _r: b.add_row("CSA", {"client_code": "EE-1", "triage": "Kris", "date_on": "2026-13-45"}),
        "date_on",
        "not a date",
    ),
    "bad evaluation date": (
        lambda b, r: b.set_field("CSA", r, "evaluation_date", "next tuesday"),
        "evaluation_date",
        "not a date",
    ),
    "personal number with dash": (
        lambda b, _r: b.add_row("CSA", {"client_code": "19900101-1234", "triage": "Kris"}),
        "client_code",
        "national ID",
    ),
    "personal number short": (
        lambda b, _r: b.add_row("CSA", {"client_code": "900101", "triage": "Kris"}),
        "client_code",
        "national ID",
    ),
    "a name as code": (
        lambda b, _r: b.add_row("CSA", {"client_code": "Anna Svensson", "triage": "Kris"}),
        "client_code",
        "not a client code",
    ),
    "situation too long": (
        lambda b, r: b.set_field("CSA", r, "situation", "x" * 2001),
        "situation",
        "too long",
    ),
    "control characters": (
        lambda b, r: b.set_field("CSA", r, "safety", "OK\x1b[31m"),
        "safety",
        "control character (U+001B ESCAPE)",
    ),
    "bad visit initials": (
        lambda b, r: b.set_field("CSA", r, "mon", "den mjr!"),
        "visit",
        "not staff initials",
    ),
    "missing off reason": (
        lambda b, r: b.take_off("CSA", r, "  "),
        "off_reason",
        "reason",
    ),
    "off by setting the date": (
        lambda b, r: b.set_field("CSA", r, "date_off", "2026-11-25"),
        "date_off",
        "off",
    ),
    "client code cannot change": (
        lambda b, r: b.set_field("CSA", r, "client_code", "EE-1"),
        "client_code",
        "cannot be changed",
    ),
    "unknown field": (
        lambda b, r: b.set_field("CSA", r, "favourite colour", "blue"),
        "favourite colour",
        "no field",
    ),
    "author not initials": (
        lambda b, r: b.set_field("Camilla S.", r, "safety", "OK"),
        "author",
        "initials",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED), ids=list(REFUSED))
def test_invalid_value_is_refused_and_nothing_is_written(board: Board, case: str) -> None:
    action, field, words = REFUSED[case]
    row_id = add_dd75(board)
    board.set_field("CSA", row_id, "mon", "DEN")
    before = state(board)
    with pytest.raises(InvalidValue) as refused:
        action(board, row_id)
    assert refused.value.field == field
    message = str(refused.value)
    assert words in message
    assert "\n" not in message
    assert state(board) == before


def test_write_rows_with_one_bad_write_writes_nothing(board: Board) -> None:
    row_id = add_dd75(board)
    before = state(board)
    writes = [
        RowWrite("add", values={"client_code": "EE-1", "triage": "Kris"}),
        RowWrite("set", row_id=row_id, values={"actions": "Ny plan"}, visits={MONDAY: ("MJR", None)}),
        RowWrite("add", values={"client_code": "FF-2", "triage": "lila"}),
    ]
    with pytest.raises(InvalidValue):
        board.write_rows("CSA", writes)
    assert state(board) == before


def test_write_rows_refused_while_applying_rolls_back_the_whole_batch(board: Board) -> None:
    """The same client twice in one batch only shows up inside the transaction: it must undo the first add too."""
    row_id = add_dd75(board)
    before = state(board)
    writes = [
        RowWrite("set", row_id=row_id, values={"actions": "Ny plan"}),
        RowWrite("add", values={"client_code": "GG-7", "triage": "Kris"}),
        RowWrite("add", values={"client_code": "GG-7", "triage": "Ny"}),
    ]
    with pytest.raises(InvalidValue) as refused:
        board.write_rows("CSA", writes)
    assert refused.value.field == "client_code"
    assert state(board) == before


# -- visits -----------------------------------------------------------------------------------------------------


def test_visits_are_kept_per_calendar_date(board: Board) -> None:
    row_id = add_dd75(board)
    next_monday = MONDAY + timedelta(days=7)
    board.set_field("CSA", row_id, "wed", "CSA: hembesök")  # this week's Wednesday
    board.write_row("CSA", "set", row_id=row_id, visits={next_monday: ("den+mjr", None)})

    this_week = board.visits(MONDAY, MONDAY + timedelta(days=7))
    following = board.visits(next_monday, next_monday + timedelta(days=7))
    assert {day: (v.staff, v.note) for day, v in this_week[row_id].items()} == {
        MONDAY + timedelta(days=2): ("CSA", "hembesök")
    }
    assert {day: (v.staff, v.note) for day, v in following[row_id].items()} == {next_monday: ("DEN+MJR", None)}
    assert board.week_visits(next_monday + timedelta(days=3)) == following
    assert board.week_visits() == this_week

    # Planning next week leaves this week's plan alone, and the other way round.
    board.set_field("KRO", row_id, "wed", "")
    assert board.visits(MONDAY, MONDAY + timedelta(days=7)) == {}
    assert board.visits(next_monday, next_monday + timedelta(days=7))[row_id][next_monday].staff == "DEN+MJR"


# -- schema -----------------------------------------------------------------------------------------------------


def test_new_board_is_at_the_latest_schema_version(created: tuple[Board, bytes], board_path: Path) -> None:
    board, key = created
    assert board.schema_version() == migrations.LATEST_VERSION
    board.close()
    connection = raw_connect(board_path, key)
    try:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
    finally:
        connection.close()


def test_model_classes_match_the_migrated_schema(board: Board) -> None:
    models = (
        BoardRow, Visit, Staff, Change, BoardMeta, Meeting, MeetingAttendee, MeetingRow,
        SyncPeer, SyncAck, SyncBundle, SyncConflict, AuditRecord, AuditWitness,
    )  # fmt: skip
    with board.engine.connect() as connection:
        tables = {
            row[0]
            for row in connection.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
        assert tables == {model.__table__.name for model in models}  # type: ignore[attr-defined]
        for model in models:
            table = model.__table__  # type: ignore[attr-defined]
            info = connection.exec_driver_sql(f"PRAGMA table_info({table.name})").all()
            migrated = {row[1]: not row[3] for row in info}  # name -> nullable
            declared = {column.name: bool(column.nullable) for column in table.columns}
            assert declared == migrated, table.name
            primary = {row[1] for row in info if row[5]}
            assert primary == {column.name for column in table.primary_key.columns}, table.name


def test_a_newer_schema_is_refused_and_the_file_is_untouched(
    created: tuple[Board, bytes], board_path: Path, tmp_path: Path
) -> None:
    board, key = created
    add_dd75(board)
    board.close()
    connection = raw_connect(board_path, key)
    connection.execute("PRAGMA user_version = 99")
    connection.close()
    assert not board_path.with_name("board.db-wal").exists()
    before = snapshot_files(tmp_path)

    with pytest.raises(SchemaTooNew) as refused:
        Board.unlock(board_path, PASSPHRASE)
    message = str(refused.value)
    assert "99" in message and str(migrations.LATEST_VERSION) in message
    assert "update" in message.lower()
    with pytest.raises(SchemaTooNew):
        Board.open_with_key(board_path, key)
    assert snapshot_files(tmp_path) == before


# -- migrations -------------------------------------------------------------------------------------------------


def schema_of(connection: Any) -> list[tuple[str, str, str]]:
    return connection.execute("SELECT type, name, coalesce(sql, '') FROM sqlite_master ORDER BY name").fetchall()


def test_a_failing_migration_leaves_a_new_file_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = ("broken", ["CREATE TABLE extra (id INTEGER)", "INSERT INTO no_such_table VALUES (1)"])
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, broken])
    monkeypatch.setattr(migrations, "LATEST_VERSION", len(migrations.MIGRATIONS))
    connection = raw_connect(tmp_path / "fresh.db", bytes(range(32)))
    try:
        with pytest.raises(sqlcipher3.dbapi2.OperationalError, match="no_such_table"):
            migrations.migrate(connection)
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 0
        assert schema_of(connection) == []  # the first migration's tables were rolled back with the failure
    finally:
        connection.close()


def test_a_failing_migration_leaves_the_previous_schema(
    created: tuple[Board, bytes], board_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board, key = created
    add_dd75(board)
    board.close()
    connection = raw_connect(board_path, key)
    try:
        before = schema_of(connection)
        shipped = migrations.LATEST_VERSION
        good = ("extra table", ["CREATE TABLE extra (id INTEGER)"])
        broken = ("broken", ["ALTER TABLE board_row ADD COLUMN mood VARCHAR", "CREATE TABLE visit (id INTEGER)"])
        monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, good, broken])
        monkeypatch.setattr(migrations, "LATEST_VERSION", len(migrations.MIGRATIONS))
        with pytest.raises(sqlcipher3.dbapi2.OperationalError, match="already exists"):
            migrations.migrate(connection)
        assert connection.execute("PRAGMA user_version").fetchone()[0] == shipped
        assert schema_of(connection) == before
        assert connection.execute("SELECT client_code FROM board_row").fetchall() == [("DD-75",)]

        monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS[:-1]])
        monkeypatch.setattr(migrations, "LATEST_VERSION", len(migrations.MIGRATIONS))
        assert migrations.migrate(connection) == shipped
        assert connection.execute("PRAGMA user_version").fetchone()[0] == shipped + 1
        assert "extra" in {row[1] for row in schema_of(connection)}
    finally:
        connection.close()


# -- two processes on one file ----------------------------------------------------------------------------------


def test_two_boards_on_one_file_see_each_others_writes(board: Board, board_path: Path) -> None:
    other = Board.unlock(board_path, PASSPHRASE)
    try:
        assert other.board_id == board.board_id
        seen = other.data_version()
        row_id = add_dd75(board)
        assert [row.client_code for row in other.rows()] == ["DD-75"]
        assert other.data_version() > seen

        seen = board.data_version()
        other.set_field("MJR", row_id, "actions", "Skrivet från den andra")
        assert board.row(row_id).actions == "Skrivet från den andra"
        assert board.data_version() > seen
    finally:
        other.close()
