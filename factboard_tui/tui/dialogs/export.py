"""The export dialog: the week's actions or the whole board to a file, from the board with `x` or the palette.

A coordinator picks the week, the grouping (day, staff, other care provider), the format and the file; the file
name follows those choices until the person types their own. A calendar holds only client code, staff and visit
note unless the calendar-details box (shown for ICS only) is ticked. The export runs in the feed's writer (after
any edit already made, so the file holds it) through the same core code as `factboard export`, and the dialog
then says where the file went, what a calendar holds, and that it is not encrypted.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.transfer.export import (
    BOARD_FORMATS,
    WEEK_FORMATS,
    Format,
    Grouping,
    default_filename,
    parse_week,
    week_name,
)
from factboard_tui.core.transfer.export_file import NOT_ENCRYPTED
from factboard_tui.shown import shown, shown_sentence
from factboard_tui.tui.board_jobs import ExportRequest
from factboard_tui.tui.feed import BoardFeed, Reply

KINDS: tuple[tuple[str, str], ...] = (
    (N_("The week's actions (visits, actions, evaluations)"), "week"),
    (N_("The whole board as the team knows it"), "board"),
)
"""What can be exported: label and kind."""

GROUPINGS: tuple[tuple[str, Grouping], ...] = (
    (N_("Day: the team's week"), Grouping.DAY),
    (N_("Staff: each person's week"), Grouping.STAFF),
    (N_("Other care provider: a municipality's week"), Grouping.PROVIDER),
)
"""How the week can be grouped: label and grouping."""

FORMAT_LABELS: dict[Format, str] = {
    Format.HTML: N_("HTML: prints on A4 landscape"),
    Format.XLSX: N_("Excel (XLSX): one sheet per group"),
    Format.CSV: N_("CSV (UTF-8)"),
    Format.MD: N_("Markdown"),
    Format.ICS: N_("Calendar (ICS): one event per visit"),
}
"""The formats in the order offered, with what each is good for."""


HINT = N_("ctrl+s exports · Esc closes · the file will not be encrypted")
"""What the result line says before anything is exported."""

CALENDAR_DETAILS_LABEL = N_(
    "Calendar details: also actions, triage and other providers (calendars often sync to clouds)"
)
"""The checkbox that adds the rows' details to calendar events; without it an event holds code, staff and note."""


