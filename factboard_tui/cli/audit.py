"""`factboard audit verify|show` and `factboard purge`: what the board records about who did what, and retention.

A thin face over `core.security.audit` and `Board.purge_free_text`. `audit show` writes a client's log extract as plain
text, which the person asked for: it says so on stderr, and the extract itself is entered in the log.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from factboard_tui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    author,
    choices,
    err,
    out,
    print_json,
    unlocked,
    user_errors,
)
from factboard_tui.core.domain.characters import inert
from factboard_tui.core.errors import AuditBroken, FactBoardError, InvalidValue
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.security.audit_words import EXTRACTED, stored
from factboard_tui.shown import shown

group = typer.Typer(
    help=_("The audit and access log: check that nothing was edited or removed; a client's log extract."),
    no_args_is_help=True,
)
commands = typer.Typer()
"""`factboard purge`, registered on the app without a group name."""

EXTRACT_FORMATS = ("md", "csv")
"""Formats `audit show` writes."""


@group.command("verify")
@user_errors
def audit_verify(db: DbOption = None, user: UserOption = None, as_json: JsonOption = False) -> None:
    """Check the whole hash chain, its head, the seal over the records and the heads peer sites witnessed; exits 9
    naming the first problem. Reads everything before it writes anything (its own unlock comes after)."""
    with unlocked(db, user, write_now=False, warn=False) as board:
        verdict = board.audit_verify(keep_problem=True)
    if as_json:  # the verdict on stdout for scripts, the problem (if any) also as the usual line and exit 9
        problem = None if verdict.problem is None else str(verdict.problem)
        print_json(
            {
                "ok": problem is None,
                "entries": verdict.count,
                "head": verdict.head,
                "witnessed": verdict.witnessed,
                "problem": problem,
            }
        )
    if verdict.problem is not None:
        raise AuditBroken(
            _(
                "The audit log does not verify: {problem}. Keep this board as it is and restore a backup "
                "to a new place to compare."
            ).format(problem=verdict.problem)
        )
    said = ngettext(
        "audit log: {count} entry, chain intact, head {head}…, records match their seal",
        "audit log: {count} entries, chain intact, head {head}…, records match their seal",
        verdict.count,
    ).format(count=verdict.count, head=verdict.head[:16])
    if as_json:
        return
    if verdict.witnessed:
        said += "; " + ngettext(
            "{count} head witnessed by peer sites agrees",
            "{count} heads witnessed by peer sites agree",
            verdict.witnessed,
        ).format(count=verdict.witnessed)
    out.print(shown((_("ok"), "green"), "  ", said))


@group.command("show")
@user_errors
def audit_show(
    client: Annotated[
        str | None,
        typer.Option("--client", help=_("The client code, like DD-75 (without it: the board's own events).")),
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
    output_format: Annotated[
        str,
        typer.Option("--format", **choices(EXTRACT_FORMATS), help=_("Markdown or CSV.")),
    ] = "md",
) -> None:
    """The log extract for one client: who changed which field, who saw the row and from where, and when; without
    --client, the board's own events (unlocks, backups, restores, re-keys, exports, meetings), naming no client."""
    from factboard_tui.core.security.audit_events import client_extract, extract_csv, extract_markdown

    if output_format not in EXTRACT_FORMATS:
        raise InvalidValue(
            "format", _("--format {value} is not known: use md or csv.").format(value=repr(output_format))
        )
    if client is None:
        _show_board_events(db, user, output_format)
        return
    code = client.strip().upper()
    if not code:
        raise InvalidValue("client", _("Give the client's code with --client, like --client DD-75."))
    with unlocked(db, user) as board:
        with board.engine.connect() as connection:
            lines = client_extract(connection, code, board.template)
        if not lines:
            raise FactBoardError(
                _("The log says nothing about {code}: check the code with `factboard rows list --all`.").format(
                    code=code
                )
            )
        text = extract_markdown(code, board.team, lines) if output_format == "md" else extract_csv(lines)
        board.audit_event(
            "audit extract", client=code, detail=stored(EXTRACTED, count=len(lines), format=output_format), content=text
        )
    sys.stdout.write(inert(text))
    err.print(
        shown(
            _(
                "The log extract for {code} was written as plain text ({format}): it names the client and who "
                "looked at or changed their data; keep it only where that is allowed."
            ).format(code=code, format=output_format)
        ),
        soft_wrap=True,
    )


def _show_board_events(db: Path | None, user: str | None, output_format: str) -> None:
    """`audit show` without `--client`: the entries that name no client, in the reader's language."""
    from factboard_tui.core.security.audit_events import board_events, extract_csv, extract_markdown

    with unlocked(db, user) as board:
        board.record_unlock()  # this unlock is an event of the board too: show it
        with board.engine.connect() as connection:
            lines = board_events(connection)
        title = _("The board's own events ({team})").format(team=board.team)
        text = extract_markdown("", board.team, lines, title) if output_format == "md" else extract_csv(lines)
        board.audit_event(
            "audit extract", detail=stored(EXTRACTED, count=len(lines), format=output_format), content=text
        )
    sys.stdout.write(inert(text))
    err.print(
        shown(
            _(
                "The board's own events were written as plain text ({format}): they name no client, but who unlocked, "
                "backed up, exported and met; keep them where the team keeps its records."
            ).format(format=output_format)
        ),
        soft_wrap=True,
    )


@commands.command("purge")
@user_errors
def purge(
    off_board_before: Annotated[
        str, typer.Option("--off-board-before", help=_("Periods taken off the board before this date (YYYY-MM-DD)."))
    ],
    db: DbOption = None,
    user: UserOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Count what would be removed; change nothing."))] = False,
) -> None:
    """Remove the free text (situation, actions, notes …) of periods that ended before DATE; writes an audit entry."""
    try:
        before = date.fromisoformat(off_board_before.strip())
    except ValueError:
        raise InvalidValue(
            "date",
            _("--off-board-before {value} is not a date: give it as YYYY-MM-DD; nothing was changed.").format(
                value=repr(off_board_before)
            ),
        ) from None
    with unlocked(db, user) as board:
        if before > board.today():
            raise InvalidValue(
                "date",
                _("--off-board-before {date} is in the future: give a date up to today; nothing was changed.").format(
                    date=before.isoformat()
                ),
            )
        result = board.purge_free_text(board.actor if dry_run else author(user), before, dry_run=dry_run)
    periods = ngettext("{count} period", "{count} periods", result.rows).format(count=result.rows)
    said = (
        ngettext(
            "Purge would remove {count} free-text field of {periods} taken off the board before {date}.",
            "Purge would remove {count} free-text fields of {periods} taken off the board before {date}.",
            result.fields,
        )
        if dry_run
        else ngettext(
            "Purge removed {count} free-text field of {periods} taken off the board before {date}.",
            "Purge removed {count} free-text fields of {periods} taken off the board before {date}.",
            result.fields,
        )
    ).format(count=result.fields, periods=periods, date=before.isoformat())
    tail = _("Nothing was changed (dry run).") if dry_run else _("The audit log records it.")
    out.print(shown(said, " ", tail))
