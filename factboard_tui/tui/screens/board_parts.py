"""The board screen's parts that are data or plain drawing: its key bindings, its palette entries and its status lines.

They stand apart from `BoardScreen` (screens/board.py), which keeps to what the screen does: the feed's changes, the
cursor, the rows' actions, the filter and the weeks.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from rich.text import Text
from textual.binding import Binding, BindingType

from factboard_tui.core.clock import week_start
from factboard_tui.core.i18n import N_, _, ngettext
from factboard_tui.core.locale_dates import week_span
from factboard_tui.core.store.schema import RowValues
from factboard_tui.core.sync.freshness import age_text
from factboard_tui.shown import shown
from factboard_tui.tui.commands import PaletteCommand
from factboard_tui.tui.feed import BoardFeed

WARNING = "bold black on yellow"
"""The warning colour of the status line: a site not heard from for too long, a board not current."""

BOARD_BINDINGS: list[BindingType] = [
    Binding("enter,f2", "edit", N_("Edit"), id="board.edit", tooltip=N_("Edit the cell under the cursor")),
    Binding("a", "add_row", N_("Add"), id="board.add", tooltip=N_("Put a client on the board")),
    Binding("o", "take_off", N_("Off board"), id="board.off", tooltip=N_("Take the client off the board (asks why)")),
    Binding(
        "u,ctrl+z", "undo", N_("Undo"), id="board.undo", tooltip=N_("Undo your last change (recorded as a change)")
    ),
    Binding("f,slash", "filter", N_("Filter"), id="board.filter", tooltip=N_("Filter: text, t:triage, @INITIALS, @me")),
    Binding("H", "history", N_("History"), id="board.history", tooltip=N_("Who changed what on this row, and when")),
    Binding(
        "comma,left_square_bracket",
        "week(-1)",
        N_("Prev week"),
        id="board.previous_week",
        tooltip=N_("Visits of the week before"),
    ),
    Binding(
        "full_stop,right_square_bracket",
        "week(1)",
        N_("Next week"),
        id="board.next_week",
        tooltip=N_("Visits of the week after"),
    ),
    Binding("c", "copy_week", N_("Copy last week"), id="board.copy_week", tooltip=N_("Carry last week's visits over")),
    Binding("s", "staff", N_("Staff"), id="board.staff", tooltip=N_("The team list: add and edit staff")),
    Binding(
        "S",
        "statistics",
        N_("Statistics"),
        id="board.statistics",
        show=False,
        tooltip=N_("The board's statistics and the FACT fidelity criteria"),
    ),
    Binding(
        "x",
        "export",
        N_("Export"),
        id="board.export",
        show=False,
        tooltip=N_("Export the week or the board to a file"),
    ),
    Binding("m", "meeting", N_("Meeting"), id="board.meeting", tooltip=N_("Run the morning meeting on this screen")),
    Binding("ctrl+r", "reload", N_("Reload"), id="board.reload", show=False, tooltip=N_("Read the board again")),
]
"""The board's keys, each with an id a person can remap in the config's `[keys]`."""


def status_text(feed: BoardFeed, visible: int, filtered: str) -> Text:
    """The status line: the team, the day and week, the rows by triage, the filter, who is signed in (and a warning
    first while the board cannot be read)."""
    since = feed.not_current_since()
    late = _("not current since {time}").format(time=since.astimezone().strftime("%H:%M")) if since else ""
    counts = feed.store.triage_count()
    total = sum(counts.values())
    per_triage = "  ".join(f"{level.label} {counts.get(level.key, 0)}" for level in feed.template.triage)
    monday, today = feed.monday, feed.today
    year, week, _day = monday.isocalendar()
    return shown(
        *(((f" {late} ", WARNING), "  ") if late else ()),
        (feed.team, "bold"),
        f"  ·  {today.isoformat()}  ·  ",
        _("week {year}-W{week:02d} ({days})").format(
            year=year, week=week, days=week_span(monday, monday + timedelta(days=6))
        ),
        *(() if monday == week_start(today) else (" ", (" " + _("not this week") + " ", "reverse"))),
        "  ·  ",
        ngettext("{count} row: {per_triage}", "{count} rows: {per_triage}", total).format(
            count=total, per_triage=per_triage
        ),
        *(
            ("  ·  ", _("filter"), " ", (filtered, "bold"), ": ", _("{count} shown").format(count=visible))
            if filtered
            else ()
        ),
        "  ·  ",
        _("signed in:"),
        " ",
        (str(feed.user), "bold"),
        one_line=True,
    )


def heard_text(feed: BoardFeed) -> Text | None:
    """The line under the status: when each peer site's last bundle was written, late ones in the warning colour;
    None on a board that does not sync (so a board alone keeps its layout)."""
    if not feed.heard:
        return None
    now = feed.clock()
    parts: list[object] = [_("Last bundle from"), " "]
    for index, site in enumerate(feed.heard):
        words = _("{site}: {age}").format(site=site.name, age=age_text(site.at, now))
        parts += [", " if index else "", (words, WARNING if site.stale else "bold")]
    return shown(*parts, one_line=True)


class BoardActions(Protocol):
    """What the palette entries call on the board screen."""

    def current_row(self) -> RowValues | None: ...

    def action_meeting(self) -> None: ...
    def action_add_row(self) -> None: ...
    def action_undo(self) -> None: ...
    def action_filter(self, text: str | None = None) -> None: ...
    def action_week(self, step: int) -> None: ...
    def action_copy_week(self) -> None: ...
    def action_staff(self) -> None: ...
    def action_statistics(self) -> None: ...
    def action_export(self, kind: str = "week") -> None: ...
    def action_conflicts(self) -> None: ...
    def action_edit(self) -> None: ...
    def action_take_off(self) -> None: ...
    def action_history(self) -> None: ...


def board_palette(screen: BoardActions) -> list[PaletteCommand]:
    """The board's entries in the command palette, namespaced like the help screen (the row's own entries when the
    cursor is on one)."""
    row = screen.current_row()
    commands = [
        PaletteCommand(_("meeting: start"), _("Run the morning meeting on this screen"), screen.action_meeting),
        PaletteCommand(_("row: add client to board"), _("Put a client on the board"), screen.action_add_row),
        PaletteCommand(_("row: undo my last change"), _("Undo your newest change (recorded)"), screen.action_undo),
        PaletteCommand(_("view: filter by text"), _("Show rows whose text matches"), screen.action_filter),
        PaletteCommand(
            _("view: my rows"), _("Rows where you are contact, doctor or visit"), lambda: screen.action_filter("@me")
        ),
        PaletteCommand(
            _("view: filter by staff"),
            _("Rows of one staff member: type @INITIALS"),
            lambda: screen.action_filter("@"),
        ),
        PaletteCommand(
            _("view: filter by triage"),
            _("Rows of one triage level: type t:LEVEL"),
            lambda: screen.action_filter("t:"),
        ),
        PaletteCommand(_("view: previous week"), _("Visits of the week before"), lambda: screen.action_week(-1)),
        PaletteCommand(_("view: next week"), _("Visits of the week after"), lambda: screen.action_week(1)),
        PaletteCommand(
            _("visits: copy last week's"), _("Carry last week's visits into this week"), screen.action_copy_week
        ),
        PaletteCommand(_("staff: list and edit"), _("The team list"), screen.action_staff),
        PaletteCommand(
            _("view: statistics"),
            _("The board's statistics and the FACT fidelity criteria"),
            screen.action_statistics,
        ),
        PaletteCommand(
            _("export: week's actions"),
            _("The week to CSV, Excel, HTML, Markdown or a calendar"),
            screen.action_export,
        ),
        PaletteCommand(
            _("export: board"), _("The whole board to CSV, Excel or HTML"), lambda: screen.action_export("board")
        ),
        PaletteCommand(
            _("sync: review conflicts"), _("Settle edits made at two sites at once"), screen.action_conflicts
        ),
    ]
    if row is not None:
        commands += [
            PaletteCommand(
                _("row: edit cell ({code})").format(code=row.client_code),
                _("Edit the cell under the cursor"),
                screen.action_edit,
            ),
            PaletteCommand(
                _("row: take off board ({code})").format(code=row.client_code),
                _("Close the period, with a reason"),
                screen.action_take_off,
            ),
            PaletteCommand(
                _("row: history ({code})").format(code=row.client_code),
                _("Who changed what, and when"),
                screen.action_history,
            ),
        ]
    return commands
