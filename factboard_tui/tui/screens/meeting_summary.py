"""The end of the meeting: what it took, what it reached, what it changed, who was there.

Shown once the meeting is stored, from the stored record, as the same Markdown `factboard meetings show` prints:
what the chair sees on the wall is exactly what a coordinator can send on.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown, Static

from factboard_tui.core.i18n import N_, _
from factboard_tui.core.transfer.minutes import MeetingRecord, minutes_markdown
from factboard_tui.tui.widgets.key_bar import KeyBar


class MeetingSummaryScreen(Screen[None]):
    """The stored meeting's minutes; Esc or Enter goes back to the board."""

    CSS_PATH = "../styles/meeting.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "close", N_("Back to board"), id="summary.close", tooltip=N_("Close the summary")),
    ]

    def __init__(self, record: MeetingRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        yield Static(
            _("Meeting {number} stored: `factboard meetings show {number}` prints these minutes.").format(
                number=self.record.id
            ),
            id="summary-status",
        )
        with VerticalScroll(id="summary-scroll"):
            # The minutes quote cell values: a value written like a Markdown link must not open a browser.
            yield Markdown(minutes_markdown(self.record), id="summary-minutes", open_links=False)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#summary-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
