"""`factboard meetings list|show`: the morning meetings held on the board (issue 4), and their minutes.

`meetings show` prints minutes as plain text on stdout: they name clients and changes, so the command says so on
stderr and enters the export in the audit log.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from factboard_tui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    choices,
    err,
    out,
    print_json,
    unlocked,
    user_errors,
)
from factboard_tui.core.domain.characters import inert
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.security.audit_words import MEETING, stored
from factboard_tui.shown import shown

group = typer.Typer(help=_("Morning meetings held on the board: list them, show their minutes."), no_args_is_help=True)

MINUTES_FORMATS = ("md", "html")
"""Formats `meetings show` writes."""


@group.command("list")
@user_errors
def meetings_list(
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the meetings held on this board, newest first."""
    from factboard_tui.core.transfer.minutes import load_meeting, meeting_ids

    with unlocked(db, user) as board:
        records = [load_meeting(board, meeting_id) for meeting_id in meeting_ids(board)]
    if as_json:
        print_json([record.summary() for record in records])
        return
    title = ngettext("{count} meeting", "{count} meetings", len(records)).format(count=len(records))
    table = Table(title=title, header_style="bold")
    for heading in (
        _("Id"),
        _("Started"),
        _("Minutes"),
        _("Chair"),
        _("Agenda"),
        _("Present"),
        _("Discussed"),
        _("Not reached"),
        _("Changes"),
    ):
        table.add_column(heading)
    for record in records:
        summary = record.summary()
        table.add_row(
            *(
                shown(cell)
                for cell in (
                    record.id,
                    record.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    f"{summary['duration_minutes']:g}",
                    record.chair,
                    record.agenda,
                    len(record.attendees),
                    len(summary["discussed"]),
                    len(summary["not_reached"]),
                    summary["changes"],
                )
            )
        )
    out.print(table)


@group.command("show")
@user_errors
def meetings_show(
    meeting_id: Annotated[
        int, typer.Argument(metavar="ID", help=_("The meeting's id (from `factboard meetings list`)."))
    ],
    db: DbOption = None,
    user: UserOption = None,
    output_format: Annotated[
        str,
        typer.Option("--format", **choices(MINUTES_FORMATS), help=_("Markdown or HTML.")),
    ] = "md",
) -> None:
    """Print a meeting's minutes (plain text with client codes and changes: send them only where that is allowed)."""
    from factboard_tui.core.transfer.minutes import load_meeting, minutes_html, minutes_markdown

    if output_format not in MINUTES_FORMATS:
        raise InvalidValue(
            "format", _("--format {value} is not known: use md or html.").format(value=repr(output_format))
        )
    with unlocked(db, user) as board:
        record = load_meeting(board, meeting_id)
        text = minutes_markdown(record) if output_format == "md" else minutes_html(record)
        what = f"minutes ({output_format}), cli"
        board.audit_event("export", subject=stored(MEETING, number=record.id), detail=what, content=text)
    sys.stdout.write(inert(text))
    err.print(
        _("Meeting {number}'s minutes were written as plain text ({format}): they name clients and changes.").format(
            number=record.id, format=output_format
        ),
        highlight=False,
    )
