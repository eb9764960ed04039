"""Export documents as bytes: CSV, XLSX, Markdown, HTML and ICS.

Each format is a pure function from an `ExportDocument` to bytes (nothing touches the disk here, so no temporary
plaintext file is ever made; `export.write_export` writes the result once). What each format promises:

- **CSV**: UTF-8 (with a byte-order mark, so Excel reads the board's å, ä and ø right), the board's labels as the
  header, and a group column when the document is grouped.
- **XLSX**: one sheet per group, the board's labels as a bold frozen header, dates as real dates, the triage cell
  in the triage colour.
- **Markdown**: a heading per group and a pipe table.
- **HTML**: one self-contained page that looks like the board (triage colours, the board's labels) and prints
  cleanly on A4 landscape: repeated table headers, no row split across pages.
- **ICS**: one all-day event per visit (RFC 5545), with stable UIDs so a re-export updates a calendar.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from factboard_tui.core.export import GROUP, ExportDocument, Format, Table
from factboard_tui.core.templates import BoardTemplate


def cell_text(value: Any) -> str:
    """A cell value as text: dates in ISO, nothing as empty."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def render(document: ExportDocument, fmt: Format) -> bytes:
    """The document in the format asked for."""
    renderers: dict[Format, Callable[[ExportDocument], bytes]] = {
        Format.CSV: render_csv,
        Format.XLSX: render_xlsx,
        Format.MD: render_markdown,
        Format.HTML: render_html,
        Format.ICS: render_ics,
    }
    return renderers[fmt](document)


# -- CSV ------------------------------------------------------------------------------------------------------------


def render_csv(document: ExportDocument) -> bytes:
    """All tables as one CSV list; a grouped document gets a first column naming each line's group."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = document.tables[0].columns if document.tables else ()
    header = [column.label for column in columns]
    writer.writerow([GROUP, *header] if document.grouped else header)
    for table in document.tables:
        for row in table.rows:
            cells = [cell_text(value) for value in row]
            writer.writerow([table.title, *cells] if document.grouped else cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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


def render_xlsx(document: ExportDocument) -> bytes:
    """One sheet per table: bold frozen header with the board's labels, dates as dates, triage in colour."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    template = document.template
    fills = {level.key: PatternFill("solid", fgColor=level.colour[1:].upper()) for level in template.triage}
    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDDDDD")
    wrap = Alignment(wrap_text=True, vertical="top")
    taken: set[str] = set()
    tables = document.tables or [Table(document.title, (), [], [])]
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title, taken))
        sheet.append([column.label for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = header_fill
        sheet.freeze_panes = "A2"
        keys = [column.key for column in table.columns]
        triage_at = keys.index("triage") + 1 if "triage" in keys else 0
        long_at = [index + 1 for index, column in enumerate(table.columns) if column.long]
        date_at = [index + 1 for index, column in enumerate(table.columns) if _is_date_column(table, index)]
        for number, (values, triage) in enumerate(zip(table.rows, table.triage, strict=True), start=2):
            sheet.append(list(values))
            if triage_at and triage in fills:
                sheet.cell(number, triage_at).fill = fills[triage]
            for at in long_at:
                sheet.cell(number, at).alignment = wrap
            for at in date_at:
                sheet.cell(number, at).number_format = "yyyy-mm-dd"
        for index, spec in enumerate(table.columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(spec.width, len(spec.label) + 2)
        if table.columns:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _is_date_column(table: Table, index: int) -> bool:
    return any(isinstance(row[index], date) for row in table.rows[:50])


# -- Markdown -------------------------------------------------------------------------------------------------------


def _md_cell(value: Any) -> str:
    text = cell_text(value).replace("\\", "\\\\").replace("|", "\\|")
    return "<br>".join(line.strip() for line in text.splitlines()) or " "


def render_markdown(document: ExportDocument) -> bytes:
    """A heading, then a heading and a pipe table per group."""
    lines = [f"# {document.title}", "", document.subtitle, ""]
    for table in document.tables:
        if document.grouped:
            lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(_md_cell(column.label) for column in table.columns) + " |")
        lines.append("|" + "|".join("---" for _ in table.columns) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(_md_cell(value) for value in row) + " |")
        lines.append("")
    return "\n".join(lines).encode("utf-8")


# -- HTML -----------------------------------------------------------------------------------------------------------

PRINT_CSS = """
@page { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", system-ui, sans-serif; font-size: 10pt; color: #111; margin: 1.5em; }
h1 { font-size: 15pt; margin: 0 0 .2em; }
h2 { font-size: 12pt; margin: 1.2em 0 .3em; break-after: avoid; page-break-after: avoid; }
.subtitle { color: #444; margin: 0 0 1em; }
.notice { border: 1px solid #b00; color: #b00; padding: .3em .6em; display: inline-block; margin-bottom: 1em; }
table { border-collapse: collapse; width: 100%; margin-bottom: .5em; }
th, td { border: 1px solid #888; padding: 2px 5px; text-align: left; vertical-align: top; }
th { background: #e4e4e4; font-weight: 600; white-space: nowrap; }
td.long { min-width: 14em; }
td.short { white-space: nowrap; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.triage { font-weight: 600; }
@media print {
  body { margin: 0; font-size: 8pt; }
  .notice { display: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""
"""Board-like screen styles and the A4 landscape print stylesheet."""


def _triage_css(template: BoardTemplate) -> str:
    return "\n".join(
        f"td.triage-{level.key} {{ background: {level.colour}; color: {level.text}; }}" for level in template.triage
    )


def _html_cell(value: Any) -> str:
    return "<br>".join(html.escape(line) for line in cell_text(value).splitlines())


def _html_table(table: Table) -> list[str]:
    keys = [column.key for column in table.columns]
    parts = ["<table>", "<thead><tr>"]
    parts += [f'<th scope="col">{html.escape(column.label)}</th>' for column in table.columns]
    parts.append("</tr></thead><tbody>")
    for values, triage in zip(table.rows, table.triage, strict=True):
        cells = []
        for key, column, value in zip(keys, table.columns, values, strict=True):
            classes = "long" if column.long else "short"
            if key == "triage":
                classes += f" triage triage-{html.escape(triage)}"
            cells.append(f'<td class="{classes}">{_html_cell(value)}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return parts


def render_html(document: ExportDocument) -> bytes:
    """One self-contained page: the board's colours on screen, A4 landscape on paper."""
    template = document.template
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
        '<p class="notice">Exported from FactBoard: this file is not encrypted.</p>',
    ]
    for table in document.tables:
        parts.append("<section>")
        if document.grouped:
            parts.append(f"<h2>{html.escape(table.title)}</h2>")
        parts += _html_table(table)
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts).encode("utf-8")


# -- ICS ------------------------------------------------------------------------------------------------------------


def render_ics(document: ExportDocument) -> bytes:
    """An RFC 5545 calendar with one all-day event per visit."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//FactBoard//factboard-tui//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", document.title)
    stamp: datetime = document.generated_at
    for item in document.events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", item.day)
        event.add("dtend", item.day + timedelta(days=1))
        event.add("summary", item.summary)
        event.add("description", item.description)
        event.add("categories", list(item.categories))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return bytes(calendar.to_ical())
