"""Values made inert in the files other programs open: spreadsheets that run formulas, Markdown that renders HTML.

A cell of the board is text anyone on the team (or an imported spreadsheet, or a peer site) typed. Written as it
is into a CSV file, `=HYPERLINK("https://evil.example";"click")` or `=cmd|' /C calc'!A0` becomes a live formula
when a coordinator opens the file in LibreOffice or Excel; written into Markdown, `<img src=x onerror=…>` becomes
HTML in whatever renders it. Every exporter that writes such a format passes each value through here.

- **Spreadsheet text (CSV)**: the OWASP rule. A value that starts with `=`, `+`, `-`, `@`, a tab or a carriage
  return (or the full-width `＝ ＋ － ＠` some spreadsheet versions also read as formulas) gets a leading `'`, which
  spreadsheets show as text. Left alone: a lone `-` or `+` (a board's "nothing") and a plain signed number like
  `-2` or `+4520255798`, which a spreadsheet reads as a number or text, never as a formula. XLSX needs none of
  this: its cells are typed, and strings are stored as strings. Reading a spreadsheet back (`spreadsheet_value`),
  exactly that leading `'` is taken off again, so a board exported and imported keeps its values as typed (a value
  typed as `'=x` is written `''=x` for that).
- **Markdown text**: every character that starts inline Markdown or HTML (backslash, backtick, `* _ [ ] < > & | ~`)
  is escaped with a backslash, so the text renders exactly as typed and a pipe cannot split a table cell.
"""

from __future__ import annotations

import re

FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list, and the full-width forms)."""

_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?)?")
"""A lone sign or a signed number: read as a number or text, never as a formula."""

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>&|~])")
"""What starts inline Markdown or HTML. `!` needs no escape: an image starts `![`, and `[` is escaped."""


def _formula_like(text: str) -> bool:
    """Whether `text`, after any leading `'`, starts like a formula (so the export puts one more `'` before it)."""
    rest = text.lstrip("'")
    return bool(rest) and rest[0] in FORMULA_STARTS and not _PLAIN_NUMBER.fullmatch(rest)


def spreadsheet_text(text: str) -> str:
    """`text` as a CSV cell that no spreadsheet turns into a formula. A value typed as `'=x` gets its `'` too
    (`''=x`), so that reading the cell back (`spreadsheet_value`) gives exactly what was typed."""
    return "'" + text if _formula_like(text) else text


def spreadsheet_value(cell: str) -> str:
    """A cell read from a spreadsheet with `spreadsheet_text`'s `'` taken off again (`'=SUM(1)` is `=SUM(1)`);
    any other cell, a `'-2` or `'note` among them, as it is."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell) else cell


def markdown_text(text: str) -> str:
    """`text` as inline Markdown that renders literally (no HTML, links, emphasis or table breaks)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
