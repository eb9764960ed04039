"""How `factboard` starts: `--help` loads neither the database layer nor Textual, and the terminal UI it starts
(through `factboard_tui.launch`) hands a crash's exit code back to the shell.

Each case is a fresh interpreter running the console script's `main`, as a person's shell would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.cli import Cli

HEAVY = ("sqlalchemy", "sqlmodel", "sqlcipher3", "textual")
"""Packages `--help` must not load: the database layer (half a second of imports) and the TUI."""


@pytest.mark.parametrize("words", [["--help"], ["rows", "--help"], ["sync", "import", "--help"]])
def test_help_loads_no_database_layer_and_no_textual(cli: Cli, words: list[str]) -> None:
    script = (
        "import json, sys\n"
        f"sys.argv = ['factboard', *{words!r}]\n"
        "from factboard_tui.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        f"loaded = sorted({{name.split('.')[0] for name in sys.modules}} & set({HEAVY!r}))\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli.environment(), capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] == 0 and "Usage:" in result.stdout
    assert report["loaded"] == []


@pytest.mark.parametrize("command", ["open", "demo"])
def test_a_crash_in_the_terminal_ui_is_the_commands_exit_code(cli: Cli, tmp_path: Path, command: str) -> None:
    """The app fails as it starts (a bug, on purpose): the command prints the crash's account and exits non-zero,
    so a script or a wall screen's start-up loop sees that it failed."""
    if command == "open":
        cli.ok("init")
    words = ["open"] if command == "open" else ["demo", "--db", str(tmp_path / "demo.db")]
    script = (
        "import sys\n"
        "from factboard_tui.tui.app import FactBoardApp\n"
        "def broken(self):\n"
        "    raise RuntimeError('broken on purpose')\n"
        "FactBoardApp.on_mount = broken\n"
        "from factboard_tui.cli import main\n"
        f"sys.argv = ['factboard', *{words!r}]\n"
        "main()\n"
    )
    environment = cli.environment(
        {"TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver", "XDG_STATE_HOME": str(tmp_path / "st")}
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    assert "error in FactBoard itself (RuntimeError)" in result.stdout + result.stderr
