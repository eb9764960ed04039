"""One meeting per board: the running meeting's claim, which every terminal on the board sees.

A chair who starts a meeting claims it: a record in `board_meta` (`running_meeting`) naming the chair, when the
meeting started, the row the chair is on, and a heartbeat the chair's app renews every `HEARTBEAT_SECONDS`.
Another terminal that starts a meeting is told "a meeting is running since 08:15 (KOO)" and may follow it (a
read-only view of the chair's row) or take it over. A claim whose heartbeat is older than `STALE_SECONDS` (the
chair's app died, the laptop slept) blocks nothing: it is shown as stale and may be taken over like any other,
so a crash never locks the team out of its meeting.

Claiming, taking over and closing go through the one write transaction and are entered in the audit log (who,
which chair, since when). Heartbeats and the chair's moves go through it too but change no board data, so they
are not entered (an entry every few seconds would bury the log). The claim lives in this board file only: it
is not a change record, so sync bundles do not carry it, and each site holds its own meeting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from factboard_tui.core.errors import FactBoardError
from factboard_tui.core.i18n import _
from factboard_tui.core.security.audit_words import MEETING_CLOSED, MEETING_TAKEN_OVER, MEETING_TAKEN_OVER_STALE, stored
from factboard_tui.core.store.handle import BoardHandle
from factboard_tui.core.store.transaction import write_transaction

CLAIM_KEY = "running_meeting"
"""The `board_meta` key that holds the running meeting's claim (JSON)."""

HEARTBEAT_SECONDS = 10.0
"""How often the chair's app renews its claim."""

STALE_SECONDS = 60.0
"""A claim not renewed for this long is stale: its chair's app is gone, and nothing waits for it."""


@dataclass(frozen=True, slots=True)
class MeetingClaim:
    """A running meeting as the board knows it: whose (`token`: the chair's app), by whom, since when, how
    recently renewed, and the row the chair is on."""

    token: str
    chair: str
    started_at: datetime
    beat_at: datetime
    current_row: int | None = None

    def stale(self, now: datetime) -> bool:
        """Whether the chair's app has given no sign for `STALE_SECONDS`."""
        return now - self.beat_at > timedelta(seconds=STALE_SECONDS)

    def since(self) -> str:
        """When the meeting started, as the team reads it on a clock: 08:15 (local time)."""
        return self.started_at.astimezone().strftime("%H:%M")

    def _json(self) -> str:
        return json.dumps(
            {
                "token": self.token,
                "chair": self.chair,
                "started_at": self.started_at.isoformat(),
                "beat_at": self.beat_at.isoformat(),
                "current_row": self.current_row,
            }
        )


class MeetingRunning(FactBoardError):
    """Another terminal runs a meeting on this board (and its app gives signs of life). Only the TUI starts
    meetings, so no command exits with it."""

    def __init__(self, claim: MeetingClaim) -> None:
        super().__init__(
            _("A meeting is running since {since} ({chair}): follow it or take it over.").format(
                since=claim.since(), chair=claim.chair
            )
        )
        self.claim = claim


def _read(connection: Connection) -> MeetingClaim | None:
    found = connection.exec_driver_sql("SELECT value FROM board_meta WHERE key = ?", (CLAIM_KEY,)).first()
    if found is None:
        return None
    try:
        raw = json.loads(found[0])
        return MeetingClaim(
            token=str(raw["token"]),
            chair=str(raw["chair"]),
            started_at=datetime.fromisoformat(raw["started_at"]),
            beat_at=datetime.fromisoformat(raw["beat_at"]),
            current_row=int(raw["current_row"]) if raw.get("current_row") is not None else None,
        )
    except (ValueError, KeyError, TypeError):
        return None  # a claim that cannot be read blocks nothing (the next claim replaces it)


def _write(connection: Connection, claim: MeetingClaim) -> None:
    connection.exec_driver_sql(
        "INSERT INTO board_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (CLAIM_KEY, claim._json()),
    )


def running_meeting(board: BoardHandle) -> MeetingClaim | None:
    """The running meeting's claim, stale or not (None when no meeting runs)."""
    with board.engine.connect() as connection:
        return _read(connection)


def claim_meeting(board: BoardHandle, chair: str, token: str, *, take_over: bool = False) -> MeetingClaim:
    """Claim the board's meeting for `chair`'s app (`token`); refused with `MeetingRunning` while another app's
    claim is alive, unless `take_over`. Entered in the audit log as a start or a take-over."""
    now = board.clock()
    action, detail = "meeting start", ""
    with write_transaction(board, chair, "meeting start") as connection:
        current = _read(connection)
        if current is not None and current.token != token:
            if not current.stale(now) and not take_over:
                raise MeetingRunning(current)
            action = "meeting taken over"
            detail = stored(
                MEETING_TAKEN_OVER_STALE if current.stale(now) else MEETING_TAKEN_OVER,
                chair=current.chair,
                since=current.started_at.isoformat(timespec="seconds"),
            )
        claim = MeetingClaim(token, chair, now, now)
        _write(connection, claim)
        connection.info["audit_detail"] = detail
        connection.info["audit_action"] = action
    return claim


def renew_claim(board: BoardHandle, token: str, current_row: int | None) -> MeetingClaim | None:
    """The chair's heartbeat (and the row the chair is on, for those who follow): None when the claim is no
    longer this app's (someone took the meeting over, or it was closed), and then nothing is written."""
    with write_transaction(board) as connection:
        current = _read(connection)
        if current is None or current.token != token:
            return None
        claim = MeetingClaim(token, current.chair, current.started_at, board.clock(), current_row)
        _write(connection, claim)
    return claim


def close_claim(board: BoardHandle, token: str) -> None:
    """The meeting ended (stored or discarded): the board has no running meeting, if it still was this app's."""
    with write_transaction(board, action="meeting closed") as connection:
        current = _read(connection)
        if current is not None and current.token == token:
            connection.exec_driver_sql("DELETE FROM board_meta WHERE key = ?", (CLAIM_KEY,))
            connection.info["audit_detail"] = stored(MEETING_CLOSED, chair=current.chair, since=current.since())
        else:
            connection.info["audit_action"] = "change"  # nothing closed here: nothing to enter
