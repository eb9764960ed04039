"""Options before the command act like options after it: on the board named, as the person named, or refused.

`factboard --db OTHER rows list` used to list `$FACTBOARD_DB`'s board, and `factboard --user DEN rows set …` stamped
`$FACTBOARD_USER`. Every command is collected from the Typer app itself, so a new command is covered (or this test
fails until it is given its arguments below). Each runs twice, with `--db` before and after it, while
`$FACTBOARD_DB` names a real board: a command that honours `--db` works on the path given (which holds no board,
so it says so naming that path, or creates the board there), one that ignored it would work on the other board.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import typer.main
from helpers.boards import PASSPHRASE
from helpers.cli import Cli

from factboard_tui.cli import app
from factboard_tui.core.store.board import Board


def all_commands() -> list[tuple[str, list[str]]]:
    """Every command a person can run, as typed (`rows list`), with its parameter names."""

    def walk(command: Any, path: tuple[str, ...]) -> list[tuple[str, list[str]]]:
        children = getattr(command, "commands", None)
        if children:
            return [found for name, child in children.items() for found in walk(child, (*path, name))]
        return [(" ".join(path), [param.name for param in command.params])]

    return walk(typer.main.get_command(app), ())


COMMANDS = all_commands()
BOARD_COMMANDS = [name for name, params in COMMANDS if "db" in params]

ARGUMENTS: dict[str, list[str]] = {
    "init": [],
    "demo": ["--no-open"],
    "open": [],
    "passwd": [],
    "doctor": [],
    "backup": [],
    "restore": ["{backup}"],
    "rekey": [],
    "info": ["--json"],  # tells about the board without opening it (DESCRIBES_THE_BOARD)
    "serve": ["--port", "1"],  # refused before it listens: there is no board at --db
    "import": ["{sheet}"],
    "purge": ["--off-board-before", "2025-01-01"],
    "rows list": [],
    "rows add": ["--code", "EE-1", "--triage", "Ny"],
    "rows set": ["DD-75", "safety", "OK"],
    "rows off": ["DD-75", "--reason", "Stabil"],
    "staff add": ["DEN"],
    "staff list": [],
    "meetings list": [],
    "meetings show": ["1"],
    "export week": ["-o", "{out}"],
    "export board": ["-o", "{out}"],
    "sync identity": [],
    "sync trust": ["Peer", "fbsite1:AAAA"],
    "sync peers": [],
    "sync revoke": ["Peer"],
    "sync export": ["--to", "Peer"],
    "sync import": ["{sheet}"],
    "sync conflicts": [],
    "sync settle": ["1", "--take", "1"],
    "sync run": ["--folder", "{folder}"],
    "sync watch": ["--folder", "{folder}"],
    "audit verify": [],
    "audit show": ["--client", "DD-75"],
    "report": ["-o", "{out}"],
}
"""Arguments that get each command past its own checks to the point where it opens the board."""

CREATES_THE_BOARD = {"init", "demo", "restore"}
DESCRIBES_THE_BOARD = {"info"}
"""Commands that tell about the board from outside (is it there, where), without opening it."""


def test_every_command_has_arguments_here() -> None:
    assert sorted(BOARD_COMMANDS) == sorted(ARGUMENTS), "give a new command its arguments in ARGUMENTS"
    assert {name for name, _params in COMMANDS} == set(BOARD_COMMANDS)  # every command works on a board


@pytest.fixture(scope="module")
def made_once(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A board with a row DD-75, a backup of it and the files the arguments name, made once for the module."""
    root = tmp_path_factory.mktemp("other")
    cli = Cli(root / "board.db", home=root, tmpdir=root / "tmp")
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Ny")
    backups = root / "backups-here"
    cli.ok("backup", "-o", str(backups))
    sheet = root / "tavlan.csv"
    sheet.write_text("Patient,Triage\nEE-2,Ny\n", encoding="utf-8")
    return root, {"backup": str(next(backups.glob("*.db"))), "sheet": str(sheet)}


