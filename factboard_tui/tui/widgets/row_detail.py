"""The detail panel: the row under the cursor with every field shown whole.

The grid cuts long text with an ellipsis; here the situation, actions and safety are wrapped in full, with the
fields the grid has no room for (evaluation date, crisis plan, children's note, visit notes).

The panel sets its own height when its content changes. With `height: auto`, Textual would measure the
wrapped table again on every layout of the screen (opening the cell editor is one), costing milliseconds on
every keystroke that changes the layout.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual import events
from textual.widgets import Static

from factboard_tui.core.domain.fields import display
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.domain.views import days_on_board, evaluation_passed
from factboard_tui.core.store.schema import BoardRow, VisitCell
from factboard_tui.shown import shown
from factboard_tui.tui.widgets.board_view import triage_style

MAX_LINES = 11
"""The most lines of text the panel takes from the board (longer text is cut at the bottom)."""


class RowDetail(Static):
    """Shows one row in full; empty when the board is empty."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: RenderableType = ""

    def _show(self, renderable: RenderableType) -> None:
        """Show `renderable`, with the panel exactly as tall as the text needs (at most `MAX_LINES`)."""
        self._shown = renderable
        width = self.content_region.width
        if width > 0:
            console = self.app.console
            lines = len(console.render_lines(renderable, console.options.update_width(width), pad=False))
            height = min(max(lines, 1), MAX_LINES) + self.styles.gutter.height
            if self.styles.height is None or self.styles.height.cells != height:
                self.styles.height = height
        self.update(renderable, layout=False)

    def on_resize(self, event: events.Resize) -> None:
        """A new width wraps the text differently: measure again."""
        self._show(self._shown)

    def show_row(
        self, row: BoardRow | None, visits: dict[date, VisitCell], template: BoardTemplate, monday: date, today: date
    ) -> None:
        """Render `row` (or a hint when there is none)."""
        if row is None:
            self._show(Text("No row selected.", style="dim"))
            return

        def label(key: str) -> Text:
            return shown(template.label(key), one_line=True)

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
        heading = shown(
            (row.client_code, "bold"),
            "  ",
            (f" {display(row.triage, template, 'triage')} ", triage_style(template, row.triage)),
            f"  {display(row.category, template, 'category')}  ·  {days_on_board(row, today)} d",
            one_line=True,
        )
        table.add_row(label("situation"), shown(row.situation), label("date_on"), shown(row.date_on.isoformat()))
        table.add_row(label("actions"), shown(row.actions), label("evaluation_date"), shown(evaluation))
        crisis_plan = display(row.crisis_plan, template, "crisis_plan")
        table.add_row(label("safety"), shown(row.safety), label("crisis_plan"), shown(crisis_plan))
        table.add_row(label("other_providers"), shown(row.other_providers), label("children"), shown(children))
        notes = []
        for offset in range(7):
            visit = visits.get(monday + timedelta(days=offset))
            if visit is not None:
                text = f"{template.weekdays[offset]} {visit.staff}"
                notes.append(f"{text}: {visit.note}" if visit.note else text)
        table.add_row(
            shown("Visits"),
            shown("  ".join(notes) or "—"),
            shown(f"{template.label('primary_contact')} / {template.label('doctor')}", one_line=True),
            shown(f"{row.primary_contact or '—'} / {row.doctor or '—'}"),
        )
        grid = Table.grid(expand=True)
        grid.add_row(heading)
        grid.add_row(table)
        self._show(grid)
