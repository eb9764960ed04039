"""A crash shows where FactBoard failed, never what was on screen or in memory, and leaves a report that is safe too.

Each test makes the real app (or the real command) fail the way a bug would, with the passphrase and a client's
situation in the failing frame's local variables and in the exception's message, as in the crash that showed
them on the wall screen. What the person sees (captured stdout and stderr) and the crash report must hold
neither; the report is mode 600 in the user's state directory, and the screen says where it is.
"""

from __future__ import annotations

import asyncio
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.board_app import wait_for_rows
from helpers.boards import MONDAY_MORNING
from helpers.cli import Cli
from helpers.pilot import until

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board
from factboard_tui.crash import EXIT_CODE
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.screens.board import BoardScreen

SITUATION = "Hotade grannen med kniv igår, polisen tillkallad"
"""A client's situation: it must never reach a crash screen or report."""


@pytest.fixture
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's state directory, where crash reports go."""
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    return home


def the_report(state_home: Path) -> str:
    (report,) = (state_home / "factboard" / "crash-reports").glob("crash-*.txt")
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert stat.S_IMODE(report.parent.stat().st_mode) == 0o700
    return report.read_text(encoding="utf-8")


def demo_with_the_situation(tmp_path: Path) -> Board:
    path = tmp_path / "demo.db"
    create_demo_board(path, clock=frozen_clock(MONDAY_MORNING)).close()
    board = Board.unlock(path, DEMO_PASSPHRASE, clock=frozen_clock(MONDAY_MORNING))
    board.set_field("CSA", board.open_row_by_code("DD-75").id or 0, "situation", SITUATION)
    return board


def assert_nothing_leaked(*texts: str) -> None:
    for text in texts:
        assert DEMO_PASSPHRASE not in text
        assert "Hotade grannen" not in text and "kniv" not in text


def crash_the_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> type[BaseException]:
    """Open the demo board, put the cursor on DD-75 and press H, which fails `where`: in the key's handler on the
    UI thread, or in the history screen's thread worker. Returns the error `run_test` raised."""
    board = demo_with_the_situation(tmp_path)

    def broken_history(self: BoardScreen) -> None:
        passphrase = DEMO_PASSPHRASE  # as in the crash that showed it: a local of a frame on the stack
        row = self.current_row()
        situation = row.situation if row else ""
        raise KeyError(f"{situation} {passphrase}")

    def broken_read(self: Board, row_id: int) -> list[object]:
        passphrase = DEMO_PASSPHRASE
        situation = self.row(row_id).situation
        raise RuntimeError(f"{situation} / {passphrase}")

    if where == "handler":
        monkeypatch.setattr(BoardScreen, "action_history", broken_history)
    else:
        monkeypatch.setattr(Board, "history", broken_read)

    async def scenario() -> None:
        app = FactBoardApp(board.path, board=board, user="CSA", clock=board.clock)
        async with app.run_test(size=(200, 50)) as pilot:
            await wait_for_rows(pilot)
            screen = app.screen
            assert isinstance(screen, BoardScreen)
            row = next(row for row in screen.feed.rows if row.client_code == "DD-75")
            screen.query_one("BoardGrid").move_cursor(row_key=str(row.id))  # type: ignore[attr-defined]
            await pilot.press("H")
            await until(pilot, lambda: app._exception is not None, "the crash")

    with pytest.raises(Exception) as raised:
        asyncio.run(scenario())
    return type(raised.value)


@pytest.mark.parametrize(("where", "kind"), [("handler", "KeyError"), ("worker", "RuntimeError")])
def test_a_crash_in_the_tui_shows_where_but_no_locals_or_board_text(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    state_home: Path,
    where: str,
    kind: str,
) -> None:
    crash_the_app(tmp_path, monkeypatch, where)
    shown = capsys.readouterr()
    assert_nothing_leaked(shown.out, shown.err)
    assert f"error in FactBoard itself ({kind})" in shown.err
    assert "broken_" in shown.err  # the frame that failed, by file, line and function
    report = the_report(state_home)
    assert str(state_home) in shown.err  # the screen says where the report is
    assert_nothing_leaked(report)
    assert kind in report and "broken_" in report and "face: tui" in report


def test_a_crash_in_a_command_shows_where_but_no_locals_or_board_text(cli: Cli, tmp_path: Path) -> None:
    """The real entry point with one core function broken, in its own process, as a bug would break it."""
    cli.ok("init")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Ny", "--situation", SITUATION)
    script = (
        "import sys\n"
        "from factboard_tui.core.store.board import Board\n"
        "def broken(self, include_off=False):\n"
        f"    passphrase = {DEMO_PASSPHRASE!r}\n"
        "    situation = self.open_row_by_code('DD-75').situation\n"
        "    raise ValueError(situation + passphrase)\n"
        "Board.rows = broken  # what `rows list` reads\n"
        "from factboard_tui.cli import main\n"
        "sys.argv = ['factboard', 'rows', 'list']\n"
        "main()\n"
    )
    environment = cli.environment({"XDG_STATE_HOME": str(tmp_path / "state")})
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == EXIT_CODE
    assert_nothing_leaked(result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "error in FactBoard itself (ValueError)" in result.stderr
    assert "broken" in result.stderr and str(tmp_path / "state") in result.stderr
    report = the_report(tmp_path / "state")
    assert_nothing_leaked(report)
    assert "face: cli" in report and "ValueError" in report
