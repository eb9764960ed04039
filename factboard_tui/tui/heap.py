"""When Python's garbage collector may stop the app: between keys, never in the middle of typing (issue 15).

What the pause was. A *full* collection (generation 2) walks every tracked object that is not frozen, and holds the
interpreter while it does. Measured with `gc.callbacks` in bench_app's TUI child (CPython 3.11, 200x50):

- before the board's full read is frozen, full collections walk its rows (`BoardRow`, SQLAlchemy's state, their
  sets and weak references, the visits): 155-350 ms each at 20,000 rows, in the reading thread, while the first
  screenful is already on screen and may be typed on;
- after the freeze (`settle_heap`), the heap that is not frozen is what the session made since: mostly the grid's
  drawn lines (a Textual `Strip` carries seven `FIFOCache`s, and each of its `Segment`s and each `GridCell` is a
  named tuple, which the collector never untracks), 60,000-65,000 objects after a few pages, 14-58 ms per full
  collection at 2,000 and 20,000 rows alike. Python starts one every ten collections of generation 1 once the
  objects promoted since the last outnumber a quarter of those it kept, so they came every few seconds of paging.

What we do, and why. Python's own rule for starting a full collection is turned off while the app runs (its third
threshold set out of reach), and the app runs the same collection itself at the first quiet moment once Python
would have: no key or click for `QUIET_SECONDS`, checked on the app's tick (every 15 s). Generations 0 and 1 stay
automatic (1-3 ms: they walk only young objects). Together with the freeze of each full read, which keeps the
collection we run small, no full collection runs while someone types, and the collector still frees every cycle:
nothing is frozen that would not have been (re-freezing after every full collection, tried before, keeps the
cycles of closed dialogs for the whole session; a higher first threshold makes every young collection longer).
Should nobody ever pause (`FORCE_AFTER` young collections in a row), it runs anyway: memory must stay bounded.
"""

from __future__ import annotations

import gc
import time

QUIET_SECONDS = 1.0
"""No key or click for this long: a collection now cannot hold up a key being typed."""

FORCE_AFTER = 10
"""Times Python's own threshold for a full collection that may pass before one runs, quiet or not."""

OUT_OF_REACH = 1 << 30
"""The third threshold while the app decides: Python never gets there by itself."""

_saved: list[tuple[int, int, int]] = []
"""Python's thresholds before the first app began deciding (apps may run nested in tests)."""


def settle_heap() -> None:
    """Move everything alive now out of the garbage collector's reach (`gc.freeze()`): a full collection walks every
    tracked object, 0.94 s at 20,000 rows, mid-typing (issue 15). Called by the board screen once a full read is
    shown, so the rows and the grid lines built from them are frozen together: freezing before the grid lines exist
    made it worse (a full collection runs once the objects made since freezing outnumber a quarter of those before,
    and then walks all of them). Frozen objects are still freed when nothing refers to them (rows replaced by the
    next read are); only cycles among them would stay, and rows, visits and grid lines hold none.

    Measured at 20,000 rows (bench_app's TUI child): without the freeze a full collection walks 330,000 objects,
    180-270 ms of CPU whenever it comes; with it the collection `QuietCollector` runs walks what was made since.
    Freezing again after every full collection would keep the cycles of closed dialogs and screens for the whole
    session, so the heap is frozen here only."""
    gc.freeze()


class QuietCollector:
    """Runs full collections for the app at quiet moments (see the module's docstring)."""

    def __init__(self) -> None:
        self.input_at = time.monotonic()
        """When a key or click last came (monotonic seconds; the app's clock may be frozen by a test)."""
        self.collections = 0
        """Full collections run here (for tests and benchmarks to see that it happened)."""
        self._started = False

    def start(self) -> None:
        """Take over Python's rule for full collections (undone by `stop`)."""
        if self._started:
            return
        self._started = True
        threshold = gc.get_threshold()
        if not _saved:
            _saved.append(threshold)
        else:
            _saved.append(_saved[-1])
        gc.set_threshold(threshold[0], threshold[1], OUT_OF_REACH)

    def stop(self) -> None:
        """Give Python back its own rule (the last app to stop restores the thresholds it found)."""
        if not self._started:
            return
        self._started = False
        gc.set_threshold(*_saved.pop())

    def touched(self) -> None:
        """A key or click came: collections wait for the next quiet moment."""
        self.input_at = time.monotonic()

    def due(self) -> bool:
        """Whether Python would have run a full collection by now (its count of young collections since the last
        full one has reached its third threshold)."""
        return self._started and gc.get_count()[2] >= _saved[-1][2]

    def collect_if_quiet(self) -> bool:
        """Run the full collection Python would have run, if nobody has typed for `QUIET_SECONDS` (or if it has
        waited `FORCE_AFTER` times too long). Whether it ran."""
        if not self.due():
            return False
        quiet = time.monotonic() - self.input_at >= QUIET_SECONDS
        if not quiet and gc.get_count()[2] < FORCE_AFTER * _saved[-1][2]:
            return False
        gc.collect()
        self.collections += 1
        return True
