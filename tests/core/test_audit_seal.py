"""The seal over the board's records and the witnessed heads, on real boards: every write path FactBoard has keeps
the seal true (so `audit verify` passes), a board from before the seal gets it on opening, a stock SQLCipher
connection cannot write a sealed table at all, and heads from a peer's bundles are compared in the order the peer
wrote them (an older bundle arriving late is no alarm; a shorter log in a later bundle still is)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlcipher3
from helpers.boards import NOW, USER
from helpers.old_boards import as_version_6
from helpers.sites import Ticker, make_sites, send

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.meetings import MeetingSession
from factboard_tui.core.security import seal
from factboard_tui.core.store import migrations
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service
from factboard_tui.core.transfer.importer import plan_import, run_import
from factboard_tui.core.transfer.minutes import save_meeting


def raw(path: Path, key: bytes) -> sqlcipher3.Connection:
    """The database as any SQLCipher tool opens it with the recovery key (no FactBoard functions)."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return connection


def test_every_write_path_keeps_the_seal_true(tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["Region", "Muni"], Ticker())
    region, muni = sites["Region"], sites["Muni"]
    try:
        region.write_staff(USER, "DEN", name="Dana Engström", discipline="nurse", organisation="region")
        first = region.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": "Sover dåligt"})
        source = tmp_path / "tavlan.csv"
        source.write_text("Patient,Triage,Aktuell situation\nAB-12,obs,Importerad\nCC-01,kris,Också\n", "utf-8")
        run_import(region, plan_import(region, source), USER)
        monday = date(2026, 11, 23)
        region.write_row(USER, "set", row_id=first, visits={monday: ("DEN", "hembesök")})
        region.set_field(USER, first, "actions", "Ring KRO")
        region.undo_last(USER)
        region.copy_week_visits(USER, monday, monday + timedelta(days=7))
        send(sites, "Region", "Muni")
        muni_row = muni.open_row_by_code("DD-75").id or 0
        muni.set_field("MJR", muni_row, "situation", "Inlagd måndag")
        region.set_field(USER, first, "situation", "Utskriven tisdag")
        send(sites, "Muni", "Region")
        send(sites, "Region", "Muni")
        conflict = service.conflicts(region)[0]
        service.settle_conflict(region, conflict.id, USER, "Inlagd måndag, utskriven tisdag")
        session = MeetingSession.start(region.rows(), region.template, NOW, USER, region.data_version())
        save_meeting(region, session, NOW + timedelta(minutes=12))
        region.take_off(USER, region.open_row_by_code("CC-01").id or 0, "Stabil")
        region.purge_free_text(USER, region.today() + timedelta(days=1))
        region.record_view(first, "history")
        send(sites, "Region", "Muni")
        for board in (region, muni):
            verdict = board.audit_verify()
            assert verdict.ok, verdict.problem
            with board.engine.connect() as connection:
                raw_connection = connection.connection.dbapi_connection
                assert seal.stored(raw_connection) == seal.compute(raw_connection)
                assert seal.compute(raw_connection)["change_log"][0] > 10  # the seal covers what was written
    finally:
        for board in sites.values():
            board.close()


def test_a_stock_sqlcipher_tool_cannot_write_a_sealed_table(created: tuple[Board, bytes], board_path: Path) -> None:
    board, key = created
    board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    board.close()
    connection = raw(board_path, key)
    try:
        assert connection.execute("SELECT client_code FROM board_row").fetchall() == [("DD-75",)]  # it reads
        for statement in (
            "UPDATE board_row SET situation = 'edited'",
            "DELETE FROM change_log",
            "INSERT INTO staff (initials, name, discipline, organisation, active) VALUES ('XYZ', '', '', '', 1)",
        ):
            with pytest.raises(sqlcipher3.dbapi2.OperationalError, match="no such function: factboard_seal"):
                connection.execute(statement)
    finally:
        connection.close()
    with Board.open_with_key(board_path, key) as reopened:
        assert reopened.audit_verify().ok and reopened.audit_warning is None


