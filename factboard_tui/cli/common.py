"""What every `factboard` command shares: the consoles, the options, `user_errors`, `unlocked` and the progress bar.

Each command module (`board`, `rows`, `staff`, `meetings`, `transfer`, `sync`, `audit`) imports this one and no
other command module; `cli/registry.py` registers them all on the app. So the rules every command keeps live here
once: a user error is one line on stderr and its exit code, never a traceback; passphrases come from a hidden prompt
or `FACTBOARD_PASSPHRASE` for scripts; who is writing comes from `--user` or `FACTBOARD_USER`; a board is unlocked,
audited, backed up once a day and closed the same way by every command. The rules that need no Typer (the
consoles, how a user error is said, finishing a cut-off operation) live in `cli.opening`, which opens the board from
the shell without Typer, and are re-exported here.

Nothing here imports the store, SQLAlchemy or Textual at module level (`Board` only for the type checker): `factboard
--help` loads Typer and Rich and the command modules, never the database layer.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as ProgressBar

from factboard_tui.cli import root_options
from factboard_tui.cli.opening import PASSPHRASE_ENV as PASSPHRASE_ENV  # the shared rules, for every command
from factboard_tui.cli.opening import USER_ENV as USER_ENV
from factboard_tui.cli.opening import db_path as db_path
from factboard_tui.cli.opening import err as err
from factboard_tui.cli.opening import exit_code_of
from factboard_tui.cli.opening import out as out
from factboard_tui.cli.opening import recover as recover
from factboard_tui.core.domain.characters import json_safe
from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.core.i18n import _, speak_for_board
from factboard_tui.shown import shown

if TYPE_CHECKING:
    from factboard_tui.core.store.board import Board
    from factboard_tui.core.transfer.importer import Progress

P = ParamSpec("P")
R = TypeVar("R")

NEW_PASSPHRASE_ENV = "FACTBOARD_NEW_PASSPHRASE"
RECOVERY_KEY_ENV = "FACTBOARD_RECOVERY_KEY"

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help=_("The board's database file (default: $FACTBOARD_DB, else board.db in the data dir).")),
]
CodeArgument = Annotated[str, typer.Argument(help=_("Client code of a row on the board, like DD-75."))]
ThemeOption = Annotated[
    str | None,
    typer.Option(
        "--theme", help=_("wall, laptop, high-contrast or light, for this session (ctrl+t cycles and remembers).")
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help=_("Your staff initials, stamped on changes and named in the audit log (default: $FACTBOARD_USER)."),
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help=_("Print JSON for scripts."))]


def choices(values: Sequence[str]) -> dict[str, Any]:
    """`typer.Option` arguments for an option with fixed values: `--help` lists them (`[md|csv]`) and the shell
    completes them. The command still checks the value itself, so a wrong one is refused in one line (exit 1), as
    every bad value is, rather than with Click's usage box."""

    def complete(incomplete: str) -> list[str]:
        return [value for value in values if value.startswith(incomplete.lower())]

    return {"metavar": "[" + "|".join(values) + "]", "autocompletion": complete}


def user_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn `FactBoardError` into one line on stderr and its exit code (the message is shown as plain text: it
    may quote a value or a file name); take the options given before the command (`root_options`). Every command
    is wrapped by it."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        results: list[R] = []

        def call() -> None:
            merged = root_options.apply(function, kwargs, root_options.command_name(wrapper))
            results.append(function(*args, **merged))

        code = exit_code_of(call)
        if code:
            raise typer.Exit(code) from None
        return results[0]

    return wrapper


def print_json(value: Any) -> None:
    """`value` as JSON on stdout for scripts; a character a terminal could act on travels as its `\\u` escape.

    A list is written one item per line (`[`, then each item compact, then `]`): Python's JSON encoder is in C only
    without `indent`, and indenting 20,000 rows in Python took seconds (issue 15). The text is the same JSON value,
    and a line is a record for `grep`.
    """
    if isinstance(value, list) and value:
        encode = json.JSONEncoder(ensure_ascii=False).encode
        print_json_records([encode(item) for item in value])
    else:
        sys.stdout.write(json_safe(json.dumps(value, ensure_ascii=False, indent=2)) + "\n")


_RECORDS_PER_WRITE = 500
"""`print_json_records` writes this many records at a time: joined, made safe and encoded whole, 20,000 rows' text
made three more copies of 25 MB, and the memory they took cost a tenth of a second of system time (issue 15)."""