class ExportScreen(ModalScreen[None]):
    """Export the week or the board to a file; Esc closes."""

    CSS_PATH = "../styles/forms.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "export", N_("Export"), id="export.run", tooltip=N_("Write the export file")),
        Binding("escape", "close", N_("Close"), id="export.close", tooltip=N_("Close the export dialog")),
    ]

    def __init__(self, feed: BoardFeed, monday: date, kind: str = "week") -> None:
        super().__init__()
        self.feed = feed
        """The open board to export from."""
        self.monday = monday
        """The Monday of the week the board shows: the dialog starts there."""
        self.kind = kind
        """`week` or `board`, as chosen when the dialog opened."""
        self.auto_path = ""
        """The file name the dialog last suggested; while the path still holds it, it follows the choices."""

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(_("Export"), id="export-title")
            yield Label(_("What"), classes="form-label")
            yield Select(
                [(_(label), kind) for label, kind in KINDS], value=self.kind, allow_blank=False, id="export-kind"
            )
            with Horizontal(id="export-row"):
                with Vertical(classes="export-field"):
                    yield Label(_("Week"), classes="form-label")
                    yield Input(week_name(self.monday), id="export-week", placeholder="2026-W48")
                with Vertical(classes="export-field"):
                    yield Label(_("Group by"), classes="form-label")
                    yield Select(
                        [(_(label), grouping) for label, grouping in GROUPINGS],
                        value=Grouping.DAY,
                        allow_blank=False,
                        id="export-by",
                    )
            yield Label(_("Format"), classes="form-label")
            yield Select(self._format_options(), value=Format.HTML, allow_blank=False, id="export-format")
            yield Checkbox(_(CALENDAR_DETAILS_LABEL), id="export-details")
            yield Label(_("File (a folder you can write to; the file is not encrypted)"), classes="form-label")
            yield Input(id="export-path")
            yield Static(Text(_(HINT), style="dim"), id="export-result")
            with Horizontal(id="export-buttons"):
                yield Button(_("Close"), id="export-close")
                yield Button(_("Export"), variant="primary", id="export-run")

    def on_mount(self) -> None:
        self._suggest_path()
        self._show_calendar_details()
        self.query_one("#export-format", Select).focus()

    def _show_calendar_details(self) -> None:
        """The calendar-details checkbox shows only while the format is a calendar."""
        self.query_one("#export-details", Checkbox).display = self._choices()[1] is Format.ICS

    def _format_options(self) -> list[tuple[str, Format]]:
        allowed = WEEK_FORMATS if self.kind == "week" else BOARD_FORMATS
        return [(_(label), fmt) for fmt, label in FORMAT_LABELS.items() if fmt in allowed]

    # -- following the choices -----------------------------------------------------------------------------------

    def _choices(self) -> tuple[Grouping, Format]:
        grouping = self.query_one("#export-by", Select).value
        fmt = self.query_one("#export-format", Select).value
        return (
            grouping if isinstance(grouping, Grouping) else Grouping.DAY,
            fmt if isinstance(fmt, Format) else Format.HTML,
        )

    def _suggest_path(self) -> None:
        """Put a file name that says what the export holds, unless the person typed their own."""
        path_input = self.query_one("#export-path", Input)
        if path_input.value not in ("", self.auto_path):
            return
        grouping, fmt = self._choices()
        try:
            monday = parse_week(self.query_one("#export-week", Input).value, self.feed.today_now())
        except FactBoardError:
            monday = self.monday
        self.auto_path = default_filename(self.kind, fmt, monday, grouping)
        path_input.value = self.auto_path

    @on(Select.Changed, "#export-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self.kind = str(event.value)
        formats = self.query_one("#export-format", Select)
        current = formats.value
        formats.set_options(self._format_options())
        allowed = WEEK_FORMATS if self.kind == "week" else BOARD_FORMATS
        formats.value = current if current in allowed else Format.HTML
        self.query_one("#export-by", Select).disabled = self.kind != "week"
        self._suggest_path()

    @on(Select.Changed, "#export-by")
    @on(Select.Changed, "#export-format")
    @on(Input.Changed, "#export-week")
    def _choice_changed(self) -> None:
        self._suggest_path()
        self._show_calendar_details()

    # -- exporting ---------------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#export-close")
    def action_close(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#export-run")
    @on(Input.Submitted, "#export-path")
    def action_export(self) -> None:
        """Read the choices and queue the export; a bad week or empty path is said at once."""
        try:
            monday = parse_week(self.query_one("#export-week", Input).value, self.feed.today_now())
        except FactBoardError as error:
            self._show(shown(str(error), style="bold red"))
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._show(Text(_("Give the file a name, like week.html."), style="bold red"))
            return
        path = Path(text).expanduser()
        grouping, fmt = self._choices()
        details = fmt is Format.ICS and self.query_one("#export-details", Checkbox).value
        self._show(Text(_("Exporting…")))
        target = path if path.is_absolute() else Path.cwd() / path
        reply = Reply(self, done=self._written, failed=self._failed)
        self.feed.export(ExportRequest(self.kind, monday, grouping, fmt, target, details), reply)

    def _written(self, written: tuple[Path, str]) -> None:
        path, what = written
        wrote = shown_sentence(_("Wrote {what} to {path}"), what=(what, "bold"), path=(path, "bold"))
        self._show(shown(wrote, "\n", (_(NOT_ENCRYPTED), "bold")))
        self.notify(
            _("Exported to {path}.").format(path=path) + " " + _(NOT_ENCRYPTED), title=_("Export written"), timeout=10
        )

    def _failed(self, error: FactBoardError) -> None:
        self._show(shown(str(error), style="bold red"))

    def _show(self, text: Text) -> None:
        self.query_one("#export-result", Static).update(text)
