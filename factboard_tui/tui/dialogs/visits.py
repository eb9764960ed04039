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
from factboard_tui.core.domain.team import unknown_initials, unknown_warning, with_closest
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _
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
        Binding("ctrl+s", "save", N_("Save"), id="visits.save", tooltip=N_("Save the week's visits")),
        Binding("escape", "cancel", N_("Cancel"), id="visits.cancel", tooltip=N_("Close without saving")),
        Binding(
            "ctrl+f",
            "fix",
            N_("Take the closest"),
            id="visits.fix",
            tooltip=N_("Put in the team members the warning offers instead of what was typed"),
        ),
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
        self.confirmed: dict[date, str] = {}
        """Days whose unknown initials were warned of: saving the same text again keeps it."""
        self.fixes: dict[date, str] = {}
        """What the warning offers per day (the closest staff), taken with ctrl+f."""

    def compose(self) -> ComposeResult:
        with Vertical(id="visits-box"):
            yield Static(shown(self.title_text, one_line=True), id="visits-title")
            with Grid(id="visits-grid"):
                for day in self.days:
                    yield Label(shown(f"{self.template.weekday_names[day.weekday()]} {day.isoformat()}"))
                    yield CompletingInput(
                        self.before[day],
                        complete=complete_initials(self.initials),
                        id=f"visit-{day.isoformat()}",
                    )
            # No placeholder in the days: grey sample initials in every empty day read as visits on a wall screen.
            yield Static(_("Initials, then a note after a colon: DEN+MJR: home visit"), id="visits-format")
            yield Static(_("Tab moves · ctrl+s saves · Esc cancels"), id="visits-error")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if isinstance(self.focused, CompletingInput):  # ctrl+s takes the completion shown, as Enter and Tab do
            self.focused.take_completion()
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
        if self._warned_of_unknown_initials(changed):
            return
        self.dismiss(changed)

    def _warned_of_unknown_initials(self, changed: dict[date, str]) -> bool:
        """Warn once of initials nobody on the team has, offering the closest (ctrl+f); the same again saves."""
        if not self.initials:
            return False
        lines: list[str] = []
        self.fixes = {}
        for day, text in changed.items():
            staff, colon, note = text.partition(":")
            unknown = unknown_initials(staff, self.initials)
            if not unknown or self.confirmed.get(day) == text:
                continue
            self.confirmed[day] = text
            lines.append(f"{self.template.weekday_names[day.weekday()]}: {unknown_warning(unknown)}")
            if any(item.closest for item in unknown):
                self.fixes[day] = with_closest(staff, unknown) + colon + note
        if not lines:
            return False
        then = (
            _("ctrl+s again keeps it as typed, ctrl+f takes the closest.")
            if self.fixes
            else _("ctrl+s again keeps it as typed.")
        )
        self.query_one("#visits-error", Static).update(shown(" ".join([*lines, then])))
        return True

    def action_fix(self) -> None:
        """Put the closest staff the warning offered into their days (saved with ctrl+s)."""
        for day, text in self.fixes.items():
            self.query_one(f"#visit-{day.isoformat()}", Input).value = text
        self.fixes = {}

    def action_cancel(self) -> None:
        self.dismiss(None)
