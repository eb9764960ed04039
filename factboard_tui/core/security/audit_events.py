"""What people read of the audit log (`factboard audit show`): one client's extract, and the board's own events.

A client's extract (`--client CODE`) lists every change to their rows, every time someone saw them and from where,
and every other entry naming them. Without `--client`, the board's own events: unlocks and failed unlocks, locks,
backups, restores, re-keys, exports, sync bundles and peers, meetings, purges and extracts. These name no client,
so a coordinator or the security officer can read them without seeing whom the team cares for. Details and subjects
FactBoard wrote are said in the reader's language (`audit_words.said`); older free text as stored. The chain itself
(writing, verifying) is `audit.py`'s.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection

from factboard_tui.core.domain.history import IMPORT_PREFIX, SOURCES, field_label
from factboard_tui.core.domain.inert import markdown_text, spreadsheet_text
from factboard_tui.core.domain.templates import BoardTemplate
from factboard_tui.core.i18n import _
from factboard_tui.core.security.audit import ACTIONS, CHANGE_WORDS, SCREENS, entries, utc_text
from factboard_tui.core.security.audit_words import said


@dataclass(frozen=True, slots=True)
class ExtractLine:
    """One line of a client's log extract: when, who, what they did and how (screen, source, fields)."""

    at: str
    who: str
    action: str
    what: str
    entry: int
    """The audit entry that records it (check it with `factboard audit verify`)."""


def client_extract(connection: Connection, code: str, template: BoardTemplate | None = None) -> list[ExtractLine]:
    """Everything the log says about one client: every change to their rows (who, when, which field, in the words of
    `template`: the board's), every time someone saw them and from where, and every other entry naming them; oldest
    first, in the language in use. Values are left out."""
    lines: list[ExtractLine] = []
    covering = {
        (int(first), int(last)): int(entry)
        for entry, first, last in connection.exec_driver_sql(
            "SELECT id, first_change, last_change FROM audit_log WHERE first_change IS NOT NULL"
        )
    }
    ranges = sorted(covering)
    changes = connection.exec_driver_sql(
        "SELECT c.id, c.at, c.author, c.op, c.field, c.source FROM change_log c JOIN board_row r ON r.id = c.row_id "
        "WHERE r.client_code = ? ORDER BY c.id",
        (code,),
    ).all()
    index = 0
    for change_id, at, author, op, field_name, source in changes:
        while index < len(ranges) and ranges[index][1] < change_id:
            index += 1
        entry = covering[ranges[index]] if index < len(ranges) and ranges[index][0] <= change_id else 0
        moment = at if isinstance(at, datetime) else datetime.fromisoformat(str(at))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        word = _(CHANGE_WORDS.get(str(op), ACTIONS["change"]))
        field_text = field_label(str(field_name), template) if template is not None else str(field_name)
        how = _("{field} (via {source})").format(field=field_text, source=source_text(str(source)))
        lines.append(ExtractLine(utc_text(moment), str(author), word, how, entry))
    for found in entries(connection, "WHERE client = ? AND first_change IS NULL", (code,)):
        how = (
            _("on the {screen}").format(screen=_(SCREENS[found.detail]) if found.detail in SCREENS else found.detail)
            if found.action == "view"
            else said(found.detail)
        )
        action = _(ACTIONS[found.action]) if found.action in ACTIONS else found.action
        lines.append(ExtractLine(found.at, found.who, action, how, found.id))
    return sorted(lines, key=lambda line: (line.at, line.entry))


def source_text(source: str) -> str:
    """Which face or process wrote a change (`cli`, `import:week.xlsx`), as the extract says it."""
    if source.startswith(IMPORT_PREFIX):
        return _("import of {file}").format(file=source.removeprefix(IMPORT_PREFIX))
    return _(SOURCES[source]) if source in SOURCES else source


def extract_markdown(code: str, team: str, lines: Iterable[ExtractLine], title: str | None = None) -> str:
    """A client's extract (or, with `title`, the board's own events) as a Markdown table."""
    headings = (_("When (UTC)"), _("Who"), _("What"), _("Details"), _("Entry"))
    title = title or _("Log extract for {code} ({team})").format(code=code, team=team)
    out = [
        "# " + markdown_text(title),
        "",
        "| " + " | ".join(markdown_text(heading) for heading in headings) + " |",
    ]
    out.append("|---|---|---|---|---|")
    for line in lines:
        cells = [line.at[:19].replace("T", " "), line.who, line.action, line.what, str(line.entry or "—")]
        out.append("| " + " | ".join(markdown_text(" ".join(cell.split())) for cell in cells) + " |")
    return "\n".join(out) + "\n"


def extract_csv(lines: Iterable[ExtractLine]) -> str:
    """A client's extract as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["at_utc", "who", "action", "details", "audit_entry"])
    for line in lines:
        cells = [line.at, line.who, line.action, line.what, str(line.entry or "")]
        writer.writerow([spreadsheet_text(cell) for cell in cells])
    return buffer.getvalue()


def board_events(connection: Connection) -> list[ExtractLine]:
    """Every entry that names no client and records no row change, oldest first, in the language in use."""
    lines = []
    for found in entries(connection, "WHERE client IS NULL AND first_change IS NULL"):
        subject, detail = said(found.subject), said(found.detail)
        what = _("{subject}: {detail}").format(subject=subject, detail=detail) if subject and detail else subject
        action = _(ACTIONS[found.action]) if found.action in ACTIONS else found.action
        lines.append(ExtractLine(found.at, found.who, action, what or detail, found.id))
    return lines
