"""Sync as the faces use it: trust peers, export a bundle for one, import a bundle, settle conflicts.

Each table sync keeps has its one write function here (`trust_peer`/`revoke_peer` for `sync_peer`, `_record_import`
and `_record_export` for acknowledgements and the bundle chain, `_record_conflicts`/`settle_conflict` for
conflicts), each in the store's one `write_transaction` (trusting and revoking a peer get an audit entry); board
data itself only ever changes through the store's write path (`merge.apply_remote` for imported changes,
`rows.apply` in the same transaction that closes the conflict when a person settles one).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from factboard_tui.core.collector import collector_paused
from factboard_tui.core.domain import fields as F
from factboard_tui.core.domain.changes import Op
from factboard_tui.core.errors import FactBoardError, InvalidValue, NotFound, SyncRefused
from factboard_tui.core.i18n import N_, _
from factboard_tui.core.security import audit
from factboard_tui.core.security.audit_words import PEER_SITE, SYNC_WRITTEN, stored
from factboard_tui.core.store import rows as row_path
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.migrations import LATEST_VERSION
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.store.transaction import write_transaction
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import minisign
from factboard_tui.core.sync.hlc import FUTURE_TOLERANCE_MS, as_datetime, format_hlc, millis_of
from factboard_tui.core.sync.identity import PublicSite
from factboard_tui.core.sync.merge import RemoteApplied, apply_remote
from factboard_tui.core.sync.records import RemoteChange, parse_acks, parse_changes, parse_ranges

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as a long export or import goes on."""
PROGRESS_STEP = 5_000
"""Changes per progress report."""
PAYLOAD_KEYS = {"acks", "changes", "site_name"}
"""Exactly the keys of a payload this format writes."""


@dataclass(frozen=True, slots=True)
class Peer:
    """A site this board trusts (or trusted until `revoked_at`)."""

    name: str
    site: PublicSite
    trusted_at: str
    revoked_at: str | None


@dataclass(frozen=True, slots=True)
class ExportedBundle:
    """A bundle ready to write: its bytes, its detached minisign signature and what it holds."""

    data: bytes
    signature: str
    digest: str
    peer: str
    changes: int
    ranges: dict[str, list[int]]


@dataclass
class ImportReport:
    """What an import did, for the person who ran it."""

    signer: str
    digest: str
    applied: RemoteApplied
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ConflictView:
    """An open (or settled) conflict as a person reads it."""

    id: int
    entity: str
    client_code: str
    field: str
    label: str
    candidates: list[dict[str, Any]]
    provisional: str | None
    opened_at: str
    settled_at: str | None
    settled_by: str | None


# -- identity and peers --------------------------------------------------------------------------------------------


def identity_lines(board: Board) -> dict[str, str]:
    """What `sync identity` shows: name, id, the site key to give peers, its fingerprint, the minisign key."""
    public = board.site.public
    return {
        "name": board.site.name,
        "site_id": public.site_id,
        "key": public.key_text(),
        "signing_key": public.signing_key.hex(),
        "encryption_key": public.encryption_key.hex(),
        "fingerprint": public.fingerprint(),
        "minisign": minisign.public_key_line(board.site.signing.public_key()),
    }


def peers(board: Board, include_revoked: bool = True) -> list[Peer]:
    """The sites this board trusts, by name."""
    with board.engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT name, site_id, signing_key, encryption_key, trusted_at, revoked_at FROM sync_peer ORDER BY name"
        ).all()
    result = [
        Peer(str(name), PublicSite(site_id, bytes.fromhex(sign), bytes.fromhex(box)), str(at), revoked and str(revoked))
        for name, site_id, sign, box, at, revoked in found
    ]
    return [peer for peer in result if include_revoked or peer.revoked_at is None]


def _clean_name(name: str) -> str:
    cleaned = F.clean_text(name, "name", _("Peer name"), 40, multiline=False)
    if not cleaned:
        raise InvalidValue("name", _("Give the peer site a name, like 'Region' or 'Silkeborg'."))
    return cleaned


