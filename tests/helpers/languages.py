"""Boards in each language FactBoard speaks, for the language tests: a few rows written as a team in that country
writes them (the template's own triage levels and categories, free text in the team's words), a team list, visits
this week. Made with a frozen clock so snapshots do not change from day to day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from helpers.boards import PASSPHRASE

from factboard_tui.core.clock import Clock, frozen_clock, week_start
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite

STAFF = (("ANE", "nurse"), ("BOL", "doctor"), ("CIK", "social_worker"), ("DAS", "psychologist"))

TEXT = {
    "sv": ("Sover dåligt, slutat ta medicin.", "Hembesök tisdag, läkarsamtal torsdag.", "Ängelholm"),
    "da": ("Sover dårligt, er holdt op med medicinen.", "Hjemmebesøg tirsdag, lægesamtale torsdag.", "Ærø"),
    "nb": ("Sover dårlig, har sluttet med medisinen.", "Hjemmebesøk tirsdag, legesamtale torsdag.", "Ørsta"),
    "nl": ("Slaapt slecht, is gestopt met medicatie.", "Huisbezoek dinsdag, gesprek psychiater donderdag.", "Zeist"),
    "en": ("Sleeps badly, stopped taking medication.", "Home visit Tuesday, doctor's appointment Thursday.", "Leeds"),
}
"""Situation, actions and another care provider, in each language."""

ROWS = (
    ("AB-12", "crisis", "symptom_increase", 12),
    ("CD-34", "admitted", "repeated_admission", 30),
    ("EF-56", "new", "new_client", 3),
    ("GH-78", "watch", "life_events", 41),
    ("IJ-90", "stable", "other", 88),
)


def language_board(path: Path, language: str, moment: datetime, clock: Clock | None = None) -> Board:
    """A board with template `language` at `path` (passphrase `PASSPHRASE`), filled and open (on `clock`, else a
    clock frozen at `moment`)."""
    clock = clock or frozen_clock(moment)
    board, _key = Board.create(path, PASSPHRASE, template_id=language, team="FACT Test", clock=clock)
    for initials, discipline in STAFF:
        board.write_staff("ANE", initials, name=f"{initials.title()} Test", discipline=discipline, source="test")
    today: date = board.today()
    monday = week_start(today)
    situation, actions, provider = TEXT[language]
    writes = []
    for number, (code, triage, category, days) in enumerate(ROWS):
        values = {
            "client_code": code,
            "triage": triage,
            "category": category,
            "date_on": today - timedelta(days=days),
            "primary_contact": STAFF[number % 4][0],
            "doctor": "BOL",
            "other_providers": provider,
            "situation": situation,
            "actions": actions,
            "evaluation_date": today + timedelta(days=7 - 3 * number),
        }
        visits = {monday + timedelta(days=1): (STAFF[number % 4][0], None)}
        writes.append(RowWrite(Op.ADD, values=values, visits=visits))
    board.write_rows("ANE", writes, source="test")
    return board
