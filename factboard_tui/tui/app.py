"""The FactBoard Textual application: unlock, then the board.

The app owns the open `Board`, the signed-in user and the `BoardFeed` through which every screen reads and writes
the board (see `tui/feed.py`); screens do the work. Given an already unlocked board (the demo) it goes straight
to the board; given a passphrase (scripts) it unlocks without asking.

The app also owns the lock: after `idle_lock_minutes` without a key press or click (by the app's clock, so tests
move it by hand), or at once on ctrl+l, a lock screen covers every screen and shows no board data until the
passphrase is typed again.

A crash (an error in FactBoard itself) ends the app with `crash.record`'s account: where it happened, never the
values that were on screen or in memory (Textual's own crash screen shows local variables).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.notifications import SeverityLevel
from textual.worker import WorkerFailed

from factboard_tui.core.clock import Clock, system_clock
from factboard_tui.core.domain.characters import inert
from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import N_, _, current_language, speak_for_board
from factboard_tui.settings import Settings, save_theme, save_user
from factboard_tui.tui import i18n
from factboard_tui.tui.commands import FactBoardCommands, PaletteCommand
from factboard_tui.tui.heap import QuietCollector
from factboard_tui.tui.palette import FactBoardPalette
from factboard_tui.tui.screens.help import HelpScreen
from factboard_tui.tui.screens.unlock import UnlockScreen
from factboard_tui.tui.themes import ThemeFile, find_theme, load_themes, next_theme
from factboard_tui.tui.typeahead import KeysInOrderApp, release_keys

if TYPE_CHECKING:  # the database layer loads while the passphrase is typed, never before the first frame
    from textual.driver import Driver

    from factboard_tui.core.store.board import Board
    from factboard_tui.tui.feed import BoardFeed
    from factboard_tui.tui.messages import Unlocked
    from factboard_tui.tui.row_store import BoardRead
    from factboard_tui.tui.screens.board import BoardScreen

BACKUP_DELAY = 2.0
"""Seconds after unlocking before the daily backup starts (the board's first frames come first)."""

DEFAULT_THEME = "factboard-laptop"
"""The theme when the config names none (or one that is not installed)."""

TICK_SECONDS = 15.0
"""The app's one timed check, for everything that waits on the clock: the idle lock, a full collection of the heap
at a quiet moment, whether the open board is still current (greyed out 30-45 s after the last good read), and the
sites heard. Each wake of an idle app costs 3-10 ms of CPU on a quiet machine (a cold CPU: each thread's schedstat),
so there is one tick, not a timer per check (issue 15: an idle app's CPU, budget 300 ms a minute)."""

LOCKED_OUT_ACTIONS = frozenset({"help", "command_palette", "next_theme", "lock"})
"""App actions that would show or change something behind the lock screen: refused while locked."""


class FactBoardApp(KeysInOrderApp):
    """The terminal face of FactBoard (keys typed ahead go out in order: `tui/typeahead.py`)."""

    CSS_PATH = "styles/factboard.tcss"
    TITLE = "FactBoard"
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {FactBoardCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "q,ctrl+q",
            "quit",
            N_("Quit"),
            id="app.quit",
            tooltip=N_("Close FactBoard (the board stays encrypted on disk)"),
        ),
        Binding(
            "f1,question_mark",
            "help",
            N_("Keys"),
            id="app.help",
            tooltip=N_("Every key on this screen and how to remap it"),
        ),
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commands"),
            id="app.palette",
            show=False,
            tooltip=N_("Search the commands that apply here"),
        ),
        Binding(
            "ctrl+t",
            "next_theme",
            N_("Theme"),
            id="app.theme",
            show=False,
            tooltip=N_("Next theme: wall, laptop, high contrast, light"),
        ),
        Binding(
            "ctrl+l",
            "lock",
            N_("Lock"),
            id="app.lock",
            show=False,
            tooltip=N_("Lock now: nothing of the board shows until the passphrase is typed"),
        ),
    ]

    def __init__(
        self,
        path: Path,
        *,
        board: Board | None = None,
        user: str | None = None,
        passphrase: str | None = None,
        clock: Clock = system_clock,
        settings: Settings | None = None,
        themes: list[ThemeFile] | None = None,
        meeting: bool = False,
        notes: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.path = path
        self.board = board
        self.user = user
        self.passphrase = passphrase
        self.clock: Clock = clock
        self.settings = settings or Settings()
        self.theme_files = load_themes() if themes is None else themes
        for theme_file in self.theme_files:
            self.register_theme(theme_file.theme)
        theme, self._missing_theme = self._starting_theme()
        self._start_in_theme(theme)
        self.start_meeting = meeting
        """Start the morning meeting as soon as the board is open (`factboard open --meeting`)."""
        self.notes = notes or []
        """What the start finished or undid before the app began (shown on the unlock screen)."""
        self.last_input: datetime = clock()
        """When someone last pressed a key or clicked: the idle lock counts from here."""
        self.feed: BoardFeed | None = None
        """The open board for the screens, once it is unlocked."""
        self.heap = QuietCollector()
        self._tick_handle: asyncio.TimerHandle | None = None
        """Runs Python's full collections between keys, never while someone types (`tui/heap.py`)."""

    def on_mount(self) -> None:
        i18n.speak(current_language(), self)
        self.set_keymap(self.settings.keys)
        self._warn_about_keymap()
        self._say_missing_theme()
        self.heap.start()
        self._schedule_tick()
        if self.board is not None and self.user:
            self.board.actor = self.user
            i18n.speak(speak_for_board(self.board.template.language), self)
            self._show_board(self._open_feed(self.board, self.user, None), switch=False)
            if self.board.audit_warning is not None:
                self.warn_audit(self.board.audit_warning)
            return
        unlock = UnlockScreen(self.path, self.user, remembered=self.settings.user, notes=self.notes)
        self.push_screen(unlock)
        if self.passphrase and self.user:
            unlock.unlock(self.passphrase, self.user)

    def _warn_about_keymap(self) -> None:
        """Say what in the config's `[keys]` does nothing or takes a key from another binding (once, at start)."""
        if not self.settings.keys:
            return
        from factboard_tui.tui.keymap_check import bindings_by_owner, keymap_problems

        for problem in keymap_problems(self.settings.keys, bindings_by_owner()):
            self.notify(problem, severity="warning", timeout=20, markup=False)

    def on_unlocked(self, message: Unlocked) -> None:
        """Swap the unlock screen for the board."""
        self.board = message.board
        self.user = message.user
        i18n.speak(speak_for_board(message.board.template.language), self)
        feed = self._open_feed(message.board, message.user, message.first_read, verify=not message.checked)
        self._show_board(feed, switch=True)
        release_keys(self)  # keys typed while it unlocked go to the board
        self.last_input = self.clock()
        if self.settings.backups.daily:
            self.set_timer(BACKUP_DELAY, self.daily_backup, name="daily backup soon")
        if message.user != self.settings.user:
            self.settings = replace(self.settings, user=message.user)
            self._remember(save_user, message.user)
        if message.board.audit_warning is not None:
            self.warn_audit(message.board.audit_warning)

    def _board_damaged(self, error: FactBoardError) -> None:
        """The whole-file check failed: close the board, take every screen of it away and show why on the unlock
        screen (whose next unlock checks every page before it shows anything). Nothing was written meanwhile: the
        writer checked the pages first."""
        feed = self.feed
        if feed is None:
            return
        self.clear_notifications()
        self.feed = None
        self.board = None
        feed.stop()
        self.call_later(self._back_to_unlock, str(error))

    async def _back_to_unlock(self, error: str) -> None:
        """Every screen of the board away, each removal finished before the next (the board's own screen may still
        be arriving when the check fails), then the unlock screen saying why."""
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        await self.push_screen(UnlockScreen(self.path, self.user, remembered=self.settings.user, error=error))

    def warn_audit(self, problem: str) -> None:
        """Say that the audit log does not verify (it stays as it is: nothing is overwritten)."""
        self.notify(
            _("The audit log does not verify: {problem}. Run `factboard audit verify`.").format(problem=problem),
            title=_("Audit log"),
            severity="warning",
            timeout=60,
            markup=False,
        )

    def daily_backup(self) -> None:
        """The first unlock of a day backs the board up (encrypted) and checks the whole audit log, once the
        board is on screen (through the feed's writer, after any edit already made)."""
        if self.feed is None or self.board is None:
            return
        backups = self.settings.backups
        warned = self.board.audit_warning

        def done(outcome: tuple[Path | None, str | None]) -> None:
            made, warning = outcome
            if warning is not None and warning != warned:
                self.warn_audit(warning)
            if made is not None:
                self.notify(_("First unlock today: backed up to {path}").format(path=made))

        from factboard_tui.tui.feed import Reply

        reply = Reply(done=done, prefix=_("Today's backup failed: "), severity="warning")
        self.feed.daily_backup(backups.directory_for(self.feed.path), backups.keep, reply)

    def _open_feed(self, board: Board, user: str, first_read: BoardRead | None, *, verify: bool = False) -> BoardFeed:
        """Start the board's feed: its writer, its first full read (unless `first_read` is one) and its poll; with
        `verify`, the writer checks every page first (the rows are on screen meanwhile: each page read so far was
        verified as it was read)."""
        from factboard_tui.tui.feed import BoardFeed
        from factboard_tui.tui.sync_rounds import SyncRounds

        self.feed = BoardFeed(board, user, first_read)
        self.feed.start(self, verify=self._board_damaged if verify else None)
        SyncRounds(self.feed, self.settings.sync).start(self)  # only with a [sync] folder in the config
        return self.feed

    def _show_board(self, feed: BoardFeed, *, switch: bool) -> None:
        from factboard_tui.tui.screens import lock  # noqa: F401 - shown over the board (ctrl+l, idle)
        from factboard_tui.tui.screens.board import BoardScreen

        i18n.translate_classes()  # the board's classes load after the prompt: their bindings in the board's language
        screen = BoardScreen(feed)
        if switch:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        if self.start_meeting:
            self._start_meeting(screen)

    def _start_meeting(self, screen: BoardScreen) -> None:
        """Open meeting mode over the board (once)."""
        self.start_meeting = False
        screen.action_meeting()

    async def action_quit(self) -> None:
        """Quit; while a meeting runs unstored, ask first (ending it with e stores its minutes)."""
        from factboard_tui.tui.dialogs.confirm import ConfirmDialog
        from factboard_tui.tui.screens.meeting import MeetingScreen

        if not any(isinstance(screen, MeetingScreen) and screen.running for screen in self.screen_stack):
            self.exit()
            return

        def decided(yes: object) -> None:
            if yes:
                self.exit()

        question = _("A meeting is running and is not stored yet: quit without its minutes? (e ends and stores it)")
        self.push_screen(ConfirmDialog(question, _("Quit anyway"), risky=True), decided)

    # -- the lock ------------------------------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key | events.MouseDown | events.MouseScrollDown | events.MouseScrollUp):
            self.last_input = self.clock()
            self.heap.touched()
        await super().on_event(event)

    @property
    def locked(self) -> bool:
        """Whether the lock screen is up (never before a board is open: the unlock screen shows nothing)."""
        if self.board is None:
            return False
        from factboard_tui.tui.screens.lock import LockScreen

        return any(isinstance(screen, LockScreen) for screen in self.screen_stack)

    def _schedule_tick(self) -> None:
        """The next tick in `TICK_SECONDS`, straight from the event loop: cold, a Textual timer's tick cost twice a
        bare callback's (its task, its message, and the message loop's idle round: 30 against 16 ms of CPU)."""
        self._tick_handle = asyncio.get_running_loop().call_later(TICK_SECONDS, self._on_tick)

    def _on_tick(self) -> None:
        self._schedule_tick()
        try:
            self._tick()
        except Exception as error:  # a bug: it ends the app, as in any handler
            self._handle_exception(error)

    def _tick(self) -> None:
        """The idle lock's check, the open board's (`BoardFeed.tick`), and the heap's full collection if one is due
        and nobody is typing."""
        self.lock_if_idle()
        if self.feed is not None:
            self.feed.tick()
        self.heap.collect_if_quiet()

    def lock_if_idle(self) -> None:
        """Lock when nobody has touched the keyboard or mouse for `idle_lock_minutes`."""
        idle = self.clock() - self.last_input
        if idle >= timedelta(minutes=self.settings.idle_lock_minutes):
            self.action_lock()

    def action_lock(self) -> None:
        """Cover everything with the lock screen (only once a board is open: the unlock screen shows nothing)."""
        if self.board is None or self.locked:
            return
        from factboard_tui.core.security.audit_words import LOCKED, stored  # after the prompt (OPEN_LATER)
        from factboard_tui.tui.screens.lock import LockScreen

        self.clear_notifications()  # a toast may name a client or a value
        self.push_screen(LockScreen(self.path, self.user, self.feed), self._unlocked_again)
        if self.feed is not None:
            self.feed.audit_event("lock", detail=stored(LOCKED))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Show a notification, except behind the lock (notifications can name clients and values).

        Never as markup, whatever the caller asks (`Widget.notify` asks for it by default): a notification is
        usually an error message, which may quote a value or a file name.
        """
        if self.locked:
            return
        super().notify(inert(message), title=inert(title), severity=severity, timeout=timeout, markup=False)

    def _unlocked_again(self, _result: object) -> None:
        self.last_input = self.clock()

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver, except in a terminal on Linux or macOS (and no driver named by `TEXTUAL_DRIVER`): there
        `QuietDriver`, whose input thread sleeps until a key comes instead of waking every 0.1 s."""
        from textual import constants

        if constants.DRIVER is None and sys.platform != "win32":
            from factboard_tui.tui.quiet_driver import QuietDriver

            return QuietDriver
        return super().get_driver_class()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Behind the lock, nothing but quitting and the passphrase."""
        return not (action in LOCKED_OUT_ACTIONS and self.locked)

    def on_unmount(self) -> None:
        if self._tick_handle is not None:
            self._tick_handle.cancel()
        self.heap.stop()
        if self.feed is not None:
            self.feed.stop()  # the writer finishes what is queued, then closes the board
        elif self.board is not None:
            self.board.close()

    # -- a crash ---------------------------------------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected error: exit showing `crash.record`'s short account instead of Textual's crash screen.

        Textual 8's `App._handle_exception` renders a traceback with every frame's local variables (it showed a
        passphrase and a client's situation); this does the same bookkeeping (exit code 1, the first error kept
        for `run_test` to raise, the app closed) with a text that holds no locals and no board data.
        """
        self._return_code = 1
        if self._exception is not None:
            return  # the first error is the one reported; the rest follow from it
        self._exception = error
        self._exception_event.set()
        cause = error.error if isinstance(error, WorkerFailed) and isinstance(error.error, Exception) else error
        self.bell()
        from factboard_tui import crash  # only now: it reads the versions (importlib.metadata) as it starts

        self._exit_renderables.append(Text(crash.record(cause, face="tui").text))
        self._close_messages_no_wait()

    # -- themes, keys, palette ---------------------------------------------------------------------------------------

    def _starting_theme(self) -> tuple[str, str | None]:
        """The theme to start in (the config's when it is installed, else the default), and the config's theme when
        it is not installed (said once the app runs: `_say_missing_theme`)."""
        wanted = self.settings.theme
        if wanted and wanted in self.available_themes:
            return wanted, None
        return (DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"), wanted or None

    def _say_missing_theme(self) -> None:
        if self._missing_theme:
            self.notify(
                _("Theme {wanted} from the config is not installed; using {theme}.").format(
                    wanted=repr(self._missing_theme), theme=self.theme
                ),
                severity="warning",
            )

    def _start_in_theme(self, name: str) -> None:
        """Take the starting theme before any style sheet is parsed. Setting `theme` once the app runs (as
        on_mount did) parses every style sheet again for the new variables, about 30 ms of the unlock prompt's
        first frame; this sets what Textual's theme watcher sets (its class, dark or light, the ANSI colour map, the
        variables) without it. `_refresh_truecolor_filter` is private in Textual, which pyproject pins."""
        self.set_reactive(FactBoardApp.theme, name)
        theme = self.current_theme
        self.set_class(True, f"-theme-{name}", update=False)
        self.set_class(theme.dark, "-dark-mode", update=False)
        self.set_class(not theme.dark, "-light-mode", update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    @property
    def theme_file(self) -> ThemeFile | None:
        """The current theme's board settings (`privacy`, `row_spacing`), when it is one of FactBoard's."""
        return find_theme(self.theme_files, self.theme)

    def use_theme(self, name: str) -> None:
        """Switch theme and remember it on this machine."""
        self.theme = name
        self.settings = replace(self.settings, theme=name)
        self._remember(save_theme, name)

    def _remember(self, save: Callable[[str], None], value: str) -> None:
        """Write one setting; a config that cannot be written is a warning, never a crash."""
        try:
            save(value)
        except FactBoardError as error:
            self.notify(str(error), severity="warning")

    def action_next_theme(self) -> None:
        self.use_theme(next_theme(self.theme))

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_command_palette(self) -> None:
        """Textual's palette in the team's language (`tui/palette.py`)."""
        if self.use_command_palette and not CommandPalette.is_open(self):  # type: ignore[arg-type]
            self.push_screen(FactBoardPalette())

    def palette_commands(self) -> list[PaletteCommand]:
        """App-wide commands for `FactBoardCommands`: themes, keys, quit."""
        commands = [
            PaletteCommand(
                _("theme: {name}").format(name=theme_file.name.removeprefix("factboard-").replace("-", " ")),
                _("Switch to the {theme} theme and remember it on this machine").format(theme=theme_file.name),
                partial(self.use_theme, theme_file.name),
            )
            for theme_file in self.theme_files
            if theme_file.name != self.theme
        ]
        commands.append(
            PaletteCommand(_("app: keys"), _("Every key on this screen and how to remap it"), self.action_help)
        )
        commands.append(
            PaletteCommand(_("app: lock now"), _("Hide the board until the passphrase is typed"), self.action_lock)
        )
        commands.append(
            PaletteCommand(_("app: quit"), _("Close FactBoard (the board stays encrypted on disk)"), self.exit)
        )
        return commands