def trust_peer(board: Board, name: str, key_text: str) -> Peer:
    """The one write function for trusting a site (or trusting again a revoked one with its new key)."""
    name = _clean_name(name)
    site = PublicSite.from_key_text(key_text)
    if site.site_id == board.site_id:
        raise InvalidValue("key", _("That is this site's own key: ask the other site for theirs."))
    now = board.clock().astimezone(UTC).isoformat()
    with write_transaction(board) as connection:
        by_site = connection.exec_driver_sql(
            "SELECT name, revoked_at FROM sync_peer WHERE site_id = ?", (site.site_id,)
        ).first()
        by_name = connection.exec_driver_sql("SELECT site_id FROM sync_peer WHERE name = ?", (name,)).first()
        if by_name is not None and by_name[0] != site.site_id:
            raise InvalidValue(
                "name", _("Another site is already trusted as '{name}': choose another name.").format(name=name)
            )
        if by_site is not None and by_site[1] is None and by_site[0] != name:
            raise InvalidValue("key", _("That site is already trusted as '{by_site}'.").format(by_site=by_site[0]))
        connection.exec_driver_sql(
            "INSERT INTO sync_peer (site_id, name, signing_key, encryption_key, trusted_at, revoked_at) "
            "VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (site_id) DO UPDATE SET name = excluded.name, "
            "signing_key = excluded.signing_key, encryption_key = excluded.encryption_key, "
            "trusted_at = excluded.trusted_at, revoked_at = NULL",
            (site.site_id, name, site.signing_key.hex(), site.encryption_key.hex(), now),
        )
        _audit_peer(board, connection, "trust peer", name, site)
    return Peer(name, site, now, None)


def revoke_peer(board: Board, name: str) -> Peer:
    """Stop trusting a site: its bundles are refused from now on, and nothing more is exported to it."""
    peer = _peer_named(board, name, allow_revoked=True)
    if peer.revoked_at is not None:
        raise InvalidValue(
            "name",
            _("'{name}' is already revoked (since {revoked_at}).").format(name=peer.name, revoked_at=peer.revoked_at),
        )
    now = board.clock().astimezone(UTC).isoformat()
    with write_transaction(board) as connection:
        connection.exec_driver_sql("UPDATE sync_peer SET revoked_at = ? WHERE site_id = ?", (now, peer.site.site_id))
        _audit_peer(board, connection, "revoke peer", peer.name, peer.site)
    return Peer(peer.name, peer.site, peer.trusted_at, now)


def _audit_peer(board: Board, connection: Connection, action: str, name: str, site: PublicSite) -> None:
    """The audit entry of trusting or revoking a site: its name, its id, and a hash of the keys it signs with."""
    keys = [site.site_id, site.signing_key.hex(), site.encryption_key.hex()]
    board.audit_within(connection, action, subject=name, detail=stored(PEER_SITE, site=site.site_id[:16]), content=keys)


def _peer_named(board: Board, name: str, allow_revoked: bool = False) -> Peer:
    for peer in peers(board):
        if peer.name.casefold() == name.strip().casefold() and (allow_revoked or peer.revoked_at is None):
            return peer
    known = ", ".join(peer.name for peer in peers(board, include_revoked=False)) or _("none yet")
    raise NotFound(
        _("No trusted peer site is called '{name}' (trusted: {known}): see `factboard sync peers`.").format(
            name=name, known=known
        )
    )


def _names(board: Board) -> dict[str, str]:
    return {peer.site.site_id: peer.name for peer in peers(board)} | {board.site_id: board.site.name}


# -- export -------------------------------------------------------------------------------------------------------


def holdings(connection: Connection) -> dict[str, int]:
    """The last sequence number held of every origin (numbers are held without gaps, so this acknowledges all)."""
    return {
        str(origin): int(seq)
        for origin, seq in connection.exec_driver_sql(
            "SELECT origin, max(seq) FROM change_log WHERE origin IS NOT NULL GROUP BY origin"
        )
    }


def export_bundle(
    board: Board, peer_name: str, progress: Progress | None = None, randomness: B.Randomness | None = None
) -> ExportedBundle:
    """A bundle for one peer with every change it has not acknowledged, and its minisign signature."""
    with collector_paused():
        return _export_bundle(board, peer_name, progress, randomness)


