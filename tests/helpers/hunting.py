"""One Hypothesis profile for the whole suite, and a longer random hunt on demand.

By default (CI and a developer's `pytest`) every property test is derandomised: the same examples in every run,
no deadline (a loaded machine is slow, not wrong) and no example database, so a red run is the code's fault and
reruns the same way. `FACTBOARD_HUNT=5000 pytest tests/proofs/test_proof_fuzz.py` hunts instead: fresh random
examples, that many per test, remembering failures in `.hypothesis/` so the next run tries them first.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

HUNT = int(os.environ.get("FACTBOARD_HUNT") or 0)
"""Examples per property test when hunting (0: not hunting)."""


def examples(fixed: int) -> int:
    """How many examples a property test runs: its own fixed number, or the hunt's when hunting."""
    return HUNT or fixed


def load_profile() -> None:
    """Register both profiles and load the one this run asks for (called once, from conftest.py)."""
    settings.register_profile(
        "repeatable",
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile("hunt", derandomize=False, deadline=None, max_examples=max(HUNT, 1))
    settings.load_profile("hunt" if HUNT else "repeatable")
