"""When Python's garbage collector may stop the app: between keys, never in the middle of typing (issue 15).

What the pause was. A *full* collection (generation 2) walks every tracked object that is not frozen, and holds the
interpreter while it does. Measured with `gc.callbacks` in bench_app's TUI child (CPython 3.11, 200x50):

- before the board's full read is frozen, full collections walk its rows (until stop 30 `BoardRow`s with
  SQLAlchemy's state, sets and weak references; now named tuples) and the visits: 155-350 ms each at 20,000 rows,
  in the reading thread, while the first screenful is already on screen and may be typed on;
- after the freeze (`settle_heap`), the heap that is not frozen is what the session made since: mostly the grid's
  drawn lines (a Textual `Strip` carries seven `FIFOCache`s, and each of its `Segment`s and each `GridCell` is a
  named tuple, which the collector never untracks), 60,000-65,000 objects after a few pages, 14-58 ms per full
  collection at 2,000 and 20,000 rows alike. Python starts one every ten collections of generation 1 once the
  objects promoted since the last outnumber a quarter of those it kept, so they came every few seconds of paging.

Then the middle generation. With full collections deferred, the pauses left while paging were Python's collections of
generation 1: every tenth young collection walks what the last ten let through (a page's drawn lines, its cached
cell layouts), 2-10 ms each, 72 in one benchmark session. Added to a page down's own 12-15 ms they made every fourth
page from about the thirtieth miss a frame (17-23 ms; page down p95 17.5 ms at 2,000 rows, budget 16.7).

What we do, and why. Python's own rules for starting collections of generations 1 and 2 are turned off while the
app runs (their thresholds set out of reach), and the app runs the collection Python would have run itself, at the
first quiet moment once Python would have: no key or click for `QUIET_SECONDS`, checked on the app's tick (every
15 s). A collection of generation 1 at that moment walks what several pages let through at once (it is bigger than
Python's would be, and nobody waits for it); every tenth is a full one, as Python counts. Generation 0 stays
automatic (well under a millisecond: it walks only the youngest few hundred objects). Together with the freeze of
each full read, which keeps the full collection small, no collection beyond the youngest runs while someone types,
and the collector still frees every cycle: nothing is frozen that would not have been (re-freezing after every full
collection, tried before, keeps the cycles of closed dialogs for the whole session; a higher first threshold makes
every young collection longer). Should nobody pause for `FORCE_AFTER_SECONDS`, it runs anyway: memory must stay
bounded.
"""

from __future__ import annotations

import gc
import time

QUIET_SECONDS = 1.0
"""No key or click for this long: a collection now cannot hold up a key being typed."""

FORCE_AFTER_SECONDS = 120.0
"""How long a collection may wait for a quiet moment before it runs anyway (a page down makes six young collections:
a count of them would force one every twenty keys)."""

OUT_OF_REACH = 1 << 30
"""The second and third thresholds while the app decides: Python never gets there by itself."""

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
    """Runs the collections of generations 1 and 2 for the app, at quiet moments (see the module's docstring)."""

    def __init__(self) -> None:
        self.input_at = time.monotonic()
        """When a key or click last came (monotonic seconds; the app's clock may be frozen by a test)."""
        self.collections = 0
        """Collections run here, of either generation (for tests and benchmarks to see that they happened)."""
        self.due_since: float | None = None
        """When a tick first found a collection due and somebody typing (monotonic seconds), until one runs."""
        self._started = False

    def start(self) -> None:
        """Take over Python's rules for collections of generations 1 and 2 (undone by `stop`)."""
        if self._started:
            return
        self._started = True
        threshold = gc.get_threshold()
        if not _saved:
            _saved.append(threshold)
        else:
            _saved.append(_saved[-1])
        gc.set_threshold(threshold[0], OUT_OF_REACH, OUT_OF_REACH)

    def stop(self) -> None:
        """Give Python back its own rule (the last app to stop restores the thresholds it found)."""
        if not self._started:
            return
        self._started = False
        gc.set_threshold(*_saved.pop())

    def touched(self) -> None:
        """A key or click came: collections wait for the next quiet moment."""
        self.input_at = time.monotonic()

    def due(self) -> int | None:
        """The generation Python would have collected by now, if any: 2 once its count of collections of generation
        1 since the last full one reaches its third threshold (ours, and those it would have run: one per ten young
        collections since ours), else 1 if it would have run one of those."""
        if not self._started or not gc.isenabled():
            return None
        counts, thresholds = gc.get_count(), _saved[-1]
        owed = counts[1] // max(1, thresholds[1])
        if counts[2] + owed >= thresholds[2]:
            return 2
        return 1 if owed else None

    def collect_if_quiet(self) -> bool:
        """Run the collection Python would have run, if nobody has typed for `QUIET_SECONDS` (or if it has waited for
        that since `FORCE_AFTER_SECONDS`). Whether it ran."""
        generation = self.due()
        if generation is None:
            return False
        now = time.monotonic()
        if now - self.input_at < QUIET_SECONDS:
            if self.due_since is None:
                self.due_since = now
            if now - self.due_since < FORCE_AFTER_SECONDS:
                return False
        gc.collect(generation)
        self.due_since = None
        self.collections += 1
        return True
