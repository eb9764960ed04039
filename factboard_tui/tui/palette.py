"""Textual's command palette in the team's language: its search field and its "No matches found" line.

Textual writes both in English (the placeholder is an argument; the no-match line is built inside a private
method). FactBoard's palette passes a translated placeholder and builds the no-match line the same way Textual does,
with FactBoard's words. Textual is pinned (README), and tests/tui/test_language_tui.py sees both lines on a Swedish
board, so a Textual that changes this method shows up there first.
"""

from __future__ import annotations

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette
from textual.widgets.option_list import Option

from factboard_tui.core.i18n import _


class FactBoardPalette(CommandPalette):
    """Textual's palette, saying what to type and that nothing matched in the language in use."""

    def __init__(self) -> None:
        super().__init__(placeholder=_("Search for commands…"), id="--command-palette")

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:  # searching for something that is not there (an empty search is just browsing)
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(_("No matches found"), style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)
