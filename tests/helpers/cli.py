"""The `factboard` command as a user runs it: a separate process with a hermetic environment, and the check that a
refusal is one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from helpers.boards import PASSPHRASE, USER


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
            "FACTBOARD_LANG": "en",  # the boards are Swedish; a language test passes env={"FACTBOARD_LANG": None}
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


def one_line_error(result: object, *words: str) -> str:
    """Assert a user error: non-zero exit, one line on stderr naming the problem, no traceback."""
    assert result.returncode != 0, result.stdout  # type: ignore[attr-defined]
    stderr: str = result.stderr.strip()  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    assert len(stderr.splitlines()) == 1, stderr
    assert stderr.startswith("error:"), stderr
    for word in words:
        assert word in stderr, stderr
    return stderr
