"""Every path FactBoard reads or writes, in one place (the core's, so the store, the faces and the settings agree).

The database lives in the user's data directory (platformdirs) unless `FACTBOARD_DB` or `--db` says otherwise;
`FACTBOARD_CONFIG` points at another config file. Shipped files (board templates, themes) are found beside the
installed package, or at the top of the source tree when running from a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_dir, user_data_dir, user_state_dir

APP_NAME = "factboard"
DB_ENV = "FACTBOARD_DB"
CONFIG_ENV = "FACTBOARD_CONFIG"


def data_dir() -> Path:
    """The per-user directory that holds boards unless told otherwise."""
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_db_path() -> Path:
    """The board a bare `factboard` opens: `$FACTBOARD_DB`, else `board.db` in the user data directory."""
    env = os.environ.get(DB_ENV)
    return Path(env).expanduser() if env else data_dir() / "board.db"


def demo_db_path() -> Path:
    """Where `factboard demo` keeps its synthetic board."""
    return data_dir() / "demo.db"


def crash_reports_dir() -> Path:
    """Where crash reports go (`crash.py`: no board data in them): the user's state directory."""
    return Path(user_state_dir(APP_NAME, appauthor=False)) / "crash-reports"


def config_path() -> Path:
    """The user's config file (key remapping, remembered initials, theme)."""
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else Path(user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def key_slot_path(db_path: Path) -> Path:
    """The key-slot file that sits beside a database and holds its wrapped key."""
    return db_path.with_name(db_path.name + ".keyslot")


def shipped_dir(name: str) -> Path:
    """A directory shipped with the app (`data` or `themes`), installed or in a source checkout."""
    package = Path(__file__).resolve().parent.parent  # factboard_tui/, beside which a checkout keeps data/ and themes/
    installed = package / "_shipped" / name
    if installed.is_dir():
        return installed
    return package.parent / name


def templates_dir() -> Path:
    """Board templates, one TOML file per board language."""
    return shipped_dir("data") / "templates"


def themes_dir() -> Path:
    """Theme files (`*.toml`) for the TUI."""
    return shipped_dir("themes")