def _export_bundle(
    board: Board, peer_name: str, progress: Progress | None, randomness: B.Randomness | None
) -> ExportedBundle:
    peer = _peer_named(board, peer_name)
    changes: list[tuple[Any, ...]] = []
    ranges: dict[str, list[int]] = {}
    with board.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        held = holdings(connection)
        acked = {
            str(origin): int(seq)
            for origin, seq in connection.exec_driver_sql(
                "SELECT origin, seq FROM sync_ack WHERE peer = ?", (peer.site.site_id,)
            )
        }
        previous = connection.exec_driver_sql(
            "SELECT hash FROM sync_bundle WHERE direction = 'out' AND peer = ? ORDER BY at DESC, rowid DESC LIMIT 1",
            (peer.site.site_id,),
        ).scalar()
        own_head = audit.head(connection)
        their_head = audit.witnessed_head(connection, peer.site.site_id, board.site_id)
        total = sum(max(0, last - acked.get(origin, 0)) for origin, last in held.items())
        for origin, last in sorted(held.items()):
            first = acked.get(origin, 0) + 1
            if first > last:
                continue
            ranges[origin] = [first, last]
            cursor = raw.execute(
                "SELECT c.origin, c.seq, c.hlc, c.base, c.entity, coalesce(r.uid, s.initials), c.op, c.field, c.new, "
                "c.author, c.at FROM change_log c LEFT JOIN board_row r ON r.id = c.row_id "
                "LEFT JOIN staff s ON s.id = c.staff_id WHERE c.origin = ? AND c.seq >= ? ORDER BY c.seq",
                (origin, first),
            )
            while batch := cursor.fetchmany(PROGRESS_STEP):
                changes.extend(batch)
                if progress is not None:
                    progress(N_("reading changes"), len(changes), total)
    if progress is not None:
        progress(N_("reading changes"), len(changes), total)
    payload = B.canonical_json({"acks": held, "changes": changes, "site_name": board.site.name})
    header = {
        "schema": LATEST_VERSION,
        "origin_name": board.site.name,
        "ranges": ranges,
        "changes": len(changes),
        "previous": previous,
        "created": board.clock().astimezone(UTC).isoformat(),
        # This site's audit chain head, for the peer to witness, and the peer's head as witnessed here last.
        "audit": {
            "count": own_head.count,
            "head": own_head.hash,
            "yours": [their_head.count, their_head.hash] if their_head else None,
        },
    }
    if progress is not None:
        progress(N_("encrypting and signing"), 0, 1)
    data = B.seal(board.site, [peer.site, board.site.public], header, payload, randomness)
    digest = B.digest(data)
    signature = minisign.sign(
        board.site.signing,
        data,
        trusted_comment=f"factboard sync bundle {digest[:16]} from {board.site.name} to {peer.name}",
        untrusted_comment=f"signature from FactBoard site {board.site.name} ({board.site.public.fingerprint()})",
    )
    _record_export(board, digest, peer.site.site_id, previous, len(changes))
    if progress is not None:
        progress(N_("encrypting and signing"), 1, 1)
    return ExportedBundle(data, signature, digest, peer.name, len(changes), ranges)


def _record_export(board: Board, digest: str, peer: str, previous: str | None, changes: int) -> None:
    """The one write function for bundles written here (the chain of `previous` hashes), with its audit entry."""
    with write_transaction(board) as connection:
        connection.exec_driver_sql(
            "INSERT OR IGNORE INTO sync_bundle (hash, direction, peer, at, previous, changes) "
            "VALUES (?, 'out', ?, ?, ?, ?)",
            (digest, peer, board.clock().astimezone(UTC).isoformat(), previous, changes),
        )
        name = _names(board).get(peer, peer[:8])
        board.audit_within(
            connection,
            "sync export",
            subject=digest[:16],
            detail=stored(SYNC_WRITTEN, peer=name, count=changes),
            content=digest,
        )


# -- import -------------------------------------------------------------------------------------------------------


def import_bundle(board: Board, data: bytes, progress: Progress | None = None) -> ImportReport:
    """Verify, decrypt, validate and merge one bundle; refuses with `SyncRefused` (nothing applied) on any problem."""
    with collector_paused():  # an import makes 100,000 change tuples and records, none in a cycle: 0.9 s of 4
        return _import_bundle(board, data, progress)


