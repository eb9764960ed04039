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

from factboard_tui.core.domain.characters import inert_line
from factboard_tui.core.domain.fields import display
from factboard_tui.core.domain.meetings import CURRENT, DISCUSSED, NOT_REACHED, SKIPPED, Flag
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.store.schema import RowValues
from factboard_tui.shown import shown
from factboard_tui.tui.widgets.board_view import PLAN_MARKS, triage_style

MARKS = {DISCUSSED: "✓", CURRENT: "▶", SKIPPED: "↷", NOT_REACHED: "·"}
"""The mark before each row: never colour alone."""

FLAG_MARKS = {
    "evaluation_passed": "E",
    "children": "B",
    "no_visit": "V",
    "too_long": "D",
} | PLAN_MARKS
"""One letter per flag in the list (the focus card spells them out); the legend sits under the list."""

LEGEND = N_(
    "✓ discussed  ▶ current  ↷ skipped  · not reached\n"
    "⚑ E evaluation passed  K no current crisis plan\n"
    "  R review due  L measure expiring  X expired\n"
    "  C carried forward  B children  V no visit\n"
    "  D too long on board"
)
"""The key to the marks, shown under the list (`_(LEGEND)` where it is shown)."""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One line of the list: the row (or its last known state), its outcome and its flags."""

    row: RowValues
    outcome: str
    flags: Sequence[Flag]


def list_line(entry: ListEntry, template: BoardTemplate, privacy: bool, width: int) -> Text:
    """One row as a line of the list, at most `width` cells; free text only when privacy is off."""
    row = entry.row
    style = {CURRENT: "bold reverse", DISCUSSED: "dim", SKIPPED: "dim italic"}.get(entry.outcome, "")
    flags = "".join(FLAG_MARKS.get(flag.key, "?") for flag in entry.flags)
    triage = display(row.triage, template, "triage")
    line = shown(
        f"{MARKS[entry.outcome]} ",
        (f"{row.client_code:<8}", "bold"),
        (f" {triage:<7} ", triage_style(template, row.triage)),
        (f" {('⚑' + flags) if flags else '':<7}", "bold"),
        f" {row.primary_contact or '':<5}",
        style=style,
        one_line=True,
        no_wrap=True,
    )
    room = width - len(line.plain)  # the columns above are one cell per character
    tail = ""
    if row.date_off is not None:
        tail = " " + _("(off board)")
    elif not privacy and row.situation:
        tail = " " + inert_line(" ".join(row.situation.split()))
    if room > 1 and tail:
        line.append(tail, style="italic" if row.date_off else "")
        line.truncate(width, overflow="ellipsis")  # by cells: a wide (CJK) character takes two
    return line


class MeetingList(Static):
    """The rows of the meeting around the current one, one line each; only what fits is built."""

    lines: list[str] = []  # noqa: RUF012 (replaced, never mutated)
    """The lines as drawn, in plain text (what tests and screen readers can check)."""

    def window(self, index: int, total: int) -> tuple[int, int]:
        """Which rows fit (start, stop), with the current one (`index`) in the middle where possible."""
        room = max(3, (self.content_size.height or 40) - 2)  # two lines say how many more are above and below
        start = max(0, min(index - room // 2, total - room))
        return start, min(total, start + room)

    def show(
        self, entries: Sequence[ListEntry], template: BoardTemplate, privacy: bool, above: int = 0, below: int = 0
    ) -> None:
        """Draw the given rows for the current width, saying how many more are above and below."""
        width = max(20, self.content_size.width or 60)
        lines = [list_line(entry, template, privacy, width) for entry in entries]
        if above:
            lines.insert(0, Text("  ↑ " + _("{count} more").format(count=above), style="dim"))
        if below:
            lines.append(Text("  ↓ " + _("{count} more").format(count=below), style="dim"))
        self.lines = [line.plain for line in lines]
        self.update(Text("\n").join(lines) if lines else Text(_("No rows."), style="dim"))
