"""A zygote that runs the real `factboard` command in forked children, each with a fault at one chosen point.

`python fault_runner.py` imports FactBoard (the CLI and everything its commands load) once, then reads one JSON
request per line on stdin:

    {"args": [...], "env": {...}, "at": K or null, "action": "kill" | "raise", "out": "/some/prefix"}

and forks a child that takes `env` as its whole environment, sends its stdout and stderr to `<out>.stdout` and
`<out>.stderr`, installs `FaultPoints(at, action)` (tests/helpers/faults.py) and runs `factboard ARGS` in-process,
exactly as the console script does. A child that ends by itself writes `{"code": …, "points": [labels]}` to
`<out>.json`; a child killed at its point leaves no such file. The zygote answers each request with one line,
`{"status": <raw wait status>}`. Forking from an already-imported process costs a few milliseconds instead of a
second of imports, and each child is still a real process that dies without any chance to clean up.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from faults import FaultPoints

# Imported once here, so that no forked child pays for them.
import factboard_tui.cli.language
import factboard_tui.cli.registry
import factboard_tui.core.security.backups
import factboard_tui.core.store.board
import factboard_tui.core.sync.service
import factboard_tui.core.transfer.export
import factboard_tui.core.transfer.export_file
import factboard_tui.core.transfer.importer
import factboard_tui.settings


def _child(request: dict[str, object]) -> int:
    out = str(request["out"])
    for fd, suffix in ((1, ".stdout"), (2, ".stderr")):
        target = os.open(out + suffix, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(target, fd)
        os.close(target)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    os.environ.clear()
    os.environ.update({str(k): str(v) for k, v in dict(request["env"]).items()})  # type: ignore[call-overload]
    factboard_tui.cli.language.start([str(arg) for arg in request["args"]])
    at = request.get("at")
    points = FaultPoints(int(at) if at is not None else None, str(request.get("action", "raise")))  # type: ignore[call-overload]
    code = 0
    with points:
        try:
            factboard_tui.cli.registry.app(args=[str(arg) for arg in request["args"]], prog_name="factboard")
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 99
    sys.stdout.flush()
    sys.stderr.flush()
    Path(out + ".json").write_text(json.dumps({"code": code, "points": points.labels}), encoding="utf-8")
    return code


def main() -> None:
    for line in sys.stdin:
        if not line.strip():
            break
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                code = _child(request)
            except BaseException:
                traceback.print_exc()
                code = 98
            os._exit(code)
        _pid, status = os.waitpid(pid, 0)
        os.write(1, (json.dumps({"status": status}) + "\n").encode())


if __name__ == "__main__":
    main()
