"""Check-in: who is at the morning meeting, picked from the team list.

FACT teams are certified on having at least four disciplines at the board meeting, so the screen counts the
disciplines of everyone checked in and says so while the chair ticks names. The team list is read through the
board feed; the chair starts checked in. ctrl+s (or the button) is done; Esc cancels: before the meeting it starts
no meeting (an accidental `m`), during it the check-in stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.strip import Strip
from textual.widgets import Button, SelectionList, Static
from textual.widgets._toggle_button import ToggleButton
from textual.widgets.option_list import OptionDoesNotExist

from factboard_tui.core.domain.meetings import MIN_DISCIPLINES, attendance_warning, disciplines_present
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.store.schema import Staff
from factboard_tui.shown import shown
from factboard_tui.tui.feed import BoardFeed, Reply
from factboard_tui.tui.typeahead import hold_keys, release_keys


@dataclass(frozen=True)
class CheckIn:
    """What the check-in returns: who is present, and the team list their disciplines come from."""

    present: list[str]
    staff: list[Staff]


class CheckList(SelectionList[str]):
    """A `SelectionList` whose ticked names show a ✓ and the others nothing: Textual's `X` in both states differs
    only by colour, which a wall screen across the room (or a colour-blind chair) does not show."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return strip
        try:
            option = self.get_option_at_index(self.scroll_offset.y + y)
        except OptionDoesNotExist:
            return strip
        segments[1] = Segment("✓" if option.value in self._selected else " ", segments[1].style)
        return Strip(segments, strip.cell_length)


class AttendanceScreen(ModalScreen[CheckIn | None]):
    """Tick who is present; the count of disciplines updates as you go."""

    CSS_PATH = "../styles/meeting.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "done", N_("Start"), id="attendance.done", tooltip=N_("Done checking in: run the meeting")),
        Binding("escape", "cancel", N_("Cancel"), id="attendance.close", tooltip=N_("Close, changing nothing")),
    ]

    def __init__(self, feed: BoardFeed, present: list[str]) -> None:
        super().__init__()
        self.feed = feed
        """The open board whose team checks in."""
        self.present = list(present)
        """Initials ticked when the screen opens (the chair, or the earlier check-in)."""
        self.staff: list[Staff] = []
        self.holding = False
        """Keys typed are held until the team list shows."""

    def compose(self) -> ComposeResult:
        with Vertical(id="attendance-box"):
            yield Static(_("Who is here? Space or Enter ticks a name; ctrl+s starts."), id="attendance-title")
            yield CheckList(id="attendance-list")
            yield Static("", id="attendance-count")
            with Horizontal(id="attendance-buttons"):
                yield Button(_("Start meeting"), variant="primary", id="attendance-start")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()
        hold_keys(self.app)  # ticks typed before the list arrives wait for it (they were lost on an empty list)
        self.holding = True
        self.feed.staff(Reply(self, done=self._staff_loaded, failed=self._staff_failed))

    def _release(self) -> None:
        if self.holding:
            self.holding = False
            release_keys(self.app)

    def on_unmount(self) -> None:
        self._release()

    def _staff_failed(self, error: FactBoardError) -> None:
        self._release()
        self.notify(str(error), severity="error", markup=False)

    def _staff_loaded(self, staff: list[Staff]) -> None:
        """The active team list arrived: one line per member, ticked if present."""
        self.staff = staff
        self.call_after_refresh(self._release)
        template = self.feed.template
        selections = self.query_one(SelectionList)
        width = max((len(member.name) for member in self.staff), default=10)
        for member in self.staff:
            discipline = template.disciplines.get(member.discipline, member.discipline) or _("no discipline")
            prompt = shown(
                (f"{member.initials:<6}", "bold"), f" {member.name:<{width}}  ", (discipline, "dim"), one_line=True
            )
            selections.add_option((prompt, member.initials, member.initials in self.present))
        if self.staff:
            selections.highlighted = 0
        self._count()

    @on(SelectionList.SelectedChanged)
    def _count(self) -> None:
        present = self.query_one(SelectionList).selected
        found = disciplines_present(self.staff, present)
        warning = attendance_warning(self.staff, present, self.feed.template)
        count = self.query_one("#attendance-count", Static)
        if warning:
            count.update(shown(f"⚠ {warning}", style="bold"))
            count.add_class("-warning")
        else:
            count.update(
                _("{present} present, {disciplines} disciplines (at least {least}): good.").format(
                    present=len(present), disciplines=len(found), least=MIN_DISCIPLINES
                )
            )
            count.remove_class("-warning")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#attendance-start")
    def action_done(self) -> None:
        self.dismiss(CheckIn(list(self.query_one(SelectionList).selected), self.staff))
