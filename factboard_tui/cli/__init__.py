"""The `factboard` command: a thin Typer face over the core services, one module per command group.

Scripts and tests call these exact names (`init`, `demo`, `open`, `rows …`, `staff …`, `passwd`, `doctor`, …).
Every command module imports `cli.common` (the consoles, options, `user_errors`, `unlocked`, the progress bar) and
no other command module; this file is the only place that knows them all and registers them, in the order `factboard
--help` lists them. Commands that stand at the top level (`factboard init`, `factboard import`, `factboard purge`)
come from a module's `commands` app, added without a name; a group (`factboard rows …`) is a module's `group` app.
"""

from __future__ import annotations

import sys

import typer

from factboard_tui.cli import audit, board, meetings, root_options, rows, staff, sync, transfer
from factboard_tui.cli.common import DbOption, ThemeOption, UserOption

app = typer.Typer(
    name="factboard",
    help="FactBoard: the FACT team's morning board, in an encrypted local database.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(ctx: typer.Context, db: DbOption = None, user: UserOption = None, theme: ThemeOption = None) -> None:
    """With no command, open the board (like `factboard open`). Options before a command apply to it."""
    root_options.keep(root_options.RootOptions(db, user, theme), root_options.command_names(app))
    if ctx.invoked_subcommand is None:
        board.open_board(db=db, user=user, theme=theme)


app.add_typer(board.commands)  # init, demo, open, passwd, doctor, backup, restore, rekey
app.add_typer(transfer.commands)  # import
app.add_typer(audit.commands)  # purge
app.add_typer(rows.group, name="rows")
app.add_typer(staff.group, name="staff")
app.add_typer(meetings.group, name="meetings")
app.add_typer(transfer.group, name="export")
app.add_typer(sync.group, name="sync")
app.add_typer(audit.group, name="audit")


def main() -> None:
    """Entry point of the `factboard` console script.

    An exception that is not a user error is a bug: it is reported by `crash.record` (where it happened, a crash
    report file; never local variables, messages or board data) with exit code 70, instead of a traceback.
    """
    try:
        app()
    except Exception as error:
        from factboard_tui import crash

        sys.stderr.write(crash.record(error, face="cli").text + "\n")
        raise SystemExit(crash.EXIT_CODE) from None


__all__ = ["app", "main"]
