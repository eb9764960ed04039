"""Boards made once per test process and copied, instead of made again in every test.

Making a board costs Argon2id (even at its floor) and every migration, and the demo board its writes: about a second
each time. A test that only needs *a* board, not the making of one, gets a byte-for-byte copy of one made earlier in
the same process, with the raw key, so it can open it without Argon2id too. Every copy shares the original's board
id, site identity and key: only tests that do not sync copies with each other, nor care whose board it is, use them.
The folder is set by a session fixture in conftest.py (each xdist worker has its own).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from helpers.boards import MONDAY_MORNING, NOW, PASSPHRASE

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board

FOLDER: Path | None = None
"""Where the originals live (set once per session by conftest.py)."""

_made: dict[tuple[str, str, str], tuple[Path, bytes]] = {}


def _original(kind: str, moment: datetime, template: str) -> tuple[Path, bytes]:
    """The original board of this kind, made the first time it is asked for; its path and raw key."""
    found = _made.get((kind, moment.isoformat(), template))
    if found is not None:
        return found
    assert FOLDER is not None, "the prepared-boards folder is set by a session fixture in conftest.py"
    folder = FOLDER / f"{kind}-{template}-{moment:%Y%m%dT%H%M}"
    path = folder / "board.db"
    if kind == "demo":
        board = create_demo_board(path, clock=frozen_clock(moment), template_id=template)
        key = Board.read_slot(path).unwrap(DEMO_PASSPHRASE)
    else:
        board, key = Board.create(path, PASSPHRASE, template_id=template, team="FACT Test", clock=frozen_clock(moment))
    board.close()  # checkpointed: the database file alone holds everything
    _made[(kind, moment.isoformat(), template)] = (path, key)
    return path, key


def _copy(original: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", ".keyslot"):
        # copy2: with its mode (owner only, as FactBoard made it) and times, so the copy is what `init` leaves
        shutil.copy2(original.with_name(original.name + suffix), target.with_name(target.name + suffix))


def demo(target: Path, moment: datetime = MONDAY_MORNING, template: str = "sv") -> bytes:
    """A copy of the demo board (`factboard demo`, made at `moment`) at `target`; returns its raw key. Its passphrase
    is `DEMO_PASSPHRASE`."""
    original, key = _original("demo", moment, template)
    _copy(original, target)
    return key


def blank(target: Path, moment: datetime = NOW, template: str = "sv") -> bytes:
    """A copy of a new, empty board of team "FACT Test" (made at `moment`) at `target`; returns its raw key. Its
    passphrase is `PASSPHRASE`."""
    original, key = _original("blank", moment, template)
    _copy(original, target)
    return key
