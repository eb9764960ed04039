"""Type-ahead: keys typed faster than the screen reacts go where the person meant them, in order.

Textual hands every key to whatever has the focus when the app reads it. But a key's effect often comes later:
Enter in a field posts `Submitted`, which moves the focus a few messages on; Tab runs its binding only once the
key has bubbled back up to the app; `a` pushes a form whose fields mount a few messages on. Keys read in the same
burst (a password manager's `passphrase Enter initials Enter`, a nurse's `Tab Tab kro+csa`) used to be handed out
before those effects, so they landed in the old field, on the board under a form, or nowhere.

So the app hands out one key at a time: it forwards a key, then waits until the screen has settled (every node
of the app and the active screen has worked through its messages, and neither the screen nor the focus changed
during the last round) before it forwards the next one. While the app works on something whose outcome decides
where keys go (an unlock in a worker), a screen can `hold` the keys and `release` them afterwards. A single key
with nothing queued goes out at once; the settling costs a round of callbacks, not a timer.

A round posts its callback only to the nodes that are busy: a node whose message loop waits for its next message,
with nothing queued, has nothing to work through, and the callback would only wake it. On the board that is all
but two or three of its eighteen nodes. Posting to every node cost 2-3 ms of each key's 6-13 ms (two rounds of
eighteen callbacks, each a message, an idle event and a signature lookup; measured with bench_app's TUI child at
200x50: page down median 12.3 ms, 9.4 ms without the rounds), which put page down over a frame (issue 15).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App

if TYPE_CHECKING:
    from textual._queue import Queue
    from textual.dom import DOMNode
    from textual.message_pump import MessagePump
    from textual.widget import Widget

MAX_ROUNDS = 40
"""Rounds of callbacks after which a key counts as handled even if something keeps posting messages (a clock)."""


class TypeAhead:
    """The app's queue of keys typed ahead: `receive` each key the terminal sends, `hold`/`release` around work
    whose outcome decides where the keys go."""

    def __init__(self, app: App[None], forward: Callable[[events.Key], Awaitable[None]]) -> None:
        self.app = app
        self.forward = forward
        """The app's own handling of a key (an async callable taking the key)."""
        self.waiting: deque[events.Key] = deque()
        self.in_flight = False
        """A key was forwarded and the screen has not settled since."""
        self.holds = 0
        self.rounds = 0

    @property
    def busy(self) -> bool:
        """Whether keys typed now would wait (a key in flight, keys waiting, or held)."""
        return self.in_flight or bool(self.waiting) or self.holds > 0

    async def receive(self, key: events.Key) -> None:
        """A key from the terminal: forward it now, or queue it behind the keys still in flight."""
        self.waiting.append(key)
        await self._next()

    def hold(self) -> None:
        """Keep the keys typed from now on until `release` (nested holds count)."""
        self.holds += 1

    def release(self) -> None:
        """Let the held keys go, once the screen has settled."""
        self.holds = max(0, self.holds - 1)
        if not self.holds and not self.in_flight:
            self._settle()

    async def _next(self) -> None:
        if self.in_flight or self.holds or not self.waiting:
            return
        key = self.waiting.popleft()
        self.in_flight = True
        self.rounds = 0
        try:
            await self.forward(key)
        finally:
            self._settle()

    def _settle(self) -> None:
        """One round: every node of the app and the active screen runs a callback after what it has queued."""
        self.in_flight = True
        try:
            screen = self.app.screen
        except Exception:  # no screen (closing): nothing to wait for
            self._settled()
            return
        focused = self.app.focused
        nodes: list[MessagePump] = [self.app, *screen.walk_children(with_self=True)]
        pending = 0

        def one_done() -> None:
            nonlocal pending
            pending -= 1
            if pending == 0:  # once the node that ran this is back waiting for messages
                asyncio.get_running_loop().call_soon(self._after_round, screen, focused, nodes)

        for node in nodes:
            if busy(node) and node.call_later(one_done):
                pending += 1
        if pending == 0:
            self._settled()

    def _after_round(self, screen: DOMNode, focused: Widget | None, nodes: list[MessagePump]) -> None:
        """`_round_done`, straight from the event loop: a failure ends the app as in any handler."""
        try:
            self._round_done(screen, focused, nodes)
        except Exception as error:
            self.app._handle_exception(error)

    def _round_done(self, screen: DOMNode, focused: Widget | None, nodes: list[MessagePump]) -> None:
        self.rounds += 1
        try:
            now = self.app.screen
            same = now is screen and self.app.focused is focused
            current: list[MessagePump] = [self.app, *now.walk_children(with_self=True)]
        except Exception:  # the screen went (the app is closing)
            same, current = True, nodes
        # Settled: the same screen, focus and widgets as when the round began (a widget mounted by the key, like
        # the meeting's triage editor, takes the focus a few messages on), and nothing queued anywhere.
        quiet = same and current == nodes and not any(busy(node) for node in current)
        if quiet or self.rounds >= MAX_ROUNDS or not self.app.is_running:
            self._settled()
        else:
            self._settle()

    def _settled(self) -> None:
        self.in_flight = False
        if self.waiting and not self.holds and self.app.is_running:
            self.app.call_later(self._next)


def busy(node: MessagePump) -> bool:
    """Whether `node` has messages to work through or is working on one: anything but a message loop waiting for
    its next message with nothing queued (a node that is closing or closed will never work through any). Reads
    Textual's private message queue (pinned below 9: a deque and the `asyncio.Event` its loop waits on)."""
    if node._closing or node._closed:
        return False
    queue: Queue[Any] = node._message_queue
    waiting = bool(queue.ready_event._waiters)  # type: ignore[attr-defined]  # the loop's wait for a message
    return node._pending_message is not None or not queue.empty() or not waiting


class KeysInOrderApp(App[None]):
    """An app whose keys from the terminal go out one at a time through a `TypeAhead` (FactBoard's app, and the
    bare app the tests show one screen in)."""

    def __init__(self) -> None:
        super().__init__()
        self.type_ahead = TypeAhead(self, self._forward_key)
        """Keys typed ahead of the screen, handed out one at a time."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            await self.type_ahead.receive(event)  # each key goes where the one before it left the focus
            return
        await super().on_event(event)

    async def _forward_key(self, key: events.Key) -> None:
        """Textual's own handling of a key read from the terminal (priority bindings, then the focus)."""
        await super().on_event(key)


def hold_keys(app: App[Any]) -> None:
    """Keep the keys typed from now on (in an app that orders them) until `release_keys`."""
    if isinstance(app, KeysInOrderApp):
        app.type_ahead.hold()


def release_keys(app: App[Any]) -> None:
    """Let the keys held by `hold_keys` go where the screen now sends them."""
    if isinstance(app, KeysInOrderApp):
        app.type_ahead.release()
