"""Carry-forward: a row the last meetings did not reach is flagged, and goes first among its equals at the next one.

FACT's fidelity scale asks that every client on the board is reviewed at each meeting (DACTS H3). A meeting that runs
out of time stores its rows as skipped or not reached (`meetings.NOT_REACHED`); on its own that is forgotten by the
next morning. Here the stored outcomes of the last N meetings (N from the template, `plans.carry_forward`, default 2)
decide which open rows were listed in every one of them and discussed in none: those are carried forward, with the
date they were last discussed (or came on the board) so the board can say "not discussed since 24 Nov".

A row that came on the board after the older of those meetings was not yet passed over N times, so it is not
carried; fewer than N meetings held means no row is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from factboard_tui.core.domain.meetings import DISCUSSED, Flag
from factboard_tui.core.i18n import _
from factboard_tui.core.locale_dates import day_month
from factboard_tui.core.store.schema import RowValues

CARRIED = "carried_forward"
"""The flag's key (its letter on the board and in the meeting list: `C`)."""


@dataclass(frozen=True, slots=True)
class MeetingOutcomes:
    """What the last meetings stored, as the carry-forward reads it."""

    meetings: int
    """How many of the last N meetings there are (fewer than N on a new board)."""
    outcomes: Mapping[int, Sequence[str]]
    """Row id -> its outcome in each of those meetings it was listed in."""
    last_discussed: Mapping[int, date]
    """Row id -> the (local) day of the last meeting that discussed it, any meeting ever (only for rows not
    discussed at the last meetings: the others are not carried)."""


def carried_forward(found: MeetingOutcomes, last: int) -> set[int]:
    """The rows listed in each of the last `last` meetings and discussed in none of them."""
    if found.meetings < last:
        return set()
    return {
        row_id for row_id, outcomes in found.outcomes.items() if len(outcomes) >= last and DISCUSSED not in outcomes
    }


def since(row_id: int, date_on: date, found: MeetingOutcomes) -> date:
    """The day a carried row was last discussed, or the day it came on the board if it never was."""
    discussed = found.last_discussed.get(row_id)
    return discussed if discussed is not None and discussed >= date_on else date_on


def carried_flag(day: date, language: str | None = None) -> Flag:
    """The flag of a carried row: "not discussed since 24 Nov" (the day and month in the board's language)."""
    return Flag(CARRIED, _("not discussed since {date}").format(date=day_month(day, language)))


def carried_rows(rows: Iterable[RowValues], found: MeetingOutcomes, last: int) -> dict[int, date]:
    """The open rows carried forward, each with the day it was last discussed (or came on the board)."""
    ids = carried_forward(found, last)
    return {row.id: since(row.id, row.date_on, found) for row in rows if row.id is not None and row.id in ids}
