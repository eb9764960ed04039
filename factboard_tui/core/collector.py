"""The garbage collector held off while a bulk read builds its objects (issue 15).

A read of 20,000 rows makes hundreds of thousands of tuples, dates and row objects, none of them garbage. Each
700 of them start a young collection, and as they age the collector promotes them and, once they outnumber a quarter
of the old heap, walks the whole heap: at 20,000 rows that made `rows()` 17.7 times slower than at 2,000 (the board
is 10 times larger), and `visits()` of a week took twice its time in collections. While a bulk read runs the
collector waits; when the last running read ends it is allowed again, and the objects the read made are looked at
once (one young collection), not at every 700th of them.

The collector is one per process: the reads of several threads share one count, and the collector runs again only
when the last of them ends (and only if it was running before the first began: a face that turned it off keeps it
off).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_running = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while the block runs (see the module's docstring)."""
    global _running, _was_enabled
    with _lock:
        if _running == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0 and _was_enabled:
                gc.enable()