def _import_bundle(board: Board, data: bytes, progress: Progress | None) -> ImportReport:
    everyone = peers(board)
    trusted = {peer.site.site_id: peer.site for peer in everyone if peer.revoked_at is None}
    revoked = {peer.site.site_id: peer.site for peer in everyone if peer.revoked_at is not None}
    names = _names(board)
    try:
        opened = B.open_bundle(data, board.site, trusted, revoked, names)
    except SyncRefused as refused:
        if refused.reason == "signer" and B.open_signer_is(data, board.site.public):
            raise SyncRefused(
                "own", _("This bundle was written by this site: import it at the site it is addressed to.")
            ) from None
        raise
    header = opened.header
    signer = names.get(opened.signer, opened.signer)
    schema = header.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise SyncRefused("invalid", _("The bundle header has no schema version: nothing was applied."))
    if schema > LATEST_VERSION:
        raise SyncRefused(
            "schema",
            _(
                "The bundle from {signer} was written by a newer FactBoard (schema {schema}, this one "
                "knows up to {latest_version}): update FactBoard to import it; nothing was applied."
            ).format(signer=signer, schema=schema, latest_version=LATEST_VERSION),
        )
    ranges = parse_ranges(header.get("ranges"))
    with board.engine.connect() as connection:
        seen = connection.exec_driver_sql(
            "SELECT at FROM sync_bundle WHERE hash = ? AND direction = 'in'", (opened.digest,)
        ).scalar()
    if seen is not None:
        raise SyncRefused(
            "replay",
            _("This bundle from {signer} was already imported ({seen}): nothing was applied again.").format(
                signer=signer, seen=seen
            ),
        )
    if progress is not None:
        announced = header.get("changes")
        progress(N_("checking changes"), 0, announced if type(announced) is int and announced >= 0 else 0)
    payload = B.strict_json(opened.payload, "payload")
    if not isinstance(payload, dict) or set(payload) != PAYLOAD_KEYS:
        raise SyncRefused("invalid", _("The bundle's payload has unknown or missing parts: nothing was applied."))
    acks = parse_acks(payload["acks"])
    changes = parse_changes(payload["changes"], ranges, board.template)
    if header.get("changes") != len(changes):
        raise SyncRefused("invalid", _("The bundle holds another number of changes than its header signs: refused."))
    if progress is not None:
        progress(N_("checking changes"), len(changes), len(changes))
    warnings = _future_clock_warnings(board, changes, names)
    previous = header.get("previous")
    heads = _audit_heads(header.get("audit"))
    created = header.get("created")
    written = created if isinstance(created, str) else None

    def finish(connection: Connection, applied: RemoteApplied) -> None:
        connection.info["audit_content"] = data  # the merge's audit entry hashes the bundle file it merged
        _record_import(board, connection, opened, acks, previous if isinstance(previous, str) else None, applied)
        warnings.extend(_record_witnessed(board, connection, opened.signer, signer, heads, written))

    if progress is not None:
        progress(N_("merging"), 0, len(changes))
    applied = apply_remote(board, changes, f"sync:{signer}", names, finish)
    if progress is not None:
        progress(N_("merging"), len(changes), len(changes))
    return ImportReport(signer, opened.digest, applied, warnings)


def _audit_heads(found: Any) -> tuple[audit.Head | None, audit.Head | None]:
    """The signer's audit head and this site's head as the signer witnessed it, from a bundle header (bundles
    from before the audit log have neither; a malformed part refuses the bundle)."""
    if found is None:
        return None, None

    def head_of(count: Any, digest: Any) -> audit.Head:
        if not isinstance(count, int) or isinstance(count, bool) or count < 0 or not isinstance(digest, str):
            raise SyncRefused("invalid", _("The bundle header's audit head is malformed: nothing was applied."))
        if len(digest) != 64 or any(char not in "0123456789abcdef" for char in digest):
            raise SyncRefused("invalid", _("The bundle header's audit head is malformed: nothing was applied."))
        return audit.Head(count, digest)

    if not isinstance(found, dict) or set(found) != {"count", "head", "yours"}:
        raise SyncRefused("invalid", _("The bundle header's audit head is malformed: nothing was applied."))
    yours = found["yours"]
    if yours is not None and (not isinstance(yours, list) or len(yours) != 2):
        raise SyncRefused("invalid", _("The bundle header's audit head is malformed: nothing was applied."))
    return head_of(found["count"], found["head"]), (head_of(*yours) if yours is not None else None)


