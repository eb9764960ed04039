"""A board in a folder of its own, for the interruption tests and the fault proofs: its CLI environment, copies of
the whole folder (to run the same command on a twin), and the files only an operation that was cut off leaves."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers.cli import Cli

LEFT_BY_CUT_OFF_OPERATIONS = (".journal", ".rekeying", ".restoring", ".keyslot.new", ".partial", "close-request")
"""Parts of the names of files only an operation that was cut off leaves behind."""


class Team:
    """A board in its own folder (`tmp/team/board.db`), with the CLI's environment, and a way to copy it."""

    def __init__(self, root: Path, name: str = "team") -> None:
        self.root = root
        self.folder = root / name
        self.db = self.folder / "board.db"
        self.config = self.folder / "config.toml"
        self.cli = Cli(self.db, home=root, tmpdir=root / "tmpdir")

    def env(self, **overrides: str) -> dict[str, str]:
        return self.cli.environment({"FACTBOARD_CONFIG": str(self.config)} | overrides)

    def copy(self, name: str) -> Team:
        twin = Team(self.root, name)
        shutil.copytree(self.folder, twin.folder)
        return twin

    def leftovers(self) -> list[str]:
        return sorted(
            str(path.relative_to(self.folder))
            for path in self.folder.rglob("*")
            if any(part in path.name for part in LEFT_BY_CUT_OFF_OPERATIONS) or path.name.startswith(".")
        )
