"""`factboard report`: the FACT fidelity report of a period, as an HTML, Markdown, CSV or JSON file.

Only calls the core (`core.transfer.report`), and writes the file as every export is written (mode 600, whole or
not at all, entered in the audit log): the report is plain text the user asked for, and the command says so.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from factboard_tui.cli.common import DbOption, UserOption, out, unlocked, user_errors
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.shown import shown

commands = typer.Typer()
"""`factboard report`, registered on the app without a group name."""

REPORT_FORMATS = ("html", "md", "csv", "json")


@commands.command("report")
@user_errors
def report(
    db: DbOption = None,
    user: UserOption = None,
    start: Annotated[
        str | None,
        typer.Option("--from", help=_("The period's first day, like 2026-01-01 (default: a year before --to).")),
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help=_("The period's last day, like 2026-11-30 (default: today)."))
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help=_("html, md, csv or json (default: from -o's suffix, else html).")),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=_("The file to write (default: a name saying the period).")),
    ] = None,
    caseload: Annotated[
        int | None,
        typer.Option(
            "--caseload",
            min=1,
            help=_("The team's caseload size, for the board's share of it (default: caseload_size in the template)."),
        ),
    ] = None,
) -> None:
    """Write the FACT fidelity report: board, meetings and team figures, each criterion met or not (NOT encrypted)."""
    from factboard_tui.core.domain.dates import parse_date
    from factboard_tui.core.transfer.export_file import NOT_ENCRYPTED
    from factboard_tui.core.transfer.export_file import write_recorded_export as write
    from factboard_tui.core.transfer.report import (
        DEFAULT_DAYS,
        ReportFormat,
        build_report,
        default_report_name,
    )
    from factboard_tui.core.transfer.report_formats import render_report

    wanted = fmt or (output.suffix.lstrip(".").lower() if output is not None and output.suffix else "html")
    wanted = {"markdown": "md", "htm": "html"}.get(wanted.lower(), wanted.lower())
    if wanted not in REPORT_FORMATS:
        raise FactBoardError(_("'{wanted}' is not a report format: use html, md, csv or json.").format(wanted=wanted))
    chosen = ReportFormat(wanted)
    with unlocked(db, user) as board:
        formats = board.template.dates
        last = parse_date(end, "to", "--to", formats) if end else board.today()
        first = parse_date(start, "from", "--from", formats) if start else last - timedelta(days=DEFAULT_DAYS - 1)
        if last < first:
            raise FactBoardError(
                _("The period ends ({end}) before it starts ({start}): swap --from and --to.").format(
                    end=last.isoformat(), start=first.isoformat()
                )
            )
        made = build_report(board, first, last, caseload)
        data = render_report(made, chosen)
        target = write(board, output or Path(default_report_name(made, chosen)), data, f"report ({chosen.value}), cli")
    out.print(
        shown(
            _("Wrote the fidelity report of {start} to {end} to {path}").format(
                start=first.isoformat(), end=last.isoformat(), path=target
            )
        ),
        soft_wrap=True,
    )
    out.print(shown((_(NOT_ENCRYPTED), "bold yellow")), soft_wrap=True)
