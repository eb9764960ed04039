"""The CLI on the desktops teams have: Windows (no `fcntl`, no `termios`), macOS (paths that `info` tells), and the
polish an installed tool is expected to have (`--version`, shell completion).

Windows cannot be run here, so the CLI runs as a real process with `fcntl` and `termios` hidden
(`sys.modules[...] = None`, so any import of them fails as it does on Windows): everything a person does on a first
morning must still work, down to the board's locks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from helpers.cli import Cli

WITHOUT_POSIX = """
import runpy, sys
sys.modules["fcntl"] = None
sys.modules["termios"] = None
sys.argv = ["factboard", *sys.argv[1:]]
try:
    runpy.run_module("factboard_tui", run_name="__main__", alter_sys=True)
finally:
    leaked = [name for name in ("fcntl", "termios") if sys.modules.get(name) is not None]
    if leaked:
        sys.stderr.write("imported " + ", ".join(leaked) + "\\n")
        raise SystemExit(99)
"""
"""Runs `factboard ARGS` as Windows would import it: `fcntl` and `termios` cannot be imported."""


def without_posix(cli: Cli, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_POSIX, *args],
        env=cli.environment(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=cli.home,
    )


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, f"{result.args[3:]} exited {result.returncode}: {result.stderr}"
    return result


def test_the_first_morning_runs_without_fcntl_and_termios(cli: Cli, tmp_path: Path) -> None:
    ok(without_posix(cli, "init", "--team", "FACT Lund", "--template", "en"))
    ok(without_posix(cli, "rows", "add", "--code", "DD-75", "--triage", "Watch", "--situation", "Slept badly."))
    rows = json.loads(ok(without_posix(cli, "rows", "list", "--json")).stdout)
    assert [(row["client_code"], row["situation"]) for row in rows] == [("DD-75", "Slept badly.")]
    said = ok(without_posix(cli, "backup")).stdout
    assert "Backed up 1 row" in said
    listed = ok(without_posix(cli, "backup", "--list")).stdout
    assert len([line for line in listed.splitlines() if ".db" in line]) == 2  # the first unlock's and the asked one
    assert "ok" in ok(without_posix(cli, "doctor")).stdout
    assert ok(without_posix(cli, "--version")).stdout.strip() == f"factboard {metadata.version('factboard-tui')}"
    assert json.loads(ok(without_posix(cli, "info", "--json")).stdout)["board"]["exists"] is True


def test_version_is_the_installed_one(cli: Cli) -> None:
    assert cli.ok("--version").stdout.strip() == f"factboard {metadata.version('factboard-tui')}"


def test_info_tells_the_paths_in_use(cli: Cli, tmp_path: Path) -> None:
    cli.ok("init")
    config = tmp_path / "elsewhere" / "config.toml"
    config.parent.mkdir()
    config.write_text('language = "da"\nuser = "MJR"\n', encoding="utf-8")
    env = {"FACTBOARD_CONFIG": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    facts = json.loads(cli.ok("info", "--json", env=env).stdout)
    assert facts["factboard"] == metadata.version("factboard-tui")
    assert facts["paths"]["config"] == str(config)
    assert facts["paths"]["data"] == str(tmp_path / ".local" / "share" / "factboard")
    assert facts["paths"]["cache"] == str(tmp_path / "cache" / "factboard")
    assert facts["board"] == {
        "path": str(cli.db),
        "exists": True,
        "size_bytes": cli.db.stat().st_size,
        "key_slot": str(cli.db) + ".keyslot",
        "backups": str(cli.db.parent / "backups"),
    }
    assert (facts["config"]["language"], facts["config"]["user"]) == ("da", "MJR")
    assert facts["libraries"]["SQLCipher"].startswith("4.")
    shown = cli.ok("info", env=env | {"COLUMNS": "400"}).stdout
    assert str(config) in shown
    assert "user MJR" in shown


def test_info_needs_no_board_and_no_passphrase(cli: Cli) -> None:
    facts = json.loads(cli.ok("info", "--json", env={"FACTBOARD_PASSPHRASE": None}).stdout)
    assert facts["board"]["exists"] is False and facts["board"]["key_slot"] is None


def _console_script() -> str:
    script = Path(sys.executable).with_name("factboard")
    assert script.is_file(), "the test venv has the package installed with its `factboard` script"
    return str(script)


def test_shell_completion_completes_commands(cli: Cli, tmp_path: Path) -> None:
    def factboard(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        # Typed in bash, as a person does: Typer finds the shell among the command's parents (shellingham), and a
        # test run in the background may have none (the script came back empty: "Shell  not supported").
        typed = ["bash", "-c", '"$0" "$@"; exit $?', _console_script(), *args]
        return subprocess.run(typed, env=cli.environment() | env, capture_output=True, text=True, timeout=60)

    shown = factboard("--show-completion", "bash")
    script = shown.stdout
    assert "_factboard_completion" in script, (shown.returncode, shown.stderr)
    assert "complete -o default -F _factboard_completion factboard" in script
    bash = {"_FACTBOARD_COMPLETE": "complete_bash"}
    assert factboard(**bash, COMP_CWORD="2", COMP_WORDS="factboard rows li").stdout.split() == ["list"]
    assert factboard(**bash, COMP_CWORD="1", COMP_WORDS="factboard inf").stdout.split() == ["info"]
    installed = factboard("--install-completion", "bash", SHELL="/bin/bash")
    assert "bash completion installed" in installed.stdout, installed.stderr
    assert "_factboard_completion" in (tmp_path / ".bash_completions" / "factboard.sh").read_text(encoding="utf-8")
