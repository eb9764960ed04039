"""Shared fixtures: real SQLCipher boards in `tmp_path`, the real CLI as a subprocess, Argon2id at its floor."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from helpers.faults import Zygote

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board

PASSPHRASE = "correct horse battery"
"""The passphrase of every test board."""

USER = "CSA"
"""Who writes in tests."""

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
"""A Wednesday morning: the frozen time of in-process test boards."""


@pytest.fixture(autouse=True)
def _kdf_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id at its 64 MiB floor (~0.12 s per unlock) instead of tuning upwards: keeps the suite fast."""
    monkeypatch.setenv("FACTBOARD_KDF_FLOOR", "1")


@pytest.fixture
def board_path(tmp_path: Path) -> Path:
    """Where a test's board lives (its key slot goes beside it)."""
    return tmp_path / "board.db"


class Cli:
    """Runs `python -m factboard_tui` as a user would, with a hermetic environment.

    `env` overrides variables for one call; a value of None removes the variable.
    """

    def __init__(self, db: Path, home: Path, tmpdir: Path) -> None:
        self.db = db
        self.home = home
        self.tmpdir = tmpdir
        tmpdir.mkdir(parents=True, exist_ok=True)

    def environment(self, env: Mapping[str, str | None] | None = None) -> dict[str, str]:
        base = {name: value for name, value in os.environ.items() if not name.startswith("FACTBOARD_")}
        base |= {
            "FACTBOARD_DB": str(self.db),
            "FACTBOARD_PASSPHRASE": PASSPHRASE,
            "FACTBOARD_USER": USER,
            "FACTBOARD_KDF_FLOOR": "1",
            "TMPDIR": str(self.tmpdir),
            "HOME": str(self.home),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
        }
        for name, value in (env or {}).items():
            if value is None:
                base.pop(name, None)
            else:
                base[name] = value
        return base

    def __call__(self, *args: str, env: Mapping[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "factboard_tui", *args],
            env=self.environment(env),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            cwd=self.home,
        )

    def ok(self, *args: str, env: Mapping[str, str | None] | None = None) -> subprocess.CompletedProcess[str]:
        """Run and insist on success, showing stderr if it failed."""
        result = self(*args, env=env)
        assert result.returncode == 0, f"{args} exited {result.returncode}: {result.stderr}"
        return result


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
    """A new board (template sv, clock frozen at NOW) and its raw key; closed at teardown."""
    board, key = Board.create(board_path, PASSPHRASE, template_id="sv", team="FACT Test", clock=frozen_clock(NOW))
    yield board, key
    board.close()


@pytest.fixture
def board(created: tuple[Board, bytes]) -> Board:
    """A new board on `board_path` (closed at teardown)."""
    return created[0]


def snapshot_files(root: Path) -> dict[str, str]:
    """SHA-256 of every file under `root`, by relative path: compare two snapshots to prove nothing changed.

    The empty `<db>.lock` file every open creates (it carries the open boards' shared locks, no data) is left out.
    """
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not (path.suffix == ".lock" and path.stat().st_size == 0)
    }


@pytest.fixture(autouse=True)
def _config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config file of the test's own: the app remembers initials and themes, never in the developer's config."""
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("FACTBOARD_CONFIG", str(path))
    return path
