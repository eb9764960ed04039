"""The CLI as scripts use it: exit codes that tell a mistyped command from a missing board or row, and `--json` on
the commands whose answer a script reads (doctor, backup --list, audit verify, sync peers and conflicts)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from helpers.boards import PASSPHRASE
from helpers.cli import Cli, one_line_error

from factboard_tui.core import errors

README = Path(__file__).resolve().parents[2] / "README.md"


def test_a_usage_error_and_a_missing_thing_have_different_exit_codes(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    assert cli("rows", "lst").returncode == 2  # no such command: Click's usage error
    assert cli("rows", "list", "--colour").returncode == 2  # no such option
    assert cli("rows", "set", "DD-75").returncode == 2  # a missing argument
    not_there = cli("rows", "set", "ZZ-99", "safety", "x")
    assert not_there.returncode == 16
    one_line_error(not_there, "ZZ-99")
    no_board = cli("rows", "list", "--db", str(tmp_path / "elsewhere.db"))
    assert no_board.returncode == 16
    one_line_error(no_board, "There is no board at")
    again = cli("init")
    assert again.returncode == 16


def test_readme_documents_every_exit_code() -> None:
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", README.read_text(encoding="utf-8"), re.MULTILINE)}
    codes = {
        kind.exit_code
        for kind in vars(errors).values()
        if isinstance(kind, type) and issubclass(kind, errors.FactBoardError)
    }
    assert codes <= table, f"README's exit-code table lacks {sorted(codes - table)}"
    assert 2 in table  # usage errors, apart from every FactBoard error


def test_doctor_backup_list_and_audit_verify_speak_json(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Ny")
    doctor = json.loads(cli.ok("doctor", "--json").stdout)
    assert doctor["ok"] is True and doctor["rows"] == 1 and doctor["board"] == str(cli.db)
    assert [check["check"] for check in doctor["checks"] if check["status"] == "ok"] == [
        "key slot",
        "pages",
        "schema",
        "structure",
        "audit log",
    ]
    cli.ok("backup")
    listed = json.loads(cli.ok("backup", "--list", "--json").stdout)
    assert len(listed) == 2 and all(Path(item["path"]).is_file() for item in listed)
    assert all(Path(item["key_slot"]).is_file() and item["bytes"] > 0 for item in listed)
    one_line_error(cli("backup", "--json"), "--json goes with --list")
    verified = json.loads(cli.ok("audit", "verify", "--json").stdout)
    assert verified["ok"] is True and verified["problem"] is None and verified["entries"] > 3


def test_sync_peers_and_conflicts_speak_json(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    other = Cli(tmp_path / "other" / "board.db", home=tmp_path / "other", tmpdir=tmp_path / "other" / "tmp")
    other.ok("init")
    key = next(line for line in other.ok("sync", "identity").stdout.splitlines() if line.startswith("fbsite1:"))
    fingerprint = next(
        line for line in other.ok("sync", "identity").stdout.splitlines() if line.startswith("Fingerprint:")
    ).split()[-1]
    assert json.loads(cli.ok("sync", "peers", "--json").stdout) == []
    cli.ok("sync", "trust", "Silkeborg", key)
    (peer,) = json.loads(cli.ok("sync", "peers", "--json").stdout)
    assert (peer["name"], peer["fingerprint"], peer["revoked_at"]) == ("Silkeborg", fingerprint, None)
    assert json.loads(cli.ok("sync", "conflicts", "--json").stdout) == []


def in_a_terminal(cli: Cli, *args: str) -> tuple[int, str, str]:
    """`factboard ARGS` with stderr on a pseudo-terminal (as a person runs it) and stdout on a pipe."""
    master, slave = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "factboard_tui", *args],
            env=cli.environment() | {"COLUMNS": "100", "TERM": "xterm-256color"},
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=120,
        )
    finally:
        os.close(slave)
    drawn = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed and everything was read
            break
        if not chunk:
            break
        drawn += chunk
    os.close(master)
    return done.returncode, done.stdout.decode(), drawn.decode("utf-8", "replace")


def test_backup_and_rekey_show_progress_on_a_terminal_and_not_in_scripts(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    code, said, drawn = in_a_terminal(cli, "backup")
    assert code == 0 and "Backed up 0 rows" in said
    assert "backup" in drawn and "4/4" in drawn  # the bar's last state, before it is wiped
    code, said, drawn = in_a_terminal(cli, "rekey")
    assert code == 0 and "re-key" in drawn and "5/5" in drawn
    piped = cli.ok("backup")
    assert "4/4" not in piped.stderr and "━" not in piped.stderr  # scripts get the outcome, no bar


def test_a_backup_tells_its_steps_in_order(cli: Cli) -> None:
    from factboard_tui.core.store.board import Board

    cli.ok("init")
    told: list[tuple[str, int, int]] = []
    with Board.unlock(cli.db, PASSPHRASE) as board:
        board.backup(cli.db.parent / "backups", 3, lambda what, done, total: told.append((what, done, total)))
    assert told == [("backup", step, 4) for step in range(5)]
