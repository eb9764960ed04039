"""Backups, restore, a new key and the wait after wrong passphrases, on real encrypted boards.

The CLI runs as a subprocess (as a person or a cron job runs it); boards held open in this process stand in for
a FactBoard running in another window.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from helpers.boards import NOW, PASSPHRASE, snapshot_files
from helpers.cli import Cli
from helpers.pilot import until

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.errors import BoardBusy, WrongKey, WrongPassphrase
from factboard_tui.core.security import backups
from factboard_tui.core.security.backups import list_backups
from factboard_tui.core.security.keys import format_recovery_key, parse_recovery_key
from factboard_tui.core.security.locks import close_request_path, exclusive_access
from factboard_tui.core.store.board import Board
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.widgets.board_grid import BoardGrid

CODE = "QZ-17"
"""A client code to look for in raw bytes: it must never appear in a backup file."""


@pytest.fixture
def filled(board: Board) -> Board:
    board.add_row("CSA", {"client_code": CODE, "triage": "Kris", "situation": "Orolig natt, sover dåligt."})
    board.add_row("CSA", {"client_code": "AB-12", "triage": "Stabil"})
    return board


def codes(path: Path, passphrase: str = PASSPHRASE) -> list[str]:
    with Board.unlock(path, passphrase) as opened:
        return sorted(row.client_code for row in opened.rows())


def test_backup_while_the_board_is_open_is_encrypted_verified_and_opens(
    cli: Cli, filled: Board, board_path: Path, tmp_path: Path
) -> None:
    # `filled` stays open in this process, as a running FactBoard would: the backup does not need it closed.
    result = cli.ok("backup", "-o", str(tmp_path / "safe"))
    assert "encrypted, verified" in result.stdout
    (made,) = list_backups(board_path, tmp_path / "safe")
    assert (made.parent / (made.name + ".keyslot")).is_file()
    assert CODE.encode() not in made.read_bytes() and b"Orolig" not in made.read_bytes()
    assert codes(made) == ["AB-12", CODE]  # the passphrase of the day opens the copy


def test_backups_keep_only_the_newest(cli: Cli, filled: Board, board_path: Path, tmp_path: Path) -> None:
    for hour in ("08", "09", "10"):
        cli.ok("backup", "-o", str(tmp_path / "safe"), "--keep", "2", env={"FACTBOARD_NOW": f"2026-11-25T{hour}:00:00"})
    kept = list_backups(board_path, tmp_path / "safe")
    assert [path.name for path in kept] == ["board-20261125-090000.db", "board-20261125-100000.db"]
    assert not list((tmp_path / "safe").glob("*0800*"))  # the oldest went, with its key slot


def test_the_first_successful_command_of_a_day_makes_a_backup(cli: Cli, filled: Board, board_path: Path) -> None:
    folder = board_path.parent / "backups"
    cli.ok("rows", "list", env={"FACTBOARD_NOW": "2026-11-25T08:00:00"})
    cli.ok("rows", "list", env={"FACTBOARD_NOW": "2026-11-25T09:00:00"})
    assert len(list_backups(board_path, folder)) == 1
    refused = cli("rows", "set", CODE, "triage", "panic", env={"FACTBOARD_NOW": "2026-11-26T08:00:00"})
    assert refused.returncode != 0
    assert len(list_backups(board_path, folder)) == 1  # a refused command changes nothing, not even backups
    cli.ok("rows", "list", env={"FACTBOARD_NOW": "2026-11-26T08:05:00"})
    assert len(list_backups(board_path, folder)) == 2


def test_restore_puts_the_backup_back_and_keeps_the_board_aside(
    cli: Cli, filled: Board, board_path: Path, tmp_path: Path
) -> None:
    cli.ok("backup", "-o", str(tmp_path / "safe"))
    (made,) = list_backups(board_path, tmp_path / "safe")
    filled.take_off("CSA", filled.open_row_by_code(CODE).id or 0, "Utskriven")
    filled.close()  # a running FactBoard would close on the restore's request; this test closes it itself
    result = cli.ok("restore", str(made))
    assert "kept at" in result.stdout
    assert codes(board_path) == ["AB-12", CODE]
    (aside,) = board_path.parent.glob("board.db.before-restore-*[0-9]")
    assert codes(aside) == ["AB-12"]  # yesterday's board as it was, with its own key slot


@pytest.mark.parametrize("damage", ["flipped byte", "another board", "wrong passphrase"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    cli: Cli, filled: Board, board_path: Path, tmp_path: Path, damage: str
) -> None:
    cli.ok("backup", "-o", str(tmp_path / "safe"))
    (made,) = list_backups(board_path, tmp_path / "safe")
    env: dict[str, str | None] = {}
    if damage == "flipped byte":
        data = bytearray(made.read_bytes())
        data[len(data) - 3000] ^= 0x40
        made.write_bytes(bytes(data))
        words = ("damaged",)
    elif damage == "another board":
        other = tmp_path / "other" / "board.db"
        Board.create(other, PASSPHRASE, clock=frozen_clock(NOW))[0].close()
        made = other
        words = ("another board",)
    else:
        env = {"FACTBOARD_PASSPHRASE": "not the passphrase at all"}
        words = ("Wrong passphrase",)
    filled.close()
    before = snapshot_files(board_path.parent)
    refused = cli("restore", str(made), env=env)
    assert refused.returncode != 0
    assert all(word in refused.stderr for word in words), refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    after = snapshot_files(board_path.parent)
    assert {k: v for k, v in after.items() if not k.endswith(".attempts")} == before


def test_rekey_gives_a_new_key_and_a_new_recovery_key(
    cli: Cli, created: tuple[Board, bytes], board_path: Path, tmp_path: Path
) -> None:
    board, old_key = created
    board.add_row("CSA", {"client_code": CODE, "triage": "Kris"})
    board.close()
    before = board_path.read_bytes()
    result = cli.ok("rekey", "--recovery-key-out", str(tmp_path / "new-recovery.txt"))
    new_key = parse_recovery_key(" ".join((tmp_path / "new-recovery.txt").read_text().splitlines()[1:]))
    assert new_key != old_key
    assert board_path.read_bytes() != before
    assert codes(board_path) == [CODE]  # the passphrase still opens it
    with Board.open_with_key(board_path, new_key) as reopened:
        assert [row.client_code for row in reopened.rows()] == [CODE]
    with pytest.raises(WrongKey, match=r"not one of its \d+ pages verifies"):  # the old recovery key no longer opens it
        Board.open_with_key(board_path, old_key)
    assert format_recovery_key(new_key).splitlines()[0] in result.stdout  # shown once, on the screen too


def test_rekey_waits_for_open_boards_and_refuses_if_they_stay(cli: Cli, filled: Board, board_path: Path) -> None:
    before = board_path.read_bytes()
    refused = cli("rekey")
    assert refused.returncode == 15  # busy
    assert "still open in another FactBoard" in refused.stderr
    assert board_path.read_bytes() == before
    assert not close_request_path(board_path).exists()  # the request is withdrawn


def test_an_open_board_in_the_tui_closes_when_a_rekey_asks(filled: Board, board_path: Path) -> None:
    app_closed_with_message = [False]

    async def scenario() -> None:
        app = FactBoardApp(board_path, board=filled, user="CSA", clock=frozen_clock(NOW))
        exit_original = app.exit

        def exit_and_note(*args: object, **kwargs: object) -> None:
            app_closed_with_message[0] = "restore or a new key" in str(kwargs.get("message", ""))
            exit_original(*args, **kwargs)  # type: ignore[arg-type]

        app.exit = exit_and_note  # type: ignore[method-assign]
        async with app.run_test(size=(120, 40)) as pilot:
            await until(
                pilot, lambda: bool(app.screen.query(BoardGrid) and app.screen.query_one(BoardGrid).row_count), "rows"
            )

            def ask_for_the_board() -> None:  # what rekey and restore do: ask, then wait for the lock
                with exclusive_access(board_path, wait=5):
                    pass  # BoardBusy here would mean the app kept the board open

            await asyncio.to_thread(ask_for_the_board)
            await until(pilot, lambda: app_closed_with_message[0], "the app closing with its message")

    asyncio.run(scenario())
    assert app_closed_with_message[0]


def test_an_interrupted_rekey_is_finished_on_the_next_unlock(
    board: Board, board_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    board.add_row("CSA", {"client_code": CODE, "triage": "Kris"})
    board.close()
    real_replace = os.replace
    calls: list[str] = []

    def crash_before_the_slot(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        calls.append(str(target))
        if str(target).endswith(".keyslot"):
            raise KeyboardInterrupt("power cut")  # the database is renamed, the slot is not
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crash_before_the_slot)
    with pytest.raises(KeyboardInterrupt):
        backups.rekey(board_path, PASSPHRASE)
    monkeypatch.setattr(os, "replace", real_replace)
    assert board_path.with_name("board.db.keyslot.new").exists()
    assert codes(board_path) == [CODE]  # the next unlock finishes the rename and opens the board
    assert not board_path.with_name("board.db.keyslot.new").exists()


def test_a_board_being_rekeyed_refuses_to_open_with_a_clear_message(board: Board, board_path: Path) -> None:
    board.close()
    with exclusive_access(board_path, wait=0.1), pytest.raises(BoardBusy, match="open it again in a minute"):
        Board.unlock(board_path, PASSPHRASE)


def test_wrong_passphrase_is_counted_per_board(board: Board, board_path: Path) -> None:
    board.close()
    with pytest.raises(WrongPassphrase):
        Board.unlock(board_path, "definitely not it")
    assert board_path.with_name("board.db.attempts").exists()
    Board.unlock(board_path, PASSPHRASE).close()
    assert not board_path.with_name("board.db.attempts").exists()
