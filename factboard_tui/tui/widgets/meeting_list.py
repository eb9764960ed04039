"""The meeting's compact list: every row in the meeting's order, marked discussed, current, skipped or not reached.

One line per row, so a whole board fits beside the focus card. With privacy on (the default on the wall screen) no
free text appears here at all: only codes, triage, flags and contacts, so nobody reads another client's situation
over the chair's shoulder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.widgets import Static

from factboard_tui.core.fields import display
from factboard_tui.core.meetings import CURRENT, DISCUSSED, NOT_REACHED, SKIPPED, Flag
from factboard_tui.core.model import BoardRow
from factboard_tui.core.templates import BoardTemplate
from factboard_tui.tui.board_view import triage_style

MARKS = {DISCUSSED: "✓", CURRENT: "▶", SKIPPED: "↷", NOT_REACHED: "·"}
"""The mark before each row: never colour alone."""

FLAG_MARKS = {
    "evaluation_passed": "E",
    "crisis_without_plan": "K",
    "children": "B",
    "no_visit": "V",
    "too_long": "D",
}
"""One letter per flag in the list (the focus card spells them out); the legend sits under the list."""

LEGEND = (
    "✓ discussed  ▶ current  ↷ skipped  · not reached\n"
    "⚑ E evaluation passed  K no crisis plan  B children  V no visit  D too long on board"
)
"""The key to the marks, shown under the list."""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One line of the list: the row (or its last known state), its outcome and its flags."""

    row: BoardRow
    outcome: str
    flags: Sequence[Flag]


def list_line(entry: ListEntry, template: BoardTemplate, privacy: bool, width: int) -> Text:
    """One row as a line of the list; free text only when privacy is off."""
    row = entry.row
    style = {CURRENT: "bold reverse", DISCUSSED: "dim", SKIPPED: "dim italic"}.get(entry.outcome, "")
    line = Text(no_wrap=True, overflow="ellipsis", style=style)
    line.append(f"{MARKS[entry.outcome]} ")
    line.append(f"{row.client_code:<8}", style="bold")
    triage = display(row.triage, template, "triage")
    line.append(f" {triage:<7} ", style=triage_style(template, row.triage))
    flags = "".join(FLAG_MARKS.get(flag.key, "?") for flag in entry.flags)
    line.append(f" {('⚑' + flags) if flags else '':<7}", style="bold")
    line.append(f" {row.primary_contact or '':<5}")
    if row.date_off is not None:
        line.append(" (off board)", style="italic")
    elif not privacy and row.situation:
        line.append(f" {' '.join(row.situation.split())}")
    line.truncate(width, overflow="ellipsis")
    return line


class MeetingList(Static):
    """The rows of the meeting, one line each."""

    lines: list[str] = []  # noqa: RUF012 (replaced, never mutated)
    """The lines as drawn, in plain text (what tests and screen readers can check)."""

    def show(self, entries: Sequence[ListEntry], template: BoardTemplate, privacy: bool) -> None:
        """Draw the list for the current width."""
        width = max(20, self.size.width or 60)
        lines = [list_line(entry, template, privacy, width) for entry in entries]
        self.lines = [line.plain for line in lines]
        self.update(Text("\n").join(lines) if entries else Text("No rows.", style="dim"))
