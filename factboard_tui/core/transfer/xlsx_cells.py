"""The values of an Excel workbook's first sheet, read straight from its XML.

A board import needs only the cell values of one sheet. openpyxl (which writes FactBoard's exports, and reads them
back in the tests) builds an object per cell, and reading a 2,000-row board that way took most of the import's
time budget. This reader takes the values from the workbook's XML in one pass: shared and inline strings, numbers,
booleans, formula results, and dates (numbers whose cell style has a date format, in the 1900 or 1904 date
system). It reads from the zip in memory and writes nothing anywhere.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError, fromstring, iterparse

from factboard_tui.core.errors import NotAWorkbook

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

BUILTIN_DATE_FORMATS = frozenset({14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36})
BUILTIN_DATE_FORMATS |= frozenset({45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58})
"""Excel's built-in number formats that show dates or times (the 27-36 and 50-58 ones are East Asian dates)."""

_NOT_FORMAT = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')
"""Parts of a number format that are literal text, colours or padding: letters there do not make it a date."""

_COLUMN = re.compile(r"[A-Z]+")

RowCells = tuple[int, list[Any]]
"""A row number as the sheet shows it (1 is the first), and its cell values from column A."""


def first_sheet(path: Path, progress: Callable[[int, int], None] | None = None) -> list[RowCells]:
    """Every non-empty row of the workbook's first sheet; `progress(rows read, rows in all)` now and then."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            workbook = fromstring(archive.read("xl/workbook.xml"))
            sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
            if sheet is None:
                return []
            sheet_path = _sheet_path(archive, sheet.get(RELATIONSHIP))
            properties = workbook.find(f"{MAIN}workbookPr")
            date1904 = properties is not None and properties.get("date1904") in ("1", "true")
            epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
            strings = _shared_strings(archive) if "xl/sharedStrings.xml" in names else []
            dates = _date_styles(archive) if "xl/styles.xml" in names else frozenset()
            with archive.open(sheet_path) as source:
                return _rows(source, strings, dates, epoch, progress)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ParseError, ValueError, IndexError, OSError):
        raise NotAWorkbook(path.name) from None
    except (zlib.error, EOFError, NotImplementedError, RuntimeError, OverflowError):
        # A damaged deflate stream, a cut-off member, an unknown compression method, a password-protected member,
        # a date number beyond the calendar: still just "not a workbook we can read".
        raise NotAWorkbook(path.name) from None


def _sheet_path(archive: zipfile.ZipFile, relationship: str | None) -> str:
    """Where in the zip the sheet with this relationship id lives."""
    for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels")):
        if rel.get("Id") == relationship:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
    raise KeyError(relationship)


def _text(element: Element) -> str:
    """The text of a string item (`<si>` or `<is>`): plain or rich text runs, without phonetic guides."""
    parts: list[str] = []
    for child in element:
        if child.tag == f"{MAIN}t":
            parts.append(child.text or "")
        elif child.tag == f"{MAIN}r":
            parts.extend(run.text or "" for run in child.iter(f"{MAIN}t"))
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    with archive.open("xl/sharedStrings.xml") as source:
        strings: list[str] = []
        for _event, element in iterparse(source):
            if element.tag == f"{MAIN}si":
                strings.append(_text(element))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles whose number format shows a date."""
    styles = fromstring(archive.read("xl/styles.xml"))
    custom = {
        int(item.get("numFmtId", "0")): item.get("formatCode", "")
        for item in styles.iterfind(f"{MAIN}numFmts/{MAIN}numFmt")
    }
    found: set[int] = set()
    for index, style in enumerate(styles.iterfind(f"{MAIN}cellXfs/{MAIN}xf")):
        number_format = int(style.get("numFmtId", "0"))
        if number_format in BUILTIN_DATE_FORMATS or (number_format in custom and _is_date(custom[number_format])):
            found.add(index)
    return frozenset(found)


def _is_date(code: str) -> bool:
    """Whether a custom number format shows a date or time (`yyyy-mm-dd`, `d/m/yy h:mm`, not `0.00 "kr"`)."""
    return any(letter in "dmyhs" for letter in _NOT_FORMAT.sub("", code).lower())


def _column(reference: str) -> int:
    """0-based column of a cell reference like `C12`."""
    letters = _COLUMN.match(reference)
    if letters is None:
        raise ValueError(reference)
    index = 0
    for letter in letters.group():
        index = index * 26 + ord(letter) - 64
    return index - 1


def _rows(
    source: IO[bytes],
    strings: list[str],
    dates: frozenset[int],
    epoch: date,
    progress: Callable[[int, int], None] | None,
) -> list[RowCells]:
    rows: list[RowCells] = []
    total = 0
    number = 0
    for _event, element in iterparse(source):
        tag = element.tag
        if tag == f"{MAIN}dimension":
            last = element.get("ref", "").rpartition(":")[2]
            digits = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            total = int(digits) if digits.isdigit() else 0
        elif tag == f"{MAIN}row":
            number = int(element.get("r") or number + 1)
            cells: list[Any] = []
            for position, cell in enumerate(element.iterfind(f"{MAIN}c")):
                reference = cell.get("r")
                index = _column(reference) if reference else position
                value = _value(cell, strings, dates, epoch)
                if value is None:
                    continue
                if index >= len(cells):
                    cells.extend([None] * (index + 1 - len(cells)))
                cells[index] = value
            if cells:
                rows.append((number, cells))
            element.clear()
            if progress is not None and number % 200 == 0:
                progress(number, max(total, number))
    return rows


def _value(cell: Element, strings: list[str], dates: frozenset[int], epoch: date) -> Any:
    """One cell's value: text, number, bool, date or datetime; None when empty."""
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{MAIN}is")
        return _text(inline) if inline is not None else None
    raw = cell.findtext(f"{MAIN}v")
    if raw is None:
        return None
    if kind == "s":
        return strings[int(raw)]
    if kind in ("str", "e"):
        return raw
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind == "d":
        return datetime.fromisoformat(raw)
    number = float(raw)
    if int(cell.get("s", "0")) in dates:
        moment = datetime.combine(epoch, datetime.min.time()) + timedelta(days=number)
        return moment.date() if number.is_integer() else moment
    return int(number) if number.is_integer() else number
