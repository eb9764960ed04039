"""How `factboard` starts: `--help` and a usage error load neither the database layer, nor Textual, nor the file
formats (`helpers.imports.CLI_LATER`), and the terminal UI it starts
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
from helpers.imports import CLI_LATER, OPEN_LATER, loaded


@pytest.mark.parametrize(
    ("words", "exit_code"),
    [
        (["--help"], 0),
        (["rows", "--help"], 0),
        (["sync", "import", "--help"], 0),
        (["export", "--help"], 0),
        (["rows", "no-such-command"], 2),
        (["export", "week", "--no-such-option"], 2),
    ],
)
def test_help_and_usage_errors_load_no_database_layer_no_textual_no_file_formats(
    cli: Cli, words: list[str], exit_code: int
) -> None:
    script = (
        "import json, sys\n"
        f"sys.argv = ['factboard', *{words!r}]\n"
        "from factboard_tui.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as done:\n"
        "    code = done.code\n"
        f"loaded = {loaded(CLI_LATER)}\n"
        "print(json.dumps({'code': code, 'loaded': loaded}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=cli.environment(), capture_output=True, text=True, timeout=120
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["code"] == exit_code and "Usage:" in result.stdout + result.stderr
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


def test_factboard_open_draws_the_unlock_screen_before_the_database_layer_loads(cli: Cli, tmp_path: Path) -> None:
    """The way a person starts it: the CLI, then the app, up to the unlock screen's first frame (issue 15: the
    CLI imported the store before the app, 0.9 s of CPU before the prompt)."""
    cli.ok("init")
    script = (
        "import json, sys\n"
        "from textual.app import App\n"
        "original = App._display\n"
        "seen = {}\n"
        "def display(self, screen, renderable):\n"
        "    original(self, screen, renderable)\n"
        "    if renderable is not None and not seen and type(screen).__name__ == 'UnlockScreen':\n"
        f"        seen['loaded'] = {loaded(OPEN_LATER)}\n"
        "        self.exit()\n"
        "App._display = display\n"
        "from factboard_tui.cli import main\n"
        "sys.argv = ['factboard', 'open']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(seen))\n"
    )
    environment = cli.environment({"TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"})
    environment.pop("FACTBOARD_PASSPHRASE", None)
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == {"loaded": []}
