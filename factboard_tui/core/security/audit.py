"""The audit and access log: who changed, saw, exported or synced what, and when, in a chain nobody can rewrite.

Health and social-care records must be accounted for. Every write transaction of the board (row and staff
changes, undo, imports, merged sync bundles, stored meetings, purges), every unlock, lock and failed unlock, every
export, backup, restore and sync bundle, and every time a person looks at a client's row (its detail panel, its
history, the meeting's focus card) appends one entry to `audit_log`, inside the encrypted database.

The log is append-only and hash-chained: entry N stores the SHA-256 of entry N-1 (`prev`) and its own `hash`
over its fields and `prev`. Entries hold who, when, the action, the client code and row uid it is about, and a
SHA-256 of the content (the change records, the exported bytes, the bundle file a sync merge took in): never free
text itself, so purging a period's text later leaves the chain intact. The head of the chain (count and last
hash) is also written to `board_meta` in the same transaction, so cutting entries off the end is detected too; sync
bundles carry the head to the peer sites, and their bundles carry back what they saw, so even a rewrite of both
table and head is caught once a peer has witnessed a later head.

`append` is the one function that writes `audit_log` (and the head); `record_witnessed` the one that writes
`audit_witness`. Both take the caller's open transaction: an entry commits with the work it describes, or not at
all. Access entries (action `view`) share the chain; the same person, row and screen within `VIEW_REPEAT` is
recorded once, so moving the cursor does not flood the log.

The head cannot be rolled back quietly. Before it chains a new entry, `append` compares the log's real tail with
the head kept in board_meta; if they differ (entries were cut off the end, or the head was removed or rewritten),
that is a break: it is entered as an `audit break` entry naming what differs and kept in board_meta
(`audit_breaks`), and the new entry chains on after it. A break is never overwritten: `verify` names it from then
on (exit 9) and every unlock warns (`quick_check`). The head also carries the seal over the board's records
(`core.security.seal`), so a row or change record edited outside FactBoard is found by `verify` too.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from factboard_tui.core.i18n import N_, _, ngettext
from factboard_tui.core.security import seal

GENESIS = "0" * 64
"""The `prev` of the first entry."""

HEAD_COUNT_KEY = "audit_count"
HEAD_HASH_KEY = "audit_head"
"""board_meta keys holding the chain's head: how many entries, and the last one's hash."""

BREAKS_KEY = "audit_breaks"
"""board_meta key keeping every break found (JSON list of {at, entry, detail}); only ever added to."""

VIEW_REPEAT = timedelta(minutes=10)
"""Looking at the same row from the same screen again within this time is not recorded again."""

ACTIONS = {
    "change": N_("changed"),
    "import": N_("imported rows"),
    "sync import": N_("merged a sync bundle"),
    "sync export": N_("wrote a sync bundle"),
    "trust peer": N_("trusted a peer site"),
    "revoke peer": N_("revoked a peer site"),
    "meeting": N_("stored a meeting"),
    "meeting start": N_("started a meeting (other terminals see it running)"),
    "meeting taken over": N_("took over a running meeting"),
    "meeting closed": N_("closed a running meeting (stored or discarded)"),
    "purge": N_("purged free text"),
    "unlock": N_("unlocked"),
    "unlock failed": N_("failed unlocks"),
    "lock": N_("locked"),
    "view": N_("viewed"),
    "export": N_("exported"),
    "backup": N_("backed up"),
    "restore": N_("restored"),
    "rekey": N_("new database key"),
    "audit extract": N_("extracted the audit log"),
    "audit break": N_("found the audit log or the board's records changed outside FactBoard"),
}
"""Every action the log knows (the key is what the log stores), with the words `audit show` uses for it
(translated as the extract is written)."""

CHANGE_WORDS = {"add": N_("added"), "off": N_("took off"), "undo": N_("undid")}
"""What a change to a client's row did, as the extract says it (anything else: `changed`)."""

