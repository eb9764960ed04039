"""The fidelity report as file bytes: HTML (with charts, `report_html`), Markdown, CSV and JSON.

Each format is a pure function of a `Report` (nothing touches the disk; `export_file.write_recorded_export` writes the
result once, mode 600, audited). Markdown and CSV read the same sections the screen shows; every value is made
inert for its format (`inert.markdown_text`, `inert.spreadsheet_text`). JSON carries the figures themselves.
"""

from __future__ import annotations

import io
import json

from factboard_tui.core.domain.csv_dialect import csv_delimiter, csv_writer
from factboard_tui.core.domain.inert import markdown_text, spreadsheet_text
from factboard_tui.core.i18n import _
from factboard_tui.core.transfer.report import (
    DEFINITIONS,
    Report,
    ReportFormat,
    report_data,
    report_sections,
    report_title,
)
from factboard_tui.core.transfer.report_html import render_html


def render_report(report: Report, fmt: ReportFormat) -> bytes:
    """The report as a file's bytes."""
    if fmt is ReportFormat.JSON:
        return render_json(report)
    if fmt is ReportFormat.CSV:
        return render_csv(report)
    if fmt is ReportFormat.MD:
        return render_markdown(report)
    return render_html(report)


def render_markdown(report: Report) -> bytes:
    """Headings, figure lists and pipe tables; every value escaped (`inert.markdown_text`)."""
    title, period = report_title(report)
    lines = [f"# {markdown_text(title)}", "", markdown_text(period), "", f"_{markdown_text(_(DEFINITIONS))}_", ""]
    for section in report_sections(report):
        lines += [f"## {markdown_text(section.title)}", ""]
        lines += [f"- {markdown_text(label)}: **{markdown_text(value)}**" for label, value in section.figures]
        if section.figures:
            lines.append("")
        for table in section.tables:
            lines += [f"### {markdown_text(table.title)}", ""]
            lines.append("| " + " | ".join(markdown_text(c) for c in table.columns) + " |")
            lines.append("|" + "---|" * len(table.columns))
            lines += ["| " + " | ".join(markdown_text(c) for c in row) + " |" for row in table.rows]
            lines.append("")
    return "\n".join(lines).encode("utf-8")


def render_csv(report: Report) -> bytes:
    """One line a figure or table cell: section, table, row, column, value (UTF-8 with a BOM, cells inert)."""
    buffer = io.StringIO(newline="")
    writer = csv_writer(buffer, csv_delimiter(report.template.language))  # as the board's exports: `csv_dialect`
    writer.writerow([_("Section"), _("Table"), _("Row"), _("Figure"), _("Value")])
    for section in report_sections(report):
        for label, value in section.figures:
            writer.writerow([spreadsheet_text(t) for t in (section.title, "", "", label, value)])
        for table in section.tables:
            for row in table.rows:
                for column, value in zip(table.columns[1:], row[1:], strict=True):
                    writer.writerow([spreadsheet_text(t) for t in (section.title, table.title, row[0], column, value)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_json(report: Report) -> bytes:
    """`report_data` as UTF-8 JSON."""
    return json.dumps(report_data(report), ensure_ascii=False, indent=2, default=str).encode("utf-8")
