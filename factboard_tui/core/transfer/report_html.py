"""The fidelity report as one self-contained HTML page, with SVG charts drawn by pygal.

Charts come from a maintained library (pygal), never a hand-written renderer; pygal is imported here only, when
an HTML report is written, so neither face pays for it at start-up. The page loads nothing from anywhere and runs
no script (pygal's tooltip script, which it would fetch from the web, is switched off, and its inline scripts are
taken out): a report about patients is opened on wards with no internet and must not tell a server that it was.
Every value is escaped; the charts hold the board's triage labels, week names and counts, never client codes or
free text.
"""

from __future__ import annotations

import html
from typing import Any

from factboard_tui.core.i18n import _, current_language
from factboard_tui.core.transfer.export import week_name
from factboard_tui.core.transfer.report import DEFINITIONS, Report, report_sections, report_title

CHART_WIDTH, CHART_HEIGHT = 900, 320
"""Charts sized for an A4 page and a laptop screen alike."""


def _config(title: str, colours: tuple[str, ...] = ()) -> dict[str, Any]:
    """pygal options shared by every chart: no web script, readable fonts, the week labels slanted."""
    import pygal.style

    style = pygal.style.Style(
        background="white",
        plot_background="white",
        foreground="#222222",
        foreground_strong="#000000",
        foreground_subtle="#666666",
        colors=colours or ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"),
        font_family="sans-serif",
    )
    return {
        "title": title,
        "style": style,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "js": [],
        "x_label_rotation": 45,
        "show_minor_x_labels": False,
        "legend_at_bottom": True,
        "print_values": False,
        "disable_xml_declaration": True,
    }


def _svg(chart: Any) -> str:
    """The chart's SVG without pygal's scripts: its inline config and tooltip code are of no use in a report, and a
    page about patients runs no script at all."""
    from xml.etree import ElementTree

    tree = chart.render_tree()
    for parent in list(tree.iter()):
        for child in list(parent):
            if isinstance(child.tag, str) and child.tag.rpartition("}")[2] == "script":
                parent.remove(child)
    return str(ElementTree.tostring(tree, encoding="unicode"))


def _thin_labels(labels: list[str]) -> list[str]:
    """Every label kept, but only about twelve shown as major ones (a year has 53 weeks)."""
    return labels[:: max(1, len(labels) // 12)]


def charts(report: Report) -> list[str]:
    """The report's charts as SVG text: rows by triage, crises and admissions, meetings a week, days on board."""
    import pygal

    figures, template = report.statistics, report.template
    board, meetings = figures.board, figures.meetings
    weeks = [week_name(monday) for monday, _counts in board.on_board_by_week]
    drawn: list[str] = []

    rows = pygal.StackedBar(
        **_config(_("Rows on the board by triage"), tuple(level.colour for level in template.triage))
    )
    rows.x_labels = weeks
    rows.x_labels_major = _thin_labels(weeks)
    for level in template.triage:
        rows.add(level.label, [counts.get(level.key, 0) for _monday, counts in board.on_board_by_week])
    drawn.append(_svg(rows))

    events = pygal.Line(**_config(_("Crises and admissions a week"), ("#D55E00", "#CC79A7")))
    events.x_labels = [week_name(item.week) for item in board.crises_by_week]
    events.x_labels_major = _thin_labels(events.x_labels)
    events.add(_("Crises"), [item.count for item in board.crises_by_week])
    events.add(_("Admissions"), [item.count for item in board.admissions_by_week])
    drawn.append(_svg(events))

    held = pygal.Bar(**_config(_("Meetings a week (FACT: at least 3)"), ("#0072B2",)))
    held.x_labels = [week_name(item.week) for item in meetings.per_week]
    held.x_labels_major = _thin_labels(held.x_labels)
    held.add(_("Meetings"), [item.count for item in meetings.per_week])
    drawn.append(_svg(held))

    days = pygal.Bar(**_config(_("Days on board (periods that ended)"), ("#009E73",)))
    days.x_labels = [label for label, _count in board.days_on_board_buckets]
    days.add(_("Periods"), [count for _label, count in board.days_on_board_buckets])
    drawn.append(_svg(days))
    return drawn


_STYLE = """
body { font-family: sans-serif; margin: 2em; color: #111; max-width: 960px; }
h1 { font-size: 1.5em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.number { text-align: right; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1.2em; }
dt { font-weight: normal; } dd { margin: 0; font-weight: bold; }
.met { color: #006400; } .not-met { color: #a00000; }
.note { color: #444; font-style: italic; }
svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; } .chart { break-inside: avoid; } }
"""


def render_html(report: Report) -> bytes:
    """The report as one HTML page (UTF-8), charts inline."""
    esc = html.escape
    title, period = report_title(report)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{esc(current_language())}"><head><meta charset="utf-8">',
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>{esc(period)}</p>",
        f'<p class="note">{esc(_(DEFINITIONS))}</p>',
    ]
    for section in report_sections(report):
        parts.append(f"<h2>{esc(section.title)}</h2>")
        if section.figures:
            parts.append("<dl>")
            parts += [f"<dt>{esc(label)}</dt><dd>{esc(value)}</dd>" for label, value in section.figures]
            parts.append("</dl>")
        if section.key == "board":
            parts += [f'<div class="chart">{svg}</div>' for svg in charts(report)]
        for table in section.tables:
            parts.append(f"<h3>{esc(table.title)}</h3><table><thead><tr>")
            parts += [f"<th>{esc(column)}</th>" for column in table.columns]
            parts.append("</tr></thead><tbody>")
            for row in table.rows:
                cells = []
                for value in row:
                    css = _cell_class(value)
                    cells.append(f"<td{css}>{esc(value)}</td>")
                parts.append("<tr>" + "".join(cells) + "</tr>")
            parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts).encode("utf-8")


def _cell_class(value: str) -> str:
    """Numbers right-aligned, verdicts coloured."""
    if value == _("met"):
        return ' class="met"'
    if value == _("not met"):
        return ' class="not-met"'
    if value.replace(" ", "").replace("%", "").replace(",", "").replace(".", "").isdigit():
        return ' class="number"'
    return ""
