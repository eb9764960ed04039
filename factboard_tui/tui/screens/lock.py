"""The lock screen: covers the whole app, shows nothing from the board, and asks for the passphrase.

A board on a wall screen or an unattended laptop locks itself after `idle_lock_minutes` without a key press, and
at once on ctrl+l. The board stays open underneath (edits queued before the lock still reach the database, a
meeting's clock keeps running), but nothing of it is drawn until the team's passphrase unwraps the key slot again;
that check runs in a worker, since Argon2id takes a few hundred milliseconds by design.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from factboard_tui.core.errors import FactBoardError, WrongPassphrase
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.paths import key_slot_path
from factboard_tui.core.security.audit_words import UNLOCKED, WRONG_ON_LOCK_SCREEN, stored
from factboard_tui.core.security.keys import UnlockAttempts
from factboard_tui.core.store.board import Board
from factboard_tui.shown import shown
from factboard_tui.tui.feed import BoardFeed


class LockScreen(Screen[None]):
    """Nothing but a passphrase field; dismissed when the passphrase opens the board's key slot."""

    AUTO_FOCUS = "#lock-passphrase"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q", "app.quit", N_("Quit"), id="lock.quit", tooltip=N_("Close FactBoard (the board stays encrypted)")
        ),
    ]

    @dataclass
    class Checked(Message):
        """The passphrase check finished: `error` is None when it opened the key slot."""

        error: str | None

    def __init__(self, path: Path, user: str | None, feed: BoardFeed | None = None) -> None:
        super().__init__(id="lock-screen")
        self.path = path
        self.user = user
        self.feed = feed
        """The open board underneath: the lock screen's outcomes go into its audit log."""

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="lock-box"):
            yield Static(_("FactBoard is locked"), id="lock-title")
            hint = (
                _("Type the team's passphrase to go on (signed in: {user}).").format(user=self.user)
                if self.user
                else _("Type the team's passphrase to go on.")
            )
            yield Static(shown(hint), id="lock-hint")
            yield Label(_("Passphrase"))
            yield Input(password=True, id="lock-passphrase", placeholder=_("the team's passphrase"))
            yield Static("", id="lock-error")

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value:
            self.query_one("#lock-error", Static).update(_("Type the passphrase."))
            return
        self.query_one("#lock-error", Static).update(_("Checking…"))
        self.check(event.value)

    @work(thread=True, exclusive=True, group="lock", name="check passphrase")
    def check(self, passphrase: str) -> None:
        """Unwrap the key slot with the passphrase, off the UI thread (the key itself is thrown away)."""
        attempts = UnlockAttempts(self.path, self.app.clock)  # type: ignore[attr-defined]
        try:
            # The same count and wait as unlocking (and the same re-wrap of a slot from before NFC).
            attempts.unwrap(Board.read_slot(self.path), passphrase, key_slot_path(self.path))
        except FactBoardError as error:
            if isinstance(error, WrongPassphrase):
                self._audit("unlock failed", stored(WRONG_ON_LOCK_SCREEN))
            self.post_message(self.Checked(str(error)))
            return
        attempts.succeeded()
        self._audit("unlock", stored(UNLOCKED, via="lock screen"))
        self.post_message(self.Checked(None))

    def _audit(self, action: str, detail: str) -> None:
        """Enter the lock screen's outcome in the audit log (the board stays open underneath, so it can)."""
        if self.feed is not None:
            self.feed.audit_event(action, detail=detail)

    def on_lock_screen_checked(self, message: Checked) -> None:
        if message.error is None:
            self.dismiss(None)
            return
        self.query_one("#lock-error", Static).update(shown(message.error))
        field = self.query_one("#lock-passphrase", Input)
        field.value = ""
        field.focus()
