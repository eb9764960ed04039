"""How FactBoard writes CSV a team's spreadsheet opens in columns: the board export, the fidelity report's CSV and
the audit log's extract all write it this way.

- The delimiter follows the board's language: `;` where it writes a decimal comma (sv, da, nb, nl), else `,`. Excel
  opens a double-clicked CSV file in columns only when it is split at the list separator of the computer's regional
  settings, and that is `;` wherever the decimal separator is a comma.
- Every cell is quoted: LibreOffice's Text Import dialog splits at tab, comma and semicolon alike by default, so an
  unquoted "Borås, socialtjänst" became two cells (issue 18's proof, `tests/proofs/test_proof_csv_opens.py`).
- Lines end in CRLF, as Excel writes them. Files start with a BOM (the caller's choice: a file a person opens needs
  it for Excel to read UTF-8; text printed for a script does not).
"""

from __future__ import annotations

import csv
import functools
from typing import Any, TextIO


@functools.cache
def csv_delimiter(language: str | None) -> str:
    """`;` where `language` writes a decimal comma, else `,` (Babel's locale data, read once per language)."""
    from babel import Locale, UnknownLocaleError
    from babel.numbers import get_decimal_symbol

    try:
        locale = Locale.parse((language or "en").replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return ","
    return ";" if get_decimal_symbol(locale) == "," else ","


def csv_writer(buffer: TextIO, delimiter: str) -> Any:
    """A CSV writer in FactBoard's dialect (every cell quoted, CRLF) at `delimiter`."""
    return csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
