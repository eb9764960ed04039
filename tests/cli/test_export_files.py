"""An export file is written whole, readable only by its owner, never through a link, or not at all.

The exported week is plaintext about clients, so where it lands matters: `-o` through a symbolic link would put it
wherever the link points, an old 0644 file written over would stay readable by everyone, and a disk that fills up
must not leave half an export behind while the command says nothing was written. The full disk is real: a 64 KiB
tmpfs mounted for the test (we run as root in CI; elsewhere the test says why it is skipped).
"""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.cli import Cli, one_line_error
from helpers.pilot import on_board, text_of, until
from helpers.week import MONDAY, NOW_ENV, cli_board, fill
from textual.widgets import Input, Static

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.export_file import write_export
from factboard_tui.tui.dialogs.export import ExportScreen

FREE_BYTES = 4096
"""What the small disk has left when an export is tried."""


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, filled up to its last 4 KiB: a USB stick that is almost full."""
    where = tmp_path / "stick"
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(where)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({mounted.stderr.strip()}); the test needs root")
    try:
        (where / "filler").write_bytes(b"\0" * (64 * 1024 - FREE_BYTES))
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def big_board(board: Board) -> None:
    """Rows whose actions make any export larger than what the small disk has left."""
    writes = [
        RowWrite("add", values={"client_code": f"BB-{n}", "triage": "Ny", "actions": f"Åtgärd {n}. " * 150})
        for n in range(1, 8)
    ]
    board.write_rows("CSA", writes, source="test")


def test_a_symbolic_link_as_target_is_refused_and_nothing_is_written(cli: Cli, tmp_path: Path) -> None:
    cli_board(cli)
    victim = tmp_path / "notes.txt"
    victim.write_text("someone else's file\n")
    link = tmp_path / "week.csv"
    link.symlink_to(victim)
    dangling = tmp_path / "week.html"
    elsewhere = tmp_path / "shared" / "week.html"
    elsewhere.parent.mkdir()
    dangling.symlink_to(elsewhere)
    for target in (link, dangling):
        result = cli("export", "week", "-o", str(target), env=NOW_ENV)
        one_line_error(result, "symbolic link", "nothing was written")
    assert victim.read_text() == "someone else's file\n" and link.is_symlink()
    assert not elsewhere.exists()
    result = cli("export", "board", "-f", "csv", "-o", str(link), env=NOW_ENV)
    one_line_error(result, "symbolic link")


def test_exporting_over_a_file_others_can_read_leaves_it_readable_only_by_you(cli: Cli, tmp_path: Path) -> None:
    cli_board(cli)
    target = tmp_path / "week.html"
    target.write_text("last week's export\n")
    target.chmod(0o644)
    cli.ok("export", "week", "-o", str(target), env=NOW_ENV)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "<h1>FACT Test · week 2026-W48</h1>" in target.read_text(encoding="utf-8")
    assert sorted(path.name for path in tmp_path.iterdir() if "week" in path.name) == ["week.html"]


def test_a_full_disk_leaves_no_partial_export_and_says_the_disk_is_full(cli: Cli, small_disk: Path) -> None:
    cli_board(cli)
    board = Board.unlock(cli.db, "correct horse battery")
    big_board(board)
    board.close()
    for kind, name in (("week", "week.html"), ("board", "board.csv")):
        result = cli("export", kind, "-o", str(small_disk / name), env=NOW_ENV)
        line = one_line_error(result, "disk is full", "not written")
        assert "damaged" not in line and "nothing was changed" not in line
        assert sorted(path.name for path in small_disk.iterdir()) == ["filler"]  # no partial file, no temp file
    # An export already there is kept as it was when the new one does not fit.
    (small_disk / "filler").write_bytes(b"\0" * (32 * 1024))
    previous = small_disk / "week.html"
    cli.ok("export", "week", "-o", str(previous), env=NOW_ENV)
    kept = previous.read_bytes()
    (small_disk / "more").write_bytes(b"\0" * (64 * 1024 - 32 * 1024 - len(kept) - FREE_BYTES))
    one_line_error(cli("export", "week", "-o", str(previous), "--by", "staff", env=NOW_ENV), "disk is full")
    assert previous.read_bytes() == kept
    assert sorted(path.name for path in small_disk.iterdir()) == ["filler", "more", "week.html"]


def test_the_export_dialog_says_the_disk_is_full_and_leaves_nothing(board: Board, small_disk: Path) -> None:
    fill(board)
    big_board(board)

    async def scenario() -> None:
        async with on_board(board, lambda feed: ExportScreen(feed, MONDAY)).run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            dialog = pilot.app.screen
            dialog.query_one("#export-path", Input).value = str(small_disk / "week.html")
            await pilot.press("ctrl+s")
            result = dialog.query_one("#export-result", Static)
            await until(pilot, lambda: "disk is full" in text_of(result), "the disk-full line")
            assert "damaged" not in text_of(result)

    asyncio.run(scenario())
    assert sorted(path.name for path in small_disk.iterdir()) == ["filler"]


def test_write_export_replaces_the_file_it_writes_and_refuses_links(tmp_path: Path) -> None:
    target = tmp_path / "week.csv"
    target.write_bytes(b"old")
    os.chmod(target, 0o666)
    before = target.stat().st_ino
    written = write_export(target, b"new")
    assert written == target.resolve() and target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.stat().st_ino != before  # a new file, not a rewrite
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    with pytest.raises(FactBoardError, match="symbolic link"):
        write_export(link, b"through the link")
    assert target.read_bytes() == b"new"
