"""A process that writes a stream of edits to a real board through the one write path, for the proofs.

Two ways to run it (always with the interpreter of the test run, `sys.executable`):

`edit_writer.py zygote DB` (the board's raw key in hex in `FACTBOARD_TEST_KEY`, never on the command line)
    For the crash proof. Imports FactBoard once, then for every line `go START [AT]` on stdin forks a writer child
    and prints `pid PID`. The child opens the board with its raw key and writes edits START, START+1, … for ever,
    printing `committed N` the moment each COMMIT has returned. With AT, the child kills itself with SIGKILL at its
    AT-th write point (tests/helpers/faults.py: just before a commit, or the moment it returned, before the line
    that reports it); without, the test kills it after it has reported as many commits as it chose. Either way
    the zygote reaps it and prints `reaped STATUS` (the raw wait status). Forking from an already-imported process
    keeps each of the 60 runs at a few milliseconds of start-up instead of a second of imports, and the child is
    still a real process with its own SQLCipher connections, killed without any chance to clean up.
    `CrashWriter` is the test's side of it.

`edit_writer.py burst DB WRITER COUNT START_FILE` (the key likewise)
    For the concurrency proof and its benchmark. Opens the board, prints `ready`, waits until START_FILE exists
    (so every writer starts at once), makes COUNT edits as author `W<WRITER>` and prints one JSON line with the
    commit latencies. Any error that reaches it is printed on stderr and makes the exit code 1.

The edits: edit N of the crash writer adds a client (`client_code(N)`) every tenth time and otherwise sets the
actions of row `1 + N % 5` to `edit N`; each is one transaction, so two write points (`commit`, `committed`).
Edit I of burst writer W sets the actions of W's own row (row W) to `W<W> I` on even I and the situation of the
shared row (row 5) on odd I, so the writers contend for one row too.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import IO

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.store.board import Board

KEY_ENV = "FACTBOARD_TEST_KEY"
"""Where the writer finds the board's raw key (hex)."""
CRASH_ROWS = 5
"""Rows the crash writer edits in turn (made by the test before the first run)."""
RUN_SPAN = 10_000
"""Crash run k writes edits k*RUN_SPAN, k*RUN_SPAN+1, …: an edit committed but not yet reported is never redone
(client codes have at most four digits, so a run stays below 10,000 edits)."""
SHARED_ROW = 5
"""The row every burst writer edits on its odd edits."""
POINTS_PER_EDIT = 2
"""Write points of one crash edit: just before its commit, and the moment the commit returned."""
SILENCE = 60.0
"""Seconds the test waits for the writer's next line before it fails: far beyond any commit, even under load."""


def _say(line: str) -> None:
    """One whole line straight to stdout: no buffer that a SIGKILL could lose or a fork could duplicate."""
    os.write(1, (line + "\n").encode())


def client_code(number: int) -> str:
    """The client code crash edit `number` adds: two letters for the run (`number // RUN_SPAN`), then the rest."""
    run, rest = divmod(number, RUN_SPAN)
    return f"C{chr(65 + run // 26)}{chr(65 + run % 26)}-{rest}"


def number_of(code: str) -> int:
    """The crash edit that added client `code`."""
    letters, _, rest = code.partition("-")
    return ((ord(letters[1]) - 65) * 26 + ord(letters[2]) - 65) * RUN_SPAN + int(rest)


def crash_edit(board: Board, number: int) -> None:
    """Edit number `number` of the crash writer, through the write path."""
    if number % 10 == 0:
        board.add_row("CR", {"client_code": client_code(number), "triage": "new"})
    else:
        board.set_field("CR", 1 + number % CRASH_ROWS, "actions", f"edit {number}")


def _crash_child(db: Path, key: bytes, start: int, kill_at: int | None) -> None:
    if kill_at is not None:  # SIGKILL at the chosen write point (faults.py counts this child's commits)
        from faults import FaultPoints

        FaultPoints(kill_at, "kill").__enter__()
    board = Board.open_with_key(db, key)
    number = start
    while True:
        crash_edit(board, number)
        _say(f"committed {number}")
        number += 1


def zygote(db: Path, key: bytes) -> None:
    """Fork one crash writer per `go START [AT]` line; report its pid, then that it was reaped."""
    import faults  # noqa: F401 - imported once here, so that no forked child pays for it

    for line in sys.stdin:
        command, *numbers = line.split()
        if command != "go":
            break
        start, kill_at = int(numbers[0]), (int(numbers[1]) if len(numbers) > 1 else None)
        pid = os.fork()
        if pid == 0:  # the child: write until killed
            try:
                _crash_child(db, key, start, kill_at)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(1)
        _say(f"pid {pid}")
        _pid, status = os.waitpid(pid, 0)
        _say(f"reaped {status}")