def print_json_records(records: list[str]) -> None:
    """A list whose items are already JSON text, as `print_json` writes a list (one item per line)."""
    if not records:
        sys.stdout.write("[]\n")
        return
    write = sys.stdout.write
    write("[\n")
    for start in range(0, len(records), _RECORDS_PER_WRITE):  # the text (25 MB at 20,000 rows) is never copied whole
        write(("" if start == 0 else ",\n") + json_safe(",\n".join(records[start : start + _RECORDS_PER_WRITE])))
    write("\n]\n")


def ask_secret(prompt: str, env: str, confirm: bool = False) -> str:
    """A secret from the environment (scripts) or a hidden prompt (people)."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise FactBoardError(
            _("No terminal to ask for the {what}: set {variable} or run in a terminal.").format(
                what=prompt.lower(), variable=env
            )
        )
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def author(user: str | None) -> str:
    """Who is writing: --user, else FACTBOARD_USER; writes need it."""
    initials = user or os.environ.get(USER_ENV)
    if not initials:
        raise InvalidValue(
            "author", _("Say who is writing: pass --user INITIALS or set {variable}.").format(variable=USER_ENV)
        )
    return initials


@contextmanager
def unlocked(db: Path | None, user: str | None = None, *, write_now: bool = True, warn: bool = True) -> Iterator[Board]:
    """The unlocked board for a command, closed afterwards.

    The unlock is entered in the audit log (as --user, else $FACTBOARD_USER, else '?') with the command's first
    audit entry, or after the command succeeded: a refused command still changes nothing. `write_now=False` holds
    back even the entry for wrong passphrases typed before, until the command is done (`audit verify` reads the
    log first). A problem with the audit log seen on opening is a warning line before the command runs (unless
    `warn` is False: the command checks the log itself).
    """
    from factboard_tui.core.store.board import Board

    path = db_path(db)
    recover(path)
    Board.read_slot(path)  # fail on a missing board or slot before asking for a passphrase
    who = user or os.environ.get(USER_ENV)
    board = Board.unlock(path, ask_secret(_("Passphrase"), PASSPHRASE_ENV), user=who, via="cli", write_now=write_now)
    speak_for_board(board.template.language)  # the team's language from here on, unless the person chose their own
    if board.audit_warning is not None and warn:
        problem = _("the audit log does not verify: {problem}. Run `factboard audit verify`; nothing was overwritten.")
        err.print(
            shown((_("warning:"), "bold yellow"), " ", problem.format(problem=board.audit_warning)), soft_wrap=True
        )
    try:
        yield board
        # After the command succeeded, so a refused command still changes nothing.
        board.record_unlock()
        warned = board.audit_warning
        try:
            made = daily_backup(board)
        except FactBoardError as error:  # the command's own work is saved: say so, and why there is no backup
            err.print(
                shown(
                    (_("warning:"), "bold yellow"),
                    " ",
                    _("the command's work is saved, but today's backup was not made: {error}").format(error=error),
                ),
                soft_wrap=True,
            )
            return
        if warn and board.audit_warning is not None and board.audit_warning != warned:  # found by the day's check
            found = _("today's check of the audit log found: {problem}. Run `factboard audit verify`.")
            err.print(
                shown((_("warning:"), "bold yellow"), " ", found.format(problem=board.audit_warning)), soft_wrap=True
            )
        if made is not None:
            err.print(shown(_("First unlock today: backed up to {path}").format(path=made)), soft_wrap=True)
    finally:
        board.close()


def daily_backup(board: Board) -> Path | None:
    """The first unlock of a day makes a backup, unless the config's `[backups] daily = false`."""
    from factboard_tui.settings import load_settings

    settings = load_settings().backups
    if not settings.daily:
        return None
    return board.daily_backup(settings.directory_for(board.path), settings.keep)


@contextmanager
def progress_bar(large: int = 0) -> Iterator[Progress]:
    """The `Progress` callback a core service reports to (`stage, done, total`; a total of 0 or less: not known),
    drawn as a bar on stderr once a stage reaches `large` steps, and only in a terminal (never in scripts and tests).

    The bar is transient: it is gone when the work is done, and what the command says stays.
    """
    bar: ProgressBar | None = None
    tasks: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            if total < large or not err.is_terminal:
                return
            bar = ProgressBar(
                TextColumn("{task.description:<9}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            bar.start()
        known = total if total > 0 else None
        if stage not in tasks:
            tasks[stage] = bar.add_task(_(stage), total=known)  # the stage is marked with N_ where it is named
        bar.update(tasks[stage], completed=done, total=known)

    try:
        yield report
    finally:
        if bar is not None:
            bar.stop()