def test_a_board_from_before_the_seal_gets_it_when_opened(created: tuple[Board, bytes], board_path: Path) -> None:
    board, key = created
    board.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": "Sover dåligt"})
    board.close()
    as_version_6(board_path, key)
    connection = raw(board_path, key)  # the board as the version before the seal wrote it
    for name in [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")]:
        connection.execute(f"DROP TRIGGER {name}")
    connection.execute("DELETE FROM board_meta WHERE key = 'audit_seal'")
    connection.execute("ALTER TABLE audit_witness DROP COLUMN written")
    connection.execute("PRAGMA user_version = 5")
    connection.execute("UPDATE board_row SET actions = 'written by the old version'")
    connection.close()
    with Board.open_with_key(board_path, key, frozen_clock(NOW)) as reopened:
        assert reopened.schema_version() == migrations.LATEST_VERSION
        assert reopened.audit_verify().ok
        reopened.set_field(USER, reopened.open_row_by_code("DD-75").id or 0, "actions", "and now")
        assert reopened.audit_verify().ok


# -- heads witnessed in sync bundles, in the order they were written ----------------------------------------------


@pytest.fixture
def alfa_beta(tmp_path: Path) -> Iterator[tuple[Board, Board]]:
    """Two sites that trust each other (closed at teardown)."""
    sites = make_sites(tmp_path, ["Alfa", "Beta"], Ticker())
    yield sites["Alfa"], sites["Beta"]
    for board in sites.values():
        board.close()


def test_an_older_bundle_arriving_late_is_no_alarm_but_a_cut_is_caught_in_either_order(
    alfa_beta: tuple[Board, Board],
) -> None:
    alfa, beta = alfa_beta
    alfa.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    second = service.export_bundle(alfa, "Beta")
    for code in ("AB-12", "CC-01", "EE-02"):
        alfa.add_row(USER, {"client_code": code, "triage": "obs"})
    third = service.export_bundle(alfa, "Beta")
    assert service.import_bundle(beta, third.data).warnings == []
    late = service.import_bundle(beta, second.data)  # the older bundle, after the newer one
    assert late.warnings == []
    assert late.applied.skipped > 0 and late.applied.applied == 0
    # Someone cuts Alfa's log back with the key in hand; Alfa's next bundle carries the shorter head.
    with alfa.engine.begin() as connection:
        count = int(connection.exec_driver_sql("SELECT max(id) FROM audit_log").scalar_one())
        connection.exec_driver_sql("DELETE FROM audit_log WHERE id > ?", (count - 4,))
    fourth = service.export_bundle(alfa, "Beta")
    report = service.import_bundle(beta, fourth.data)
    assert any("in a bundle written after one that had" in warning for warning in report.warnings)


def test_a_shorter_log_in_a_later_bundle_is_caught_when_it_arrives_first(alfa_beta: tuple[Board, Board]) -> None:
    alfa, beta = alfa_beta
    for code in ("DD-75", "AB-12", "CC-01"):
        alfa.add_row(USER, {"client_code": code, "triage": "obs"})
    before_cut = service.export_bundle(alfa, "Beta")
    with alfa.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_log WHERE id > 2")
    after_cut = service.export_bundle(alfa, "Beta")
    assert service.import_bundle(beta, after_cut.data).warnings == []  # nothing to compare with yet
    report = service.import_bundle(beta, before_cut.data)  # written earlier, with the longer log
    assert any("in a bundle written after one that had" in warning for warning in report.warnings)


def test_the_issues_order_bundle_three_then_two_gives_no_false_alarm(alfa_beta: tuple[Board, Board]) -> None:
    """Issue 13's report: importing bundle 3 and then bundle 2 warned that entries were lost."""
    alfa, beta = alfa_beta
    bundles = []
    for number in range(3):
        alfa.add_row(USER, {"client_code": f"DD-{number:02d}", "triage": "obs"})
        alfa.record_view(alfa.open_row_by_code(f"DD-{number:02d}").id or 0, "history")
        bundles.append(service.export_bundle(alfa, "Beta"))
    warnings = [service.import_bundle(beta, bundles[i].data).warnings for i in (2, 1, 0)]
    assert warnings == [[], [], []]
    assert beta.audit_verify().ok and alfa.audit_verify().ok
