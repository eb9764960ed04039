"""`factboard staff add|list`: the team list the board's initials refer to (name, discipline, organisation)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from factboard_tui.cli.common import DbOption, JsonOption, UserOption, author, out, print_json, unlocked, user_errors
from factboard_tui.core.i18n import _
from factboard_tui.shown import shown

group = typer.Typer(help=_("The team list: initials, name, discipline, organisation."), no_args_is_help=True)


@group.command("add")
@user_errors
def staff_add(
    initials: Annotated[str, typer.Argument(help=_("Initials as the board shows them, like CSA."))],
    name: Annotated[str, typer.Option(help=_("Full name."))] = "",
    discipline: Annotated[str, typer.Option(help=_("nurse, doctor, psychologist, social_worker, …"))] = "",
    organisation: Annotated[str, typer.Option(help=_("region or municipality."))] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a team member, or change one."""
    with unlocked(db, user) as board:
        staff = board.write_staff(
            author(user),
            initials,
            name=name or None,
            discipline=discipline or None,
            organisation=organisation or None,
            source="cli",
        )
    out.print(shown(_("Saved {initials}.").format(initials=staff.initials)))


@group.command("list")
@user_errors
def staff_list(
    db: DbOption = None,
    user: UserOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the team."""
    with unlocked(db, user) as board:
        members = board.staff()
        template = board.template
    if as_json:
        print_json([member.model_dump(exclude={"id"}) for member in members])
        return
    table = Table(header_style="bold")
    for heading in (_("Initials"), _("Name"), _("Discipline"), _("Organisation")):
        table.add_column(heading)
    for member in members:
        table.add_row(
            shown(member.initials),
            shown(member.name),
            shown(template.disciplines.get(member.discipline, member.discipline)),
            shown(template.organisations.get(member.organisation, member.organisation)),
        )
    out.print(table)
