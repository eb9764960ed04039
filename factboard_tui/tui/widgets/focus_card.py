"""The focus card: the row being discussed, on the wall screen, large enough to read from across the room.

It shows everything the chair steps through for one client (triage, category, days on board, situation, actions,
safety, this week's visits by day) with the flags the chair must not miss first, each as words in reverse video so
colour is never the only signal. It is the one place in the meeting where free text shows while privacy is on.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from factboard_tui.core.domain.fields import display
from factboard_tui.core.domain.meetings import Flag
from factboard_tui.core.domain.plans import measures_text, plan_text
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.domain.views import days_on_board
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.schema import RowValues, VisitCell
from factboard_tui.shown import shown
from factboard_tui.tui.widgets.board_view import triage_style


def focus_card(
    row: RowValues, visits: dict[date, VisitCell], flags: list[Flag], template: BoardTemplate, monday: date, today: date
) -> RenderableType:
    """One row as the focus card draws it."""

    def label(key: str) -> Text:
        return shown(template.label(key), one_line=True)

    title = shown(
        (row.client_code, "bold underline"),
        "   ",
        (f" {display(row.triage, template, 'triage')} ", triage_style(template, row.triage)),
        "   ",
        (display(row.category, template, "category") or "—", "bold"),
        "   ·   ",
        ngettext("{count} day on board", "{count} days on board", days_on_board(row, today)).format(
            count=days_on_board(row, today)
        ),
        one_line=True,
    )
    parts: list[RenderableType] = [title, Text("")]
    if flags:
        flag_line = Text()
        for flag in flags:
            flag_line.append_text(shown((f" ⚑ {flag.text} ", "bold reverse"), one_line=True))
            flag_line.append("  ")
        parts += [flag_line, Text("")]
    fields = Table.grid(padding=(0, 2), expand=True)
    fields.add_column(style="bold", no_wrap=True, width=20)
    fields.add_column(ratio=1)
    for key in ("situation", "actions", "safety"):
        fields.add_row(label(key), shown(getattr(row, key) or "—"))
        fields.add_row("", "")
    contacts = f"{row.primary_contact or '—'} / {row.doctor or '—'}"
    fields.add_row(
        shown(f"{template.label('primary_contact')} / {template.label('doctor')}", one_line=True), shown(contacts)
    )
    if row.other_providers:
        fields.add_row(label("other_providers"), shown(row.other_providers))
    evaluation = display(row.evaluation_date, template, "evaluation_date") or "—"
    fields.add_row(label("evaluation_date"), shown(evaluation))
    for kind in template.plans.kinds:
        fields.add_row(shown(kind.label, one_line=True), shown(plan_text(row, template, kind.key)))
    fields.add_row(label("legal_measure"), shown(measures_text(row, template)))
    parts += [fields, Text(""), _week(visits, template, monday, today)]
    return Group(*parts)


def _week(visits: dict[date, VisitCell], template: BoardTemplate, monday: date, today: date) -> Table:
    """This week's visits by day, today's day marked."""
    week = Table(expand=True, show_edge=True, padding=(0, 1), title=_("Visits this week"), title_justify="left")
    for offset in range(7):
        day = monday + timedelta(days=offset)
        heading = shown(f"{template.weekdays[offset]} {day:%d/%m}", one_line=True)
        week.add_column(heading, ratio=1, header_style="bold reverse" if day == today else "bold")
    cells: list[RenderableType] = []
    for offset in range(7):
        visit = visits.get(monday + timedelta(days=offset))
        if visit is None:
            cells.append(Text("·", style="dim"))
        else:
            cell = shown(visit.staff, *(("\n", (visit.note, "italic")) if visit.note else ()), style="bold")
            cells.append(cell)
    week.add_row(*cells)
    return week


class FocusCard(Static):
    """The current row of the meeting, drawn by `focus_card`."""

    def show(
        self,
        row: RowValues | None,
        visits: dict[date, VisitCell],
        flags: list[Flag],
        template: BoardTemplate,
        monday: date,
        today: date,
    ) -> None:
        """Draw `row`, or say there is nothing to discuss."""
        if row is None:
            self.update(Text(_("No rows on the board: nothing to discuss."), style="dim"))
            return
        self.update(focus_card(row, visits, flags, template, monday, today))
