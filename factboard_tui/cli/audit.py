"""`factboard audit verify|show` and `factboard purge`: what the board records about who did what, and retention.

A thin face over `core.security.audit` and `Board.purge_free_text`. `audit show` writes a client's log extract as plain
text, which the person asked for: it says so on stderr, and the extract itself is entered in the log.
"""

from __future__ import annotations

import sys
from datetime import date
from typing import Annotated

import typer

from factboard_tui.cli.common import DbOption, UserOption, author, err, out, unlocked, user_errors
from factboard_tui.core.domain.characters import inert
from factboard_tui.core.errors import AuditBroken, FactBoardError, InvalidValue
from factboard_tui.shown import shown

group = typer.Typer(
    help="The audit and access log: check that nothing was edited or removed; a client's log extract.",
    no_args_is_help=True,
)
commands = typer.Typer()
"""`factboard purge`, registered on the app without a group name."""

EXTRACT_FORMATS = ("md", "csv")
"""Formats `audit show` writes."""


@group.command("verify")
@user_errors
def audit_verify(db: DbOption = None, user: UserOption = None) -> None:
    """Check the whole hash chain, its head, the seal over the records and the heads peer sites witnessed; exits 9
    naming the first problem. Reads everything before it writes anything (its own unlock comes after)."""
    with unlocked(db, user, write_now=False, warn=False) as board:
        verdict = board.audit_verify(keep_problem=True)
    if verdict.problem is not None:
        raise AuditBroken(
            f"The audit log does not verify: {verdict.problem}. Keep this board as it is and restore a backup "
            "to a new place to compare."
        )
    peers = f"; {verdict.witnessed} heads witnessed by peer sites agree" if verdict.witnessed else ""
    out.print(
        shown(
            ("ok", "green"),
            f"  audit log: {verdict.count} entries, chain intact, head {verdict.head[:16]}…, records match their "
            f"seal{peers}",
        )
    )


@group.command("show")
@user_errors
def audit_show(
    client: Annotated[str, typer.Option("--client", help="The client code, like DD-75.")],
    db: DbOption = None,
    user: UserOption = None,
    output_format: Annotated[str, typer.Option("--format", help="md (Markdown) or csv.")] = "md",
) -> None:
    """The log extract for one client: who changed which field, who saw the row and from where, and when."""
    from factboard_tui.core.security.audit import client_extract, extract_csv, extract_markdown

    if output_format not in EXTRACT_FORMATS:
        raise InvalidValue("format", f"--format {output_format!r} is not known: use md or csv.")
    code = client.strip().upper()
    if not code:
        raise InvalidValue("client", "Give the client's code with --client, like --client DD-75.")
    with unlocked(db, user) as board:
        with board.engine.connect() as connection:
            lines = client_extract(connection, code)
        if not lines:
            raise FactBoardError(f"The log says nothing about {code}: check the code with `factboard rows list --all`.")
        text = extract_markdown(code, board.team, lines) if output_format == "md" else extract_csv(lines)
        board.audit_event("audit extract", client=code, detail=f"{len(lines)} lines ({output_format})", content=text)
    sys.stdout.write(inert(text))
    err.print(
        shown(
            f"The log extract for {code} was written as plain text ({output_format}): it names the client and who "
            "looked at or changed their data; keep it only where that is allowed."
        ),
        soft_wrap=True,
    )


@commands.command("purge")
@user_errors
def purge(
    off_board_before: Annotated[
        str, typer.Option("--off-board-before", help="Periods taken off the board before this date (YYYY-MM-DD).")
    ],
    db: DbOption = None,
    user: UserOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be removed; change nothing.")] = False,
) -> None:
    """Remove the free text (situation, actions, notes …) of periods that ended before DATE; writes an audit entry."""
    try:
        before = date.fromisoformat(off_board_before.strip())
    except ValueError:
        raise InvalidValue(
            "date",
            f"--off-board-before {off_board_before!r} is not a date: give it as YYYY-MM-DD; nothing was changed.",
        ) from None
    with unlocked(db, user) as board:
        if before > board.today():
            raise InvalidValue(
                "date",
                f"--off-board-before {before.isoformat()} is in the future: give a date up to today; "
                "nothing was changed.",
            )
        result = board.purge_free_text(board.actor if dry_run else author(user), before, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    out.print(
        shown(
            f"Purge {verb} {result.fields} free-text fields of {result.rows} periods taken off the board before "
            f"{before.isoformat()}." + (" Nothing was changed (dry run)." if dry_run else " The audit log records it.")
        )
    )
