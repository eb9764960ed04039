"""Hybrid logical clocks: one order for changes made at sites whose clocks disagree.

A stamp is the wall-clock millisecond plus a counter, written at fixed width so that comparing the text compares
the clocks. A site's next stamp is always later than every stamp it has seen (its own and imported ones), so a
change made after seeing another is ordered after it even when the clocks differ; ties between sites are broken
by the site id (`stamp`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

HLC_PATTERN = re.compile(r"^[0-9]{15}-[0-9]{5}$")
"""`000001764061200000-00000`: milliseconds since 1970 (15 digits), then a counter (5 digits)."""

LATEST_HLC = "253402300799999-99999"
"""The last clock reading that is a date (9999-12-31 23:59:59.999 UTC); a later one is not a clock."""

MAX_COUNTER = 99_999
"""The counter's five digits; past it the clock moves on by a millisecond."""
FUTURE_TOLERANCE_MS = 60 * 60 * 1000
"""A clock more than an hour ahead of ours is flagged on import."""


def format_hlc(millis: int, counter: int) -> str:
    """The fixed-width text of a clock reading."""
    return f"{millis:015d}-{counter:05d}"


def parse_hlc(text: str) -> tuple[int, int]:
    """(milliseconds, counter) of a clock's text; `ValueError` if it is not one."""
    if not HLC_PATTERN.match(text):
        raise ValueError(f"not a hybrid clock: {text!r}")
    millis, counter = text.split("-")
    return int(millis), int(counter)


def millis_of(moment: datetime) -> int:
    """Milliseconds since 1970 of a timezone-aware moment."""
    return int(moment.astimezone(UTC).timestamp() * 1000)


def next_hlc(last: str | None, now_millis: int) -> str:
    """The stamp for a new change: the wall clock, unless something seen is already at or past it."""
    if last is None:
        return format_hlc(now_millis, 0)
    last_millis, counter = parse_hlc(last)
    if now_millis > last_millis:
        return format_hlc(now_millis, 0)
    if counter >= MAX_COUNTER:  # a frozen clock and very many changes: borrow a millisecond, stay in order
        return format_hlc(last_millis + 1, 0)
    return format_hlc(last_millis, counter + 1)


def stamp(hlc: str, origin: str) -> str:
    """The total order of changes: clock first, then the site id as tie-break."""
    return f"{hlc} {origin}"


def as_datetime(hlc: str) -> datetime:
    """The wall-clock part of a stamp, for messages."""
    return datetime.fromtimestamp(parse_hlc(hlc)[0] / 1000, UTC)