def _record_witnessed(
    board: Board,
    connection: Connection,
    signer: str,
    name: str,
    heads: tuple[audit.Head | None, audit.Head | None],
    written: str | None,
) -> list[str]:
    """Keep the audit heads a bundle carried (the signer's own, and ours as it saw it); warn when the signer's log
    got shorter from one bundle to a later one. Heads are compared in the order the signer wrote its bundles
    (`written`, signed in the header), so an older bundle arriving late is no alarm, and a later bundle that
    arrived first with a shorter log is still caught."""
    theirs, ours = heads
    now = board.clock()
    warnings: list[str] = []
    if theirs is not None:
        before = audit.record_witnessed(connection, signer, board.site_id, theirs.count, theirs.hash, now, written)
        if before is not None and theirs.count != before.count:
            this_later = written is None or before.written is None or moment_of(written) >= moment_of(before.written)
            shorter, longer = (theirs.count, before.count) if this_later else (before.count, theirs.count)
            if (theirs.count < before.count) == this_later:
                warnings.append(
                    _(
                        "The audit log of {site} has {count} entries in a bundle written after one that had "
                        "{before}: entries were lost there (a restored backup?) or removed; ask that site to run "
                        "`factboard audit verify`."
                    ).format(site=name, count=shorter, before=longer)
                )
    if ours is not None:
        audit.record_witnessed(connection, board.site_id, signer, ours.count, ours.hash, now, written)
    return warnings


