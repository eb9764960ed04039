"""Fault points for the proofs: every rename, removal, fsync and commit FactBoard makes, counted, with a fault at one.

Test-only: nothing here is part of the shipped code path. `FaultPoints` replaces `os.replace`, `os.rename`,
`os.unlink`, `os.remove` and `os.fsync` with wrappers, and `sqlcipher3.connect` with one that makes connections
whose `commit()` (SQLAlchemy's commits) and `execute("COMMIT")` (the raw connections of backups and migrations)
pass through the same count. Each call is one numbered point, labelled with what it was about to do; a commit
is two, one before it (`commit …`) and one the moment it has returned (`committed …`). At point `at` the chosen
fault happens *instead of* the call (or, at a `committed` point, right after the commit):

- `kill`: the process sends itself SIGKILL (no cleanup, no buffers flushed: what a power cut leaves, as far as a
  process can tell);
- `raise`: an `OSError` (EIO) for file calls, SQLite's own "disk I/O error" for commits, so the code's error
  handling runs as it would on a failing disk;
- `interrupt`: `KeyboardInterrupt`, for in-process tests that want the files as a kill leaves them but keep the
  test process (cleanup handlers that catch `BaseException` still run).

With `at=None` nothing fails and `labels` lists every point: the proofs walk them all, one run per point.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlcipher3

ACTIONS = ("kill", "raise", "interrupt")


def _fd_name(fd: int) -> str:
    """The file behind a descriptor, by name (Linux), for a readable label."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{fd}")).name
    except OSError:
        return f"fd {fd}"


class FaultPoints:
    """Count every rename, removal, fsync and commit while installed; fail at point `at` (1-based)."""

    def __init__(self, at: int | None = None, action: str = "raise") -> None:
        assert action in ACTIONS
        self.at = at
        self.action = action
        self.labels: list[str] = []
        self._saved: list[tuple[Any, str, Any]] = []

    def point(self, label: str, commit: bool = False) -> None:
        """One more point; the fault, if this is the chosen one."""
        self.labels.append(label)
        if len(self.labels) != self.at:
            return
        if self.action == "kill":
            sys.stdout.flush()
            os.kill(os.getpid(), signal.SIGKILL)
        if self.action == "interrupt":
            raise KeyboardInterrupt(f"cut off at {label}")
        if commit:
            raise sqlcipher3.dbapi2.OperationalError("disk I/O error")
        raise OSError(errno.EIO, f"injected I/O error at {label}")

    def _patch(self, owner: Any, name: str, replacement: Any) -> None:
        self._saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, replacement)

    def __enter__(self) -> FaultPoints:
        real_replace, real_rename, real_unlink, real_fsync = os.replace, os.rename, os.unlink, os.fsync
        real_connect = sqlcipher3.dbapi2.connect
        points = self

        def renaming(real: Callable[..., None], verb: str) -> Callable[..., None]:
            def wrapper(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
                points.point(f"{verb} {Path(source).name} -> {Path(target).name}")
                real(source, target, *args, **kwargs)

            return wrapper

        def unlink(path: Any, *args: Any, **kwargs: Any) -> None:
            points.point(f"unlink {Path(path).name}")
            real_unlink(path, *args, **kwargs)

        def fsync(fd: Any) -> None:
            number = fd if isinstance(fd, int) else fd.fileno()
            points.point(f"fsync {_fd_name(number)}")
            real_fsync(fd)

        class Counted(sqlcipher3.dbapi2.Connection):  # type: ignore[misc]
            """A real SQLCipher connection whose commits are fault points."""

            def commit(self) -> None:
                if not self.in_transaction:
                    return super().commit()
                points.point(f"commit {self.label}", commit=True)
                super().commit()
                points.point(f"committed {self.label}", commit=True)

            def execute(self, sql: str, *args: Any) -> Any:
                if sql.strip().upper() != "COMMIT":
                    return super().execute(sql, *args)
                points.point(f"commit {self.label}", commit=True)
                cursor = super().execute(sql, *args)
                points.point(f"committed {self.label}", commit=True)
                return cursor

        def connect(database: Any, *args: Any, **kwargs: Any) -> Any:
            connection = real_connect(database, *args, factory=Counted, **kwargs)
            connection.label = Path(str(database)).name
            return connection

        self._patch(os, "replace", renaming(real_replace, "replace"))
        self._patch(os, "rename", renaming(real_rename, "rename"))
        self._patch(os, "unlink", unlink)
        self._patch(os, "remove", unlink)
        self._patch(os, "fsync", fsync)
        self._patch(sqlcipher3, "connect", connect)
        self._patch(sqlcipher3.dbapi2, "connect", connect)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        while self._saved:
            owner, name, original = self._saved.pop()
            setattr(owner, name, original)


RUNNER = Path(__file__).with_name("fault_runner.py")


class Run:
    """What one `factboard` run in the zygote did: its exit code (None when it was killed), its points, its output."""

    def __init__(self, status: int, out: Path) -> None:
        self.killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        self.stdout = out.with_suffix(".stdout").read_text(encoding="utf-8", errors="replace")
        self.stderr = out.with_suffix(".stderr").read_text(encoding="utf-8", errors="replace")
        result = out.with_suffix(".json")
        found = json.loads(result.read_text(encoding="utf-8")) if result.exists() else {"code": None, "points": []}
        self.code: int | None = found["code"]
        self.points: list[str] = found["points"]
        for suffix in (".stdout", ".stderr", ".json"):
            out.with_suffix(suffix).unlink(missing_ok=True)


class Zygote:
    """The test's side of tests/helpers/fault_runner.py: one process with FactBoard imported, forking runs."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, str(RUNNER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=dict(os.environ)
        )
        self.runs = 0

    def run(self, args: list[str], env: dict[str, str], at: int | None = None, action: str = "kill") -> Run:
        """Run `factboard ARGS` with `env` as its whole environment, failing at point `at` (None: nowhere)."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.runs += 1
        out = self.scratch / f"run{self.runs}.x"
        request = {"args": args, "env": env, "at": at, "action": action, "out": str(out.with_suffix(""))}
        self.process.stdin.write((json.dumps(request) + "\n").encode())
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the fault runner ended early"
        return Run(int(json.loads(line)["status"]), out)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)
