"""A coordinator double-clicks the board's CSV export, LibreOffice Calc asks how to read it, the coordinator presses
Enter: the sheet must hold the export's columns, with Å, Ä and Ö whole (issue 18).

This is the way a person meets the file, so it is driven the same way: LibreOffice's own window on a private
virtual screen with a new profile, the Text Import dialog's defaults accepted with Enter, the whole sheet selected
and copied with the keyboard, and the cells read back from the clipboard. (LibreOffice's headless conversion, with
no filter options, reads the same file as Latin-1 split at commas: it is not what a person sees.) The dialog's
defaults are: the character set from the byte-order mark, and tab, comma and semicolon all as separators; that is
why the export quotes every cell (an unquoted `Ring läkaren, sedan FK` in a `;` file became two cells). Excel has
no such dialog: a double-clicked file is split at the regional list separator, `;` in sv, da, nb and nl. There is
no Excel here to run; tests/core/test_export_csv.py checks that those boards write `;`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import time
from pathlib import Path

from helpers import prepared
from helpers.boards import MONDAY_MORNING, USER
from helpers.tools import require
from helpers.week import csv_rows
from helpers.xscreen import require_screen_tools, virtual_screen, wait_until

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.export import Format, board_document
from factboard_tui.core.transfer.export_formats import render

SOFFICE = shutil.which("soffice")

NO_TIPS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="ShowTipOfTheDay" oor:op="fuse">
<value>false</value></prop></item>
</oor:items>
"""
"""The new profile's one setting: no "Did you know?" window over the sheet at first start (it would take the
keyboard). The Text Import dialog's settings are LibreOffice's own defaults."""

SLOW_START = 240
"""Seconds LibreOffice may take to start with a new profile on a loaded machine (a bound, not a budget)."""

AGAIN = 10.0
"""Seconds before Enter is pressed again on a dialog that is still shown."""


def has_window() -> bool:
    """Whether this LibreOffice can open windows: `libreoffice-calc-nogui` has no X11 plug-in."""
    return SOFFICE is not None and (Path(os.path.realpath(SOFFICE)).parent / "libvclplug_genlo.so").is_file()


def test_libreoffice_opens_the_demo_boards_csv_in_its_columns_with_the_defaults_a_person_accepts(
    tmp_path: Path,
) -> None:
    purpose = "open the CSV export in LibreOffice Calc's window as a person does"
    require("soffice", purpose)
    require("libreoffice-calc", purpose + " (libreoffice-calc-nogui has no window)", found=has_window())
    require_screen_tools(purpose)
    path = tmp_path / "demo.db"
    with Board.open_with_key(path, prepared.demo(path), clock=frozen_clock(MONDAY_MORNING)) as board:
        board.add_row(
            USER,
            {"client_code": "ÅÖ-12", "triage": "new", "situation": "Ring läkaren; boka tid"}  # only a `;`
            | {"actions": 'Säg "nej" till Åsa\nRing Östen', "safety": "=1+2", "other_providers": "Borås, LSS"},
        )
        data = render(board_document(board), Format.CSV)
    source = tmp_path / "tavlan.csv"
    source.write_bytes(data)
    expected = csv_rows(data, ";")
    assert "Övriga vårdgivare" in expected[0] and "Aktuella åtgärder" in expected[0]
    profile = tmp_path / "libreoffice"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(NO_TIPS, encoding="utf-8")

    with virtual_screen() as screen:
        screen.start(
            str(SOFFICE),
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            str(source),
            env={"SAL_USE_VCLPLUGIN": "gen"},
            log=tmp_path / "soffice.log",
        )
        wait_until(lambda: screen.window("Text Import"), "LibreOffice's Text Import dialog", SLOW_START)
        pressed = [-AGAIN]

        def sheet_shown() -> str | None:
            """The sheet's window; Enter on the dialog (the defaults, as a person accepts them), and again if the
            dialog is still there a while later (it showed before it took keys)."""
            sheet = screen.window(f"{source.name} - LibreOffice Calc")
            dialog = screen.window("Text Import")
            if sheet is None and dialog is not None and time.monotonic() - pressed[0] > AGAIN:
                screen.press(dialog, "Return")
                pressed[0] = time.monotonic()
            return sheet

        sheet = wait_until(sheet_shown, "the sheet", SLOW_START)

        def copied() -> str:
            screen.press(sheet, "ctrl+a", "ctrl+c")
            return screen.clipboard()

        text = wait_until(copied, "the sheet's cells on the clipboard", 60)

    cells = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t"))
    assert cells[0] == expected[0], "the header is not split into the export's columns"
    # The clipboard's plain text writes a line break inside a cell as a space; every other character is the cell's.
    assert cells == [[cell.replace("\n", " ") for cell in row] for row in expected]
    added = dict(zip(cells[0], next(row for row in cells if "ÅÖ-12" in row), strict=True))
    assert [added[label] for label in ("Aktuell situation", "Aktuella åtgärder", "Säkerhet", "Övriga vårdgivare")] == [
        "Ring läkaren; boka tid",
        'Säg "nej" till Åsa Ring Östen',
        "'=1+2",  # shown as text, never run
        "Borås, LSS",
    ]
