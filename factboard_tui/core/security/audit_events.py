"""The board's own events from the audit log, for `factboard audit show` without `--client`: unlocks and failed
unlocks, locks, backups, restores, re-keys, exports, sync bundles and peers, meetings, purges and extracts.

These entries name no client, so a coordinator or the security officer can read them without seeing whom the team
cares for; each client's row changes and views stay in that client's extract (`client_extract`). Details and
subjects FactBoard wrote are said in the reader's language (`audit_words.said`); older free text as stored.
"""

from __future__ import annotations

from sqlalchemy import Connection

from factboard_tui.core.i18n import _
from factboard_tui.core.security.audit import ACTIONS, ExtractLine, entries
from factboard_tui.core.security.audit_words import said


def board_events(connection: Connection) -> list[ExtractLine]:
    """Every entry that names no client and records no row change, oldest first, in the language in use."""
    lines = []
    for found in entries(connection, "WHERE client IS NULL AND first_change IS NULL"):
        subject, detail = said(found.subject), said(found.detail)
        what = _("{subject}: {detail}").format(subject=subject, detail=detail) if subject and detail else subject
        action = _(ACTIONS[found.action]) if found.action in ACTIONS else found.action
        lines.append(ExtractLine(found.at, found.who, action, what or detail, found.id))
    return lines
