"""The week's visits of one row, all seven days at once: the quick edit the meeting makes most.

"Who visits when" is decided in the room, so the chair edits the whole week of the current row in one dialog,
with the same staff completion as the board's weekday cells (`DEN+M` -> `DEN+MJR`, a note after a colon). Each day
is checked with the write path's own rules before the dialog closes; it returns only the days that changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.characters import inert_line
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.store.schema import VisitCell
from factboard_tui.shown import shown
from factboard_tui.tui.widgets.cell_editor import complete_initials
from factboard_tui.tui.widgets.completing_input import CompletingInput


def visit_text(visit: VisitCell | None) -> str:
    """A visit as it is typed: `DEN+MJR: note` (a note stored before today's character rules shows inert)."""
    if visit is None:
        return ""
    return inert_line(visit.staff + (f": {visit.note}" if visit.note else ""))


class VisitsDialog(ModalScreen[dict[date, str] | None]):
    """Seven inputs, Monday first; ctrl+s (or Enter on the last) saves, Esc cancels."""

    CSS_PATH = "../styles/meeting.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="visits.save", tooltip="Save the week's visits"),
        Binding("escape", "cancel", "Cancel", id="visits.cancel", tooltip="Close without saving"),
    ]

    def __init__(
        self,
        title: str,
        visits: dict[date, VisitCell],
        monday: date,
        template: BoardTemplate,
        initials: Sequence[str],
    ) -> None:
        super().__init__()
        self.title_text = title
        self.days = [monday + timedelta(days=offset) for offset in range(7)]
        self.before = {day: visit_text(visits.get(day)) for day in self.days}
        self.template = template
        self.initials = list(initials)

    def compose(self) -> ComposeResult:
        with Vertical(id="visits-box"):
            yield Static(shown(self.title_text, one_line=True), id="visits-title")
            with Grid(id="visits-grid"):
                for day in self.days:
                    yield Label(shown(f"{self.template.weekday_names[day.weekday()]} {day.isoformat()}"))
                    yield CompletingInput(
                        self.before[day],
                        complete=complete_initials(self.initials),
                        placeholder="DEN+MJR: note",
                        id=f"visit-{day.isoformat()}",
                    )
            yield Static("Tab moves · ctrl+s saves · Esc cancels", id="visits-error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        changed: dict[date, str] = {}
        for day in self.days:
            text = self.query_one(f"#visit-{day.isoformat()}", Input).value.strip()
            label = f"{self.template.weekday_names[day.weekday()]} {day.isoformat()}"
            staff, note = F.split_visit_cell(text)
            try:
                if staff:
                    F.parse_visit_staff(staff, label)
                    F.clean_visit_note(note)
            except FactBoardError as error:
                self.query_one("#visits-error", Static).update(shown(str(error)))
                return
            if text != self.before[day]:
                changed[day] = text
        self.dismiss(changed)

    def action_cancel(self) -> None:
        self.dismiss(None)