class CrashWriter:
    """The test's side of the crash writer's zygote: start runs, kill them by progress, read what they reported.

    Every read is bounded (`SILENCE`) and fails with what the writer said: a writer that dies or hangs ends the
    test with a message, never in a loop that waits for ever.
    """

    def __init__(self, db: Path, key: bytes) -> None:
        env = os.environ | {KEY_ENV: key.hex(), "FACTBOARD_KDF_FLOOR": "1"}
        self.process = subprocess.Popen(
            [sys.executable, __file__, "zygote", str(db)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin: IO[bytes] = self.process.stdin
        self.stdout: IO[bytes] = self.process.stdout
        self._buffer = b""
        self.pid = 0
        self.committed: list[int] = []

    def _line(self) -> str:
        """The zygote's next line, within `SILENCE` seconds."""
        deadline = time.monotonic() + SILENCE
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.stdout], [], [], max(left, 0))
            if not ready:
                raise AssertionError(f"the crash writer said nothing for {SILENCE:.0f} s: {self._stderr()}")
            chunk = os.read(self.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"the crash writer's zygote ended early: {self._stderr()}")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode()

    def _stderr(self) -> str:
        if self.process.poll() is None or self.process.stderr is None:
            return "(still running)"
        return self.process.stderr.read().decode(errors="replace").strip() or "(nothing on stderr)"

    def _until(self, prefix: str) -> str:
        """Read up to the line starting with `prefix`, collecting `committed N` lines on the way."""
        while True:
            line = self._line()
            if line.startswith("committed "):
                self.committed.append(int(line.split()[1]))
            elif line.startswith(prefix):
                return line

    def go(self, start: int, kill_at: int | None = None) -> None:
        """Start a writer at edit `start` (killing itself at write point `kill_at`, if given)."""
        self.committed = []
        self.stdin.write(f"go {start}{'' if kill_at is None else f' {kill_at}'}\n".encode())
        self.stdin.flush()
        self.pid = int(self._until("pid ").split()[1])

    def wait_for_commits(self, count: int) -> None:
        """Read until the writer has reported `count` commits in this run."""
        while len(self.committed) < count:
            line = self._line()
            if line.startswith("reaped "):
                raise AssertionError(f"the writer ended after {len(self.committed)} of {count} commits ({line})")
            if line.startswith("committed "):
                self.committed.append(int(line.split()[1]))

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)

    def reaped(self) -> int:
        """The raw wait status of this run's writer, once the zygote has reaped it."""
        return int(self._until("reaped ").split()[1])

    def close(self) -> None:
        self.stdin.close()
        self.process.wait(timeout=30)


def burst(db: Path, key: bytes, writer: int, count: int, start_file: Path) -> int:
    """Make `count` edits as fast as the board takes them; print the commit latencies as JSON."""
    author = f"W{chr(ord('A') + writer - 1)}"
    board = Board.open_with_key(db, key, integrity=False)
    latencies: list[float] = []
    try:
        _say("ready")
        while not start_file.exists():
            time.sleep(0.002)
        began = time.perf_counter()
        for index in range(count):
            started = time.perf_counter()
            if index % 2 == 0:
                board.set_field(author, writer, "actions", f"{author} {index}")
            else:
                board.set_field(author, SHARED_ROW, "situation", f"{author} {index}")
            latencies.append(time.perf_counter() - started)
        elapsed = time.perf_counter() - began
    except FactBoardError as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        return 1
    finally:
        board.close()
    _say(json.dumps({"writer": writer, "elapsed": elapsed, "latencies": latencies}))
    return 0


def start_bursts(db: Path, key: bytes, start_file: Path, writers: int, edits: int) -> list[subprocess.Popen[str]]:
    """Start `writers` burst writers on `db` (this file, run by the current interpreter) and wait until each has
    opened the board; they begin when `start_file` appears. Raises `RuntimeError` with the writer's own error when
    one does not start. For the concurrency proof and its benchmark."""
    env = os.environ | {KEY_ENV: key.hex(), "FACTBOARD_KDF_FLOOR": "1"}
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "burst", str(db), str(writer), str(edits), str(start_file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for writer in range(1, writers + 1)
    ]
    for process in processes:
        assert process.stdout is not None and process.stderr is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"a burst writer did not start: {process.stderr.read().strip()}")
    return processes


def main(argv: list[str]) -> int:
    mode, db, *rest = argv
    key = bytes.fromhex(os.environ[KEY_ENV])
    if mode == "zygote":
        zygote(Path(db), key)
        return 0
    if mode == "burst":
        writer, count, start_file = rest
        return burst(Path(db), key, int(writer), int(count), Path(start_file))
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
