"""The meeting's quick edits of the current row: its triage in place, its actions and its week's visits in dialogs.

Saved through the feed like the board's cells (shown at once, then written by the feed's writer and read back).
`MeetingScreen` builds on `MeetingEdits`; the visits dialog's days are saved as one action, so one undo takes the
week back.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from textual import on
from textual.screen import Screen

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.meetings import MeetingSession
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.core.store.schema import RowValues, VisitCell
from factboard_tui.tui.dialogs.confirm import TextEditorDialog
from factboard_tui.tui.dialogs.visits import VisitsDialog
from factboard_tui.tui.feed import BoardFeed
from factboard_tui.tui.widgets.cell_editor import CellEditor


class MeetingEdits(Screen[None]):
    """The chair's `t`, `a` and `v` on the current row."""

    feed: BoardFeed
    template: BoardTemplate
    session: MeetingSession | None
    editing: dict[str, Any] | None

    def row(self, row_id: int | None) -> RowValues | None:
        """A row as the meeting shows it."""
        raise NotImplementedError

    def visits(self, row_id: int | None) -> dict[date, VisitCell]:
        """This week's visits of a row."""
        raise NotImplementedError

    def redraw(self) -> None:
        """Draw the card and the list again."""
        raise NotImplementedError

    def _write(self, row: RowValues, key: str, text: str, original: Any, action: str | None = None) -> None:
        """Save one field (or one day's visit): shown at once, written by the feed's writer, then read back."""
        self.feed.save_cell(row.id or 0, key, text, original, refresh=True, action=action)

    def action_edit_triage(self) -> None:
        row = self.row(self.session.current) if self.session else None
        if row is None or self.editing is not None:
            return
        self.editing = {"row": row, "key": "triage"}
        choices = [level.label for level in self.template.triage]
        text = F.display(row.triage, self.template, "triage")
        editor = CellEditor(
            text, label=f"{row.client_code} · {self.template.label('triage')}", choices=choices, width=64
        )
        editor.add_class("-meeting-triage")  # framed, over the card's top: read from across the room
        self.query_one("#focus-box").mount(editor)
        editor.styles.offset = (2, 2)

    @on(CellEditor.Save)
    def _triage_saved(self, message: CellEditor.Save) -> None:
        message.stop()
        if self.editing is None:
            return
        row: RowValues = self.editing["row"]
        try:
            typed = F.coerce("triage", message.text, self.template)
        except FactBoardError as error:
            message.editor.show_error(str(error))
            return
        if typed != row.triage:
            self._write(row, "triage", message.text, row.triage)
        self._close_editor()

    @on(CellEditor.Cancel)
    def _close_editor(self) -> None:
        self.editing = None
        for editor in self.query(CellEditor):
            editor.remove()
        self.redraw()

    def action_edit_actions(self) -> None:
        row = self.row(self.session.current) if self.session else None
        if row is None:
            return

        def saved(text: object) -> None:
            if isinstance(text, str) and text != (row.actions or ""):
                self._write(row, "actions", text, row.actions)
                self.redraw()

        title = f"{row.client_code} · {self.template.label('actions')}"
        self.app.push_screen(
            TextEditorDialog(title, row.actions or "", lambda text: F.coerce("actions", text, self.template)), saved
        )

    def action_edit_visits(self) -> None:
        row = self.row(self.session.current) if self.session else None
        if row is None:
            return
        visits = dict(self.visits(row.id))
        monday = self.feed.monday  # this week: the meeting asked the feed for it

        def saved(changed: dict[date, str] | None) -> None:
            action = uuid.uuid4().hex  # the week's days are one action: one undo step
            for day, text in (changed or {}).items():
                visit = visits.get(day)
                original = (visit.staff, visit.note) if visit else (None, None)
                self._write(row, WEEKDAY_KEYS[(day - monday).days], text, original, action)

        title = _("{code} · visits this week").format(code=row.client_code)
        self.app.push_screen(VisitsDialog(title, visits, monday, self.template, self.feed.staff_initials), saved)
