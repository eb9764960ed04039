"""Time, made replaceable, and the calendar rules every part shares (today where the team is, the ISO week).

Everything that stamps or compares time asks a `Clock`, so tests and screenshots can freeze it. `FACTBOARD_NOW`
(an ISO date-time) freezes the clock of a whole process, which the CLI tests and the demo screenshots use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _

NOW_ENV = "FACTBOARD_NOW"

Clock = Callable[[], datetime]
"""A function returning the current time, timezone-aware."""


def system_clock() -> datetime:
    """The real time (UTC), unless `FACTBOARD_NOW` freezes it."""
    frozen = os.environ.get(NOW_ENV)
    if frozen:
        return parse_frozen(frozen)
    return datetime.now(UTC)


def parse_frozen(text: str) -> datetime:
    """Read a frozen time like `2026-11-23T08:15:00` (local time if no zone is given)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise FactBoardError(
            _("{now_env}={text} is not an ISO date-time like 2026-11-23T08:15:00.").format(
                now_env=NOW_ENV, text=repr(text)
            )
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def frozen_clock(moment: datetime) -> Clock:
    """A clock that always says `moment` (for tests)."""
    fixed = moment if moment.tzinfo else moment.astimezone()
    return lambda: fixed


def local_today(clock: Clock) -> date:
    """Today's date where the team is."""
    return clock().astimezone().date()


def week_start(day: date) -> date:
    """The Monday of the ISO week that holds `day`."""
    return day - timedelta(days=day.weekday())
