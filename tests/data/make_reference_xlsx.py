"""Write `reference_board.xlsx` from `reference_board.csv`: the reference board (002) as a team's Excel sheet.

The layout is the reference board's: a row of column letters above the header, row numbers in the first column,
empty rows 1, 7 and 8. Cells are typed as Excel stores what people type: dates like 190327 become numbers, row
numbers become numbers, everything else stays text. Run from the repository root:
`python tests/data/make_reference_xlsx.py`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent


def typed(text: str) -> str | int | None:
    """A cell as Excel would store what was typed into it."""
    if not text:
        return None
    return int(text) if text.isdigit() else text


def main() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "FACT-tavlan"
    with (HERE / "reference_board.csv").open(encoding="utf-8", newline="") as handle:
        for cells in csv.reader(handle):
            sheet.append([typed(cell) for cell in cells])
    sheet.freeze_panes = "B3"
    workbook.save(HERE / "reference_board.xlsx")


if __name__ == "__main__":
    main()
