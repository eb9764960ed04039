"""The `factboard` app: every command module registered in the order `factboard --help` lists them.

Scripts and tests call these exact names (`init`, `demo`, `open`, `rows …`, `staff …`, `passwd`, `doctor`, …).
Every command module imports `cli.common` (the consoles, options, `user_errors`, `unlocked`, the progress bar) and
no other command module; this file is the only place that knows them all and registers them. Commands that stand at
the top level (`factboard init`, `factboard import`, `factboard purge`) come from a module's `commands` app, added
without a name; a group (`factboard rows …`) is a module's `group` app. A command line that names its command
gets an app with that command's module only (`build`, `first_word`): importing all twelve cost every command about
100 ms of CPU (issue 15). Help, completion and anything unknown get the whole app, as `app` is.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from typing import Annotated

import typer

from factboard_tui.cli import language

language.start(sys.argv[1:])  # before the command modules: Typer reads their help words when they are imported

from factboard_tui.cli.typer_words import speak_typer  # noqa: E402

speak_typer()  # Typer's own words (Usage, Options, No such option …) in the same language

from factboard_tui.cli import root_options  # noqa: E402
from factboard_tui.cli.common import DbOption, ThemeOption, UserOption  # noqa: E402
from factboard_tui.core.i18n import LANGUAGES, _, known_language  # noqa: E402


def _show_version(value: bool) -> None:
    """`--version` (the info module loads only when it is given: Click calls this for every command)."""
    if not value:
        return
    from factboard_tui.cli import info

    info.show_version(value)


LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help=_("The language to speak: en, sv, da, nb or nl (default: the board's; before the command)."),
        metavar="LANG",
    ),
]
VersionOption = Annotated[
    bool,
    typer.Option(
        "--version",
        help=_("Print FactBoard's version and stop."),
        callback=_show_version,
        is_eager=True,
    ),
]

REGISTERED = (
    # (command module, its Typer app, the group's name (None: its commands stand at the top), the words it answers)
    ("board", "commands", None, ("init", "demo", "open", "passwd", "doctor", "backup", "restore", "rekey")),
    ("transfer", "commands", None, ("import",)),
    ("audit", "commands", None, ("purge",)),
    ("report", "commands", None, ("report",)),  # issue 19
    ("rows", "group", "rows", ("rows",)),
    ("staff", "group", "staff", ("staff",)),
    ("meetings", "group", "meetings", ("meetings",)),
    ("transfer", "group", "export", ("export",)),
    ("sync", "group", "sync", ("sync",)),
    ("audit", "group", "audit", ("audit",)),
    ("info", "commands", None, ("info",)),  # info (and --version above)
    ("serve", "commands", None, ("serve",)),  # the board in a browser
)
"""Every command module, in the order `factboard --help` lists them, with the first words of its commands."""

ROOT_VALUES = ("--db", "--user", "-u", "--theme", "--lang")
"""The root options that take a value (skipped to find the command's first word)."""


def build(first_word: str | None = None) -> typer.Typer:
    """The app: every command module registered, or (`first_word`) only the module whose commands start with it, so
    `factboard rows list` imports neither the sync, the report nor the browser face (issue 15: about 100 ms of CPU
    for every command)."""
    built = typer.Typer(
        name="factboard",
        help=_("FactBoard: the FACT team's morning board, in an encrypted local database."),
        invoke_without_command=True,
        pretty_exceptions_enable=False,
    )
    built.callback()(root)
    for module_name, attribute, name, words in REGISTERED:
        if first_word is None or first_word in words:
            module = importlib.import_module(f"factboard_tui.cli.{module_name}")
            built.add_typer(getattr(module, attribute), name=name)
    _speak_help(built)
    global _current
    _current = built
    return built


_current: typer.Typer | None = None
"""The app built last (the root callback names its commands from it)."""
_whole: typer.Typer | None = None


def first_word(arguments: list[str]) -> str | None:
    """The command's first word when the command line names one every module's app agrees on (None: build every
    module: help, completion, `--version`, a word no command starts with)."""
    words = iter(arguments)
    for word in words:
        if word in ROOT_VALUES:
            next(words, None)
        elif word.startswith("-"):
            if word.partition("=")[0] not in ROOT_VALUES:
                return None
        else:
            known = any(word in answered for *_ignored, answered in REGISTERED)
            return word if known and "--help" not in arguments else None
    return None


def root(
    ctx: typer.Context,
    db: DbOption = None,
    user: UserOption = None,
    theme: ThemeOption = None,
    lang: LangOption = None,
    version: VersionOption = False,
) -> None:
    """With no command, open the board (like `factboard open`). Options before a command apply to it."""
    if lang is not None and known_language(lang) is None:  # chosen already, before the commands were imported
        raise typer.BadParameter(
            _("{lang} is not a language FactBoard speaks: give one of {languages}.").format(
                lang=lang, languages=", ".join(LANGUAGES)
            ),
            param_hint="--lang",
        )
    root_options.keep(root_options.RootOptions(db, user, theme), root_options.command_names(_current))
    if ctx.invoked_subcommand is None:
        from factboard_tui.cli import board

        board.open_board(db=db, user=user, theme=theme)


def _speak_help(typer_app: typer.Typer) -> None:
    """Each command's description (its docstring, which Typer shows as help) in the language chosen at start."""
    for info in typer_app.registered_commands:
        if info.help is None and (doc := inspect.getdoc(info.callback)):
            info.help = _(doc)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _speak_help(group.typer_instance)


def __getattr__(name: str) -> typer.Typer:
    """`app`: the whole app, built when first asked for (tests and tools walk it)."""
    global _whole, _current
    if name == "app":
        _whole = _whole or build()
        _current = _whole
        return _whole
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Entry point of the `factboard` console script.

    An exception that is not a user error is a bug: it is reported by `crash.record` (where it happened, a crash
    report file; never local variables, messages or board data) with exit code 70, instead of a traceback.
    """
    try:
        build(first_word(sys.argv[1:]))()
    except Exception as error:
        from factboard_tui import crash

        crash.stop(error, face="cli")


__all__ = ["build", "first_word", "main"]  # and `app`, the whole app (module __getattr__)
