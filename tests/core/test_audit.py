"""The audit and access log on real SQLCipher boards: every change, unlock, export, backup, restore, sync and view is
chained; editing, deleting, swapping or cutting entries with the key in hand is caught by `audit verify`; a
client's extract; the purge of old free text; the TUI records a detail view once and the history screen."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3
from helpers.board_app import writes_done
from helpers.boards import NOW, PASSPHRASE, USER, snapshot_files
from helpers.cli import Cli
from helpers.pilot import until
from helpers.sites import make_sites, send
from textual.pilot import Pilot

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.errors import WrongPassphrase
from factboard_tui.core.security import audit
from factboard_tui.core.security.audit_words import said
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.dialogs.history import HistoryScreen
from factboard_tui.tui.screens.board import BoardScreen
from factboard_tui.tui.widgets.board_grid import BoardGrid

SECRET = "Lives with her sister; afraid of the neighbour"
"""Free text that must never reach the audit log."""


class MovableClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def raw_connect(path: Path, key: bytes) -> Any:
    """The decrypted database, as someone holding the key would open it with any SQLCipher tool."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return connection


def add_client(board: Board, code: str = "DD-75", **values: Any) -> int:
    return board.add_row(USER, {"client_code": code, "triage": board.template.triage[0].key, **values})


def audit_rows(board: Board, where: str = "", parameters: tuple[Any, ...] = ()) -> list[audit.AuditEntry]:
    with board.engine.connect() as connection:
        return audit.entries(connection, where, parameters)


def all_text(board: Board) -> str:
    with board.engine.connect() as connection:
        return json.dumps([list(row) for row in connection.exec_driver_sql("SELECT * FROM audit_log")])


# -- the chain -------------------------------------------------------------------------------------------------------


def test_every_write_transaction_is_one_chained_entry_without_free_text(board: Board) -> None:
    row_id = add_client(board, situation=SECRET)
    board.set_field("DEN", row_id, "actions", "Call the GP")
    board.set_field("DEN", row_id, "actions", "Call the GP")  # no change: no entry
    board.undo_last("DEN")
    board.write_staff(USER, "MJR", name="Maja")
    entries = audit_rows(board)
    assert [(e.who, e.action, e.client) for e in entries] == [
        ("CSA", "change", "DD-75"),
        ("DEN", "change", "DD-75"),
        ("DEN", "change", "DD-75"),
        ("CSA", "change", None),
    ]
    assert entries[0].first_change == 1 and entries[0].last_change is not None
    assert entries[1].first_change == entries[1].last_change == entries[0].last_change + 1
    assert entries[0].prev == audit.GENESIS
    assert all(later.prev == earlier.hash for earlier, later in itertools.pairwise(entries))
    text = all_text(board)
    assert SECRET not in text and "Call the GP" not in text and "Maja" not in text
    verdict = board.audit_verify()
    assert verdict.ok and verdict.count == 4


def test_unlock_is_recorded_with_the_wrong_passphrases_before_it(board_path: Path, board: Board) -> None:
    add_client(board)
    board.close()
    for _ in range(2):
        with pytest.raises(WrongPassphrase):
            Board.unlock(board_path, "not the passphrase", clock=frozen_clock(NOW))
    with Board.unlock(board_path, PASSPHRASE, clock=frozen_clock(NOW), user="KOO", via="tui") as again:
        again.record_unlock()
        again.record_unlock()  # once only
        last = audit_rows(again)[-2:]
        assert [(e.who, e.action) for e in last] == [("KOO", "unlock failed"), ("KOO", "unlock")]
        assert said(last[0].detail).startswith("failed unlocks: 2, the first at 2026-11-25 09:00")
        assert said(last[1].detail) == "through the board screen"
        assert again.audit_verify().ok
    assert not board_path.with_name("board.db.attempts").exists()


# -- tampering -------------------------------------------------------------------------------------------------------


