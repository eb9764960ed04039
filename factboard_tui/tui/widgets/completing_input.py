"""A Textual `Input` whose grey completion is what Enter and Tab take, as in the board's cell editor.

The forms and dialogs (the add-row form, the week's visits) use Textual's `Input`, whose suggester shows a grey
completion that only right arrow or End accepts: a nurse who types `N`, sees `Ny` and presses Tab got `N` saved
(or refused). Here Enter and Tab take the completion first. The completion is computed on the spot from what is
typed, not read from the suggester's last answer, which arrives from a worker and may lag a fast typist's burst.
"""

from __future__ import annotations

from textual import events
from textual.suggester import Suggester
from textual.widgets import Input

from factboard_tui.tui.widgets.cell_editor import Completion


class CompletionSuggester(Suggester):
    """Shows a `Completion` (the board's pick-lists and staff initials) as the `Input`'s grey suggestion."""

    def __init__(self, complete: Completion) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.complete = complete

    async def get_suggestion(self, value: str) -> str | None:
        return self.complete(value)


class CompletingInput(Input):
    """An `Input` that completes from a pick-list; Enter, Tab and shift+Tab take the completion shown."""

    def __init__(self, value: str = "", *, complete: Completion | None = None, **options: object) -> None:
        suggester = CompletionSuggester(complete) if complete is not None else None
        super().__init__(value, suggester=suggester, **options)  # type: ignore[arg-type]
        self.complete = complete

    def take_completion(self) -> None:
        """Replace what is typed by its completion (only with the cursor at the end and nothing selected)."""
        if self.complete is None or not self.cursor_at_end or not self.selection.is_empty:
            return
        whole = self.complete(self.value)
        if whole is not None and len(whole) > len(self.value):
            self.value = whole
            self.cursor_position = len(whole)

    async def action_submit(self) -> None:
        self.take_completion()
        await super().action_submit()

    def on_key(self, event: events.Key) -> None:
        if event.key in ("tab", "shift+tab"):
            self.take_completion()  # the key goes on and moves the focus
