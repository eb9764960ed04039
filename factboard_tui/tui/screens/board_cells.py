"""Editing the board's cells in place: the part of the board screen that opens the editor and saves what is typed.

`BoardScreen` builds on `CellEditing`. Saving a cell is validated on the spot (the same field rules the write
path uses) and handed to the feed, which shows the value at once and writes it with the value the editor started
from: if someone changed that very value meanwhile, the write is refused and the person chooses whose value
stays. A write that fails for another reason (a full disk, say) is never dropped: the editor opens again over
the cell with what was typed and the reason, so the person can save again once it is fixed, or let it go with Esc.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from textual import on
from textual.screen import Screen

from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.team import unknown_initials, unknown_warning, with_closest
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.store.schema import RowValues
from factboard_tui.tui.dialogs.confirm import ConflictDialog, TextEditorDialog
from factboard_tui.tui.feed import BoardFeed, CellRefused
from factboard_tui.tui.widgets.board_grid import BoardGrid
from factboard_tui.tui.widgets.cell_editor import CellEditor
from factboard_tui.tui.widgets.key_bar import KeyBar

INITIALS_KEYS = frozenset({*WEEKDAY_KEYS, "primary_contact", "doctor"})
"""Cells that hold staff initials: checked against the team list before saving."""

READ_ONLY: dict[str, str] = {
    "days_on_board": N_("Days on board follow from the date on board: edit that date instead."),
    "flags": N_("The flags follow from the plans, the legal measure and the meetings: edit those instead."),
}
"""Columns the grid shows but nobody edits, with what to do instead."""


class CellEditing(Screen[None]):
    """A screen with a `BoardGrid` whose cells are edited in a `CellEditor` (or a dialog, for long text)."""

    def __init__(self, feed: BoardFeed) -> None:
        super().__init__()
        self.feed = feed
        """The open board: every read and write goes through it."""
        self.editing: dict[str, Any] | None = None
        """The cell being edited: row id, column key, the stored value it started from, and `force`."""
        self.failed_edits: list[CellRefused] = []
        """Cell edits whose write failed, waiting for the editor to show them again (oldest first)."""

    def current_row(self) -> RowValues | None:
        """The row under the grid's cursor."""
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        self.call_after_refresh(self._reopen_failed_edit)  # an edit that failed while a dialog was open

    # -- opening the editor ----------------------------------------------------------------------------------

    def action_edit(self) -> None:
        row = self.current_row()
        key = self.query_one(BoardGrid).cursor_column_key
        if row is None or key is None or self.editing is not None:
            return
        if key in READ_ONLY:
            self.notify(_(READ_ONLY[key]), severity="warning")
            return
        original, text = self.feed.cell_value(row, key)
        self._open_editor(row, key, text, original)

    def _open_editor(
        self, row: RowValues, key: str, text: str, original: Any, problem: str | None = None, force: bool = False
    ) -> None:
        """Edit a cell starting from `text`; `original` is the stored value the edit replaces (for conflicts),
        `problem` a reason to show at once (a save that failed), `force` a choice already made in a conflict."""
        self.editing = {"row_id": row.id, "key": key, "original": original, "force": force}
        template = self.feed.template
        label = self.feed.field_label(key)
        spec = F.ROW_FIELDS.get(key)
        if spec is not None and spec.kind is F.Kind.LONG_TEXT:
            self.app.push_screen(
                TextEditorDialog(
                    f"{row.client_code} · {label}", text, lambda value: self.feed.validate(key, value), problem=problem
                ),
                lambda value: self._finish_long_edit(value),
            )
            return
        choices = F.pick_list(key, template)
        initials = self.feed.staff_initials if key in WEEKDAY_KEYS or key in ("primary_contact", "doctor") else []
        region = self.query_one(BoardGrid).cursor_cell_region()
        width = max(region.width, 36)
        offset = (min(region.x, max(0, self.size.width - width)), region.y)
        editor = self.query_one(CellEditor)
        editor.open(text, label=label, choices=choices, initials=initials, width=width, offset=offset)
        self.query_one(KeyBar).show_instead(editor.key_bar_bindings)
        if problem is not None:
            editor.show_error(problem)

    # -- saving --------------------------------------------------------------------------------------------------

    @on(CellEditor.Save)
    def _save_from_editor(self, message: CellEditor.Save) -> None:
        if self.editing is None or self._warned_of_unknown_initials(message):
            return
        try:
            self._save_cell(message.text)
        except FactBoardError as error:
            message.editor.show_error(str(error))
            return
        self._close_editor()
        grid = self.query_one(BoardGrid)
        if message.move > 0:
            grid.action_cursor_next_cell()
        elif message.move < 0:
            grid.action_cursor_previous_cell()

    def _warned_of_unknown_initials(self, message: CellEditor.Save) -> bool:
        """Initials nobody on the team has make a visit nobody makes: warn once, offering the closest member
        (ctrl+f), and save as typed when the person saves the same text again."""
        assert self.editing is not None
        team = self.feed.staff_initials
        if self.editing["key"] not in INITIALS_KEYS or not team or self.editing.get("confirmed") == message.text:
            return False
        staff, colon, note = message.text.partition(":")
        unknown = unknown_initials(staff, team)
        if not unknown:
            return False
        self.editing["confirmed"] = message.text
        fixable = any(item.closest for item in unknown)
        then = (
            _("Save again to keep it as typed, or ctrl+f for the closest.")
            if fixable
            else _("Save again to keep it as typed.")
        )
        message.editor.show_error(f"{unknown_warning(unknown)} {then}")
        message.editor.offer_fix(with_closest(staff, unknown) + colon + note if fixable else None)
        return True

    @on(CellEditor.Cancel)
    def _cancel_editor(self) -> None:
        self._close_editor()

    def _close_editor(self) -> None:
        self.editing = None
        self.query_one(CellEditor).close()
        self.query_one(KeyBar).show_instead(None)
        self.call_after_refresh(self._reopen_failed_edit)

    def _finish_long_edit(self, text: str | None) -> None:
        if text is not None and self.editing is not None:
            self._save_cell(text)  # already validated by the dialog
        self.editing = None
        self.call_after_refresh(self._reopen_failed_edit)

    def _save_cell(self, text: str) -> None:
        """Validate (raises `FactBoardError`), then the feed shows the value at once and queues its write."""
        assert self.editing is not None
        editing = self.editing
        row_id, key, force = editing["row_id"], editing["key"], bool(editing.get("force"))
        row = self.feed.row(row_id)
        if key == "children" and row is not None:  # `Ja, 2 st`: the yes/no and its note, one action
            head, note = F.split_children(text)
            action = uuid.uuid4().hex
            self.feed.validate("children", head)
            self.feed.validate("children_note", note or "")
            self.feed.save_cell(row_id, key, head, editing["original"], force=force, action=action)
            if (note or None) != (row.children_note or None):
                self.feed.save_cell(row_id, "children_note", note or "", row.children_note, force=force, action=action)
            return
        self.feed.save_cell(row_id, key, text, editing["original"], force=force)

    # -- a write that was refused ------------------------------------------------------------------------------

    def on_cell_refused(self, refused: CellRefused) -> None:
        """A cell's write was refused (made here or in the meeting): ask whose value stays, or give it back."""
        if refused.conflict:
            self._ask_whose_value(refused)
            return
        self.failed_edits.append(refused)  # the feed already reads back what is really stored
        if self.app.screen is not self:  # made from the meeting, say: say so there, the editor waits here
            label = self.feed.field_label(refused.write.key)
            message = _("Not saved ({field}): {reason} It waits on the board.").format(
                field=label, reason=refused.reason
            )
            self.notify(message, severity="error", timeout=30, markup=False)
        self._reopen_failed_edit()

    def _reopen_failed_edit(self) -> None:
        """Open the editor again over the oldest cell whose write failed, with what was typed and why it was not
        saved; waits while another cell is edited or a dialog is open."""
        if not self.failed_edits or self.editing is not None or self.app.screen is not self or self.feed.closing:
            return
        failed = self.failed_edits.pop(0)
        write = failed.write
        row = self.feed.row(write.row_id)
        label = self.feed.field_label(write.key)
        if row is None:  # taken off meanwhile: nothing left to edit, but say what was not saved
            message = _("Not saved ({field}: {value}): {reason}").format(
                field=label, value=write.text, reason=failed.reason
            )
            self.notify(message, severity="error", timeout=30, markup=False)
            self.call_after_refresh(self._reopen_failed_edit)
            return
        self.query_one(BoardGrid).move_cursor(row_key=str(write.row_id), column_key=write.key)
        self._open_editor(
            row,
            write.key,
            write.text,
            write.original,
            _("Not saved: {reason}").format(reason=failed.reason),
            write.force,
        )

    def _ask_whose_value(self, refused: CellRefused) -> None:
        self.feed.reload()  # the stored value shows while the person decides, not theirs as if it were saved

        def decided(use_mine: object) -> None:
            if use_mine:
                self.feed.write_cell(replace(refused.write, original=None, force=True))
            else:
                self.feed.reload()  # drop the value shown before the conflict

        self.app.push_screen(ConflictDialog(refused.reason, refused.write.text), decided)

    def warn_if_edited_elsewhere(self) -> None:
        """Tell the person editing a cell that someone else just changed it (before they save)."""
        if self.editing is None:
            return
        row = self.feed.row(self.editing["row_id"])
        if row is None:
            return
        current, now_text = self.feed.cell_value(row, self.editing["key"])
        editor = self.query_one(CellEditor)
        if current != self.editing["original"] and editor.is_open:
            editor.show_error(
                _("Changed by someone else meanwhile, now '{value}': saving asks whose stays.").format(
                    value=now_text or "—"
                )
            )
