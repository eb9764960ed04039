"""The statistics screen: the FACT fidelity report on the terminal, with the weeks as sparklines.

It shows what `factboard report` writes, from the same sections (`core.transfer.report.report_sections`), so the
screen and the file never disagree: the board (rows on the board week by week for each triage level, days on
board, episodes, reasons, crises and admissions, the caseload share), the meetings, the team approach and each
criterion with its source and met / not met. The weeks are drawn with Textual's own `Sparkline` (a maintained
widget, no chart library to load). The figures are counted by the feed in a worker, beside the writer; `p` steps
the period through four weeks, a quarter and a year, each ending today; `x` writes the report shown as an HTML
file, as `factboard report` does (audited, mode 600, said to be plaintext).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

from rich import box
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from factboard_tui.core.i18n import N_, _
from factboard_tui.core.transfer.export_file import NOT_ENCRYPTED
from factboard_tui.shown import shown
from factboard_tui.tui.feed import BoardFeed, Reply

PERIODS = (365, 91, 28)
"""The periods `p` steps through, in days ending today: a year (as the report), a quarter, four weeks."""

MET_STYLE = {True: "bold green", False: "bold red", None: "dim"}
"""How a criterion's verdict is coloured (the word itself says it too, for colour-blind readers)."""


class StatisticsScreen(Screen[None]):
    """The period's statistics and fidelity criteria; Esc or q goes back to the board."""

    CSS_PATH = "../styles/statistics.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "period", N_("Period"), id="statistics.period", tooltip=N_("A year, a quarter or four weeks")),
        Binding(
            "x",
            "write_report",
            N_("Write report"),
            id="statistics.write",
            tooltip=N_("Write this report as an HTML file in the current folder (not encrypted)"),
        ),
        Binding("escape,q", "close", N_("Back"), id="statistics.close", tooltip=N_("Back to the board")),
    ]

    def __init__(self, feed: BoardFeed, days: int = PERIODS[0]) -> None:
        super().__init__()
        self.feed = feed
        self.days = days
        """How many days the period holds (ending today)."""
        self.report: Any = None
        """The report shown (`core.transfer.report.Report`), once counted."""

    def compose(self) -> ComposeResult:
        yield Static(_("Statistics · counting…"), id="statistics-title")
        yield VerticalScroll(id="statistics-body")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#statistics-body", VerticalScroll).focus()  # the arrows, page keys and end scroll it
        self.count()

    def count(self) -> None:
        """Count the period's figures in the feed's worker."""
        end = self.feed.today_now()
        start = end - timedelta(days=self.days - 1)
        self.feed.report(start, end, Reply(self, done=self.show))

    def action_period(self) -> None:
        self.days = PERIODS[(PERIODS.index(self.days) + 1) % len(PERIODS)] if self.days in PERIODS else PERIODS[0]
        self.query_one("#statistics-title", Static).update(_("Statistics · counting…"))
        self.count()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_write_report(self) -> None:
        """Write the report shown as an HTML file (`factboard report` does the same), and say that it is plaintext."""
        if self.report is None:
            return
        figures = self.report.statistics
        self.feed.write_report(figures.start, figures.end, Path.cwd(), Reply(self, done=self._written))

    def _written(self, path: Path) -> None:
        self.notify(
            _("Wrote the fidelity report to {path}.").format(path=path) + " " + _(NOT_ENCRYPTED),
            title=_("Report written"),
            timeout=10,
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Writing the report waits until it is counted."""
        return None if action == "write_report" and self.report is None else True

    # -- drawing -----------------------------------------------------------------------------------------------------

    def show(self, report: Any) -> None:
        """Draw a counted report (replacing what was shown), once the screen's queue gets to it."""
        self.call_later(self._draw, report)

    async def _draw(self, report: Any) -> None:
        from factboard_tui.core.transfer.report import report_sections, report_title

        self.report = report
        self.refresh_bindings()
        title, period = report_title(report)
        self.query_one("#statistics-title", Static).update(shown(f"{title} · {period}", one_line=True))
        body = self.query_one("#statistics-body", VerticalScroll)
        parts: list[Any] = []
        for section in report_sections(report):
            parts.append(Static(shown(section.title, one_line=True), classes="statistics-heading"))
            if section.figures:
                parts.append(Static(_figures(section.figures), classes="statistics-figures"))
            if section.key == "board":
                parts += self._board_weeks(report)
            elif section.key == "meetings":
                counts = [float(item.count) for item in report.statistics.meetings.per_week]
                parts.append(_spark_line(_("Meetings a week"), counts, "statistics-meetings"))
            for table in section.tables:
                if table.title == _("By week"):
                    continue  # drawn as the sparklines above
                if table.title != section.title:
                    parts.append(Static(shown(table.title, style="bold", one_line=True), classes="statistics-caption"))
                parts.append(Static(_table(table, section.key == "criteria", report), classes="statistics-table"))
        with self.app.batch_update():
            await body.remove_children()
            await body.mount_all(parts)

    def _board_weeks(self, report: Any) -> list[Horizontal]:
        """A sparkline per triage level (rows on the board week by week), and the crises and admissions."""
        board = report.statistics.board
        lines = [
            _spark_line(
                _("On the board"),
                [float(sum(counts.values())) for _monday, counts in board.on_board_by_week],
                "statistics-total",
            )
        ]
        for level in report.template.triage:
            counts = [float(week.get(level.key, 0)) for _monday, week in board.on_board_by_week]
            lines.append(_spark_line(level.label, counts, f"statistics-triage-{level.key}", level.colour))
        lines.append(
            _spark_line(_("Crises a week"), [float(w.count) for w in board.crises_by_week], "statistics-crises")
        )
        lines.append(
            _spark_line(
                _("Admissions a week"), [float(w.count) for w in board.admissions_by_week], "statistics-admitted"
            )
        )
        return lines


def _spark_line(label: str, data: list[float], name: str, colour: str | None = None) -> Horizontal:
    """A label, the weeks as a sparkline, and its scale: a sparkline runs from the lowest week to the highest (not
    from zero), so the two numbers are said beside it."""
    marker = Text("■ ", style=colour) if colour else Text("  ")
    spark = Sparkline(data, summary_function=max, max_color=colour, classes="statistics-spark")
    low, high = (int(min(data)), int(max(data))) if data else (0, 0)
    scale = str(high) if low == high else f"{low}–{high}"
    return Horizontal(
        Static(marker + shown(label, one_line=True), classes="statistics-label"),
        spark,
        Static(Text(scale, justify="right"), classes="statistics-last"),
        id=name,
        classes="statistics-line",
    )


def _figures(figures: tuple[tuple[str, str], ...]) -> Table:
    """Label and value, two columns."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column()
    grid.add_column(style="bold")
    for label, value in figures:
        grid.add_row(shown(label), shown(value))
    return grid


def _table(table: Any, verdicts: bool, report: Any) -> Table:
    """A section's table; the criteria's verdicts coloured by whether they were met."""
    shown_table = Table(header_style="bold", expand=False, box=box.SIMPLE_HEAD, pad_edge=False)
    for column in table.columns:
        shown_table.add_column(shown(column), overflow="fold")
    for index, row in enumerate(table.rows):
        cells = [shown(cell) for cell in row]
        if verdicts:
            cells[-1].stylize(MET_STYLE[report.criteria[index].met])
        shown_table.add_row(*cells)
    return shown_table
