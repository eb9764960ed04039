"""The unlock screen: the passphrase (hidden) and who is at the keyboard.

It shows nothing from the board. Argon2id takes a few hundred milliseconds by design, so the unlock runs in a
thread worker while the screen stays responsive; a wrong passphrase or a damaged file is shown in one line and
nothing is written.

Before the screen takes any input it finishes (or undoes) a re-key, restore or backup that was cut off, which
needs no passphrase (`core.security.recovery.recover_board`), and says above the fields what was done.

The screen is drawn before the database layer is imported (SQLAlchemy, SQLModel and SQLCipher cost more than
Textual itself): it imports them in a worker right after its first frame, while the passphrase is typed (STYLE.md
habit 17; `tests/tui/test_start_imports.py` keeps it so).
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Static

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.core.security.recovery import recover_board
from factboard_tui.shown import shown
from factboard_tui.tui.messages import Unlocked, UnlockFailed
from factboard_tui.tui.typeahead import hold_keys, release_keys


class UnlockScreen(Screen[None]):
    """Asks for the passphrase and the user's initials, then unlocks the board in a worker."""

    AUTO_FOCUS = "#passphrase"

    def __init__(
        self,
        path: Path,
        user: str | None = None,
        remembered: str | None = None,
        notes: list[str] | None = None,
        *,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.error = error
        """Why the board was closed again (its whole-file check failed): shown at once; the next unlock checks every
        page before it shows anything."""
        self.path = path
        self.user = user
        self.remembered = remembered
        """The initials last used on this machine: filled in, but still asked (a laptop may be shared)."""
        self.notes = list(notes or [])
        """What the start finished or undid before asking anything (an operation that was cut off)."""

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="unlock-box"):
            yield Static(_("FactBoard"), id="unlock-title")
            yield Static(shown(_("Board: {name}").format(name=self.path.name)), id="unlock-board")
            yield Static("", id="unlock-notes")
            yield Label(_("Passphrase"))
            yield Input(password=True, id="passphrase", placeholder=_("the team's passphrase"))
            if self.user is None:
                yield Label(_("Who is editing (your initials)"))
                yield Input(self.remembered or "", id="initials", placeholder=_("e.g. CSA"), max_length=6)
            yield Static("", id="unlock-error")
        yield Footer()

    def on_mount(self) -> None:
        try:  # before any key reaches the fields: renames only, no passphrase, a few milliseconds
            self.notes += recover_board(self.path)
        except FactBoardError as error:
            self.show_error(str(error))
        notes = self.query_one("#unlock-notes", Static)
        notes.update(shown("\n".join(self.notes)))
        notes.display = bool(self.notes)
        if self.error is not None:
            self.show_error(self.error)
        self.call_after_refresh(self.prepare_database_layer)  # after the first frame: the prompt comes first

    @work(thread=True, group="prepare", name="prepare the database layer")
    def prepare_database_layer(self) -> None:
        """While the person types, import the database layer and do its one-time set-up (the first read would
        otherwise pay for both), and read the month names the board's first frame shows."""
        from factboard_tui.core import locale_dates
        from factboard_tui.core.store.engine import prepare_reads
        from factboard_tui.tui.screens import (
            board,  # noqa: F401 - the screen the unlock opens
            lock,  # noqa: F401 - and the one ctrl+l puts over it
        )

        prepare_reads()
        locale_dates.prepare()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        """Enter in either field: move on to the initials, or unlock."""
        passphrase = self.query_one("#passphrase", Input).value
        initials_input = self.query("#initials")
        if event.input.id == "passphrase" and initials_input and not initials_input.first(Input).value:
            # Focus at once (not via call_later) so initials typed ahead land in the initials field.
            self.set_focus(initials_input.first(Input))
            return
        user = self.user or (initials_input.first(Input).value if initials_input else "")
        try:
            from factboard_tui.core.domain.fields import parse_initials  # the field rules load behind the prompt

            user = parse_initials(user, "author", _("Your initials"))
        except FactBoardError as error:
            self.show_error(str(error))
            return
        if not passphrase:
            self.show_error(_("Type the passphrase."))
            self.query_one("#passphrase", Input).focus()
            return
        self.show_error(_("Unlocking…"))
        hold_keys(self.app)  # keys typed while it unlocks go to the board (or back here, if it fails)
        self.unlock(passphrase, user)

    @work(thread=True, exclusive=True, group="unlock", name="unlock board")
    def unlock(self, passphrase: str, user: str) -> None:
        """Derive the key and open the database, off the UI thread."""
        from factboard_tui.core.store.board import Board
        from factboard_tui.tui.row_store import first_read

        try:
            board = Board.unlock(
                self.path,
                passphrase,
                clock=self.app.clock,  # type: ignore[attr-defined]
                integrity=self.error is not None,  # else checked in the background once the board is drawn
                user=user,
                via="tui",
            )
        except FactBoardError as error:
            self.post_message(UnlockFailed(str(error)))
            return
        try:  # the first read here, so the board's first frame already shows the rows
            loaded = first_read(board)
            if self.error is not None:
                board.record_unlock()  # every page verified (else the feed enters it once they have)
        except FactBoardError as error:
            board.close()
            self.post_message(UnlockFailed(str(error)))
            return
        self.post_message(Unlocked(board, user, loaded, checked=self.error is not None))

    def on_unlock_failed(self, message: UnlockFailed) -> None:
        self.show_error(message.reason)
        passphrase = self.query_one("#passphrase", Input)
        passphrase.value = ""
        passphrase.focus()
        release_keys(self.app)

    def on_unlocked(self, message: Unlocked) -> None:
        message.stop()
        self.app.post_message(Unlocked(message.board, message.user, message.first_read, message.checked))

    def show_error(self, text: str) -> None:
        self.query_one("#unlock-error", Static).update(shown(text))
