"""Every option and argument of every command says what it is for in `--help`, and fixed choices list their values.

The walk goes through the Click command Typer builds from the app, so a command or option added anywhere is
checked without being named here.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from factboard_tui.cli import app


def commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[str, click.Command]]:
    yield " ".join(path) or "factboard", command
    for name, child in (getattr(command, "commands", None) or {}).items():
        yield from commands(child, (*path, name))


ALL = list(commands(typer.main.get_command(app)))


def test_the_walk_sees_every_command() -> None:
    names = {name for name, _command in ALL}
    assert {"factboard", "rows add", "export week", "sync peers", "info", "serve"} <= names
    assert len(names) > 30


@pytest.mark.parametrize(("name", "command"), ALL, ids=[name for name, _command in ALL])
def test_every_option_and_argument_has_help(name: str, command: click.Command) -> None:
    missing = [
        param.opts[0]
        for param in command.params
        if param.name != "help" and not (getattr(param, "help", None) or "").strip()
    ]
    assert missing == [], f"`{name}`: give {', '.join(missing)} a help text"


FORMATS = {
    "export week": ["csv", "xlsx", "md", "html", "ics"],
    "export board": ["csv", "xlsx", "html"],
    "audit show": ["md", "csv"],
    "meetings show": ["md", "html"],
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_lists_its_values(name: str) -> None:
    command = dict(ALL)[name]
    (option,) = [param for param in command.params if "--format" in param.opts]
    assert option.metavar == "[" + "|".join(FORMATS[name]) + "]"  # what --help shows beside --format


def test_the_export_choices_are_the_cores_formats() -> None:
    from factboard_tui.cli import transfer
    from factboard_tui.core.transfer.export import BOARD_FORMATS, WEEK_FORMATS

    assert tuple(WEEK_FORMATS) == transfer.WEEK_FORMAT_NAMES
    assert tuple(BOARD_FORMATS) == transfer.BOARD_FORMAT_NAMES


def test_the_shell_completes_a_format(tmp_path: Path) -> None:
    def offered(words: str) -> list[str]:
        env = {"_FACTBOARD_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "4"}
        env |= {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FACTBOARD_LANG": "en"}
        script = Path(sys.executable).with_name("factboard")
        return subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60).stdout.split()

    assert offered("factboard export week --format ") == FORMATS["export week"]
    assert offered("factboard audit show --format c") == ["csv"]