SCREENS = {
    "board detail": N_("board detail"),
    "meeting focus card": N_("meeting's focus card"),
    "history": N_("history"),
}
"""Where a person saw a client's row (the log stores the key), as the extract says it."""


def utc_text(moment: datetime) -> str:
    """A moment as the log stores it: UTC ISO text with microseconds (sorts and compares as text)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def content_hash(content: Any) -> str:
    """SHA-256 of what an entry is about: bytes as they are, anything else as canonical JSON."""
    if isinstance(content, bytes):
        return hashlib.sha256(content).hexdigest()
    data = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the log, as stored."""

    id: int
    at: str
    who: str
    action: str
    client: str | None
    subject: str | None
    detail: str
    first_change: int | None
    last_change: int | None
    content: str
    prev: str
    hash: str

    def fields(self) -> list[Any]:
        """What the entry's hash covers (everything but the hash itself)."""
        return [
            self.id,
            self.at,
            self.who,
            self.action,
            self.client,
            self.subject,
            self.detail,
            self.first_change,
            self.last_change,
            self.content,
            self.prev,
        ]

    def computed_hash(self) -> str:
        """The hash the entry should have."""
        data = json.dumps(self.fields(), separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


COLUMNS = "id, at, who, action, client, subject, detail, first_change, last_change, content, prev, hash"


@dataclass(frozen=True, slots=True)
class Head:
    """The head of a chain: how many entries it has and the hash of the last one."""

    count: int
    hash: str


def head(connection: Connection) -> Head:
    """The chain's head as the log itself has it (its newest entry)."""
    found = connection.exec_driver_sql("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").first()
    return Head(int(found[0]), str(found[1])) if found else Head(0, GENESIS)


def stored_head(connection: Connection) -> Head | None:
    """The head kept in board_meta (None on a board that has no entry yet)."""
    meta: dict[str, str] = dict(
        connection.exec_driver_sql(
            "SELECT key, value FROM board_meta WHERE key IN (?, ?)", (HEAD_COUNT_KEY, HEAD_HASH_KEY)
        ).all()
    )
    if HEAD_COUNT_KEY not in meta:
        return None
    return Head(int(meta[HEAD_COUNT_KEY]), str(meta.get(HEAD_HASH_KEY, "")))


def append(
    connection: Connection,
    who: str,
    action: str,
    at: datetime,
    *,
    client: str | None = None,
    subject: str | None = None,
    detail: str = "",
    changes: tuple[int, int] | None = None,
    content: Any = None,
) -> AuditEntry:
    """The one write function of the audit log: chain a new entry to the newest one, inside the caller's
    transaction (which must hold the write lock), and move the head in board_meta with it, with the seal over
    the records this transaction wrote.

    If the log's tail is not the head kept in board_meta, the break is entered first (see the module's doc); an
    `audit break` entry asked for while the head is off is that break."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    raw = connection.connection.dbapi_connection  # plain cursor calls: this runs on every cell saved
    assert raw is not None
    last = _tail(raw)
    broken = _head_mismatch(last, _stored_head(raw))
    if broken is not None:
        if action == "audit break":
            detail, content = broken, broken
        else:
            kept = _write(raw, who, "audit break", at, detail=broken, content=broken, last=last)
            last = Head(kept.id, kept.hash)
    sealed = _write(
        raw,
        who,
        action,
        at,
        client=client,
        subject=subject,
        detail=detail,
        changes=changes,
        content=content,
        last=last,
    )
    seal.fold(raw, connection.info.get("seal"))
    return sealed


def _write(
    raw: Any,
    who: str,
    action: str,
    at: datetime,
    *,
    last: Head,
    client: str | None = None,
    subject: str | None = None,
    detail: str = "",
    changes: tuple[int, int] | None = None,
    content: Any = None,
) -> AuditEntry:
    """Chain one entry onto `last` and move the head to it (a break is also kept in `audit_breaks`)."""
    entry = AuditEntry(
        id=last.count + 1,
        at=utc_text(at),
        who=who,
        action=action,
        client=client,
        subject=subject,
        detail=detail,
        first_change=changes[0] if changes else None,
        last_change=changes[1] if changes else None,
        content=content_hash(content),
        prev=last.hash,
        hash="",
    )
    sealed = dataclasses.replace(entry, hash=entry.computed_hash())
    raw.execute(
        f"INSERT INTO audit_log ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*sealed.fields(), sealed.hash),
    )
    raw.execute(
        "INSERT INTO board_meta (key, value) VALUES (?, ?), (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (HEAD_COUNT_KEY, str(sealed.id), HEAD_HASH_KEY, sealed.hash),
    )
    if action == "audit break":
        breaks = [*_breaks(raw), {"at": sealed.at, "entry": sealed.id, "detail": detail}]
        raw.execute(
            "INSERT INTO board_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (BREAKS_KEY, json.dumps(breaks, ensure_ascii=False)),
        )
    return sealed


def _tail(raw: Any) -> Head:
    """The log's newest entry, as the table has it."""
    found = raw.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    return Head(int(found[0]), str(found[1])) if found else Head(0, GENESIS)


def _stored_head(raw: Any) -> Head | None:
    found = dict(
        raw.execute("SELECT key, value FROM board_meta WHERE key IN (?, ?)", (HEAD_COUNT_KEY, HEAD_HASH_KEY)).fetchall()
    )
    if HEAD_COUNT_KEY not in found:
        return None
    return Head(int(found[HEAD_COUNT_KEY]), str(found.get(HEAD_HASH_KEY, "")))


def _head_mismatch(tail: Head, kept: Head | None) -> str | None:
    """What is wrong when the log's tail is not the head kept in board_meta (None when they agree)."""
    if kept is None:
        if tail.count == 0:
            return None  # a board with no entry yet
        return ngettext(
            "the audit log's head was removed from the board's facts while the log had {count} entry",
            "the audit log's head was removed from the board's facts while the log had {count} entries",
            tail.count,
        ).format(count=tail.count)
    if (kept.count, kept.hash) == (tail.count, tail.hash):
        return None
    if kept.count > tail.count:
        if kept.count == tail.count + 1:
            return _(
                "audit entry {entry} was cut off the end of the log (the head kept in the board's facts says {kept} "
                "entries, the log ended at entry {last})"
            ).format(entry=kept.count, kept=kept.count, last=tail.count)
        return _(
            "audit entries {first}–{entry} were cut off the end of the log (the head kept in the board's facts says "
            "{kept} entries, the log ended at entry {last})"
        ).format(first=tail.count + 1, entry=kept.count, kept=kept.count, last=tail.count)
    if kept.count < tail.count:
        return _(
            "the log has {count} entries but the head kept in the board's facts says {kept}: entries were added "
            "outside FactBoard or the head was rolled back"
        ).format(count=tail.count, kept=kept.count)
    return _("audit entry {entry} is not the one the head kept in the board's facts names: it was replaced").format(
        entry=tail.count
    )


def _breaks(raw: Any) -> list[dict[str, Any]]:
    found = raw.execute("SELECT value FROM board_meta WHERE key = ?", (BREAKS_KEY,)).fetchone()
    if found is None:
        return []
    try:
        kept = json.loads(found[0])
    except ValueError:
        return [{"at": "?", "entry": 0, "detail": _("the list of audit breaks in the board's facts was damaged")}]
    return kept if isinstance(kept, list) else []


def quick_check(connection: Connection) -> str | None:
    """What an unlock can tell at once (a few small reads): a head that is not the log's tail, a break found
    before, or the seal's triggers removed. None when nothing is wrong as far as that goes; `verify` checks all."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    broken = _head_mismatch(_tail(raw), _stored_head(raw))
    if broken is not None:
        return broken
    breaks = _breaks(raw)
    if breaks:
        first = breaks[0]
        return _("{problem} (found {time} UTC)").format(
            problem=first.get("detail"), time=str(first.get("at", "?"))[:19].replace("T", " ")
        )
    return seal.triggers_intact(raw)


def record_problem(connection: Connection, who: str, at: datetime, problem: str) -> None:
    """Keep a problem `verify` found as a break (once), so every later unlock warns about it too."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    if any(str(problem).startswith(str(found.get("detail"))) for found in _breaks(raw)):
        return  # kept already (verify names a kept break with when it was found)
    if _head_mismatch(_tail(raw), _stored_head(raw)) is not None:
        append(connection, who, "audit break", at)  # the head's own story is the break to keep
        return
    append(connection, who, "audit break", at, detail=problem, content=problem)


def recently_viewed(connection: Connection, who: str, client: str, subject: str, screen: str, at: datetime) -> bool:
    """Whether this person looked at this row from this screen within `VIEW_REPEAT` (then it is not recorded)."""
    found = connection.exec_driver_sql(
        "SELECT 1 FROM audit_log WHERE client = ? AND action = 'view' AND at >= ? AND who = ? AND subject = ? "
        "AND detail = ? LIMIT 1",
        (client, utc_text(at - VIEW_REPEAT), who, subject, screen),
    ).first()
    return found is not None


# -- checking the chain ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verdict:
    """What `verify` found: the head it checked, and the first problem (None when the chain is intact)."""

    count: int
    head: str
    problem: str | None = None
    witnessed: int = 0
    """How many peer-witnessed heads of this chain were checked."""
    kept_break_gone: bool = False
    """The problem is a break kept before whose entry is gone from the log (kept already: not kept again)."""

    @property
    def ok(self) -> bool:
        return self.problem is None


def entries(connection: Connection, where: str = "", parameters: Sequence[Any] = ()) -> list[AuditEntry]:
    """Entries in id order (optionally filtered by an SQL condition)."""
    query = f"SELECT {COLUMNS} FROM audit_log {where} ORDER BY id"
    return [AuditEntry(*row) for row in connection.exec_driver_sql(query, tuple(parameters)).all()]


def verify(connection: Connection, site_id: str) -> Verdict:
    """Walk the whole chain: ids 1, 2, 3 … without gaps, each `prev` the hash before it, each hash recomputed;
    then the head in board_meta, the breaks found before, the seal over the records, and every head a peer
    witnessed of this site. Names the first problem. Reads only: it writes nothing."""
    expected_prev = GENESIS
    hashes: list[str] = []
    count = 0
    first_break: AuditEntry | None = None
    for row in connection.exec_driver_sql(f"SELECT {COLUMNS} FROM audit_log ORDER BY id"):
        entry = AuditEntry(*row)
        if entry.action == "audit break" and first_break is None:
            first_break = entry
        position = count + 1
        if entry.id != position:
            sentence = (
                _("audit entry {entry} is missing (deleted): the log goes on with {next}")
                if entry.id > position
                else _("audit entry {entry} is out of order: the log goes on with {next}")
            )
            return Verdict(count, expected_prev, sentence.format(entry=position, next=entry.id))
        if entry.prev != expected_prev:
            return Verdict(
                count,
                expected_prev,
                _(
                    "audit entry {entry} ({action}, {time}) does not follow entry {before}: an entry was deleted, "
                    "reordered or replaced before it"
                ).format(entry=entry.id, action=entry.action, time=entry.at, before=entry.id - 1),
            )
        if entry.computed_hash() != entry.hash:
            what = _("audit entry {entry} ({action}, {time}) was edited after it was written").format(
                entry=entry.id, action=entry.action, time=entry.at
            )
            return Verdict(count, expected_prev, what)
        expected_prev = entry.hash
        hashes.append(entry.hash)
        count = position
    kept = stored_head(connection)
    if kept is not None and (kept.count, kept.hash) != (count, expected_prev):
        if kept.count > count:
            return Verdict(
                count,
                expected_prev,
                _("audit entries {first}–{last} are missing: the log was cut after entry {entry}").format(
                    first=count + 1, last=kept.count, entry=count
                ),
            )
        return Verdict(
            count, expected_prev, _("the audit log's head does not match its entry {entry}").format(entry=count)
        )
    if kept is None and count:
        return Verdict(count, expected_prev, _("the audit log's head is missing from the board's facts"))
    raw = connection.connection.dbapi_connection
    assert raw is not None
    if first_break is not None:
        when = first_break.at[:19].replace("T", " ")
        problem = _("{problem} (found {time} UTC, kept as audit entry {entry})").format(
            problem=first_break.detail, time=when, entry=first_break.id
        )
        return Verdict(count, expected_prev, problem)
    for found in _breaks(raw):  # a break kept in the facts whose entry is gone from the log
        gone = _("a break found before is gone from the log: {problem}").format(problem=found.get("detail"))
        return Verdict(count, expected_prev, gone, kept_break_gone=True)
    altered = seal.triggers_intact(raw) or seal.differences(raw)
    if altered is not None:
        return Verdict(count, expected_prev, altered)
    witnessed = connection.exec_driver_sql(
        "SELECT witness, count, head FROM audit_witness WHERE chain = ? ORDER BY count", (site_id,)
    ).all()
    for witness, seen_count, seen_head in witnessed:
        seen_count = int(seen_count)
        if seen_count > count:
            return Verdict(
                count,
                expected_prev,
                _(
                    "audit entries {first}–{last} are missing: a peer site ({site}) saw the log with {seen} entries"
                ).format(first=count + 1, last=seen_count, site=str(witness)[:8], seen=seen_count),
            )
        if seen_count and hashes[seen_count - 1] != seen_head:
            return Verdict(
                count,
                expected_prev,
                _(
                    "audit entry {entry} differs from the one a peer site ({site}) witnessed: the log was rewritten"
                ).format(entry=seen_count, site=str(witness)[:8]),
            )
    return Verdict(count, expected_prev, None, len(witnessed))


@dataclass(frozen=True, slots=True)
class Witnessed:
    """A head of another chain as a witness saw it last, and when the bundle that carried it was written."""

    count: int
    hash: str
    written: str | None


def record_witnessed(
    connection: Connection,
    chain: str,
    witness: str,
    count: int,
    head_hash: str,
    at: datetime,
    written: str | None = None,
) -> Witnessed | None:
    """The one write function of `audit_witness`: a chain head seen by `witness` in a bundle written at `written`
    (the signer's own signed time); keeps the longest one seen. Returns what was kept before (None the first time):
    the caller compares the two in the order the bundles were written, not the order they arrived."""
    found = connection.exec_driver_sql(
        "SELECT count, head, written FROM audit_witness WHERE chain = ? AND witness = ?", (chain, witness)
    ).first()
    before = Witnessed(int(found[0]), str(found[1]), found[2]) if found else None
    connection.exec_driver_sql(
        "INSERT INTO audit_witness (chain, witness, count, head, seen_at, written) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (chain, witness) DO UPDATE SET count = excluded.count, head = excluded.head, "
        "seen_at = excluded.seen_at, written = excluded.written WHERE excluded.count >= audit_witness.count",
        (chain, witness, count, head_hash, utc_text(at), written),
    )
    return before


def witnessed_head(connection: Connection, chain: str, witness: str) -> Head | None:
    """The head of `chain` as `witness` saw it last."""
    found = connection.exec_driver_sql(
        "SELECT count, head FROM audit_witness WHERE chain = ? AND witness = ?", (chain, witness)
    ).first()
    return Head(int(found[0]), str(found[1])) if found else None
