"""The demo board's past: a quarter of clients coming and going, meetings held and visits made, so the statistics
screen and `factboard report` have something to count.

Made up from a fixed seed (the same demo every time, and in every screenshot), relative to today, and written
through the real write paths with the board's clock moved day by day: rows added, their triage changed, visits
planned, rows taken off with a reason (some coming back within 90 days), meetings held with attendance and each
row's outcome. Texts that a user reads (reasons for going off) come from `data/demo/<template>.toml`'s `[history]`
table; a demo file without one gets no history. Writes are batched per day (one transaction for the day's new rows,
one for the rest), so the history costs about a hundred transactions.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from factboard_tui.core.clock import week_start
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.domain.meetings import DISCUSSED, SKIPPED, MeetingSession
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.minutes import save_meeting

SEED = 19
"""The demo's history is the same every time it is made."""

TRIAGE_WEIGHTS = {"crisis": 2, "admitted": 2, "new": 3, "watch": 3, "stable": 3}
"""How often a past row goes on the board in each triage (keys the shipped templates share)."""

LENGTHS = (3, 5, 8, 12, 16, 21, 28, 35, 45, 60, 80)
"""Days a past row stays on the board."""


@dataclass
class _Episode:
    code: str
    on: date
    off: date
    triage: str
    change: tuple[date, str] | None
    visits: dict[date, str] = field(default_factory=dict)
    row_id: int = 0


def _plan(data: dict[str, Any], staff: list[str], today: date, rng: random.Random) -> tuple[date, list[_Episode]]:
    """The episodes of the past, oldest first, with their visits."""
    history = data["history"]
    weeks = int(history.get("weeks", 13))
    start = week_start(today) - timedelta(weeks=weeks)
    span = (today - start).days
    letters = "ABCEFGHJKLMNPRSTUVWXZ"
    episodes: list[_Episode] = []
    for number in range(int(history.get("episodes", 24))):
        code = f"{rng.choice(letters)}{rng.choice(letters)}-{rng.randrange(10, 100)}"
        length = rng.choice([n for n in LENGTHS if n < span - 3])
        on = start + timedelta(days=rng.randrange(0, span - length - 1))
        if number < 4:  # some stay until the last days, so the last weeks had meetings too
            on = max(start, today - timedelta(days=length + 1 + rng.randrange(0, 4)))
        off = on + timedelta(days=length)
        episodes.append(_Episode(code, on, off, _triage(rng), None))
    ended_early = [e for e in episodes if e.off < today - timedelta(days=24)]
    for earlier in rng.sample(ended_early, k=min(4, len(ended_early))):  # some come back within 90 days
        on = earlier.off + timedelta(days=rng.randrange(5, 20))
        off = min(on + timedelta(days=rng.choice(LENGTHS)), today - timedelta(days=1))
        episodes.append(_Episode(earlier.code, on, off, rng.choice(["crisis", "admitted"]), None))
    for episode in episodes:
        length = (episode.off - episode.on).days
        if length >= 8 and rng.random() < 0.45:
            episode.change = (episode.on + timedelta(days=length // 2), rng.choice(["crisis", "admitted", "stable"]))
        day = episode.on
        while day < episode.off:
            if day.weekday() < 5 and rng.random() < 0.4:
                episode.visits[day] = "+".join(sorted(rng.sample(staff, k=rng.choice((1, 1, 2)))))
            day += timedelta(days=1)
    codes: dict[str, list[_Episode]] = defaultdict(list)
    kept = []
    for episode in sorted(episodes, key=lambda e: e.on):  # one open row per client code at a time
        if all(other.off < episode.on for other in codes[episode.code]):
            codes[episode.code].append(episode)
            kept.append(episode)
    return start, kept


def _triage(rng: random.Random) -> str:
    keys = list(TRIAGE_WEIGHTS)
    return rng.choices(keys, weights=[TRIAGE_WEIGHTS[key] for key in keys])[0]


def write_history(board: Board, data: dict[str, Any], author: str) -> None:
    """Write the demo's past into `board` (its clock is moved day by day and put back afterwards)."""
    if "history" not in data:
        return
    original: Callable[[], datetime] = board.clock
    today = board.today()
    rng = random.Random(SEED)
    team = [member["initials"] for member in data["staff"]]
    visitors = [initials for initials in team if initials != author]
    reasons: list[str] = list(data["history"]["off_reasons"])
    start, episodes = _plan(data, visitors, today, rng)
    template = board.template
    levels = {level.key for level in template.triage}

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute)).astimezone()

    try:
        day = start
        while day < today:
            moment = at(day, 8, 15)
            board.clock = lambda moment=moment: moment  # type: ignore[misc]
            if day.weekday() < 5 and rng.random() < 0.82:
                _meeting(board, author, team, moment, rng)
            noon = at(day, 12)
            board.clock = lambda noon=noon: noon  # type: ignore[misc]
            adds = [e for e in episodes if e.on == day]
            if adds:
                writes = [
                    RowWrite(
                        Op.ADD,
                        values={
                            "client_code": e.code,
                            "triage": e.triage if e.triage in levels else template.triage[-1].key,
                            "date_on": day,
                            "category": rng.choice(template.categories).key,
                            "primary_contact": rng.choice(visitors),
                        },
                    )
                    for e in adds
                ]
                for episode, result in zip(adds, board.write_rows(author, writes, source="demo"), strict=True):
                    episode.row_id = result.row_id
            later: list[RowWrite] = []
            for e in adds:
                if e.visits:
                    later.append(RowWrite(Op.SET, e.row_id, visits={d: (s, None) for d, s in e.visits.items()}))
            for e in episodes:
                if e.change is not None and e.change[0] == day and e.change[1] in levels:
                    later.append(RowWrite(Op.SET, e.row_id, values={"triage": e.change[1]}))
            later += [
                RowWrite(Op.OFF, e.row_id, values={"off_reason": rng.choice(reasons), "date_off": day})
                for e in episodes
                if e.off == day
            ]
            if later:
                board.write_rows(author, later, source="demo")
            day += timedelta(days=1)
    finally:
        board.clock = original


def _meeting(board: Board, chair: str, team: list[str], moment: datetime, rng: random.Random) -> None:
    """A morning meeting over the rows on the board: most discussed, a few skipped, the last ones not always
    reached; three to seven people present; a little over or under the day's budget."""
    rows = board.rows()
    if not rows:
        return
    session = MeetingSession.start(rows, board.template, moment, chair, first_change_id=board.data_version())
    others = [initials for initials in team if initials != chair]
    session.attendees = [chair, *rng.sample(others, k=rng.randrange(2, min(7, len(others) + 1)))]
    reached = len(session.order) - (rng.choice((0, 0, 0, 1, 2)) if len(session.order) > 3 else 0)
    for row_id in session.order[:reached]:
        session.status[row_id] = SKIPPED if rng.random() < 0.08 else DISCUSSED
        session.seconds[row_id] = float(rng.randrange(40, 300))
    minutes = session.budget_minutes * rng.uniform(0.6, 1.1)
    save_meeting(board, session, moment + timedelta(minutes=minutes))
