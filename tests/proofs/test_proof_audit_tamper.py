"""Audit tamper proof: someone holding the recovery key opens the board with a stock SQLCipher tool (sqlcipher3, no
FactBoard code) and deletes the log's last entries, deletes all of them, drops the head, reorders or edits an
entry, or edits a client's row or a change record directly. Then people go on using FactBoard through the real CLI.

In every case `factboard audit verify` exits 9 with one line naming what was done, a later unlock warns, and
nothing FactBoard writes afterwards overwrites or hides it: verify still exits 9 after more work, and `doctor`
fails with the same exit code. Where the cut shows at once (the head no longer matches the log's end), the very
first command after it already warns (in the TUI too).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3
from helpers.boards import NOW, PASSPHRASE, USER
from helpers.cli import Cli
from helpers.pilot import until

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.security import seal
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp

Tamper = Callable[[sqlcipher3.Connection], None]


def stock_tool(path: Path, key: bytes) -> sqlcipher3.Connection:
    """The database as `sqlcipher` or DB Browser open it with the recovery key: no FactBoard functions."""
    connection = sqlcipher3.connect(str(path), isolation_level=None)
    connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return connection


def delete_last(db: sqlcipher3.Connection) -> None:
    db.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 3 FROM audit_log)")


def delete_all(db: sqlcipher3.Connection) -> None:
    db.execute("DELETE FROM audit_log")


def drop_head(db: sqlcipher3.Connection) -> None:
    db.execute("DELETE FROM audit_log WHERE id > (SELECT max(id) - 2 FROM audit_log)")
    db.execute("DELETE FROM board_meta WHERE key IN ('audit_count', 'audit_head')")


def reorder(db: sqlcipher3.Connection) -> None:
    db.execute("UPDATE audit_log SET id = -1 WHERE id = 2")
    db.execute("UPDATE audit_log SET id = 2 WHERE id = 3")
    db.execute("UPDATE audit_log SET id = 3 WHERE id = -1")


def edit_entry(db: sqlcipher3.Connection) -> None:
    db.execute("UPDATE audit_log SET who = 'XYZ' WHERE id = 3")


def _around_the_seal(db: sqlcipher3.Connection, statement: str) -> None:
    """A stock tool cannot write a sealed table (its triggers need FactBoard's function): drop the triggers, make
    the edit, and put the triggers back exactly as they were, as a careful intruder would."""
    with pytest.raises(sqlcipher3.dbapi2.OperationalError, match="no such function"):
        db.execute(statement)
    triggers = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _sql in triggers:
        db.execute(f"DROP TRIGGER {name}")
    db.execute(statement)
    for _name, sql in triggers:
        db.execute(sql)


def edit_row(db: sqlcipher3.Connection) -> None:
    _around_the_seal(db, "UPDATE board_row SET situation = 'Inga problem' WHERE client_code = 'DD-75'")


def edit_change_record(db: sqlcipher3.Connection) -> None:
    _around_the_seal(db, "UPDATE change_log SET author = 'XYZ' WHERE id = (SELECT max(id) FROM change_log)")


def drop_seal_trigger(db: sqlcipher3.Connection) -> None:
    db.execute("DROP TRIGGER seal_board_row_update")
    db.execute("UPDATE board_row SET situation = 'Inga problem' WHERE client_code = 'DD-75'")


CASES: dict[str, tuple[Tamper, str, bool]] = {
    # name: (what is done, words the verdict names, whether the first unlock after it already warns)
    "delete the last entries": (delete_last, "were cut off the end of the log", True),
    "delete every entry": (delete_all, "audit entries 1–", True),
    "drop the head": (drop_head, "head was removed from the board's facts", True),
    "reorder two entries": (reorder, "audit entry 2", False),
    "edit an entry": (edit_entry, "audit entry 3 (change", False),
    "edit a client's row": (edit_row, "board rows (edited) were changed outside FactBoard", False),
    "edit a change record": (edit_change_record, "change records (edited) were changed outside FactBoard", False),
    "drop a seal trigger": (drop_seal_trigger, "the seal's trigger on board rows was removed", True),
}


def verify_says(cli: Cli, words: str) -> str:
    result = cli("audit", "verify")
    lines = [line for line in result.stderr.splitlines() if not line.startswith("First unlock today")]
    stderr = "\n".join(lines).strip()
    assert result.returncode == 9, stderr or result.stdout
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert words in stderr, stderr
    return stderr


def warned(result: object) -> bool:
    return "warning: the audit log does not verify" in str(getattr(result, "stderr", ""))


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_with_the_log_or_the_records_is_named_kept_and_warned_about(
    cli: Cli, board_path: Path, case: str
) -> None:
    tamper, words, seen_at_once = CASES[case]
    board, key = Board.create(board_path, PASSPHRASE, team="FACT Test", clock=frozen_clock(NOW))
    with board:
        row = board.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": "Sover dåligt"})
        for text in ("Ring KRO", "Hembesök tisdag", "Läkarbesök"):
            board.set_field(USER, row, "actions", text)
        assert board.audit_verify().ok
    db = stock_tool(board_path, key)
    try:
        tamper(db)
    finally:
        db.close()
    first = cli("rows", "set", "DD-75", "actions", "Efter ingreppet")  # people go on working
    assert first.returncode == 0, first.stderr
    assert warned(first) == seen_at_once, first.stderr
    said = verify_says(cli, words)
    later = cli.ok("rows", "list")  # its unlock is entered after it: more work on top of the break
    assert warned(later), later.stderr  # every unlock from now on says so
    problem = said.split("does not verify: ", 1)[1].split(" (found ", 1)[0].split(". Keep this board", 1)[0]
    assert problem in verify_says(cli, words)  # kept as it was found: nothing written since hid or changed it
    doctor = cli("doctor")
    assert doctor.returncode == 9 and words in doctor.stderr, doctor.stderr


def test_an_intact_board_verifies_and_warns_about_nothing(cli: Cli, board_path: Path) -> None:
    board, _key = Board.create(board_path, PASSPHRASE, team="FACT Test", clock=frozen_clock(NOW))
    with board:
        board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    listed = cli.ok("rows", "list")
    assert not warned(listed) and "warning" not in listed.stderr
    assert "chain intact" in cli.ok("audit", "verify").stdout
    with Board.unlock(board_path, PASSPHRASE) as reopened, reopened.engine.connect() as connection:
        assert seal.triggers_intact(connection.connection.dbapi_connection) is None


def test_audit_verify_reads_the_log_before_it_writes_anything(cli: Cli, board_path: Path) -> None:
    """Even wrong passphrases typed before it (entered at unlock by other commands) wait until it has verified."""
    board, key = Board.create(board_path, PASSPHRASE, team="FACT Test", clock=frozen_clock(NOW))
    with board:
        board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    wrong = cli("rows", "list", env={"FACTBOARD_PASSPHRASE": "not the passphrase at all"})
    assert wrong.returncode == 3
    db = stock_tool(board_path, key)
    delete_last(db)
    count = db.execute("SELECT count(*) FROM audit_log").fetchone()[0]
    db.close()
    said = verify_says(cli, "audit entries")
    assert "the log was cut after entry" in said  # the head as it was found, not a break written first
    with Board.unlock(board_path, PASSPHRASE) as reopened, reopened.engine.connect() as connection:
        actions = [row[0] for row in connection.exec_driver_sql("SELECT action FROM audit_log WHERE id > ?", (count,))]
    assert actions[:3] == ["audit break", "unlock failed", "unlock"]  # written after the verdict, in that order
    assert actions.count("audit break") == 1  # the day's own check found it kept already


def test_the_tui_warns_on_unlock_about_a_cut_log(board_path: Path) -> None:
    board, key = Board.create(board_path, PASSPHRASE, team="FACT Test", clock=frozen_clock(NOW))
    with board:
        row = board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
        board.set_field(USER, row, "actions", "Ring KRO")
    db = stock_tool(board_path, key)
    delete_last(db)
    db.close()
    opened = Board.unlock(board_path, PASSPHRASE, clock=frozen_clock(NOW), user=USER, via="tui")

    async def scenario() -> list[str]:
        app = FactBoardApp(board_path, board=opened, user=USER, clock=frozen_clock(NOW))
        async with app.run_test(size=(160, 40)) as pilot:
            await until(pilot, lambda: bool(app._notifications), "a notification")
            return [notification.message for notification in app._notifications]

    try:
        toasts = asyncio.run(scenario())
    finally:
        opened.close()
    assert any("The audit log does not verify" in toast and "cut off the end" in toast for toast in toasts), toasts
