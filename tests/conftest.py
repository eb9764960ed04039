"""Fixtures only: real SQLCipher boards in `tmp_path`, the real CLI as a subprocess, Argon2id at its floor, a config
file of each test's own, steady screens for snapshots, and one Hypothesis profile. What tests share besides fixtures
lives in `tests/helpers/`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import hunting, prepared
from helpers.boards import NOW
from helpers.cli import Cli
from helpers.faults import Zygote
from textual import constants
from textual.widgets import Input, TextArea

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.i18n import start_language
from factboard_tui.core.store.board import Board
from factboard_tui.tui.i18n import speak

hunting.load_profile()  # one Hypothesis profile: repeatable, or a random hunt with FACTBOARD_HUNT (helpers/hunting.py)


@pytest.fixture(autouse=True)
def _kdf_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its 64 MiB floor (~0.12 s per unlock) instead of tuning upwards: keeps the suite fast."""
    monkeypatch.setenv("FACTBOARD_KDF_FLOOR", "1")


@pytest.fixture(autouse=True)
def _own_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's data, state, config and cache folders inside the test's own tmp_path: what the app writes there
    in-process (crash reports, a demo board) never reaches the developer's home, nor another xdist worker's test."""
    for name in ("DATA", "STATE", "CONFIG", "CACHE"):
        monkeypatch.setenv(f"XDG_{name}_HOME", str(tmp_path / "xdg" / name.lower()))


@pytest.fixture(autouse=True)
def _steady_screens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app a test runs shows a steady cursor and no animation. A snapshot of a focused field must not depend on
    the moment in its blink cycle the picture was taken (under load it was taken with the cursor off), nor on how
    far an animation got: Textual's blinking `Input` and `TextArea` start with `cursor_blink` off, and the
    animation level is "none" (animations jump to their end)."""
    monkeypatch.setattr(constants, "TEXTUAL_ANIMATIONS", "none")
    for widget in (Input, TextArea):
        monkeypatch.setattr(widget, "__init__", _without_blink(widget.__init__))


def _without_blink(original: Callable[..., None]) -> Callable[..., None]:
    def steady(self: Input | TextArea, *args: object, **kwargs: object) -> None:
        original(self, *args, **kwargs)
        self.cursor_blink = False

    return steady


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test speaks English unless it chooses a language (tests/*/test_language*.py): the boards the tests make
    are Swedish, and their words would otherwise follow the board. `FACTBOARD_LANG` is `--lang` for the CLI run as a
    subprocess; `start_language` is what the CLI's start does for the app run in-process. Afterwards English again,
    process-wide (gettext and the widget classes' bindings), for the next test in this worker."""
    monkeypatch.setenv("FACTBOARD_LANG", "en")
    start_language(flag="en")
    yield
    start_language(flag="en")
    speak("en")


@pytest.fixture(autouse=True, scope="session")
def _prepared_boards(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Where this process keeps the boards it makes once and copies (tests/helpers/prepared.py)."""
    prepared.FOLDER = tmp_path_factory.mktemp("prepared")


@pytest.fixture
def board_path(tmp_path: Path) -> Path:
    """Where a test's board lives (its key slot goes beside it)."""
    return tmp_path / "board.db"


@pytest.fixture
def cli(board_path: Path, tmp_path: Path) -> Cli:
    """The CLI on `board_path`, with HOME inside tmp_path and its own inspectable TMPDIR."""
    return Cli(board_path, home=tmp_path, tmpdir=tmp_path / "tmpdir")


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    """A process with FactBoard imported that runs `factboard` commands in forked children, each with a fault at a
    chosen rename, fsync or commit (tests/helpers/fault_runner.py); one per test module."""
    runner = Zygote(tmp_path_factory.mktemp("zygote"))
    yield runner
    runner.close()


@pytest.fixture
def created(board_path: Path) -> Iterator[tuple[Board, bytes]]:
    """A new board (template sv, team "FACT Test", clock frozen at NOW) and its raw key; closed at teardown. It is a
    copy of one made once per process (tests/helpers/prepared.py): its board id and site are those of every other
    `created` board."""
    key = prepared.blank(board_path)
    board = Board.open_with_key(board_path, key, clock=frozen_clock(NOW))
    yield board, key
    board.close()


@pytest.fixture
def board(created: tuple[Board, bytes]) -> Board:
    """A new board on `board_path` (closed at teardown)."""
    return created[0]


@pytest.fixture(autouse=True)
def _config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file of the test's own: the app remembers initials and themes, never in the developer's config."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("FACTBOARD_CONFIG", str(path))
    return path
