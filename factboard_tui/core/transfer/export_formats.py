"""Export documents as bytes: CSV, XLSX, Markdown, HTML and ICS.

Each format is a pure function from an `ExportDocument` to bytes (nothing touches the disk here, so no temporary
plaintext file is ever made; `export_file.write_export` writes the result once). What each format promises:

- **CSV**: opens in columns where a person double-clicks it. UTF-8 with a byte-order mark (Excel and LibreOffice's
  import dialog then read the board's å, ä and ø right) and CRLF; separated by `;` where the board's language writes
  a decimal comma (sv, da, nb, nl: Excel there splits a double-clicked file only at its list separator, `;`), by
  `,` elsewhere, or as asked (`csv_delimiter`). Every cell is quoted, because LibreOffice's import dialog splits at
  tab, comma and semicolon alike by default: an unquoted `Ring läkaren, sedan FK` in a `;` file became two cells.
  The board's labels are the header, with a group column when the document is grouped. Every cell is made inert
  (`inert.spreadsheet_text`): a value like `=HYPERLINK(…)` is written as `'=HYPERLINK(…)`, so no spreadsheet runs it.
- **XLSX**: one sheet per group, the board's labels as a bold frozen header, dates as real dates in the board's
  date format, the triage cell in the triage colour; columns as wide as their content (within limits), text wrapped
  in rows tall enough for it, and a page set-up that prints: A4 landscape, fit to the page's width, the header row
  on every page, the team, the week and "not encrypted" in the page header.
- **Markdown**: a heading per group and a pipe table; every value escaped (`inert.markdown_text`), so raw HTML,
  links and pipes in a cell show as typed.
- **HTML**: one self-contained page that looks like the board (triage colours, the board's labels) and prints
  every column on A4 landscape: fixed column widths shared by every group's table (so columns stay in place from
  group to group), text that wraps anywhere, repeated table headers, no row split across pages.
- **ICS**: one all-day event per visit (RFC 5545), with stable UIDs so a re-export updates a calendar; an event
  holds the client code, staff and visit note, and the row's details only when asked (`CalendarEvent`).
"""

from __future__ import annotations

import dataclasses
import html
import io
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from factboard_tui.core.collector import collector_paused
from factboard_tui.core.domain.csv_dialect import csv_delimiter as dialect_delimiter
from factboard_tui.core.domain.csv_dialect import csv_writer
from factboard_tui.core.domain.dates import DateFormats, format_date
from factboard_tui.core.domain.inert import markdown_text, spreadsheet_text
from factboard_tui.core.domain.templates import WEEKDAY_KEYS, BoardTemplate
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.i18n import _
from factboard_tui.core.memo import Memo
from factboard_tui.core.transfer.export import GROUP, ExportDocument, Format, Table
from factboard_tui.core.transfer.sheets import delimiter_name


