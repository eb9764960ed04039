"""What a sync round through a shared folder did, as JSON for the scripts that run it (`sync run --json`, and one
line per round of `sync watch --json`).

Scripts run these rounds from cron or a scheduled task and want to know, without parsing sentences, which bundles
went out, which files of the inbox were taken, refused or left waiting, and why. The outcome is a fixed English
word a script can test; the reason is the sentence a person would read, in the board's language (a script shows
it, never parses it). Only file names, peer names, counts and client codes of duplicates closed appear: no board
data beyond what `sync run` prints to a terminal.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from factboard_tui.core.domain.characters import json_safe
from factboard_tui.core.i18n import _

if TYPE_CHECKING:
    from factboard_tui.core.sync.folder import RoundReport

IMPORTED, ALREADY, REFUSED, WAITING = "imported", "already", "refused", "waiting"
"""The outcomes of a file in this site's inbox, as scripts test them (never translated)."""


def round_document(report: RoundReport, folder: Path, at: datetime) -> dict[str, Any]:
    """One round as a JSON value: the bundles written, each inbox file's outcome, and the totals."""
    written = [{"peer": item.peer, "file": item.path.name, "changes": item.changes} for item in report.written]
    inbox: list[dict[str, Any]] = []
    for imported in report.imported:
        applied = imported.report.applied
        inbox.append(
            {
                "file": imported.path.name,
                "outcome": IMPORTED,
                "reason": None,
                "from": imported.report.signer,
                "applied": applied.applied,
                "older": applied.superseded,
                "already_here": applied.skipped,
                "rows": applied.rows,
                "conflicts": len(applied.conflicts),
                "duplicates_closed": list(applied.duplicates_closed),
                "warnings": list(imported.report.warnings),
            }
        )
    for path in report.already:
        inbox.append({"file": path.name, "outcome": ALREADY, "reason": _("imported before (a copy, or another round)")})
    inbox += [{"file": item.path.name, "outcome": REFUSED, "reason": item.reason} for item in report.refused]
    inbox += [{"file": item.path.name, "outcome": WAITING, "reason": item.reason} for item in report.waiting]
    return {
        "folder": str(folder),
        "at": at.astimezone(UTC).isoformat(),
        "busy": report.busy,
        "written": written,
        "inbox": inbox,
        "totals": {
            "written": len(written),
            "changes_written": sum(item["changes"] for item in written),
            IMPORTED: len(report.imported),
            "changes_applied": sum(item.report.applied.applied for item in report.imported),
            "conflicts": sum(len(item.report.applied.conflicts) for item in report.imported),
            ALREADY: len(report.already),
            REFUSED: len(report.refused),
            WAITING: len(report.waiting),
        },
    }


def failed_round(error: str, folder: Path, at: datetime) -> dict[str, Any]:
    """A round of `sync watch` that a passing fault stopped (a full disk, the share gone): tried again next round."""
    return {"folder": str(folder), "at": at.astimezone(UTC).isoformat(), "error": error}


def print_line(value: dict[str, Any]) -> None:
    """One JSON value on one line of stdout, flushed at once (JSON Lines: a script reads each round as it ends)."""
    sys.stdout.write(json_safe(json.dumps(value, ensure_ascii=False)) + "\n")
    sys.stdout.flush()
