"""Sites for the sync tests: real SQLCipher boards in tmp_path that trust each other, bundles sent between them, and
bundles forged with a sending site's real key (what a trusted site, or a stolen key, could send)."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from helpers.boards import NOW, PASSPHRASE

from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import service


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


def forge(
    region: Board,
    muni: Board,
    edit_header: Callable[[dict[str, Any]], None],
    payload: bytes,
    version: int | None = None,
) -> bytes:
    """A bundle from the region to the muni signed with the region's real key, after `edit_header` changed its
    header (which is then also the AEAD's associated data, so the payload still decrypts); with `version`, in that
    bundle format (as an older FactBoard at the region wrote it)."""
    randomness = B.Randomness.fresh()
    real = B.seal(region.site, [muni.site.public], {"schema": 1}, payload, randomness)
    (length,) = struct.unpack_from(">I", real, 72)
    header = json.loads(real[76 : 76 + length])
    edit_header(header)
    header_bytes = B.canonical_json(header)
    prefix = real[:8] if version is None else real[:6] + struct.pack(">H", version)
    framed = struct.pack(">I", len(header_bytes)) + header_bytes
    ciphertext = AESGCM(randomness.content_key).encrypt(randomness.nonce, zlib.compress(payload), prefix + framed)
    body = framed + ciphertext
    return prefix + region.site.signing.sign(prefix + body) + body


def real_export(region: Board, muni: Board) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and payload of a real export from the region to the muni (opened with the muni's key)."""
    bundle = service.export_bundle(region, "muni")
    opened = B.open_bundle(bundle.data, muni.site, {region.site_id: region.site.public}, {}, {})
    return opened.header, json.loads(opened.payload)


def sites_in_step(tmp_path: Path, names: list[str]) -> Iterator[tuple[dict[str, Board], Ticker]]:
    """For a fixture: boards that trust each other (`make_sites`) and their shared ticking clock, closed after."""
    ticker = Ticker()
    boards = make_sites(tmp_path, names, ticker)
    yield boards, ticker
    for board in boards.values():
        board.close()
