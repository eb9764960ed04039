"""`factboard sync …`: the command-line face of sync between sites (identity, trust, export, import, conflicts).

A thin layer over `core.sync.service`: it reads and writes the files, shows a progress bar for large bundles and
prints one-line errors through the same `user_errors` wrapper as every other command. Bundles are encrypted, so
writing one is not a plaintext export; the command says so.
"""

from __future__ import annotations

import os
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from factboard_tui.cli.common import (
    DbOption,
    JsonOption,
    UserOption,
    author,
    err,
    out,
    print_json,
    progress_bar,
    unlocked,
    user_errors,
)
from factboard_tui.core.errors import FactBoardError, SyncRefused
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.shown import shown, shown_sentence

if TYPE_CHECKING:
    from factboard_tui.core.sync.folder import RoundReport
    from factboard_tui.core.sync.service import ImportReport

group = typer.Typer(help=_("Keep boards at several sites in step with signed, encrypted files."), no_args_is_help=True)

LARGE_BUNDLE = 10_000
"""Changes from which a bundle's export or import shows a progress bar."""
LARGE_FILE = 2_000_000
"""Bytes from which importing a bundle shows a progress bar from the start (its changes are not counted yet)."""
BUNDLE_SUFFIX = ".fbsync"


@group.command("identity")
@user_errors
def sync_identity(
    db: DbOption = None,
    user: UserOption = None,
    show_minisign: Annotated[
        bool,
        typer.Option("--minisign", help=_("Also print the minisign public key that checks this site's bundles.")),
    ] = False,
) -> None:
    """Show this site's key (give it to peers) and its fingerprint (read it to them on the phone)."""
    from factboard_tui.core.sync.service import identity_lines

    with unlocked(db, user) as board:
        lines = identity_lines(board)
    out.print(shown_sentence(_("Site {name} ({site})"), name=(lines["name"], "bold"), site=lines["site_id"]))
    out.print(shown_sentence(_("Fingerprint: {fingerprint}"), fingerprint=(lines["fingerprint"], "bold")))
    out.print(shown(_("Signing key (Ed25519): {key}").format(key=lines["signing_key"])), soft_wrap=True)
    out.print(shown(_("Encryption key (X25519): {key}").format(key=lines["encryption_key"])), soft_wrap=True)
    out.print(_("Site key (peers run `factboard sync trust NAME KEY` with it):"), highlight=False)
    out.print(shown(lines["key"]), soft_wrap=True)
    if show_minisign:
        out.print(_("minisign public key (check a bundle: minisign -Vm BUNDLE -P KEY):"), highlight=False)
        out.print(shown(lines["minisign"]), soft_wrap=True)


