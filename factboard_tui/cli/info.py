"""`factboard info` and `factboard --version`: what is installed and where FactBoard keeps its files on this machine.

The paths differ by platform (platformdirs: `~/.local/share/factboard` on Linux, `~/Library/Application
Support/factboard` on macOS, `%LOCALAPPDATA%\\factboard` on Windows) and by the `FACTBOARD_DB`/`FACTBOARD_CONFIG`
variables, so README points here instead of listing them. Nothing here asks for a passphrase or opens a board: the
board is described from the outside (is it there, its key slot, its backups), so a person on the phone with whoever
looks after FactBoard can read it out before anything works.
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import typer
from platformdirs import user_cache_dir
from rich.table import Table

from factboard_tui.cli.common import DbOption, JsonOption, db_path, out, print_json, user_errors
from factboard_tui.core import paths
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import LANGUAGES, _, current_language
from factboard_tui.shown import shown

DISTRIBUTION = "factboard-tui"
"""The name FactBoard is installed under (`pip install factboard-tui`)."""

LIBRARIES = ("textual", "rich", "typer", "sqlalchemy", "sqlmodel", "sqlcipher3", "cryptography", "babel")
"""The libraries whose versions `info` shows: the ones a bug report needs."""

commands = typer.Typer()


def version() -> str:
    """FactBoard's installed version (a checkout that was never installed says so)."""
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return _("not installed")


def show_version(value: bool) -> None:
    """The eager `--version` option of the root command: print the version and stop."""
    if value:
        out.print(shown(f"factboard {version()}"))
        raise typer.Exit()


def _library_versions() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = _("not installed")
    found["SQLCipher"] = _sqlcipher_version()
    return found


def _sqlcipher_version() -> str:
    """The SQLCipher library sqlcipher3 was built with (asked from an in-memory database; nothing is written)."""
    try:
        import sqlcipher3

        connection = sqlcipher3.connect(":memory:")
        try:
            row = connection.execute("PRAGMA cipher_version").fetchone()
        finally:
            connection.close()
    except Exception:  # an install without a working sqlcipher3 is what `info` is there to show
        return _("not available")
    return str(row[0]) if row else _("not available")


def _board_facts(db: Path) -> dict[str, Any]:
    from factboard_tui.settings import load_settings

    slot = paths.key_slot_path(db)
    facts: dict[str, Any] = {
        "path": str(db),
        "exists": db.is_file(),
        "size_bytes": db.stat().st_size if db.is_file() else None,
        "key_slot": str(slot) if slot.is_file() else None,
    }
    try:
        facts["backups"] = str(load_settings().backups.directory_for(db))
    except FactBoardError:
        facts["backups"] = None
    return facts


def _config_facts() -> dict[str, Any]:
    from factboard_tui.settings import load_settings

    path = paths.config_path()
    facts: dict[str, Any] = {"path": str(path), "exists": path.is_file(), "problem": None}
    try:
        settings = load_settings()
    except FactBoardError as error:
        facts["problem"] = str(error)
        return facts
    facts |= {
        "language": settings.language,
        "theme": settings.theme,
        "user": settings.user,
        "idle_lock_minutes": settings.idle_lock_minutes,
        "remapped_keys": len(settings.keys),
    }
    return facts


def gather(db: Path | None) -> dict[str, Any]:
    """Everything `info` shows, as plain values (the `--json` form)."""
    board = db_path(db)
    data = paths.data_dir()
    return {
        "factboard": version(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "libraries": _library_versions(),
        "paths": {
            "config": str(paths.config_path()),
            "data": str(data),
            "cache": user_cache_dir(paths.APP_NAME, appauthor=False),
            "crash_reports": str(paths.crash_reports_dir()),
            "templates": str(paths.templates_dir()),
            "themes": str(paths.themes_dir()),
        },
        "boards": sorted(str(path) for path in data.glob("*.db")) if data.is_dir() else [],
        "board": _board_facts(board),
        "config": _config_facts(),
        "language": {
            "speaking": current_language(),
            "available": list(LANGUAGES),
            "FACTBOARD_LANG": os.environ.get("FACTBOARD_LANG"),
            "LANG": os.environ.get("LANG"),
        },
        "executable": sys.executable,
    }


@commands.command("info")
@user_errors
def info(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Show versions, where FactBoard keeps its files here (config, data, boards), the config and the language."""
    facts = gather(db)
    if as_json:
        print_json(facts)
        return
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()

    def row(label: str, value: object) -> None:
        table.add_row(label, shown("—" if value is None else str(value)))

    row(_("FactBoard"), facts["factboard"])
    row(_("Python"), f"{facts['python']} ({facts['executable']})")
    row(_("Platform"), facts["platform"])
    row(_("Libraries"), ", ".join(f"{name} {found}" for name, found in facts["libraries"].items()))
    places = facts["paths"]
    row(_("Config file"), places["config"] + ("" if facts["config"]["exists"] else " " + _("(not created yet)")))
    row(_("Data folder"), places["data"])
    row(_("Cache folder"), places["cache"])
    row(_("Crash reports"), places["crash_reports"])
    row(_("Templates"), places["templates"])
    board = facts["board"]
    row(_("Board"), board["path"] + ("" if board["exists"] else " " + _("(not there)")))
    row(_("Key slot"), board["key_slot"])
    row(_("Backups"), board["backups"])
    row(_("Boards in the data folder"), ", ".join(facts["boards"]) or None)
    config = facts["config"]
    if config["problem"] is not None:
        row(_("Config problem"), config["problem"])
    else:
        row(
            _("Config"),
            _("language {language}, theme {theme}, user {user}, idle lock {minutes} min").format(
                language=config["language"] or "—",
                theme=config["theme"] or "—",
                user=config["user"] or "—",
                minutes=config["idle_lock_minutes"],
            ),
        )
    row(
        _("Language"),
        _("{speaking} (FactBoard speaks {available})").format(
            speaking=facts["language"]["speaking"], available=", ".join(LANGUAGES)
        ),
    )
    out.print(table)