def moment_of(text: str) -> datetime:
    """A bundle's signed time of writing, comparable whatever its offset (an unreadable one sorts first)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _future_clock_warnings(board: Board, changes: list[RemoteChange], names: dict[str, str]) -> list[str]:
    """A warning per site whose clock runs far ahead of ours: its changes win every tie until ours catches up."""
    limit = format_hlc(millis_of(board.clock()) + FUTURE_TOLERANCE_MS, 99_999)  # the text compares as the clock
    ahead: dict[str, str] = {}
    for change in changes:
        if change.hlc > limit:
            ahead[change.origin] = max(ahead.get(change.origin, ""), change.hlc)
    return [
        _(
            "The clock of {site} is far ahead: a change is stamped {time} UTC. Its edits will win over later ones "
            "made here until the clocks agree: ask that site to check its computer's date and time."
        ).format(site=names.get(origin, origin[:8]), time=as_datetime(hlc).strftime("%Y-%m-%d %H:%M"))
        for origin, hlc in sorted(ahead.items())
    ]


def _record_import(
    board: Board,
    connection: Connection,
    opened: B.OpenedBundle,
    acks: dict[str, int],
    previous: str | None,
    applied: RemoteApplied,
) -> None:
    """The one write function for what an import leaves besides board data: acks, the bundle, conflicts."""
    now = board.clock().astimezone(UTC).isoformat()
    if acks:
        connection.exec_driver_sql(
            "INSERT INTO sync_ack (peer, origin, seq) VALUES (?, ?, ?) "
            "ON CONFLICT (peer, origin) DO UPDATE SET seq = max(seq, excluded.seq)",
            [(opened.signer, origin, seq) for origin, seq in acks.items()],
        )
    connection.exec_driver_sql(
        "INSERT INTO sync_bundle (hash, direction, peer, at, previous, changes) VALUES (?, 'in', ?, ?, ?, ?)",
        (opened.digest, opened.signer, now, previous, applied.applied + applied.superseded + applied.skipped),
    )
    for entity, key, field_name, by in applied.settled:
        connection.exec_driver_sql(
            "UPDATE sync_conflict SET settled_at = ?, settled_by = ? "
            "WHERE entity = ? AND entity_key = ? AND field = ? AND settled_at IS NULL",
            (now, f"{by} (at another site)", entity, key, field_name),
        )
    for conflict in applied.conflicts:
        existing = connection.exec_driver_sql(
            "SELECT id, candidates FROM sync_conflict WHERE entity = ? AND entity_key = ? AND field = ? "
            "AND settled_at IS NULL",
            (conflict.entity, conflict.key, conflict.field),
        ).first()
        if existing is None:
            connection.exec_driver_sql(
                "INSERT INTO sync_conflict (entity, entity_key, field, candidates, provisional, opened_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    conflict.entity,
                    conflict.key,
                    conflict.field,
                    json.dumps(conflict.candidates),
                    conflict.provisional,
                    now,
                ),
            )
        else:
            merged = {c["stamp"]: c for c in json.loads(existing[1])} | {c["stamp"]: c for c in conflict.candidates}
            connection.exec_driver_sql(
                "UPDATE sync_conflict SET candidates = ?, provisional = ? WHERE id = ?",
                (json.dumps(sorted(merged.values(), key=lambda c: c["stamp"])), conflict.provisional, existing[0]),
            )


# -- conflicts ----------------------------------------------------------------------------------------------------


def conflicts(board: Board, include_settled: bool = False) -> list[ConflictView]:
    """Conflicts waiting for a person (and, if asked, the settled ones), oldest first."""
    query = (
        "SELECT c.id, c.entity, coalesce(r.client_code, c.entity_key), c.field, c.candidates, c.provisional, "
        "c.opened_at, c.settled_at, c.settled_by FROM sync_conflict c LEFT JOIN board_row r ON r.uid = c.entity_key"
    )
    if not include_settled:
        query += " WHERE c.settled_at IS NULL"
    with board.engine.connect() as connection:
        found = connection.exec_driver_sql(query + " ORDER BY c.id").all()
    return [
        ConflictView(
            int(row[0]),
            str(row[1]),
            str(row[2]),
            str(row[3]),
            board.template.label(str(row[3])),
            json.loads(row[4]),
            row[5],
            str(row[6]),
            row[7] and str(row[7]),
            row[8] and str(row[8]),
        )
        for row in found
    ]


def settle_conflict(board: Board, conflict_id: int, author: str, value: str | None) -> ConflictView:
    """Settle a conflict with the value a person chose, in one transaction: the row written through the write path
    (so the choice syncs) and the conflict closed; a failure on the way leaves both as they were.

    The choice is recorded even when it is the value already standing; it travels to the other sites as a later
    edit made after seeing the standing value, which settles the same conflict there.
    """
    author = F.parse_initials(author, "author", _("Your initials"))
    found = {conflict.id: conflict for conflict in conflicts(board)}
    conflict = found.get(conflict_id)
    if conflict is None:
        raise NotFound(
            _("There is no open conflict {conflict_id}: list them with `factboard sync conflicts`.").format(
                conflict_id=conflict_id
            )
        )
    now = board.clock().astimezone(UTC)
    with write_transaction(board, author) as connection:
        row = connection.exec_driver_sql(
            "SELECT r.id, r.date_off FROM sync_conflict c JOIN board_row r ON r.uid = c.entity_key WHERE c.id = ?",
            (conflict_id,),
        ).first()
        if row is None:
            raise NotFound(_("The row of conflict {conflict_id} is not on this board.").format(conflict_id=conflict_id))
        if row[1] is not None:
            raise FactBoardError(
                _(
                    "{client_code} is off the board: its {label} can no longer be changed; the conflict stays "
                    "listed (nothing was changed)."
                ).format(client_code=conflict.client_code, label=conflict.label)
            )
        # Recorded even when the value kept is the one standing, so the choice travels and settles it everywhere.
        write = RowWrite(Op.SET, int(row[0]), values={conflict.field: value or ""}, confirm=frozenset({conflict.field}))
        row_path.apply(board, connection, author, "sync:settle", now, *row_path.prepare(board, write))
        connection.exec_driver_sql(
            "UPDATE sync_conflict SET settled_at = ?, settled_by = ? WHERE id = ?",
            (board.clock().astimezone(UTC).isoformat(), author, conflict_id),
        )
    return next(c for c in conflicts(board, include_settled=True) if c.id == conflict_id)
