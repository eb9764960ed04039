"""The detail panel: the row under the cursor with every field shown whole.

The grid cuts long text with an ellipsis; here the situation, actions and safety are wrapped in full, with the
fields the grid has no room for (evaluation date, crisis plan, children's note, visit notes).
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from factboard_tui.core.fields import display
from factboard_tui.core.model import BoardRow, VisitCell
from factboard_tui.core.templates import BoardTemplate
from factboard_tui.core.views import days_on_board, evaluation_passed
from factboard_tui.tui.board_view import triage_style


class RowDetail(Static):
    """Shows one row in full; empty when the board is empty."""

    def show_row(
        self, row: BoardRow | None, visits: dict[date, VisitCell], template: BoardTemplate, monday: date, today: date
    ) -> None:
        """Render `row` (or a hint when there is none)."""
        if row is None:
            self.update(Text("No row selected.", style="dim"))
            return
        label = template.label
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column(style="bold", no_wrap=True, width=18)
        table.add_column(ratio=1)
        table.add_column(style="bold", no_wrap=True, width=16)
        table.add_column(ratio=1)
        evaluation = display(row.evaluation_date, template, "evaluation_date")
        if evaluation_passed(row, today):
            evaluation += " (passed)"
        children = display(row.children, template, "children")
        if row.children_note:
            children = f"{children}, {row.children_note}"
        heading = Text.assemble(
            (row.client_code, "bold"),
            "  ",
            (f" {display(row.triage, template, 'triage')} ", triage_style(template, row.triage)),
            f"  {display(row.category, template, 'category')}  ·  {days_on_board(row, today)} d",
        )
        table.add_row(label("situation"), row.situation or "", label("date_on"), row.date_on.isoformat())
        table.add_row(label("actions"), row.actions or "", label("evaluation_date"), evaluation)
        crisis_plan = display(row.crisis_plan, template, "crisis_plan")
        table.add_row(label("safety"), row.safety or "", label("crisis_plan"), crisis_plan)
        table.add_row(label("other_providers"), row.other_providers or "", label("children"), children)
        notes = []
        for offset in range(7):
            visit = visits.get(monday + timedelta(days=offset))
            if visit is not None:
                text = f"{template.weekdays[offset]} {visit.staff}"
                notes.append(f"{text}: {visit.note}" if visit.note else text)
        table.add_row(
            "Visits",
            "  ".join(notes) or "—",
            f"{label('primary_contact')} / {label('doctor')}",
            f"{row.primary_contact or '—'} / {row.doctor or '—'}",
        )
        grid = Table.grid(expand=True)
        grid.add_row(heading)
        grid.add_row(table)
        self.update(grid)
