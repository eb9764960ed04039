"""A dictionary that works out each value the first time it is asked for: one answer per distinct key.

Bulk work turns the same few inputs into the same outputs over and over: a board of 20,000 rows holds a few hundred
dates and a handful of triage keys, and a week export writes the same weekday names and triage labels on 60,000
lines. Asking a `Memo` is one dictionary look-up in C; the work (parsing a date, translating a label) runs once per
distinct key, and every row that has that key shares one object (less memory for the process to fault in and the
collector to walk: issue 15). Standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Memo(dict[Any, Any]):
    """`make(key)` for each key, made when first asked for and kept (`known`: answers given in advance, such as
    `None` for `None`)."""

    def __init__(self, make: Callable[[Any], Any], known: Mapping[Any, Any] | None = None) -> None:
        super().__init__(known or {})
        self._make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self._make(key)
        return value
