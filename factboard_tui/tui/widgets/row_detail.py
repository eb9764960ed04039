"""The detail panel: the row under the cursor with every field shown whole.

The grid cuts long text with an ellipsis; here the situation, actions and safety are wrapped in full, with the
fields the grid has no room for (evaluation date, crisis plan, children's note, visit notes).

The panel keeps a steady height, set by the terminal's height and never by the row: a panel that grew and shrank
with each row made the grid above it jump as the chair stepped through the board, and (since Textual lays out only
the screen on top) a row shown while a dialog covered the board was drawn in the previous row's height. Text longer
than the panel is cut at the bottom with a marker; the cell editor and the history show it whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from rich.console import RenderableType
from rich.segment import Segment, Segments
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import events
from textual.widgets import Static

from factboard_tui.core.domain.fields import display
from factboard_tui.core.domain.meetings import Flag, plan_flags
from factboard_tui.core.domain.plan_template import PLAN_KINDS
from factboard_tui.core.domain.plans import measures_text, plan_text
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.domain.views import days_on_board, evaluation_passed
from factboard_tui.core.i18n import N_, _, current_language
from factboard_tui.core.store.schema import RowValues, VisitCell
from factboard_tui.shown import shown
from factboard_tui.tui.widgets.board_view import triage_style

MIN_LINES = 6
"""The fewest lines the panel keeps: the heading and the five lines of fields, none of them wrapped."""

MAX_LINES = 11
"""The most lines of text the panel takes from the board (longer text is cut at the bottom)."""

SCREEN_SHARE = 4
"""The panel takes about one line in this many of the terminal's height (between `MIN_LINES` and `MAX_LINES`)."""


def steady_lines(terminal_height: int) -> int:
    """How many lines of text the panel keeps on a terminal `terminal_height` lines tall."""
    return max(MIN_LINES, min(MAX_LINES, terminal_height // SCREEN_SHARE))


LEGEND = N_(
    "* note  ! overdue  ⚑ K no current crisis plan  R review due  L measure expiring  X expired  C carried forward"
)
"""What the grid's marks mean (`DEN*` a visit with a note, `Ja*` children with a note, `!261113` an evaluation
passed, `!120` long on the board, and the flags column's letters: see `board_view.PLAN_MARKS`)."""


class RowDetail(Static):
    """Shows one row in full; empty when the board is empty."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: RenderableType = ""
        self._shown_for: tuple[object, ...] | None = None  # what `show_row` last drew from
        self.border_title = _(LEGEND)  # on the rule above the panel: the grid's legend takes no line of its own

    def _show(self, renderable: RenderableType) -> None:
        """Show `renderable` in the panel's steady height, cut at the bottom with a marker when it is longer."""
        self._shown = renderable
        lines = steady_lines(self.app.size.height)
        height = lines + self.styles.gutter.height
        if self.styles.height is None or self.styles.height.cells != height:
            self.styles.height = height  # only when the terminal's height changes, never with the row
        width = self.content_region.width
        if width > 0:
            console = self.app.console
            rendered = console.render_lines(renderable, console.options.update_width(width), pad=False)
            if len(rendered) > lines:  # the last line shown ends with a marker that more follows
                last = Segment.adjust_line_length(rendered[lines - 1], width - 1)
                rendered = [*rendered[: lines - 1], [*last, Segment("…", Style(bold=True))]]
            segments: list[Segment] = []
            for number, line in enumerate(rendered):
                if number:
                    segments.append(Segment.line())
                segments.extend(line)
            renderable = Segments(segments)
        self.update(renderable, layout=False)

    def on_resize(self, event: events.Resize) -> None:
        """A new width wraps the text differently: measure again."""
        self._show(self._shown)

    def steady(self) -> None:
        """The terminal changed size: take the steady height for its new height (the width comes with Resize)."""
        self._show(self._shown)

    def show_row(
        self,
        row: RowValues | None,
        visits: dict[date, VisitCell],
        template: BoardTemplate,
        monday: date,
        today: date,
        extra_flags: Sequence[Flag] = (),
    ) -> None:
        """Render `row` (or a hint when there is none); its flags about plans, measures and meetings (`extra_flags`:
        the carry-forward) are spelled out on the panel's lower rule.

        The same row with the same values is not drawn again: the board reads back every save a few hundred
        milliseconds later (the poll, with the write's time and author, which the panel does not show), and
        drawing the panel anew then cost 4-7 ms of the keys typed meanwhile.
        """
        drawn_from = row if row is None else row._replace(updated_at=datetime.min, updated_by="")  # not shown
        shown_for = (drawn_from, dict(visits), template, monday, today, tuple(extra_flags), current_language())
        before = self._shown_for
        if before is not None and before[2] is template and before == shown_for:
            return
        self._shown_for = shown_for
        self.border_subtitle = ""
        if row is None:
            self._show(Text(_("No row selected."), style="dim"))
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
            evaluation += " " + _("(passed)")
        children = display(row.children, template, "children")
        if row.children_note:
            children = f"{children}, {row.children_note}"
        heading = shown(
            (row.client_code, "bold"),
            "  ",
            (f" {display(row.triage, template, 'triage')} ", triage_style(template, row.triage)),
            f"  {display(row.category, template, 'category')}  ·  ",
            _("{days} d").format(days=days_on_board(row, today)),
            one_line=True,
        )
        date_on = display(row.date_on, template, "date_on")
        table.add_row(label("situation"), shown(row.situation), label("date_on"), shown(date_on))
        table.add_row(label("actions"), shown(row.actions), label("evaluation_date"), shown(evaluation))
        table.add_row(
            label("safety"), shown(row.safety), label("crisis_plan"), shown(plan_text(row, template, "crisis"))
        )
        table.add_row(label("other_providers"), shown(row.other_providers), label("children"), shown(children))
        notes = []
        for offset in range(7):
            visit = visits.get(monday + timedelta(days=offset))
            if visit is not None:
                text = f"{template.weekdays[offset]} {visit.staff}"
                notes.append(f"{text}: {visit.note}" if visit.note else text)
        table.add_row(
            shown(_("Visits")),
            shown("  ".join(notes) or "—"),
            shown(f"{template.label('primary_contact')} / {template.label('doctor')}", one_line=True),
            shown(f"{row.primary_contact or '—'} / {row.doctor or '—'}"),
        )
        plans = "  ·  ".join(
            f"{template.plans.kind(kind).label} {plan_text(row, template, kind)}" for kind in PLAN_KINDS[1:]
        )
        table.add_row(shown(_("Plans")), shown(plans), label("legal_measure"), shown(measures_text(row, template)))
        flags = plan_flags(row, template, today) + list(extra_flags)
        self.border_subtitle = "  ".join(f"⚑ {flag.text}" for flag in flags)
        grid = Table.grid(expand=True)
        grid.add_row(heading)
        grid.add_row(table)
        self._show(grid)
