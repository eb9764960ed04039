"""Helpers for the sync tests: real SQLCipher boards in tmp_path that trust each other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service

PASSPHRASE = "correct horse battery"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


class Ticker:
    """A clock that moves one second each time it is read: sites edit at distinct, reproducible moments."""

    def __init__(self, start: datetime = NOW, step: timedelta = timedelta(seconds=1)) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


def make_sites(tmp_path: Path, names: list[str], clock: Ticker | None = None) -> dict[str, Board]:
    """One board per name, each trusting all the others under their names."""
    ticker = clock or Ticker()
    boards: dict[str, Board] = {}
    for name in names:
        board, _key = Board.create(tmp_path / f"{name}.db", PASSPHRASE, template_id="sv", team=name, clock=ticker)
        boards[name] = board
    for name, board in boards.items():
        for other_name, other in boards.items():
            if other_name != name:
                service.trust_peer(board, other_name, other.site.public.key_text())
    return boards


def send(boards: dict[str, Board], source: str, target: str) -> service.ImportReport:
    """Export from `source` to `target` and import it there."""
    bundle = service.export_bundle(boards[source], target)
    return service.import_bundle(boards[target], bundle.data)