@pytest.fixture
def other_board(cli: Cli, made_once: tuple[Path, dict[str, str]], tmp_path: Path) -> dict[str, str]:
    """`$FACTBOARD_DB`'s board: a copy of the one made once."""
    root, files = made_once
    for name in ("board.db", "board.db.keyslot"):
        shutil.copyfile(root / name, cli.db.with_name(name))
    return files | {"out": str(tmp_path / "out.html"), "folder": str(tmp_path)}


@pytest.mark.parametrize("placement", ["before", "after"])
@pytest.mark.parametrize("command", sorted(ARGUMENTS))
def test_db_given_before_or_after_the_command_is_the_board_it_works_on(
    cli: Cli, other_board: dict[str, str], tmp_path: Path, command: str, placement: str
) -> None:
    named = tmp_path / f"named-{placement}-{command.replace(' ', '-')}.db"
    arguments = [argument.format(**other_board) for argument in ARGUMENTS[command]]
    words = command.split()
    line = [*words, *arguments, "--db", str(named)]
    if placement == "before":
        line = ["--db", str(named), *words, *arguments]
    untouched = {name: (cli.db.parent / name).read_bytes() for name in ("board.db", "board.db.keyslot")}
    result = cli(*line, env={"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"})
    if command in CREATES_THE_BOARD:
        assert result.returncode == 0, result.stderr
        assert named.is_file(), f"{command} did not make its board at the path --db named"
    elif command in DESCRIBES_THE_BOARD:
        assert result.returncode == 0, result.stderr
        described = json.loads(result.stdout)["board"]
        assert (described["path"], described["exists"]) == (str(named), False)
    else:
        assert result.returncode != 0 and f"There is no board at {named}" in result.stderr, result.stderr
    # The other board was neither opened (an unlock is logged) nor written to.
    assert {name: (cli.db.parent / name).read_bytes() for name in untouched} == untouched


def authors(db: Path, field: str) -> list[str]:
    with Board.unlock(db, PASSPHRASE) as board, board.engine.connect() as connection:
        return [row[0] for row in connection.exec_driver_sql("SELECT author FROM change_log WHERE field = ?", (field,))]


@pytest.mark.parametrize("placement", ["before", "after"])
def test_user_given_before_or_after_the_command_is_the_author_and_the_one_the_log_names(
    cli: Cli, placement: str
) -> None:
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Ny")

    def run(*words: str) -> None:
        line = ["--user", "DEN", *words] if placement == "before" else [*words, "--user", "DEN"]
        cli.ok(*line)  # FACTBOARD_USER is CSA

    run("rows", "set", "DD-75", "safety", "Hot mot granne")
    run("staff", "add", "MJR", "--name", "Maja")
    run("rows", "list")
    assert authors(cli.db, "safety") == ["DEN"]
    assert authors(cli.db, "initials") == ["DEN"]
    with Board.unlock(cli.db, PASSPHRASE) as board, board.engine.connect() as connection:
        unlocks = [row[0] for row in connection.exec_driver_sql("SELECT who FROM audit_log WHERE action = 'unlock'")]
    assert unlocks[-3:] == ["DEN", "DEN", "DEN"]


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (["--theme", "wall", "rows", "list"], ["--theme does not apply to `factboard rows list`", "--db and --user"]),
        (["--user", "DEN", "passwd"], ["--user does not apply to `factboard passwd`"]),
        (["--user", "DEN", "init"], ["--user does not apply to `factboard init`"]),
        (["--db", "a.db", "rows", "list", "--db", "b.db"], ["--db is given twice", "a.db", "b.db"]),
        (["--user", "DEN", "rows", "set", "DD-75", "safety", "x", "--user", "MJR"], ["--user is given twice"]),
    ],
)
def test_an_option_before_the_command_that_cannot_apply_is_refused_in_one_line(
    cli: Cli, line: list[str], words: list[str]
) -> None:
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Ny")
    before = json.loads(cli.ok("rows", "list", "--json").stdout)
    result = cli(*line)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    for word in words:
        assert word in result.stderr
    assert json.loads(cli.ok("rows", "list", "--json").stdout) == before
