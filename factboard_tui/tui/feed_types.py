"""What the board feed (`tui/feed.py`) hands out and takes in: its announcements (`FeedChange`, `CellRefused`) and
where a job's outcome goes (`Reply`).

They stand apart from the feed so a screen, a dialog or a test can name them without the feed's machinery, and so
the feed module keeps to its threads and its store.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Generic, TypeVar

from factboard_tui.core.errors import FactBoardError
from factboard_tui.tui.board_jobs import CellWrite
from factboard_tui.tui.row_store import Move

if TYPE_CHECKING:
    from textual.dom import DOMNode
    from textual.notifications import SeverityLevel

T = TypeVar("T")


class ChangeKind(Enum):
    """What a `FeedChange` announces."""

    LOADED = "loaded"
    """A full read: every row may have changed (a new week, a reload, the first read)."""
    CHANGED = "changed"
    """The rows in `row_ids` were read back after a write (made here or by another process)."""
    EDITED = "edited"
    """A value was saved on screen in the row in `row_ids`; its write is queued."""
    STATUS = "status"
    """No row changed: `heard` (when each peer site's last bundle was written) was read again, or the board stopped
    or started again being current (`stale`)."""


@dataclass(frozen=True, slots=True)
class FeedChange:
    """The store changed: how, and which rows (for `CHANGED` and `EDITED`)."""

    kind: ChangeKind
    row_ids: frozenset[int] = frozenset()
    moves: tuple[Move, ...] = ()
    """For `CHANGED`: rows taken out and put in, in order (`row_store.Move`): a view mirroring the order follows."""
    version: int = 0
    """The store's `version` after these moves (a view that showed a later version has them already)."""


@dataclass(frozen=True, slots=True)
class CellRefused:
    """A cell's write was refused: `conflict` when someone else changed it first, else a fault (`reason` says)."""

    write: CellWrite
    reason: str
    conflict: bool


@dataclass(frozen=True, slots=True)
class Reply(Generic[T]):
    """Where a job's outcome goes: `done` with the result or `failed` with the refusal, each run on `on`'s message
    queue (the app's if None), and dropped if `on` is gone. Without `failed`, a refusal is one notification:
    `prefix` and the reason, at `severity`."""

    on: DOMNode | None = None
    done: Callable[[T], object] | None = None
    failed: Callable[[FactBoardError], object] | None = None
    prefix: str = ""
    severity: SeverityLevel = "error"
    keys_wait: bool = False
    """Keys typed meanwhile wait for the answer and the screen it leads to (never into a form still saving)."""


Job = Callable[[], None]
"""A job for the writer: a function that runs a board call and hands on its outcome."""


def hand(handler: Callable[[T], object], value: T) -> None:
    """Call a reply's handler, ignoring what it returns (`dismiss`, say, returns an awaitable that must not be
    awaited from the dismissed screen's own queue)."""
    handler(value)