def cell_text(value: Any, dates: DateFormats | None = None) -> str:
    """A cell value as text: dates as the board writes them (ISO without a board), nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return format_date(value, dates) if dates is not None else value.isoformat()
    return str(value)


@collector_paused()  # builds a line per visit and a cell per column: issue 15
def render(document: ExportDocument, fmt: Format, *, delimiter: str | None = None) -> bytes:
    """The document in the format asked for (`delimiter`: CSV only, else the board's own, `csv_delimiter`)."""
    renderers: dict[Format, Callable[[ExportDocument], bytes]] = {
        Format.CSV: lambda document: render_csv(document, delimiter),
        Format.XLSX: render_xlsx,
        Format.MD: render_markdown,
        Format.HTML: render_html,
        Format.ICS: render_ics,
    }
    return renderers[fmt](document)


# -- CSV ------------------------------------------------------------------------------------------------------------


DELIMITER_NAMES = {",": ",", ";": ";", "tab": "\t", "comma": ",", "semicolon": ";", "\t": "\t"}
"""What `--delimiter` takes: the character itself, or its name (`;` needs quotes in a shell, `tab` always)."""


def csv_delimiter(template: BoardTemplate) -> str:
    """The board's CSV delimiter: `;` where its language writes a decimal comma, else `,` (`domain.csv_dialect`)."""
    return dialect_delimiter(template.language)


def parse_delimiter(text: str) -> str:
    """A delimiter as typed (`,`, `;`, `tab`, `comma`, `semicolon`); `InvalidValue` with one line otherwise."""
    delimiter = DELIMITER_NAMES.get(text.strip().lower() or text)
    if delimiter is None:
        raise InvalidValue("delimiter", _("'{value}' is not a CSV delimiter: use ',', ';' or tab.").format(value=text))
    return delimiter


def format_named(fmt: Format, document: ExportDocument, delimiter: str | None = None) -> str:
    """The format as the line after writing names it: `CSV, separated by ';'` (which delimiter a person's
    spreadsheet needs), else `XLSX`."""
    if fmt is not Format.CSV:
        return fmt.value.upper()
    used = delimiter or csv_delimiter(document.template)
    return _("CSV, separated by {delimiter}").format(delimiter=delimiter_name(used))


def render_csv(document: ExportDocument, delimiter: str | None = None) -> bytes:
    """All tables as one CSV list, every cell quoted; a grouped document gets a first column naming each line's
    group."""
    out = io.BytesIO()
    buffer = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # the byte-order mark, then UTF-8
    writer = csv_writer(buffer, delimiter or csv_delimiter(document.template))
    columns = document.tables[0].columns if document.tables else ()
    header = [column.label for column in columns]
    writer.writerow([spreadsheet_text(text) for text in ([_(GROUP), *header] if document.grouped else header)])
    # Each distinct value is made inert text once: a week repeats a row's cells on each of its visits, and the
    # same dates, weekdays and initials on thousands of lines (a third of a CSV week's time, issue 15).
    dates = document.template.dates
    texts = Memo(lambda value: spreadsheet_text(cell_text(value, dates)), {None: ""})
    text = texts.__getitem__
    for table in document.tables:
        group = [spreadsheet_text(table.title)] if document.grouped else []
        writer.writerows([*group, *map(text, row)] for row in table.rows)
    buffer.flush()
    return out.getvalue()


# -- XLSX -----------------------------------------------------------------------------------------------------------

_SHEET_FORBIDDEN = str.maketrans({char: " " for char in "[]:*?/\\"})


def sheet_title(title: str, taken: set[str]) -> str:
    """A title Excel accepts (at most 31 characters, none of []:*?/\\), unique in the workbook."""
    base = " ".join(title.translate(_SHEET_FORBIDDEN).split())[:31] or "Sheet"
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


EXCEL_EPOCH = date(1899, 12, 30)
"""Day zero of Excel's date serial numbers (1900 date system)."""

SHORT_MOST, LONG_MOST = 36, 60
"""The widest a column grows to fit its content (characters): short columns, then free text that wraps."""

LINE_POINTS = 15.0
"""The height of one line of Calibri 11, Excel's and LibreOffice's default, in points."""

MOST_POINTS = 409.0
"""Excel's tallest row."""


def excel_date_format(formats: DateFormats) -> str:
    """The board's long date pattern as an Excel number format (`DD.MM.YYYY` is `dd.mm.yyyy`)."""
    return formats.long.lower()


def _longest_line(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


def column_widths(table: Table) -> list[int]:
    """Each column as wide as its longest line (and its label), within limits; free text wraps beyond that."""
    widths: list[int] = []
    for index, column in enumerate(table.columns):
        longest = max((_longest_line(row[index]) for row in table.rows), default=0)
        least = max(len(column.label) + 2, 6)
        most = max(LONG_MOST if column.long else SHORT_MOST, least)
        widths.append(min(max(longest + 2, least), most))
    return widths


def row_points(values: tuple[Any, ...], widths: list[int]) -> float:
    """How tall a row must be for its wrapped text to show (so a reader's rows never overlap), in points."""
    lines = 1
    for value, width in zip(values, widths, strict=True):
        if isinstance(value, str) and value:
            room = max(width - 1, 1)
            lines = max(lines, sum(max(1, -(-len(line) // room)) for line in value.splitlines()))
    return min(lines * LINE_POINTS, MOST_POINTS)


def _header_text(text: str) -> str:
    """Text for Excel's page header: `&` doubled (a single one starts a code), at most 80 characters."""
    return " ".join(text.split())[:80].replace("&", "&&")


def _page_setup(sheet: Any, document: ExportDocument, table: Table) -> None:
    """A4 landscape, fit to the page's width, the header row on every page, the team, the week and "not encrypted"
    in the page header."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.page_margins.header = sheet.page_margins.footer = 0.3
    team = document.team or document.title
    week = _("week {week}").format(week=document.period) if document.period else ""
    where = table.title if document.grouped else ""
    sheet.oddHeader.left.text = _header_text(team)
    sheet.oddHeader.center.text = _header_text(" · ".join(part for part in (week, where) if part))
    sheet.oddHeader.right.text = _header_text(_("Not encrypted"))
    sheet.oddFooter.right.text = _("Page &P of &N")


def render_xlsx(document: ExportDocument) -> bytes:
    """One sheet per table: bold frozen header with the board's labels, dates as dates, triage in colour, columns
    to content, rows tall enough for their text, and a page set-up that prints (see the module docstring).

    openpyxl builds the workbook (styles, header, frozen pane, widths, filter, page set-up); the data rows are
    written here as sheet XML, because openpyxl's per-cell writer took seconds for a large team's week. Nothing
    goes through a temporary file: openpyxl's own save puts every sheet in one first, which would leave plaintext
    in the temp folder.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._writer import WorksheetWriter

    workbook = Workbook(write_only=True)
    template = document.template
    taken: set[str] = set()
    tables = document.tables or [Table(document.title, (), [], [])]
    sheet_rows: dict[str, tuple[bytes, bytes]] = {}
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title, taken))

        def style_id(**style: Any) -> int:
            """The workbook's id for a cell style (openpyxl registers it on first use)."""
            cell = WriteOnlyCell(sheet)  # noqa: B023 - used at once, in this iteration
            for name, value in style.items():
                setattr(cell, name, value)
            return int(cell.style_id)

        letters = [get_column_letter(index) for index in range(1, len(table.columns) + 1)]
        widths = column_widths(table)
        for letter, width in zip(letters, widths, strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        if table.columns:
            sheet.auto_filter.ref = f"A1:{letters[-1]}{len(table.rows) + 1}"
        _page_setup(sheet, document, table)
        writer = WorksheetWriter(sheet, out=io.BytesIO())
        writer.write_top()
        sheet._writer = writer
        bold, grey = Font(name="Calibri", bold=True), PatternFill("solid", fgColor="DDDDDD")
        top = Alignment(wrap_text=True, vertical="top")
        header = []
        for spec in table.columns:
            cell = WriteOnlyCell(sheet, spec.label)
            cell.font, cell.fill, cell.alignment = bold, grey, top
            header.append(cell)
        sheet.append(header)
        styles = {
            "date": style_id(number_format=excel_date_format(template.dates), alignment=top),
            "wrap": style_id(alignment=top),
        }
        for level in template.triage:
            fill = PatternFill("solid", fgColor=level.colour[1:].upper())
            styles[f"triage:{level.key}"] = style_id(fill=fill, alignment=top)
        kinds = ["triage" if c.key == "triage" else "wrap" for c in table.columns]
        rows = _sheet_data(table, letters, kinds, styles, widths)
        last = f"{letters[-1]}{len(table.rows) + 1}" if letters else "A1"
        sheet_rows[sheet.title] = (f'<dimension ref="A1:{last}" />'.encode(), rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        _in_memory_writer(sheet_rows, archive)(workbook, archive).save()
    return buffer.getvalue()


def _sheet_data(table: Table, letters: list[str], kinds: list[str], styles: dict[str, int], widths: list[int]) -> bytes:
    """The table's data rows (from row 2) as sheet XML: inline strings (as openpyxl writes them), numbers and
    dates with their styles, each row as tall as its wrapped text."""
    parts: list[str] = []
    for number, (values, triage) in enumerate(zip(table.rows, table.triage, strict=True), start=2):
        cells: list[str] = []
        for letter, kind, value in zip(letters, kinds, values, strict=True):
            if value is None or value == "":
                continue
            ref = f"{letter}{number}"
            if isinstance(value, date):
                cells.append(f'<c r="{ref}" s="{styles["date"]}"><v>{(value - EXCEL_EPOCH).days}</v></c>')
                continue
            style = styles.get(f"triage:{triage}", 0) if kind == "triage" else styles["wrap"]
            attribute = f' s="{style}"' if style else ""
            if isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<c r="{ref}"{attribute}><v>{value}</v></c>')
            else:
                text = html.escape(str(value), quote=False)
                cells.append(f'<c r="{ref}"{attribute} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
        height = row_points(values, widths)
        size = f' ht="{height:g}" customHeight="1"' if height > LINE_POINTS else ""
        parts.append(f'<row r="{number}"{size}>{"".join(cells)}</row>')
    return "".join(parts).encode("utf-8")


def _in_memory_writer(sheet_rows: dict[str, tuple[bytes, bytes]], archive: zipfile.ZipFile) -> type:
    """openpyxl's workbook writer, taking each sheet's XML from memory, with its dimension and data rows added."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.writer.excel import ExcelWriter

    class InMemoryExcelWriter(ExcelWriter):  # type: ignore[misc]
        def write_worksheet(self, ws: Any) -> None:
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            if not ws.closed:
                ws.close()
            writer = ws._writer
            ws._rels = writer._rels
            dimension, rows = sheet_rows[ws.title]
            xml = writer.out.getvalue().replace(b"<sheetViews>", dimension + b"<sheetViews>", 1)
            xml = xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
            archive.writestr(ws.path[1:], xml)
            self.manifest.append(ws)

    return InMemoryExcelWriter


# -- Markdown -------------------------------------------------------------------------------------------------------


def _md_cell(value: Any, dates: DateFormats | None = None) -> str:
    return "<br>".join(markdown_text(line.strip()) for line in cell_text(value, dates).splitlines()) or " "


def render_markdown(document: ExportDocument) -> bytes:
    """A heading, then a heading and a pipe table per group."""
    lines = [f"# {markdown_text(document.title)}", "", markdown_text(document.subtitle), ""]
    for table in document.tables:
        if document.grouped:
            lines += [f"## {markdown_text(table.title)}", ""]
        lines.append("| " + " | ".join(_md_cell(column.label) for column in table.columns) + " |")
        lines.append("|" + "|".join("---" for _ in table.columns) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(_md_cell(value, document.template.dates) for value in row) + " |")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


# -- HTML -----------------------------------------------------------------------------------------------------------

PRINT_CSS = """
@page { size: A4 landscape; margin: 8mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", system-ui, sans-serif; font-size: 10pt; color: #111; margin: 1.5em; }
h1 { font-size: 15pt; margin: 0 0 .2em; }
h2 { font-size: 12pt; margin: 1.2em 0 .3em; break-after: avoid; page-break-after: avoid; }
.subtitle { color: #444; margin: 0 0 1em; }
.notice { border: 1px solid #b00; color: #b00; padding: .3em .6em; display: inline-block; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; margin-bottom: .5em; table-layout: fixed; }
th, td { border: 1px solid #888; padding: 2px 4px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #e4e4e4; font-weight: 600; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.triage { font-weight: 600; }
@media print {
  body { margin: 0; font-size: 6pt; }
  h1 { font-size: 11pt; }
  h2 { font-size: 9pt; }
  th, td { padding: 1px 2px; }
  .notice { border: none; padding: 0; margin: 0 0 .5em; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
"""Board-like screen styles and the A4 landscape print stylesheet: fixed column widths (the same in every group's
table), text that wraps anywhere, small print type, so every column of the board fits the page's width."""

LONG_WEIGHT = 16
"""A free-text column's (situation, actions) share of a table's width, in characters: it wraps in that room."""

PRINT_SHORT_MOST = 14
"""The most characters a short column asks for: longer values wrap."""

SHORT_LEAST, VISIT_LEAST = 5, 9
"""The least characters a short column gets (a bold label, initials), and a visit column (`DEN+MJR`)."""


def column_shares(document: ExportDocument) -> list[float]:
    """Each column's share of the tables' width, in percent. A short column asks for its longest word (of its
    label and of its values in every table, so no word is cut where it fits), free text for `LONG_WEIGHT`. One
    list for the whole document: every group's table keeps its columns in the same place."""
    columns = document.tables[0].columns if document.tables else ()
    weights: list[int] = []
    for index, column in enumerate(columns):
        if column.long:
            weights.append(LONG_WEIGHT)
            continue
        words = [round(len(word) * 1.15) for word in column.label.split()]  # the label is bold
        for table in document.tables:
            for row in table.rows:
                words += [len(word) for word in cell_text(row[index], document.template.dates).split()]
        least = VISIT_LEAST if column.key in (*WEEKDAY_KEYS, "visit") else SHORT_LEAST
        weights.append(min(max(max(words, default=1), least), PRINT_SHORT_MOST) + 1)  # + 1: the cell's padding
    total = sum(weights) or 1
    return [100 * weight / total for weight in weights]


def _triage_css(template: BoardTemplate) -> str:
    return "\n".join(
        f"td.triage-{level.key} {{ background: {level.colour}; color: {level.text}; }}" for level in template.triage
    )


def _html_cell(value: Any, dates: DateFormats) -> str:
    return "<br>".join(html.escape(line) for line in cell_text(value, dates).splitlines())


def _html_table(table: Table, dates: DateFormats, shares: list[float]) -> list[str]:
    keys = [column.key for column in table.columns]
    widths = "".join(f'<col style="width: {share:.2f}%">' for share in shares)
    parts = ["<table>", f"<colgroup>{widths}</colgroup>", "<thead><tr>"]
    parts += [f'<th scope="col">{html.escape(column.label)}</th>' for column in table.columns]
    parts.append("</tr></thead><tbody>")
    for values, triage in zip(table.rows, table.triage, strict=True):
        cells = []
        for key, column, value in zip(keys, table.columns, values, strict=True):
            classes = "long" if column.long else "short"
            if key == "triage":
                classes += f" triage triage-{html.escape(triage)}"
            cells.append(f'<td class="{classes}">{_html_cell(value, dates)}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return parts


def printed(document: ExportDocument) -> ExportDocument:
    """The document with only the columns paper shows (`Column.printed`)."""
    columns = document.tables[0].columns if document.tables else ()
    keep = [index for index, column in enumerate(columns) if column.printed]
    if len(keep) == len(columns):
        return document
    tables = [
        dataclasses.replace(
            table,
            columns=tuple(table.columns[index] for index in keep),
            rows=[tuple(row[index] for index in keep) for row in table.rows],
        )
        for table in document.tables
    ]
    return dataclasses.replace(document, tables=tables)


def render_html(document: ExportDocument) -> bytes:
    """One self-contained page: the board's colours on screen, A4 landscape on paper (the printed columns)."""
    document = printed(document)
    template = document.template
    notice = _("Exported from FactBoard: this file is not encrypted.")  # outside the f-string: Babel sees it
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(template.language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(document.title)}</title>",
        f"<style>{PRINT_CSS}{_triage_css(template)}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{html.escape(document.title)}</h1>",
        f'<p class="subtitle">{html.escape(document.subtitle)}</p>',
        f'<p class="notice">{html.escape(notice)}</p>',
    ]
    shares = column_shares(document)
    for table in document.tables:
        parts.append("<section>")
        if document.grouped:
            parts.append(f"<h2>{html.escape(table.title)}</h2>")
        parts += _html_table(table, template.dates, shares)
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


# -- ICS ------------------------------------------------------------------------------------------------------------


def fold_line(line: bytes) -> bytes:
    """An RFC 5545 content line folded at 75 octets, never inside a UTF-8 character."""
    if len(line) <= 75:
        return line
    parts: list[bytes] = []
    start, limit = 0, 75
    while len(line) - start > limit:
        end = start + limit
        while line[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        parts.append(line[start:end])
        start, limit = end, 74  # a folded line starts with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def render_ics(document: ExportDocument) -> bytes:
    """An RFC 5545 calendar with one all-day event per visit.

    Values are encoded by icalendar's property types (escaping, dates); the lines are put together and folded
    here, because icalendar's own component serialiser folds character by character and took seconds for a
    large team's week.
    """
    from icalendar import vDate, vDatetime, vText

    def text(value: str) -> bytes:
        return bytes(vText(value).to_ical())

    stamp = bytes(vDatetime(document.generated_at).to_ical())  # type: ignore[no-untyped-call]
    lines = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        b"PRODID:-//FactBoard//factboard-tui//EN",
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        b"X-WR-CALNAME:" + text(document.title),
    ]
    for item in document.events:
        lines += [
            b"BEGIN:VEVENT",
            b"UID:" + text(item.uid),
            b"DTSTAMP:" + stamp,
            b"DTSTART;VALUE=DATE:" + bytes(vDate(item.day).to_ical()),  # type: ignore[no-untyped-call]
            b"DTEND;VALUE=DATE:" + bytes(vDate(item.day + timedelta(days=1)).to_ical()),  # type: ignore[no-untyped-call]
            b"SUMMARY:" + text(item.summary),
            b"DESCRIPTION:" + text(item.description),
            *([b"CATEGORIES:" + b",".join(text(category) for category in item.categories)] if item.categories else []),
            b"TRANSP:TRANSPARENT",
            b"END:VEVENT",
        ]
    lines.append(b"END:VCALENDAR")
    return b"\r\n".join(fold_line(line) for line in lines) + b"\r\n"
