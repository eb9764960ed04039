"""The config's `[keys]` warns about what it cannot do: an id FactBoard has no binding for (a typo does nothing
silently otherwise) and a key given to two bindings of one screen (one of them could no longer be reached)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from helpers.pilot import until

from factboard_tui.settings import Settings
from factboard_tui.tui.app import FactBoardApp
from factboard_tui.tui.keymap_check import bindings_by_owner, keymap_problems


def toasts(app: FactBoardApp) -> list[str]:
    return [str(toast.message) for toast in app._notifications]


def test_a_typo_and_a_clash_in_keys_are_warned_about_at_start(tmp_path: Path) -> None:
    settings = Settings(keys={"board.edti": "e", "board.edit": "a", "app.help": "f1"})

    async def scenario() -> list[str]:
        app = FactBoardApp(tmp_path / "board.db", settings=settings)
        async with app.run_test(size=(120, 40)) as pilot:
            await until(pilot, lambda: len(toasts(app)) >= 2)
            return toasts(app)

    said = asyncio.run(scenario())
    assert said == [
        "[keys] board.edti is no binding of FactBoard's (the help screen, f1, lists them): it does nothing.",
        "[keys] a is given to both board.add and board.edit, on the same screen: change one.",
    ]


def test_every_binding_restated_as_shipped_is_no_problem() -> None:
    owners = bindings_by_owner()
    shipped = {binding.id: binding.key for bindings in owners.values() for binding in bindings if binding.id}
    assert len(shipped) > 50 and {"board.edit", "board.add", "app.help", "form.save"} <= set(shipped)
    assert keymap_problems(shipped, owners) == []


def test_no_keys_no_warnings(tmp_path: Path) -> None:
    async def scenario() -> list[str]:
        app = FactBoardApp(tmp_path / "board.db", settings=Settings())
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            return toasts(app)

    assert asyncio.run(scenario()) == []
