"""A board with a known history, written through the real write path with the clock moved by hand: rows on and off,
triage changes, meetings with attendance and outcomes, visits by named staff, plans and legal measures recorded
and changed. The fidelity report's tests work its
answers out by hand from this story (tests/core/test_statistics.py says how), and the statistics screen shows it.

The story runs from 1 September to 27 November 2026; the report's period is 2 to 29 November (ISO weeks 45-48).
Writes happen at noon UTC and meetings at 13:00 UTC, so the local day is the same in any time zone from -11 to +11.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from helpers.boards import HandClock

from factboard_tui.core.domain.changes import Op
from factboard_tui.core.domain.meetings import DISCUSSED, SKIPPED, MeetingSession
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import write_row
from factboard_tui.core.transfer.minutes import save_meeting

PERIOD = (date(2026, 11, 2), date(2026, 11, 29))
"""The report's period: Monday of week 45 to Sunday of week 48."""

STAFF = (
    ("KOO", "coordinator", "region"),
    ("CSA", "nurse", "region"),
    ("HMR", "doctor", "region"),
    ("MDN", "psychologist", "municipality"),
    ("DEN", "nurse", "municipality"),
)


def _noon(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def seed_history(board: Board) -> dict[str, int]:
    """Write the story; returns row ids by name (A, B, C (B's client again), D, E)."""
    clock = HandClock(_noon("2026-09-01"))
    board.clock = clock
    ids: dict[str, int] = {}

    def at(day: str) -> None:
        clock.moment = _noon(day)

    def add(name: str, code: str, triage: str, date_on: str | None = None) -> None:
        values = {"client_code": code, "triage": triage} | ({"date_on": date_on} if date_on else {})
        ids[name] = board.add_row("KOO", values)

    def visit(name: str, day: str, staff: str) -> None:
        write_row(board, "KOO", Op.SET, row_id=ids[name], visits={date.fromisoformat(day): (staff, None)})

    def plans(name: str, **values: str) -> None:
        write_row(board, "KOO", Op.SET, row_id=ids[name], values=values)

    def meeting(day: str, minutes: int, present: list[str], status: dict[str, str]) -> None:
        started = datetime.fromisoformat(day).replace(hour=13, tzinfo=UTC)
        order = [row.id for row in board.rows() if row.id is not None]
        session = MeetingSession(
            started_at=started,
            chair="KOO",
            order=order,
            budget_minutes=15,
            attendees=present,
            status={ids[name]: outcome for name, outcome in status.items()},
            current_since=started,
        )
        save_meeting(board, session, started + timedelta(minutes=minutes))

    for initials, discipline, organisation in STAFF:
        board.write_staff("KOO", initials, discipline=discipline, organisation=organisation)
    add("D", "DD-04", "watch", "2026-09-01")
    at("2026-10-20")
    plans("D", crisis_plan="exists", crisis_plan_review="2026-11-20")
    add("A", "AA-01", "new")
    at("2026-10-27")
    visit("A", "2026-10-27", "DEN")  # before the period: not counted
    at("2026-11-02")
    visit("D", "2026-11-02", "CSA")
    plans("D", legal_measure="opt", legal_measure_start="2026-09-15", legal_measure_expiry="2026-12-10")
    meeting("2026-11-02", 10, ["KOO", "CSA", "HMR", "MDN"], {"A": DISCUSSED, "D": DISCUSSED})
    at("2026-11-03")
    add("B", "BB-02", "admitted")
    visit("A", "2026-11-03", "KOO+CSA")
    at("2026-11-04")
    board.set_field("KOO", ids["A"], "triage", "crisis")
    plans("A", legal_measure="lpt", legal_measure_start="2026-11-04", legal_measure_expiry="2026-12-02")
    visit("B", "2026-11-04", "HMR+DEN")
    meeting("2026-11-04", 20, ["KOO", "CSA", "HMR", "MDN"], {"A": DISCUSSED, "B": DISCUSSED, "D": SKIPPED})
    at("2026-11-05")
    visit("A", "2026-11-05", "HMR")
    plans("A", crisis_plan="exists")
    plans("D", coordinated_plan="in_progress")
    at("2026-11-06")
    meeting("2026-11-06", 15, ["CSA", "DEN"], {"A": DISCUSSED})
    at("2026-11-09")
    meeting("2026-11-09", 12, ["KOO", "CSA", "HMR", "MDN"], {"A": DISCUSSED, "B": DISCUSSED, "D": DISCUSSED})
    at("2026-11-10")
    board.take_off("KOO", ids["B"], "Flyttat")
    visit("A", "2026-11-10", "MDN")
    at("2026-11-11")
    board.set_field("KOO", ids["A"], "triage", "stable")
    at("2026-11-16")
    add("E", "EE-05", "stable")
    at("2026-11-17")
    visit("E", "2026-11-17", "XYZ")  # not in the team list
    plans("E", signal_plan="exists")
    at("2026-11-18")
    board.take_off("KOO", ids["A"], "Stabil")
    at("2026-11-20")
    visit("D", "2026-11-20", "CSA")
    at("2026-11-24")
    add("C", "BB-02", "crisis")  # B's client back on the board
    meeting(
        "2026-11-24",
        18,
        ["KOO", "CSA", "HMR", "MDN", "DEN"],
        {"C": DISCUSSED, "D": DISCUSSED, "E": DISCUSSED},
    )
    plans("C", legal_measure="lpt", legal_measure_start="2026-11-24", legal_measure_expiry="2026-11-28")
    at("2026-11-25")
    visit("D", "2026-11-25", "DEN")
    plans("C", crisis_plan="exists", crisis_plan_review="2027-02-01", care_plan="missing")
    at("2026-11-26")
    meeting("2026-11-26", 14, ["KOO", "CSA", "HMR"], {"C": DISCUSSED, "D": SKIPPED})
    at("2026-11-27")
    board.take_off("KOO", ids["E"], "FLYTTAT")
    at("2026-11-30")
    plans("D", crisis_plan_review="2027-05-30")  # after the period: its report still has D's review due
    return ids
