"""A week's board for the export tests: three rows in the style of the reference board (002), with visits this week
and an evaluation on Friday, in-process or behind the real CLI at its frozen time (Wednesday 2026-11-25, week
2026-W48)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from helpers.boards import NOW, PASSPHRASE, USER
from helpers.cli import Cli

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite

MONDAY = date(2026, 11, 23)
"""Monday of the frozen week (`NOW` is Wednesday 2026-11-25)."""


def day(offset: int) -> date:
    return MONDAY + timedelta(days=offset)


def fill(board: Board) -> None:
    """Three rows in the style of the reference board, with visits this week and an evaluation on Friday."""
    board.write_staff(USER, "DEN", name="Dana Engström")
    board.write_rows(
        USER,
        [
            RowWrite(
                "add",
                values={
                    "client_code": "NN-89",
                    "triage": "Kris",
                    "category": "Återkommande inläggning",
                    "primary_contact": "DEN",
                    "doctor": "HMR",
                    "other_providers": "Helsingborg",
                    "actions": "Krisplan ska upprättas.\nFrekvent kontakt.",
                    "evaluation_date": day(4),
                    "date_on": date(2026, 10, 1),
                },
                visits={day(0): ("DEN+MJR", None), day(1): ("MDN", "telefon"), day(2): ("KRO+CSA", None)},
            ),
            RowWrite(
                "add",
                values={
                    "client_code": "DD-75",
                    "triage": "obs",
                    "primary_contact": "CSA",
                    "other_providers": "Svalöv, Borås",
                    "actions": "Kommunen följer upp | återrapporterar.",
                    "date_on": date(2026, 11, 2),
                },
                visits={day(0): ("BS", None), day(3): ("BS", None)},
            ),
            RowWrite(
                "add",
                values={"client_code": "AA-80", "triage": "Stabil", "primary_contact": "KRO", "actions": "Ringer."},
            ),
        ],
        source="test",
    )


NOW_ENV = {"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"}
"""The CLI's environment at the same frozen moment as `NOW`."""


def cli_board(cli: Cli) -> None:
    """A board made by `init`, filled in-process, at the CLI's frozen time."""
    cli.ok("init", "--team", "FACT Test")
    board = Board.unlock(cli.db, PASSPHRASE, clock=frozen_clock(NOW))
    fill(board)
    board.close()


def csv_rows(data: bytes, delimiter: str = ";") -> list[list[str]]:
    """An exported CSV file's cells as a spreadsheet set to `delimiter` reads them (a Swedish board's is `;`)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter))