def tamper(created: tuple[Board, bytes], board_path: Path, statements: list[str]) -> str | None:
    """Write five entries, change the table with the key in hand, reopen, verify; the problem found."""
    board, key = created
    row_id = add_client(board, situation=SECRET)
    for text in ("one", "two", "three", "four"):
        board.set_field(USER, row_id, "actions", text)
    assert board.audit_verify().ok
    board.close()
    connection = raw_connect(board_path, key)
    for statement in statements:
        connection.execute(statement)
    connection.close()
    with Board.open_with_key(board_path, key) as reopened:
        return reopened.audit_verify().problem


SWAP = [
    "UPDATE audit_log SET id = -1 WHERE id = 2",
    "UPDATE audit_log SET id = 2 WHERE id = 3",
    "UPDATE audit_log SET id = 3 WHERE id = -1",
]


@pytest.mark.parametrize(
    ("statements", "named"),
    [
        (["UPDATE audit_log SET who = 'XYZ' WHERE id = 3"], "audit entry 3 (change, 2026-11-25T09:00:00"),
        (["UPDATE audit_log SET detail = 'app; safety' WHERE id = 2"], "audit entry 2"),
        (["UPDATE audit_log SET content = '" + "0" * 64 + "' WHERE id = 4"], "audit entry 4"),
        (["DELETE FROM audit_log WHERE id = 2"], "audit entry 2 is missing"),
        (SWAP, "audit entry 2"),
        (["DELETE FROM audit_log WHERE id > 3"], "audit entries 4–5 are missing"),
    ],
    ids=["edited who", "edited detail", "edited content hash", "deleted", "swapped", "cut off the end"],
)
def test_tampering_with_the_audit_table_is_named(
    created: tuple[Board, bytes], board_path: Path, statements: list[str], named: str
) -> None:
    problem = tamper(created, board_path, statements)
    assert problem is not None and named in problem


