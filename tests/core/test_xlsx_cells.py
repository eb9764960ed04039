"""The first-sheet reader used by imports, against what Excel writes and against openpyxl's own reading.

Excel stores text as shared strings (sometimes rich text with phonetic guides), dates as numbers with a date
style, and may use the 1904 date system; openpyxl writes inline strings. Both kinds must read the same.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers.places import DATA
from openpyxl import Workbook, load_workbook

from factboard_tui.core.errors import NotAWorkbook
from factboard_tui.core.transfer.xlsx_cells import first_sheet

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_like(path: Path, date1904: bool = False) -> Path:
    """A workbook as Excel writes one: shared strings (one rich), date styles, a bool, a formula's text."""
    files = {
        "[Content_Types].xml": "<Types/>",
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr date1904="{int(date1904)}"/>'
            '<sheets><sheet name="Tavla" sheetId="1" r:id="rId7"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId7" Type="worksheet" Target="/xl/worksheets/tavla.xml"/></Relationships>'
        ),
        "xl/sharedStrings.xml": (
            f'<sst xmlns="{MAIN}"><si><t>Datum</t></si><si><t>Patient</t></si>'
            "<si><r><t>DD</t></r><r><rPr><b/></rPr><t>-75</t></r><rPh><t>x</t></rPh></si><si><t>obs</t></si></sst>"
        ),
        "xl/styles.xml": (
            f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
            '<numFmt numFmtId="165" formatCode="0.00 &quot;kr&quot;"/></numFmts>'
            '<cellXfs><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="165"/></cellXfs>'
            "</styleSheet>"
        ),
        "xl/worksheets/tavla.xml": (
            f'<worksheet xmlns="{MAIN}"><dimension ref="A1:F3"/><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
            '<row r="3"><c r="A3" s="1"><v>43551</v></c><c r="B3" t="s"><v>2</v></c>'
            '<c r="C3" s="2"><v>43551.5</v></c><c r="D3" s="3"><v>12</v></c><c r="E3" t="b"><v>1</v></c>'
            '<c r="G3" t="str"><f>A1</f><v>Datum</v></c><c r="H3"/></row>'
            "</sheetData></worksheet>"
        ),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def test_what_excel_writes_reads_as_values(tmp_path: Path) -> None:
    rows = first_sheet(excel_like(tmp_path / "excel.xlsx"))
    assert rows == [
        (1, ["Datum", "Patient"]),
        (3, [date(2019, 3, 27), "DD-75", datetime(2019, 3, 27, 12, 0), 12, True, None, "Datum"]),
    ]


def test_the_1904_date_system(tmp_path: Path) -> None:
    rows = first_sheet(excel_like(tmp_path / "mac.xlsx", date1904=True))
    assert rows[1][1][0] == date(2023, 3, 28)  # 43551 days after 1904-01-01


def test_reads_as_openpyxl_does(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Datum", "Patient", "Triage", None, "Må"])
    sheet.append([date(2026, 11, 2), "DD-75", "obs", 3.5, "DEN+MJR"])
    sheet.append([190327, "  AA-80 ", "Kris\nnotering", None, None])
    workbook.save(tmp_path / "made.xlsx")
    for path in (tmp_path / "made.xlsx", DATA / "reference_board.xlsx"):
        expected = []
        for number, values in enumerate(
            load_workbook(path, read_only=True).worksheets[0].iter_rows(values_only=True), 1
        ):
            cells = list(values)
            while cells and cells[-1] is None:
                cells.pop()
            if cells:
                expected.append((number, [v.date() if isinstance(v, datetime) and v.hour == 0 else v for v in cells]))
        assert first_sheet(path) == expected


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really", bytes(range(256))])
def test_anything_else_is_not_a_workbook(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(NotAWorkbook):
        first_sheet(path)
