"""Opening the board from the shell without Typer, and the rules every command shares that need no Typer: the
consoles, how a user error is said (one line and its exit code), and finishing an operation that was cut off.

A person starts the board with `factboard` or `factboard open` (with `--db`, `--user`, `--theme`, `--lang`,
`--meeting`). Through Typer that cost its import and the sixty command definitions, about 140 ms of CPU before the
unlock prompt, when the budget is 1.5× a bare Textual app's first frame (issue 15). So the console script's first
step (`factboard_tui.entry`) asks `only_opens` whether the command line does nothing but open the board, and if so
opens it here; anything else, a mistyped option included, goes to the whole CLI, which says what is wrong as
always. `factboard open` through Typer (`cli.board`) calls the same `open_board`, and `cli.common.user_errors` says
errors with `exit_code_of`, so both ways behave alike.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from factboard_tui.core import paths
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _, known_language
from factboard_tui.shown import shown

if TYPE_CHECKING:
    from factboard_tui.settings import Settings

PASSPHRASE_ENV = "FACTBOARD_PASSPHRASE"
USER_ENV = "FACTBOARD_USER"

out = Console()
"""What a command says it did: stdout."""
err = Console(stderr=True)
"""Errors, warnings, notes and progress bars: stderr, so stdout stays what scripts read."""


@dataclass(frozen=True)
class Opening:
    """What a command line that only opens the board gave (None: not given)."""

    db: Path | None = None
    user: str | None = None
    theme: str | None = None
    meeting: bool = False


ROOT_VALUES = {"--db": "db", "--user": "user", "-u": "user", "--theme": "theme", "--lang": "lang"}
"""Options that take a value, before the command (`--lang` only there: the CLI chose its language from it)."""


def only_opens(arguments: Sequence[str]) -> Opening | None:
    """What `factboard [--db X] [--user U] [--theme T] [--lang L] [open [--db X] [--user U] [--theme T] [--meeting]]`
    gave, or None when the command line is anything else: another command, `--help`, a word twice, a value that
    looks like an option, an unknown language. The whole CLI answers those, as it always has."""
    given: dict[str, str] = {}
    meeting = False
    command = False
    words = list(arguments)
    while words:
        word = words.pop(0)
        if word == "open" and not command:
            command = True
            continue
        if word == "--meeting" and command and not meeting:
            meeting = True
            continue
        name, equals, value = word.partition("=")
        if name not in ROOT_VALUES or (name == "--lang" and command) or (equals and name == "-u"):
            return None
        if not equals:
            if not words:
                return None
            value = words.pop(0)
        key = ROOT_VALUES[name]
        if not value or value.startswith("-") or key in given:
            return None
        given[key] = value
    if "lang" in given and known_language(given["lang"]) is None:
        return None
    db = given.get("db")
    return Opening(Path(db) if db is not None else None, given.get("user"), given.get("theme"), meeting)


def open_board(db: Path | None, user: str | None, theme: str | None, meeting: bool) -> int:
    """Open the board in the terminal UI and return its exit code (non-zero after a crash, told already). A
    missing board or key slot is an error before any screen; the database layer loads behind the prompt."""
    from factboard_tui.core.security.keys import read_board_slot
    from factboard_tui.launch import run_board_app
    from factboard_tui.settings import load_settings

    path = db_path(db)
    notes = recover(path)
    read_board_slot(path)
    return run_board_app(
        path,
        user=user or os.environ.get(USER_ENV),
        passphrase=os.environ.get(PASSPHRASE_ENV),
        settings=with_theme(load_settings(), theme),
        meeting=meeting,
        notes=notes,
    )


def open_from_shell(opening: Opening) -> int:
    """`open_board` as the shell runs it: its exit code, or a user error's after its one line."""
    codes: list[int] = []
    code = exit_code_of(lambda: codes.append(open_board(opening.db, opening.user, opening.theme, opening.meeting)))
    return code or (codes[0] if codes else 0)


def with_theme(settings: Settings, theme: str | None) -> Settings:
    """Settings with the theme asked for on the command line (by short name or full name)."""
    if theme is None:
        return settings
    return replace(settings, theme=theme if theme.startswith("factboard-") else f"factboard-{theme}")


def db_path(db: Path | None) -> Path:
    """The database a command works on."""
    return (db or paths.default_db_path()).expanduser()


def recover(path: Path, show: Callable[[str], None] | None = None) -> list[str]:
    """Before any question: finish or undo an operation on the board (or on its backups) that was cut off, and say
    what was done (on stderr, unless `show` says how). Needs no passphrase: whatever is typed next, it is done."""
    from factboard_tui.core.security.recovery import recover_backups, recover_board
    from factboard_tui.settings import load_settings

    notes = recover_board(path) + recover_backups(path, load_settings().backups.directory_for(path))
    for note in notes:
        if show is not None:
            show(note)
        else:
            err.print(shown(note), soft_wrap=True)
    return notes


def exit_code_of(call: Callable[[], object]) -> int:
    """Run `call`; 0 when it returns, else the exit code of the user error it raised, said in one line on stderr
    (shown as plain text: it may quote a value or a file name). A bug is not a user error: it propagates."""
    try:
        call()
    except FactBoardError as error:
        say_error(error)
        return error.exit_code
    except Exception as error:  # a full disk, a read-only mount, a failing USB stick …
        told = told_error(error)
        if told is None:
            raise
        say_error(told)
        return told.exit_code
    except KeyboardInterrupt:
        err.print(_("Interrupted: nothing more was changed."))
        return 130
    return 0


def say_error(error: FactBoardError) -> None:
    """A user error as one line on stderr."""
    err.print(shown((_("error:"), "bold red"), " ", str(error), one_line=True), soft_wrap=True)


def told_error(error: Exception) -> FactBoardError | None:
    """An operating system or SQLite error that escaped a command, told as what happened (None: a bug, not a user
    error). Commands map the errors they expect themselves; this keeps the rest from printing a traceback."""
    if not isinstance(error, OSError) and getattr(error, "sqlite_errorcode", None) is None:
        return None
    from factboard_tui.core.diagnosis import told

    return told(error, None, "use")