def test_an_edit_that_recomputes_its_own_hash_still_breaks_the_next_link(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    board, key = created
    add_client(board)
    add_client(board, "AB-12")
    first = audit_rows(board)[0]
    board.close()
    forged = audit.AuditEntry(*[*first.fields()[:2], "XYZ", *first.fields()[3:]], "")  # type: ignore[arg-type]
    connection = raw_connect(board_path, key)
    connection.execute("UPDATE audit_log SET who = 'XYZ', hash = ? WHERE id = 1", (forged.computed_hash(),))
    connection.close()
    with Board.open_with_key(board_path, key) as reopened:
        assert reopened.audit_verify().problem == (
            f"audit entry 2 (change, {audit_rows(reopened)[1].at}) does not follow entry 1: "
            "an entry was deleted, reordered or replaced before it"
        )


# -- the CLI ---------------------------------------------------------------------------------------------------------


def test_cli_verify_passes_then_names_the_first_bad_entry(cli: Cli, board_path: Path) -> None:
    cli.ok("init", "--team", "FACT Test")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", SECRET)
    cli.ok("rows", "set", "DD-75", "actions", "Call the GP")
    result = cli.ok("audit", "verify")
    assert "audit log:" in result.stdout and "chain intact" in result.stdout
    key = Board.read_slot(board_path).unwrap(PASSPHRASE)
    connection = raw_connect(board_path, key)
    connection.execute("UPDATE audit_log SET action = 'export' WHERE id = 2")
    connection.close()
    broken = cli("audit", "verify")
    assert broken.returncode == 9
    assert len(broken.stderr.strip().splitlines()) == 1
    assert "audit entry 2" in broken.stderr and "Traceback" not in broken.stderr
    doctor = cli("doctor")
    assert doctor.returncode != 0 and "audit entry 2" in doctor.stderr


def test_cli_client_extract_says_who_changed_and_saw_what(cli: Cli, board_path: Path) -> None:
    cli.ok("init", "--team", "FACT Test")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", SECRET)
    cli.ok("rows", "add", "--code", "AB-12", "--triage", "obs")
    cli.ok("rows", "set", "DD-75", "actions", "Call the GP", env={"FACTBOARD_USER": "DEN"})
    with Board.unlock(board_path, PASSPHRASE, user="MJR") as board:
        board.record_view(board.open_row_by_code("DD-75").id or 0, "history")
    result = cli.ok("audit", "show", "--client", "dd-75")
    assert "plain text" in result.stderr
    text = result.stdout
    assert text.startswith("# Log extract for DD-75 (FACT Test)")
    words = load_template("sv")  # the board's words for its fields
    assert f"| CSA | added | {words.label('situation')} (via the command line) |" in text
    assert f"| DEN | changed | {words.label('actions')} (via the command line) |" in text
    assert "| MJR | viewed | on the history |" in text
    assert SECRET not in text and "Call the GP" not in text and "AB-12" not in text
    lines = cli.ok("audit", "show", "--client", "DD-75", "--format", "csv").stdout.splitlines()
    assert lines[0] == "at_utc,who,action,details,audit_entry"
    assert any(f",DEN,changed,{words.label('actions')} (via the command line)," in line for line in lines)
    with Board.unlock(board_path, PASSPHRASE) as board:
        extracts = audit_rows(board, "WHERE action = 'audit extract'")
        assert [(e.client, e.who) for e in extracts] == [("DD-75", USER), ("DD-75", USER)]
        assert board.audit_verify().ok
    unknown = cli("audit", "show", "--client", "ZZ-99")
    assert unknown.returncode != 0 and "says nothing about ZZ-99" in unknown.stderr
    bad = cli("audit", "show", "--client", "DD-75", "--format", "pdf")
    assert bad.returncode != 0 and len(bad.stderr.strip().splitlines()) == 1


def test_exports_backups_and_restores_are_entries(cli: Cli, board_path: Path, tmp_path: Path) -> None:
    cli.ok("init", "--team", "FACT Test")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs")
    target = tmp_path / "week.csv"
    cli.ok("export", "week", "-o", str(target))
    backups = tmp_path / "kept"  # not the daily backups' folder: only the copy taken here
    made_text = cli.ok("backup", "-o", str(backups)).stdout
    made = next(backups.glob("*.db"), None)
    assert made is not None, made_text
    cli.ok("rows", "set", "DD-75", "actions", "after the backup")
    cli.ok("restore", str(made))
    with Board.unlock(board_path, PASSPHRASE) as board:
        entries = audit_rows(board)
        actions = [entry.action for entry in entries]
        export = next(entry for entry in entries if entry.action == "export")
        assert export.content == hashlib.sha256(target.read_bytes()).hexdigest()
        assert export.subject == "week.csv"
        assert actions[-2:] == ["unlock", "restore"]  # the restored board says it was restored
        assert entries[-1].subject == made.name
        assert board.audit_verify().ok


# -- sync: the head travels and is witnessed ----------------------------------------------------------------------


def test_sync_bundles_carry_the_head_and_a_rewritten_log_is_caught_by_the_peers_witness(tmp_path: Path) -> None:
    boards = make_sites(tmp_path, ["Region", "Muni"])
    region, muni = boards["Region"], boards["Muni"]
    try:
        for code in ("DD-75", "AB-12", "CC-01"):
            add_client(region, code)
        merged = send(boards, "Region", "Muni")  # Muni witnesses Region's head
        send(boards, "Muni", "Region")  # and sends it back: Region knows what Muni saw
        entry = next(e for e in audit_rows(muni) if e.action == "sync import")
        assert entry.content == merged.digest  # names the bundle file it merged (its SHA-256, as sha256sum shows)
        assert said(entry.subject) == "rows: 3" and entry.first_change == 1 and entry.last_change is not None
        assert "sync:Region" in entry.detail and "client_code" in entry.detail
        with muni.engine.connect() as connection:
            seen = audit.witnessed_head(connection, region.site_id, muni.site_id)
        assert seen is not None and seen.count == 4  # trusting Muni, then the three rows added
        assert [e.action for e in audit_rows(muni)][-1] == "sync export"
        assert "sync import" in [e.action for e in audit_rows(muni)]
        verdict = region.audit_verify()
        assert verdict.ok and verdict.witnessed == 1
        # Someone with the key cuts the log back to entry 2 and fixes the head in board_meta to match.
        with region.engine.begin() as connection:
            connection.exec_driver_sql("DELETE FROM audit_log WHERE id > 2")
            kept = audit.head(connection)
            connection.exec_driver_sql("UPDATE board_meta SET value = '2' WHERE key = 'audit_count'")
            connection.exec_driver_sql("UPDATE board_meta SET value = ? WHERE key = 'audit_head'", (kept.hash,))
        problem = region.audit_verify().problem
        assert problem is not None and "audit entries 3–" in problem and "a peer site" in problem
        # Muni is warned when Region's next bundle shows a shorter log.
        report = send(boards, "Region", "Muni")
        assert any("in a bundle written after one that had" in warning for warning in report.warnings)
    finally:
        for board in boards.values():
            board.close()


def test_a_malformed_audit_head_refuses_the_bundle(tmp_path: Path) -> None:
    with pytest.raises(service.SyncRefused, match="audit head is malformed"):
        service._audit_heads({"count": "3", "head": "ab", "yours": None})
    assert service._audit_heads(None) == (None, None)


# -- purge ----------------------------------------------------------------------------------------------------------


def test_purge_removes_old_free_text_everywhere_and_the_chain_still_verifies(board: Board) -> None:
    old = add_client(board, situation=SECRET, safety="Knives at home")
    board.set_field(USER, old, "actions", "Call the GP")
    board.write_row(USER, "set", row_id=old, visits={date(2026, 11, 24): ("DEN", "bring the forms")})
    board.take_off(USER, old, "Moved away")
    kept = add_client(board, "AB-12", situation="Still on the board")
    dry = board.purge_free_text(USER, date(2026, 11, 26), dry_run=True)
    assert board.row(old).situation == SECRET
    result = board.purge_free_text(USER, date(2026, 11, 26))
    assert (result.rows, result.fields) == (dry.rows, dry.fields) == (1, 10)
    row = board.row(old)
    assert (row.situation, row.safety, row.actions, row.off_reason) == (None, None, None, None)
    assert board.row(kept).situation == "Still on the board"
    history = json.dumps([change.model_dump(mode="json") for change in board.history(old)])
    for text in (SECRET, "Knives at home", "Call the GP", "bring the forms", "Moved away"):
        assert text not in history
    assert "[purged]" in history and '"DEN"' in history  # who visited stays: it is not free text
    last = audit_rows(board)[-1]
    assert (last.action, last.who) == ("purge", USER)
    assert said(last.detail) == "rows: 1, fields: 10 (taken off the board before 2026-11-26)"
    assert board.audit_verify().ok
    again = board.purge_free_text(USER, date(2026, 11, 26))
    assert (again.rows, again.fields) == (0, 0)


def test_cli_purge_refuses_a_future_or_bad_date_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init", "--team", "FACT Test")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", SECRET)
    cli.ok("rows", "off", "DD-75", "--reason", "Moved")
    before = snapshot_files(tmp_path)
    for value, words in (("2999-01-01", "in the future"), ("yesterday", "is not a date")):
        result = cli("purge", "--off-board-before", value)
        assert result.returncode != 0 and words in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert snapshot_files(tmp_path) == before
    dry = cli.ok("purge", "--off-board-before", "2999-01-01", "--dry-run", env={"FACTBOARD_NOW": "2999-01-02T09:00:00"})
    assert "would remove 4 free-text fields of 1 period" in dry.stdout
    done = cli.ok("purge", "--off-board-before", "2999-01-01", env={"FACTBOARD_NOW": "2999-01-02T09:00:00"})
    assert "removed 4 free-text fields of 1 period" in done.stdout
    assert "chain intact" in cli.ok("audit", "verify").stdout