@group.command("trust")
@user_errors
def sync_trust(
    name: Annotated[str, typer.Argument(help=_("What to call the peer site here, like Region or Silkeborg."))],
    key: Annotated[str, typer.Argument(help=_("The peer's site key (fbsite1:…) from its `sync identity`."))],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Trust another site: accept bundles it signs and encrypt bundles to it."""
    from factboard_tui.core.sync.service import trust_peer

    with unlocked(db, user) as board:
        peer = trust_peer(board, name, key)
    out.print(shown_sentence(_("Trusted {name}."), name=(peer.name, "bold")))
    out.print(
        shown_sentence(
            _(
                "Check its fingerprint with them on the phone: {fingerprint} "
                "(if it differs, run `factboard sync revoke` now)."
            ),
            fingerprint=(peer.site.fingerprint(), "bold"),
        )
    )


@group.command("peers")
@user_errors
def sync_peers(db: DbOption = None, user: UserOption = None, as_json: JsonOption = False) -> None:
    """List the sites this board trusts, with fingerprints and the age of their last bundle."""
    from factboard_tui.core.sync.freshness import age_text, heard_from
    from factboard_tui.core.sync.service import peers

    with unlocked(db, user) as board:
        found = peers(board)
        heard = {item.name: item for item in heard_from(board)}
        now = board.clock()
    if not found:
        _say_no_peers(as_json)
        return
    if as_json:
        listed = []
        for peer in found:
            last = heard.get(peer.name)
            listed.append(
                {
                    "name": peer.name,
                    "fingerprint": peer.site.fingerprint(),
                    "trusted_at": peer.trusted_at,
                    "revoked_at": peer.revoked_at,
                    "last_bundle_at": last.at.isoformat() if last is not None and last.at is not None else None,
                    "stale": bool(last is not None and last.stale),
                }
            )
        print_json(listed)
        return
    table = Table(header_style="bold")
    for heading in (_("Name"), _("Fingerprint"), _("Trusted since"), _("Status"), _("Last bundle")):
        table.add_column(heading)
    for peer in found:
        last = heard.get(peer.name)
        table.add_row(
            shown(peer.name, one_line=True),
            shown(peer.site.fingerprint()),
            shown(peer.trusted_at[:16].replace("T", " ")),
            shown(
                _("revoked {time}").format(time=peer.revoked_at[:16].replace("T", " "))
                if peer.revoked_at
                else _("trusted")
            ),
            shown((age_text(last.at, now), "bold yellow" if last.stale else "")) if last else shown(""),
        )
    out.print(table)


def _say_no_peers(as_json: bool) -> None:
    if as_json:
        print_json([])
    else:
        out.print(_("No peer sites yet: add one with `factboard sync trust NAME KEY`."))


@group.command("revoke")
@user_errors
def sync_revoke(
    name: Annotated[str, typer.Argument(help=_("The peer's name here."))], db: DbOption = None, user: UserOption = None
) -> None:
    """Stop trusting a site: its bundles are refused from now on."""
    from factboard_tui.core.sync.service import revoke_peer

    with unlocked(db, user) as board:
        peer = revoke_peer(board, name)
    out.print(shown_sentence(_("Revoked {name}: its bundles are refused from now on."), name=(peer.name, "bold")))


@group.command("export")
@user_errors
def sync_export(
    to: Annotated[str, typer.Option("--to", help=_("The trusted peer to write the bundle for."))],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=_("The bundle file (default: a dated name here)."))
    ] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Write a bundle with every change the peer has not acknowledged, and its minisign signature beside it."""
    from factboard_tui.core.sync.service import export_bundle

    with unlocked(db, user) as board:
        stamp = board.clock().astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        target = output or Path(f"factboard-{_slug(board.site.name)}-to-{_slug(to)}-{stamp}{BUNDLE_SUFFIX}")
        signature_path = target.with_name(target.name + ".minisig")
        for path in (target, signature_path):
            if path.exists():
                raise FactBoardError(
                    _("{path} already exists: choose another file with -o (nothing was written).").format(path=path)
                )
        with progress_bar(LARGE_BUNDLE) as report:
            bundle = export_bundle(board, to, progress=report)
    _write_new(target, bundle.data)
    _write_new(signature_path, bundle.signature.encode("utf-8"))
    out.print(
        shown_sentence(
            ngettext(
                "Wrote {path} for {peer}: {count} change, encrypted to {peer} and this site, signed; "
                "minisign signature in {signature}.",
                "Wrote {path} for {peer}: {count} changes, encrypted to {peer} and this site, signed; "
                "minisign signature in {signature}.",
                bundle.changes,
            ),
            path=target,
            peer=(bundle.peer, "bold"),
            count=bundle.changes,
            signature=signature_path.name,
        )
    )


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "site"


def _write_new(path: Path, data: bytes) -> None:
    """Write a new file (never over one); a cut-off file is removed and a full disk is said as such."""
    from factboard_tui.core.diagnosis import os_error

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise os_error(error, path, "bundle") from None


@group.command("import")
@user_errors
def sync_import(
    file: Annotated[Path, typer.Argument(help=_("A bundle file from a trusted peer."))],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Verify, decrypt, check and merge a bundle in one transaction; a refused file is kept and nothing changes."""
    from factboard_tui.core.sync.bundle import MAX_BUNDLE_BYTES
    from factboard_tui.core.sync.service import import_bundle

    if not file.is_file():
        raise FactBoardError(_("There is no file {path}: give the path of a bundle (.fbsync).").format(path=file))
    size = file.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        raise SyncRefused(
            "size",
            _("{name} is {size} bytes, over the {cap} byte cap: refused.").format(
                name=file.name, size=size, cap=MAX_BUNDLE_BYTES
            ),
        )
    data = file.read_bytes()
    with unlocked(db, user) as board, progress_bar(0 if size > LARGE_FILE else LARGE_BUNDLE) as report:
        result = import_bundle(board, data, progress=report)
    applied = result.applied
    out.print(
        shown_sentence(
            _(
                "Imported {name} from {signer}: {applied} changes applied, {older} older than what stands, "
                "{skipped} already here; {rows} rows touched."
            ),
            name=file.name,
            signer=(result.signer, "bold"),
            applied=applied.applied,
            older=applied.superseded,
            skipped=applied.skipped,
            rows=applied.rows,
        )
    )
    _tell_merged(result)


def _tell_merged(result: ImportReport) -> None:
    """What a merge left for people: duplicates closed, conflicts to settle, warnings."""
    applied = result.applied
    for code in applied.duplicates_closed:
        out.print(
            shown(
                _("{code} was on the board twice (added at two sites): the later row was taken off.").format(code=code)
            )
        )
    if applied.conflicts:
        out.print(
            shown_sentence(
                ngettext(
                    "{count} conflicting edit kept for a person to settle: `factboard sync conflicts`.",
                    "{count} conflicting edits kept for a person to settle: `factboard sync conflicts`.",
                    len(applied.conflicts),
                ),
                count=(str(len(applied.conflicts)), "yellow"),
            )
        )
    for warning in result.warnings:
        err.print(shown((_("warning:"), "bold yellow"), " ", warning, one_line=True), soft_wrap=True)


@group.command("conflicts")
@user_errors
def sync_conflicts(
    db: DbOption = None,
    user: UserOption = None,
    show_all: Annotated[bool, typer.Option("--all", help=_("Also list settled conflicts."))] = False,
    as_json: JsonOption = False,
) -> None:
    """List concurrent edits of one field at two sites, waiting for a person to choose."""
    from dataclasses import asdict

    from factboard_tui.core.sync.service import conflicts

    with unlocked(db, user) as board:
        found = conflicts(board, include_settled=show_all)
    if as_json:
        print_json([asdict(conflict) for conflict in found])
        return
    if not found:
        out.print(_("No conflicts to settle."))
        return
    table = Table(header_style="bold", show_lines=True)
    for heading in (_("Id"), _("Client"), _("Field"), _("Choices"), _("Standing now"), _("Settled")):
        table.add_column(heading)
    for conflict in found:
        choices = "\n".join(
            f"{number}. {candidate['author']}: {candidate['value'] or '—'}"
            for number, candidate in enumerate(conflict.candidates, start=1)
        )
        table.add_row(
            shown(conflict.id),
            shown(conflict.client_code),
            shown(conflict.label),
            shown(choices),
            shown(conflict.provisional or "—"),
            shown(f"{conflict.settled_by} {conflict.settled_at[:16]}" if conflict.settled_at else ""),
        )
    out.print(table)
    out.print(_("Settle one with `factboard sync settle ID --take N` (or --value TEXT)."))


@group.command("settle")
@user_errors
def sync_settle(
    conflict_id: Annotated[int, typer.Argument(help=_("The conflict's id from `sync conflicts`."))],
    take: Annotated[int | None, typer.Option("--take", help=_("Keep choice N of the listed values."))] = None,
    value: Annotated[str | None, typer.Option("--value", help=_("Keep this text instead (e.g. both merged)."))] = None,
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Settle a conflict: the chosen value is written as your edit, and travels to the other sites."""
    from factboard_tui.core.sync.service import conflicts, settle_conflict

    if (take is None) == (value is None):
        raise FactBoardError(_("Say which value stays: --take N (a listed choice) or --value TEXT."))
    who = author(user)
    with unlocked(db, user) as board:
        if take is not None:
            found = {conflict.id: conflict for conflict in conflicts(board)}
            if conflict_id not in found:
                raise FactBoardError(
                    _("There is no open conflict {number}: see `factboard sync conflicts`.").format(number=conflict_id)
                )
            candidates = found[conflict_id].candidates
            if not 1 <= take <= len(candidates):
                raise FactBoardError(_("Choose --take between 1 and {count}.").format(count=len(candidates)))
            value = candidates[take - 1]["value"]
        settled = settle_conflict(board, conflict_id, who, value)
    out.print(
        shown(
            _("Settled conflict {number} ({code} {field}).").format(
                number=settled.id, code=settled.client_code, field=settled.label
            )
        )
    )


# -- sync through a shared folder ---------------------------------------------------------------------------------

FolderOption = Annotated[
    Path | None,
    typer.Option(
        "--folder",
        help=_("The folder another engine keeps in step between sites (default: the config's [sync] folder)."),
    ),
]
SettleOption = Annotated[
    float,
    typer.Option(
        "--settle",
        min=0.0,
        max=600.0,
        help=_("Seconds a file must keep its size before it is read (a copy in progress is never read)."),
    ),
]
RoundJsonOption = Annotated[
    bool, typer.Option("--json", help=_("Print what the round did as one JSON document, for scripts."))
]
RoundsJsonOption = Annotated[
    bool,
    typer.Option("--json", help=_("Print one JSON line for each round that did something (JSON Lines), for scripts.")),
]


def _folder(folder: Path | None) -> Path:
    """The shared folder: --folder, else the config's `[sync] folder`."""
    from factboard_tui.settings import load_settings

    chosen = folder or load_settings().sync.folder
    if chosen is None:
        raise FactBoardError(
            _("Say which folder to sync through: pass --folder DIR or set folder in the config's [sync] table.")
        )
    return chosen.expanduser()


def _tell_round(report: RoundReport, told: set[tuple[str, str]] | None = None) -> None:
    """One line per thing a round did, as it matters to a person watching the terminal; a file still waiting is
    said once while it waits for the same reason (`told` remembers it between the rounds of `sync watch`)."""
    for written in report.written:
        out.print(
            shown_sentence(
                ngettext(
                    "Wrote a bundle for {peer}: {count} change ({name}).",
                    "Wrote a bundle for {peer}: {count} changes ({name}).",
                    written.changes,
                ),
                peer=(written.peer, "bold"),
                count=written.changes,
                name=written.path.name,
            ),
            soft_wrap=True,
        )
    for imported in report.imported:
        applied = imported.report.applied
        out.print(
            shown_sentence(
                _("Imported {name} from {signer}: {applied} changes applied, {skipped} already here."),
                name=imported.path.name,
                signer=(imported.report.signer, "bold"),
                applied=applied.applied,
                skipped=applied.skipped + applied.superseded,
            ),
            soft_wrap=True,
        )
        _tell_merged(imported.report)
    for refused in report.refused:
        err.print(
            shown(
                (_("refused:"), "bold red"),
                " ",
                _("{name}: {reason} (the file is left where it is).").format(
                    name=refused.path.name, reason=refused.reason
                ),
                one_line=True,
            ),
            soft_wrap=True,
        )
    waits = {(waiting.path.name, waiting.reason) for waiting in report.waiting}
    for name, reason in sorted(waits - (told or set())):
        out.print(shown(_("Not yet: {name} ({reason}).").format(name=name, reason=reason)), soft_wrap=True)
    if told is not None:
        told.clear()
        told.update(waits)
    if report.busy:
        out.print(_("Another sync round on this board is running: this one did nothing."))


@group.command("run")
@user_errors
def sync_run(
    folder: FolderOption = None,
    settle: SettleOption = 2.0,
    db: DbOption = None,
    user: UserOption = None,
    as_json: RoundJsonOption = False,
) -> None:
    """One round through a shared folder: write a bundle for each peer with something new, import what arrived."""
    from factboard_tui.cli.sync_json import round_document
    from factboard_tui.core.sync.folder import SyncFolder

    where = _folder(folder)
    with unlocked(db, user) as board:
        report = SyncFolder(board, where, settle=settle).round(wait_for_arrivals=True)
        at = board.clock()
    if as_json:
        print_json(round_document(report, where, at))
    else:
        _tell_round(report)
        if not (report.written or report.imported or report.refused or report.waiting or report.busy):
            out.print(_("Nothing new to write or import."))
    if report.refused:
        raise typer.Exit(SyncRefused.exit_code)


@group.command("watch")
@user_errors
def sync_watch(
    folder: FolderOption = None,
    every: Annotated[
        float | None,
        typer.Option(
            "--every", min=0.05, max=86400.0, help=_("Seconds between rounds (default: the config's [sync] every, 60).")
        ),
    ] = None,
    settle: SettleOption = 2.0,
    db: DbOption = None,
    user: UserOption = None,
    as_json: RoundsJsonOption = False,
) -> None:
    """Repeat sync rounds through a shared folder until Ctrl-C (a round under way is finished first)."""
    from factboard_tui.cli import sync_json
    from factboard_tui.core.security.locks import close_requested
    from factboard_tui.core.sync.folder import SyncFolder
    from factboard_tui.settings import load_settings

    where = _folder(folder)
    pause = every if every is not None else float(load_settings().sync.every)
    person = err if as_json else out  # with --json, stdout carries only the rounds' JSON lines
    stop = threading.Event()
    previous = {number: signal.signal(number, lambda *_args: stop.set()) for number in _STOP_SIGNALS}
    try:
        with unlocked(db, user) as board:
            rounds = SyncFolder(board, where, settle=settle)
            person.print(
                shown_sentence(
                    _("Watching {folder} every {seconds} s; Ctrl-C stops."), folder=(str(where), "bold"), seconds=pause
                )
            )
            told: set[tuple[str, str]] = set()
            while not stop.is_set():
                wait = pause
                try:
                    report = rounds.round()
                    if as_json:
                        _round_line(report, where, board.clock(), told)
                    else:
                        _tell_round(report, told)
                    if report.waiting:  # a file seen arriving is read once it has kept still, not a round later
                        wait = min(pause, settle + 0.1)
                except FactBoardError as passing:  # a full disk, a busy board: said, and tried again next round
                    if as_json:
                        sync_json.print_line(sync_json.failed_round(str(passing), where, board.clock()))
                    else:
                        err.print(
                            shown((_("warning:"), "bold yellow"), " ", str(passing), one_line=True), soft_wrap=True
                        )
                if close_requested(board.path):
                    person.print(_("A restore or re-key asks for the board: stopping."))
                    break
                stop.wait(wait)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    person.print(_("Stopped."))


def _round_line(report: RoundReport, where: Path, at: datetime, told: set[tuple[str, str]]) -> None:
    """A round of `sync watch --json` as one JSON line, when it did or found something: a quiet round prints
    nothing, and a file still waiting for the same reason is in the line of the round that first saw it so."""
    from factboard_tui.cli import sync_json

    waits = {(waiting.path.name, waiting.reason) for waiting in report.waiting}
    news = report.written or report.imported or report.already or report.refused or report.busy or waits - told
    told.clear()
    told.update(waits)
    if news:
        sync_json.print_line(sync_json.round_document(report, where, at))


_STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))
"""Signals that end `sync watch` after the round under way."""
