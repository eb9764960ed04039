"""True diagnoses on real files and real disks: a damaged page, a wrong key, a file that is no board, a read-only
mount, a disk that fails with EIO, a write lock held by another process. Each gets its own one-line message and exit
code, and "damaged … restore from a backup" only when SQLCipher's page check really failed. (The full disk has its
own proof: tests/proofs/test_proof_disk_full.py.)"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3
from helpers.boards import NOW, PASSPHRASE, snapshot_files
from helpers.cli import Cli
from helpers.disks import break_disk, failing_disk, read_only, small_disk

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import BoardBusy, DatabaseDamaged, NotADatabase, WrongKey
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.store import engine, transaction
from factboard_tui.core.store.board import Board

SECRET = "Sover dåligt, rädd för grannen"
"""A client's text: it must never be told as anything but board data."""


def one_line(result: object, code: int, *words: str) -> str:
    """The command failed with `code` and one line naming `words`, no traceback; returns the line."""
    stderr = str(getattr(result, "stderr", "")).strip()
    assert getattr(result, "returncode", None) == code, stderr
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    for word in words:
        assert word in stderr, stderr
    return stderr


def cli_on(db: Path, tmp_path: Path) -> Cli:
    """The CLI on a board somewhere else than tmp_path/board.db (its HOME and TMPDIR stay in tmp_path)."""
    (tmp_path / "home").mkdir(exist_ok=True)
    return Cli(db, home=tmp_path / "home", tmpdir=tmp_path / "tmpdir")


def make_board(path: Path, rows: int = 40) -> bytes:
    board, key = Board.create(path, PASSPHRASE, team="FACT Test", clock=frozen_clock(NOW))
    try:
        for number in range(rows):
            board.add_row("CSA", {"client_code": f"DD-{number:02d}", "triage": "obs", "situation": SECRET})
    finally:
        board.close()
    return key


def flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


# -- the page check decides: damage, a wrong key, no board -------------------------------------------------------


def test_a_damaged_first_page_is_damage_and_another_boards_key_is_a_wrong_key(board_path: Path, tmp_path: Path) -> None:
    make_board(board_path)
    other = tmp_path / "other" / "board.db"
    other.parent.mkdir()
    make_board(other, rows=1)
    flip(board_path, 100)  # inside page 1, past the salt: its HMAC fails, every other page still verifies
    with pytest.raises(DatabaseDamaged) as damaged:
        Board.unlock(board_path, PASSPHRASE)
    assert "is damaged" in str(damaged.value) and "page 1" in str(damaged.value)
    assert "restore it from a backup" in str(damaged.value) and "another board" not in str(damaged.value)
    flip(board_path, 100)  # mended
    shutil.copyfile(key_slot_path(other), key_slot_path(board_path))  # same passphrase, another board's key
    with pytest.raises(WrongKey) as wrong:
        Board.unlock(board_path, PASSPHRASE)
    assert "not one of its" in str(wrong.value) and "another board" in str(wrong.value)
    assert "damaged" not in str(wrong.value)


def test_the_cli_gives_damage_and_a_wrong_key_their_own_exit_codes(cli: Cli, board_path: Path, tmp_path: Path) -> None:
    make_board(board_path)
    flip(board_path, 4096 * 5 + 200)  # a page in the middle
    one_line(cli("rows", "list"), 5, "is damaged", "restore it from a backup")
    flip(board_path, 4096 * 5 + 200)
    slot = key_slot_path(board_path).read_bytes()
    other = tmp_path / "other.db"
    make_board(other, rows=1)
    shutil.copyfile(key_slot_path(other), key_slot_path(board_path))
    before = snapshot_files(tmp_path)
    one_line(cli("rows", "set", "DD-01", "actions", "x"), 14, "The key does not open board.db")
    assert snapshot_files(tmp_path) == before
    key_slot_path(board_path).write_bytes(slot)
    cli.ok("doctor")


def test_an_empty_file_or_a_plain_sqlite_file_is_not_a_board_and_is_left_as_it_was(
    cli: Cli, board_path: Path, tmp_path: Path
) -> None:
    make_board(board_path, rows=1)
    slot = key_slot_path(board_path).read_bytes()
    for kind in ("empty", "plain"):
        board_path.unlink()
        for leftover in tmp_path.glob("board.db-*"):
            leftover.unlink()
        if kind == "empty":
            board_path.write_bytes(b"")
        else:
            plain = sqlite3.connect(board_path)
            plain.execute("CREATE TABLE notes (text)")
            plain.execute("INSERT INTO notes VALUES (?)", (SECRET,))
            plain.commit()
            plain.close()
        key_slot_path(board_path).write_bytes(slot)
        before = board_path.read_bytes()
        with pytest.raises(NotADatabase):
            Board.unlock(board_path, PASSPHRASE)
        words = ("an empty file",) if kind == "empty" else ("plain, unencrypted SQLite file",)
        one_line(cli("rows", "list"), 13, "not a FactBoard board", *words)
        assert board_path.read_bytes() == before, kind  # SQLite did not write a new database into it


# -- the disk: read-only, failing ------------------------------------------------------------------------------------


def test_a_read_only_disk_is_said_as_such_and_nothing_changes(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        cli = cli_on(disk / "board.db", tmp_path)
        cli.ok("init", "--team", "FACT Test")
        cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", SECRET)
        before = snapshot_files(disk)
        with read_only(disk):
            for command in (["rows", "set", "DD-75", "actions", "Call the GP"], ["rows", "list"], ["backup"]):
                line = one_line(cli(*command), 11, "cannot write", "read-only")
                assert "damaged" not in line and "decrypt" not in line, line
            assert snapshot_files(disk) == before
        assert "Call the GP" in cli.ok("rows", "set", "DD-75", "actions", "Call the GP").stdout  # writable again


def test_a_disk_that_fails_with_eio_is_an_io_error_not_damage(tmp_path: Path) -> None:
    with failing_disk(tmp_path / "stick", tmp_path / "backing") as stick:
        cli = cli_on(stick / "board.db", tmp_path)
        cli.ok("init", "--team", "FACT Test")
        cli.ok("rows", "add", "--code", "DD-75", "--triage", "obs", "--situation", SECRET)
        break_disk(tmp_path / "backing")
        result = cli("rows", "set", "DD-75", "actions", "x" * 20_000)
        line = one_line(result, 12, "input/output error", "check the disk")
        assert "damaged" not in line and "restore" not in line and "full" not in line, line


# -- another process's write lock ------------------------------------------------------------------------------------


def test_a_write_lock_held_through_every_retry_is_busy_with_its_own_exit_code(
    board_path: Path, board: Board, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = board.add_row("CSA", {"client_code": "DD-75", "triage": "obs"})
    board.close()
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 20)  # the real wait is 10 s per try: the lock is as real
    monkeypatch.setattr(transaction, "WRITE_RETRY_PAUSE", 0.001)
    key = Board.read_slot(board_path).unwrap(PASSPHRASE)
    holder = sqlcipher3.connect(str(board_path), isolation_level=None)
    holder.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    holder.execute("BEGIN IMMEDIATE")  # another process's long write
    try:
        with Board.open_with_key(board_path, key) as reopened:
            with pytest.raises(BoardBusy, match="busy with another writer") as busy:
                reopened.set_field("CSA", row, "actions", "later")
            assert busy.value.exit_code == 15
    finally:
        holder.execute("ROLLBACK")
        holder.close()
