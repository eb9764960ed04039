"""The `factboard` app: every command module registered in the order `factboard --help` lists them.

Scripts and tests call these exact names (`init`, `demo`, `open`, `rows …`, `staff …`, `passwd`, `doctor`, …).
Every command module imports `cli.common` (the consoles, options, `user_errors`, `unlocked`, the progress bar) and
no other command module; this file is the only place that knows them all and registers them. Commands that stand at
the top level (`factboard init`, `factboard import`, `factboard purge`) come from a module's `commands` app, added
without a name; a group (`factboard rows …`) is a module's `group` app.
"""

from __future__ import annotations

import inspect
import sys
from typing import Annotated

import typer

from factboard_tui.cli import language

language.start(sys.argv[1:])  # before the command modules: Typer reads their help words when they are imported

from factboard_tui.cli.typer_words import speak_typer  # noqa: E402

speak_typer()  # Typer's own words (Usage, Options, No such option …) in the same language

from factboard_tui.cli import audit, board, meetings, report, root_options, rows, staff, sync, transfer  # noqa: E402
from factboard_tui.cli import info as info_command  # noqa: E402  # --version and `info` (issue 20)
from factboard_tui.cli import serve as serve_command  # noqa: E402  # `serve` (issue 20)
from factboard_tui.cli.common import DbOption, ThemeOption, UserOption  # noqa: E402
from factboard_tui.core.i18n import LANGUAGES, _, known_language  # noqa: E402

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
        callback=info_command.show_version,
        is_eager=True,
    ),
]

app = typer.Typer(
    name="factboard",
    help=_("FactBoard: the FACT team's morning board, in an encrypted local database."),
    invoke_without_command=True,
    pretty_exceptions_enable=False,
)


@app.callback()
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
    root_options.keep(root_options.RootOptions(db, user, theme), root_options.command_names(app))
    if ctx.invoked_subcommand is None:
        board.open_board(db=db, user=user, theme=theme)


app.add_typer(board.commands)  # init, demo, open, passwd, doctor, backup, restore, rekey
app.add_typer(transfer.commands)  # import
app.add_typer(audit.commands)  # purge
app.add_typer(report.commands)  # report (issue 19)
app.add_typer(rows.group, name="rows")
app.add_typer(staff.group, name="staff")
app.add_typer(meetings.group, name="meetings")
app.add_typer(transfer.group, name="export")
app.add_typer(sync.group, name="sync")
app.add_typer(audit.group, name="audit")
app.add_typer(info_command.commands)  # info (and --version above)
app.add_typer(serve_command.commands)  # serve (the board in a browser)


def _speak_help(typer_app: typer.Typer) -> None:
    """Each command's description (its docstring, which Typer shows as help) in the language chosen at start."""
    for info in typer_app.registered_commands:
        if info.help is None and (doc := inspect.getdoc(info.callback)):
            info.help = _(doc)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            _speak_help(group.typer_instance)


_speak_help(app)


def main() -> None:
    """Entry point of the `factboard` console script.

    An exception that is not a user error is a bug: it is reported by `crash.record` (where it happened, a crash
    report file; never local variables, messages or board data) with exit code 70, instead of a traceback.
    """
    try:
        app()
    except Exception as error:
        from factboard_tui import crash

        crash.stop(error, face="cli")


__all__ = ["app", "main"]
