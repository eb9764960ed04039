"""How fresh each site's part of the board is: when the last bundle from each trusted peer was written.

The wall shows it in the board's header ("Silkeborg: 26 h ago") and `sync peers` lists it, in the warning colour
once a site is quieter than the template's `sync_stale_hours`. The time is when the peer *wrote* the bundle (its
signed header time, kept with the audit head it carried), not when it arrived: a bundle stuck for two days in a
share and merged this minute still says two days. A bundle from before that header had it counts from its arrival.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service


@dataclass(frozen=True, slots=True)
class Heard:
    """The last bundle from one trusted peer: when it was written (None: never), and whether that is too long ago."""

    name: str
    at: datetime | None
    stale: bool


def heard_from(board: Board) -> list[Heard]:
    """Every trusted peer, by name, with the time its newest merged bundle was written."""
    limit = timedelta(hours=board.template.sync_stale_hours)
    now = board.clock().astimezone(UTC)
    found: list[Heard] = []
    with board.engine.connect() as connection:
        for peer in service.peers(board, include_revoked=False):
            site = peer.site.site_id
            written = connection.exec_driver_sql(
                "SELECT written FROM audit_witness WHERE chain = ? AND witness = ?", (site, board.site_id)
            ).scalar()
            arrived = connection.exec_driver_sql(
                "SELECT max(at) FROM sync_bundle WHERE direction = 'in' AND peer = ?", (site,)
            ).scalar()
            moments = [service.moment_of(text) for text in (written, arrived) if isinstance(text, str)]
            moments = [moment for moment in moments if moment.year > 1]  # an unreadable time counts as none
            at = min(moments) if moments else None  # the write time when known (it is before the arrival)
            found.append(Heard(peer.name, at, at is None or now - at > limit))
    return found


def age_text(at: datetime | None, now: datetime) -> str:
    """How long ago, as the wall says it: "just now", "5 min ago", "26 h ago", "3 days ago", or "never"."""
    if at is None:
        return _("never")
    seconds = max(0, int((now - at).total_seconds()))
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        minutes = seconds // 60
        return ngettext("{count} min ago", "{count} min ago", minutes).format(count=minutes)
    if seconds < 72 * 3600:
        hours = seconds // 3600
        return ngettext("{count} h ago", "{count} h ago", hours).format(count=hours)
    days = seconds // 86400
    return ngettext("{count} day ago", "{count} days ago", days).format(count=days)
