"""The cells of a coordinator's spreadsheet, whichever program saved it.

Teams keep their boards in Excel (`.xlsx`, `.xlsm`, `.xlsb`, old `.xls`), in LibreOffice (`.ods`, which many
municipalities use) or as CSV. Workbooks are read by python-calamine (a maintained Rust reader: values, dates and
formula results of the first sheet, several times faster than reading the XML in Python). CSV is read as each
Excel saves it: "CSV UTF-8" (with a byte-order mark), Swedish and Danish "CSV (semikolonavgränsad)" (Windows-1252,
`;`, CRLF) and "Unicode text" (UTF-16, tabs); the delimiter is guessed by `csv.Sniffer` among `,`, `;` and tab.

What cannot be read gets one line saying what to do: a workbook protected by a password, a file that is not a
workbook at all, a binary file named `.csv`. Nothing is written anywhere: the file is read into memory only.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from factboard_tui.core.domain.inert import spreadsheet_value
from factboard_tui.core.errors import ImportRefused
from factboard_tui.core.i18n import _

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
"""Workbooks python-calamine reads."""
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
"""Text files read as CSV."""

MAX_FILE_BYTES = 50 * 1024 * 1024
"""A board is a few hundred rows; a file larger than this is not one."""

SNIFF_LINES = 20
"""How many lines of a CSV file the delimiter is guessed from."""

DELIMITERS = ",;\t"

_COMPOUND_FILE = bytes.fromhex("D0CF11E0A1B11AE1")
"""The first bytes of an OLE compound file: an `.xls`, or an `.xlsx` encrypted with a password."""
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
"""The stream that holds a password-protected Office Open XML workbook inside its compound file."""

Rows = list[tuple[int, list[Any]]]
"""Each row's number as the spreadsheet shows it (1 is the first) and its cells from column A."""


@dataclass(frozen=True, slots=True)
class Sheet:
    """The cells of a file's first sheet and how they were read."""

    rows: Rows
    kind: str
    """`xlsx`, `xls`, `xlsb`, `ods` or `csv`."""
    encoding: str = ""
    """CSV only: `UTF-8`, `UTF-8 with BOM`, `UTF-16` or `Windows-1252`."""
    delimiter: str = ""
    """CSV only: the delimiter found."""

    @property
    def described(self) -> str:
        """How the file was read, for the import's summary: `CSV, Windows-1252, ';'` or `ODS`."""
        if self.kind != "csv":
            return self.kind.upper()
        return _("CSV, {encoding}, separated by {delimiter}").format(
            encoding=self.encoding, delimiter=delimiter_name(self.delimiter)
        )


def delimiter_name(delimiter: str) -> str:
    """A CSV delimiter as a line shows it: `';'`, `','` or `tab`."""
    return _("tab") if delimiter == "\t" else f"'{delimiter}'"


def read_sheet(path: Path) -> Sheet:
    """The first sheet of a workbook or the rows of a CSV file; `ImportRefused` with one line if it cannot be."""
    name = path.name
    if not path.is_file():
        raise ImportRefused(_("There is no file {path}: check the path.").format(path=path))
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportRefused(
            _("{name} is larger than {size} MB: that is not a board; check the file.").format(
                name=name, size=MAX_FILE_BYTES // 2**20
            )
        )
    suffix = path.suffix.lower()
    if suffix in WORKBOOK_SUFFIXES:
        return _read_workbook(path, suffix.lstrip("."))
    if suffix in TEXT_SUFFIXES:
        return _read_csv(path)
    raise ImportRefused(
        _(
            "{name} is not a spreadsheet FactBoard reads: save the board as .xlsx or .ods "
            "(or .xls, .xlsb, CSV) and import that file."
        ).format(name=name)
    )


def password_protected(path: Path) -> bool:
    """Whether `path` is an Office workbook encrypted with a password (an OLE file holding an encrypted package)."""
    with path.open("rb") as source:
        if source.read(8) != _COMPOUND_FILE:
            return False
        return _ENCRYPTED_PACKAGE in source.read()


def _read_workbook(path: Path, kind: str) -> Sheet:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    kind = "xlsx" if kind == "xlsm" else kind
    try:
        if password_protected(path):
            raise PasswordError
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            if not workbook.sheet_names:
                return Sheet([], kind)
            cells = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            workbook.close()
    except PasswordError:
        raise ImportRefused(
            _(
                "{name} is protected by a password, and FactBoard does not read protected workbooks: open it, save "
                "a copy without the password, import that copy and then delete it."
            ).format(name=path.name)
        ) from None
    except (CalamineError, OSError, ValueError, OverflowError):
        raise ImportRefused(
            _(
                "{name} is not a workbook FactBoard can read (it is damaged or another kind of file): open it in "
                "Excel or LibreOffice and save it again as .xlsx or .ods."
            ).format(name=path.name)
        ) from None
    return Sheet([(number, _cells(row)) for number, row in enumerate(cells, start=1)], kind)


def decode_text(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in: UTF-8 (with or without BOM), UTF-16 with a BOM, or
    Windows-1252 when the bytes are not UTF-8 (Excel's "CSV (semikolonavgränsad)" in Sweden and Denmark)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    elif data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), _("UTF-8 with BOM")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data[:8192]:
        try:
            return data.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                return data.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError:
                pass
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportRefused(
            _("{name} is a binary file, not CSV text: save the board as .xlsx, .ods or CSV and import that.").format(
                name=name
            )
        )
    raise ImportRefused(
        _(
            "{name} is neither UTF-8 nor Windows-1252 text: in Excel choose Save as, 'CSV UTF-8 (comma delimited)', "
            "and import that file."
        ).format(name=name)
    )


def guess_delimiter(text: str) -> str:
    """`,`, `;` or tab: `csv.Sniffer`'s guess over the first lines, else the one that splits them most evenly."""
    lines = text.splitlines()[:SNIFF_LINES]
    sample = "\n".join(lines)
    if not sample.strip():
        return ","
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass

    def evenness(delimiter: str) -> tuple[int, int]:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if any(cell.strip() for cell in row)]
        if not widths:
            return (0, 0)
        width, count = Counter(widths).most_common(1)[0]
        return (count if width > 1 else 0, width)

    return max(DELIMITERS, key=evenness)


def _read_csv(path: Path) -> Sheet:
    text, encoding = decode_text(path.read_bytes(), path.name)
    delimiter = guess_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ImportRefused(
            _("{name} is not readable CSV ({error}): save it again as CSV and import that.").format(
                name=path.name, error=error
            )
        ) from None
    return Sheet([(number, _cells(cells)) for number, cells in enumerate(rows, start=1)], "csv", encoding, delimiter)


def _cells(row: list[Any]) -> list[Any]:
    """A row's cells, text without the `'` an export put before a formula-like value (`inert.spreadsheet_value`):
    a board exported to CSV, opened and saved in a spreadsheet, comes back as it was typed."""
    return [spreadsheet_value(cell) if isinstance(cell, str) else cell for cell in row]
