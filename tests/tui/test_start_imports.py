"""The unlock screen is drawn before the database layer is imported, and imports it while the passphrase is typed
(with Babel, which names the board's week in its first frame).

SQLAlchemy, SQLModel, pydantic and SQLCipher cost more to import than Textual itself (issue 15: 2.4 s of CPU from
the process's start to the prompt when they were imported first). Each case is a fresh interpreter, as a person's
start is: what an earlier test imported cannot hide an import here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpers.imports import UNLOCK_LATER, loaded

SCRIPT = f"""
import asyncio, json, sys
from pathlib import Path

from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.screens.unlock import UnlockScreen

seen = {{}}


async def main() -> None:
    app = FactBoardApp(Path(sys.argv[1]))
    original = app._display

    def display(screen, renderable):  # the moment a frame goes to the terminal
        if "at the first frame" not in seen and renderable is not None and isinstance(screen, UnlockScreen):
            seen["at the first frame"] = {loaded(UNLOCK_LATER)}
        original(screen, renderable)

    app._display = display
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3000):
            if "at the first frame" in seen:
                break
            await pilot.pause(0.01)
        await app.workers.wait_for_complete()  # the unlock screen's preparation, while a person types
        seen["while the passphrase is typed"] = {loaded(UNLOCK_LATER)}


asyncio.run(main())
print(json.dumps(seen))
"""


def test_the_unlock_screen_is_drawn_before_the_database_layer_loads_and_loads_it_right_after(tmp_path: Path) -> None:
    environment = dict(os.environ, FACTBOARD_CONFIG=str(tmp_path / "config.toml"))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "board.db")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["at the first frame"] == []
    assert {"sqlalchemy", "sqlmodel", "sqlcipher3", "babel"} <= set(seen["while the passphrase is typed"])