# -- the access log ----------------------------------------------------------------------------------------------


def test_views_are_recorded_once_per_person_row_and_screen_in_ten_minutes(board_path: Path) -> None:
    clock = MovableClock()
    board, _key = Board.create(board_path, PASSPHRASE, clock=clock)
    try:
        row_id = add_client(board)
        assert board.record_view(row_id, "board detail", "CSA")
        assert not board.record_view(row_id, "board detail", "CSA")
        assert board.record_view(row_id, "history", "CSA")
        assert board.record_view(row_id, "board detail", "DEN")
        clock.now += timedelta(minutes=9)
        assert not board.record_view(row_id, "board detail", "CSA")
        clock.now += timedelta(minutes=2)
        assert board.record_view(row_id, "board detail", "CSA")
        board._views.clear()  # another process: the database still knows the last view
        assert not board.record_view(row_id, "board detail", "CSA")
        views = audit_rows(board, "WHERE action = 'view'")
        assert [(e.who, e.detail, e.client) for e in views] == [
            ("CSA", "board detail", "DD-75"),
            ("CSA", "history", "DD-75"),
            ("DEN", "board detail", "DD-75"),
            ("CSA", "board detail", "DD-75"),
        ]
        assert board.audit_verify().ok
    finally:
        board.close()


def test_tui_records_the_detail_view_once_and_the_history_screen(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    clock = frozen_clock(datetime(2026, 11, 23, 8, 15, tzinfo=UTC))
    create_demo_board(path, clock=clock).close()
    board = Board.unlock(path, DEMO_PASSPHRASE, clock=clock)

    def views() -> list[tuple[str, str, str | None]]:
        return [(e.who, e.detail, e.client) for e in audit_rows(board, "WHERE action = 'view'")]

    async def scenario() -> None:
        app = FactBoardApp(path, board=board, user="CSA", clock=clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await until(
                pilot,
                lambda: isinstance(app.screen, BoardScreen) and app.screen.query_one(BoardGrid).row_count > 0,
                "the board's rows",
            )
            screen = app.screen
            assert isinstance(screen, BoardScreen)
            first = screen.current_row()
            assert first is not None
            await until(pilot, lambda: len(views()) == 1, "the first view")
            await pilot.press("down")
            second = screen.current_row()
            assert second is not None
            await until(pilot, lambda: len(views()) == 2, "the second view")
            await pilot.press("up", "down", "up")  # back and forth: nothing new
            await pilot.press("H")
            await until(pilot, lambda: isinstance(app.screen, HistoryScreen), "the history screen")
            await until(pilot, lambda: len(views()) >= 3, "the history view")
            await writes_done(pilot)  # anything the back and forth would have written is written by now
            assert views() == [
                ("CSA", "board detail", first.client_code),
                ("CSA", "board detail", second.client_code),
                ("CSA", "history", first.client_code),
            ]

    asyncio.run(scenario())
    with Board.unlock(path, DEMO_PASSPHRASE, clock=clock) as again:
        assert again.audit_verify().ok
    board.close()


def test_meeting_focus_card_lock_and_lock_screen_are_in_the_log(tmp_path: Path) -> None:
    from helpers.board_app import run_meeting, start_meeting
    from helpers.pilot import until

    def entries_of(board: Board, where: str) -> list[audit.AuditEntry]:
        return audit_rows(board, where)

    async def scenario(app: FactBoardApp, pilot: Pilot[None], _clock: Any, checker: Board) -> None:
        screen = await start_meeting(pilot)
        assert screen.session is not None
        focus = "WHERE action = 'view' AND detail = 'meeting focus card'"
        await until(pilot, lambda: len(entries_of(checker, focus)) == 1)
        await pilot.press("space")  # the next row on the focus card
        await until(pilot, lambda: len(entries_of(checker, focus)) == 2)
        codes = [entry.client for entry in entries_of(checker, focus)]
        assert codes == [checker.row(row_id).client_code for row_id in screen.session.order[:2]]
        await pilot.press("ctrl+l")
        await until(pilot, lambda: bool(entries_of(checker, "WHERE action = 'lock'")))
        await pilot.press(*"not the passphrase", "enter")
        await until(pilot, lambda: bool(entries_of(checker, "WHERE action = 'unlock failed'")))
        await pilot.press(*DEMO_PASSPHRASE, "enter")
        await until(
            pilot,
            lambda: any(
                said(e.detail) == "through the lock screen" for e in entries_of(checker, "WHERE action = 'unlock'")
            ),
        )
        assert [e.who for e in entries_of(checker, "WHERE action IN ('lock', 'unlock failed', 'unlock')")][-3:] == [
            "CSA",
            "CSA",
            "CSA",
        ]

    checker = run_meeting(tmp_path, scenario)
    try:
        assert checker.audit_verify().ok
    finally:
        checker.close()
