"""`factboard init|demo|open|passwd|doctor|backup|restore|rekey`: the board itself, its keys and its health.

These are the commands on the board as a whole rather than on its rows: make one (or the demo), open it in the
terminal UI, change its passphrase or key, check it, back it up and put a backup back. They call the store and
`core.security.backups`; the terminal UI is started through `factboard_tui.launch`, never imported from here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel

from factboard_tui.cli import opening
from factboard_tui.cli.common import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    RECOVERY_KEY_ENV,
    USER_ENV,
    DbOption,
    JsonOption,
    ThemeOption,
    UserOption,
    ask_secret,
    db_path,
    err,
    out,
    print_json,
    progress_bar,
    recover,
    unlocked,
    user_errors,
)
from factboard_tui.core import paths
from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.core.i18n import _, ngettext
from factboard_tui.core.security.audit_words import REKEYED, RESTORED, stored
from factboard_tui.shown import shown, shown_sentence

if TYPE_CHECKING:
    pass

commands = typer.Typer()
"""Registered on the app without a group name: `factboard init`, not `factboard board init`."""


@commands.command("init")
@user_errors
def init(
    db: DbOption = None,
    template: Annotated[str, typer.Option(help=_("Board language template: sv, da, nb, nl or en."))] = "sv",
    team: Annotated[str, typer.Option(help=_("The team's name, shown on the board."))] = "FACT",
    recovery_key_out: Annotated[
        Path | None, typer.Option("--recovery-key-out", help=_("Also write the recovery key to this file."))
    ] = None,
) -> None:
    """Create a new encrypted board and show its recovery key once."""
    from factboard_tui.core.store.board import Board

    path = db_path(db)
    if recovery_key_out is not None and recovery_key_out.exists():
        raise FactBoardError(
            _("{path} already exists: choose a new file for the recovery key.").format(path=recovery_key_out)
        )
    passphrase = ask_secret(_("New passphrase"), PASSPHRASE_ENV, confirm=True)
    board, key = Board.create(path, passphrase, template_id=template, team=team)
    board.close()
    out.print(
        shown_sentence(
            _("Created board {team} at {path} (template {template})."),
            team=(board.team, "bold"),
            path=path,
            template=template,
        )
    )
    show_recovery_key(path, board.board_id, key, recovery_key_out)


def show_recovery_key(
    path: Path, board_id: str, key: bytes, recovery_key_out: Path | None, pending: bool = False
) -> None:
    """Show a board's recovery key once (and first write it to a new file, flushed to the disk, if asked).

    `pending`: a re-key shows the key before it puts the new database in place, so the key is never lost.
    """
    from factboard_tui.core.security.durable import sync_directory
    from factboard_tui.core.security.keys import format_recovery_key

    recovery = format_recovery_key(key)
    if recovery_key_out is not None:
        fd = os.open(recovery_key_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            title = _("FactBoard recovery key for {name} (board {board_id})").format(name=path.name, board_id=board_id)
            handle.write(f"{title}\n{recovery}\n")
            handle.flush()
            os.fsync(handle.fileno())
        sync_directory(recovery_key_out.parent)
    title = _("New recovery key: shown only now") if pending else _("Recovery key: shown only now")
    out.print(Panel(recovery, title=title, expand=False))
    out.print(
        shown(
            _(
                "Keep it offline and safe: with it anyone can open the board, and `factboard passwd --recovery-key` "
                "sets a new passphrase."
            )
            + (" " + _("Also written to {path}.").format(path=recovery_key_out) if recovery_key_out else "")
        )
    )
    out.file.flush()


@commands.command("demo")
@user_errors
def demo(
    db: Annotated[Path | None, typer.Option("--db", help=_("Where to keep the demo board."))] = None,
    reset: Annotated[bool, typer.Option("--reset", help=_("Throw the demo board away and make it anew."))] = False,
    no_open: Annotated[
        bool, typer.Option("--no-open", help=_("Create the demo board but do not open the TUI."))
    ] = False,
    user: UserOption = None,
    theme: ThemeOption = None,
) -> None:
    """Create (or reopen) a demo board of synthetic rows and open it."""
    from factboard_tui.core.store.board import Board
    from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE, create_demo_board, remove_board_files
    from factboard_tui.settings import load_settings

    settings = opening.with_theme(load_settings(), theme)  # a malformed config stops here, before the board opens

    path = (db or paths.demo_db_path()).expanduser()
    if reset:
        remove_board_files(path)
    if path.exists():
        board = Board.unlock(path, DEMO_PASSPHRASE)
        out.print(shown(_("Demo board at {path} (synthetic data).").format(path=path)))
    else:
        board = create_demo_board(path)
        out.print(shown(_("Created a demo board of synthetic rows at {path}.").format(path=path)))
    out.print(
        shown_sentence(
            _("Its passphrase is {passphrase} (demo only; never put real clients in it)."),
            passphrase=(DEMO_PASSPHRASE, "bold"),
        )
    )
    if no_open:
        board.close()
        return
    from factboard_tui.launch import run_board_app

    code = run_board_app(path, board=board, user=user or os.environ.get(USER_ENV) or "KOO", settings=settings)
    board.close()
    if code:
        raise typer.Exit(code)  # a crash: its account is printed already


@commands.command("open")
@user_errors
def open_board(
    db: DbOption = None,
    user: UserOption = None,
    theme: ThemeOption = None,
    meeting: Annotated[
        bool, typer.Option("--meeting", help=_("Start the morning meeting at once (like m on the board)."))
    ] = False,
) -> None:
    """Open the board in the terminal UI."""
    code = opening.open_board(db, user, theme, meeting)
    if code:
        raise typer.Exit(code)  # a crash: its account is printed already


# -- keys and health ---------------------------------------------------------------------------------------------


@commands.command("passwd")
@user_errors
def passwd(
    db: DbOption = None,
    recovery_key: Annotated[
        bool, typer.Option("--recovery-key", help=_("Prove access with the recovery key instead of the passphrase."))
    ] = False,
) -> None:
    """Set a new passphrase (re-wraps the key; the database is not touched)."""
    from factboard_tui.core.errors import WrongKey, WrongPassphrase
    from factboard_tui.core.security.keys import parse_recovery_key
    from factboard_tui.core.store.board import Board

    path = db_path(db)
    recover(path)
    if recovery_key:
        if not path.is_file():
            Board.read_slot(path)
        key = parse_recovery_key(ask_secret(_("Recovery key"), RECOVERY_KEY_ENV))
        try:
            board = Board.open_with_key(path, key)
        except WrongKey:
            # Unlike a key from the slot, a typed recovery key is not proven right: no page verifying means a typo.
            raise WrongPassphrase(
                _(
                    "That recovery key does not open {name}: check what you typed (if it is right, run "
                    "`factboard doctor`); nothing was changed."
                ).format(name=path.name)
            ) from None
    else:
        Board.read_slot(path)  # fail on a missing board or slot before asking for a passphrase
        # Counted like every unwrap (wrong tries wait, and are logged); the change itself is not logged.
        board = Board.unlock(path, ask_secret(_("Current passphrase"), PASSPHRASE_ENV), via="passwd")
    try:
        board.set_passphrase(ask_secret(_("New passphrase"), NEW_PASSPHRASE_ENV, confirm=True))
    finally:
        board.close()
    out.print(_("New passphrase set. The database itself was not changed; the recovery key stays the same."))


@commands.command("doctor")
@user_errors
def doctor(db: DbOption = None, user: UserOption = None, as_json: JsonOption = False) -> None:
    """Finish what was cut off; check the key slot, every encrypted page and the schema; exits non-zero on trouble."""
    from factboard_tui.core.security.backups import leftovers
    from factboard_tui.core.store.board import Board
    from factboard_tui.core.store.migrations import LATEST_VERSION
    from factboard_tui.settings import load_settings

    checks: list[dict[str, str]] = []

    def said(status: str, check: str, text: str) -> None:
        """One line of the report (`status` is ok, fixed or note), or one entry of `--json`'s `checks`."""
        checks.append({"status": status, "check": check, "text": text})
        if not as_json:
            words = {"ok": (_("ok"), "green"), "fixed": (_("fixed"), "yellow"), "note": (_("note"), "yellow")}
            out.print(shown(words[status], "  ", text), soft_wrap=True, highlight=False)

    path = db_path(db)
    recover(path, lambda note: said("fixed", "recovery", note))
    slot = Board.read_slot(path)
    slot.kdf.check_floor()
    said(
        "ok",
        "key slot",
        _("key slot: Argon2id {memory} MiB, {passes} passes, {lanes} lanes").format(
            memory=slot.kdf.memory_kib // 1024, passes=slot.kdf.iterations, lanes=slot.kdf.lanes
        ),
    )
    from factboard_tui.core.errors import AuditBroken

    with unlocked(db, user, write_now=False, warn=False) as board:
        said("ok", "pages", _("passphrase unwraps the key; every page verifies (cipher_integrity_check)"))
        version = board.schema_version()
        said(
            "ok",
            "schema",
            _("schema version {version} (this FactBoard knows up to {latest})").format(
                version=version, latest=LATEST_VERSION
            ),
        )
        board.check_structure()
        said("ok", "structure", _("references and structure (foreign_key_check, quick_check)"))
        verdict = board.audit_verify(keep_problem=True)
        count = len(board.rows())
        team = board.team
        if verdict.problem is None:
            said(
                "ok",
                "audit log",
                ngettext(
                    "audit log: {count} entry, chain intact, records match their seal",
                    "audit log: {count} entries, chain intact, records match their seal",
                    verdict.count,
                ).format(count=verdict.count),
            )
            for note in leftovers(path, load_settings().backups.directory_for(path)):
                said("note", "leftover", note)
            if not as_json:
                out.print(
                    shown(
                        ngettext(
                            "{count} row on the board, team {team}.", "{count} rows on the board, team {team}.", count
                        ).format(count=count, team=team)
                    )
                )
    if as_json:
        problem = verdict.problem
        print_json(
            {"board": str(path), "team": team, "rows": count, "ok": problem is None, "checks": checks}
            | ({"problem": str(problem)} if problem is not None else {})
        )
    if verdict.problem is not None:
        raise AuditBroken(
            _("The audit log does not verify: {problem}. Run `factboard audit verify`.").format(problem=verdict.problem)
        )


# -- backups, restore and a new key (issue 7) -----------------------------------------------------------------------


@commands.command("backup")
@user_errors
def backup(
    db: DbOption = None,
    user: UserOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help=_("Folder for backups (default: config, else backups/)."))
    ] = None,
    keep: Annotated[
        int | None, typer.Option(help=_("Keep this many backups of the board (default: config, 14)."))
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", help=_("List this board's backups instead of taking one."))
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=_("With --list: print JSON for scripts."))] = False,
) -> None:
    """Take an encrypted, verified copy of the board and its key slot (safe while others edit)."""
    from factboard_tui.core.security.backups import list_backups
    from factboard_tui.settings import load_settings

    path = db_path(db)
    settings = load_settings().backups
    directory = (output or settings.directory_for(path)).expanduser()
    if as_json and not list_only:
        raise InvalidValue("json", _("--json goes with --list: a backup says where it went in one line."))
    if list_only:
        found = list_backups(path, directory)
        if as_json:
            print_json(
                [
                    {"path": str(item), "bytes": item.stat().st_size, "key_slot": str(paths.key_slot_path(item))}
                    for item in found
                ]
            )
            return
        for item in found:
            out.print(shown(f"{item}  ({item.stat().st_size // 1024} KiB)"))
        if not found:
            out.print(shown(_("No backups of {name} in {folder}.").format(name=path.name, folder=directory)))
        return
    if keep is not None and keep < 1:
        raise InvalidValue("keep", _("--keep must be at least 1: the newest backup is always kept."))
    with unlocked(db, user) as board, progress_bar() as report:
        made, checked = board.backup(directory, keep or settings.keep, report)
    out.print(
        shown(
            ngettext(
                "Backed up {count} row of {team} to {path} (encrypted, verified; its key slot beside it).",
                "Backed up {count} rows of {team} to {path} (encrypted, verified; its key slot beside it).",
                checked.rows,
            ).format(count=checked.rows, team=checked.team, path=made)
        )
    )


@commands.command("restore")
@user_errors
def restore(
    backup_file: Annotated[Path, typer.Argument(help=_("The backup to put back (its .keyslot must be beside it)."))],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Put a backup in the board's place after verifying it; the current board is kept aside."""
    from factboard_tui.core.clock import system_clock
    from factboard_tui.core.security.backups import restore_backup

    path = db_path(db)
    recover(path)
    passphrase = ask_secret(_("Passphrase of the backup"), PASSPHRASE_ENV)
    aside, checked = restore_backup(path, backup_file, passphrase, system_clock().astimezone())
    from factboard_tui.core.store.board import Board

    with Board.unlock(path, passphrase, user=user or os.environ.get(USER_ENV), via="restore") as board:
        board.audit_event("restore", subject=backup_file.name, detail=stored(RESTORED, file=aside.name))
    out.print(
        shown(
            ngettext(
                "Restored {count} row of {team} from {name}. The board as it was is kept at {aside}.",
                "Restored {count} rows of {team} from {name}. The board as it was is kept at {aside}.",
                checked.rows,
            ).format(count=checked.rows, team=checked.team, name=backup_file.name, aside=aside)
        )
    )


@commands.command("rekey")
@user_errors
def rekey_command(
    db: DbOption = None,
    user: UserOption = None,
    recovery_key_out: Annotated[
        Path | None, typer.Option("--recovery-key-out", help=_("Also write the new recovery key to this file."))
    ] = None,
) -> None:
    """Give the database a new key; open FactBoards are asked to close first. Shows the new recovery key."""
    from factboard_tui.core.clock import system_clock
    from factboard_tui.core.security.backups import committed, rekey
    from factboard_tui.core.security.keys import UnlockAttempts
    from factboard_tui.core.store.board import Board
    from factboard_tui.core.store.events import audit_who

    path = db_path(db)
    recover(path)
    slot = Board.read_slot(path)  # fail on a missing board or slot before asking for a passphrase
    if recovery_key_out is not None and recovery_key_out.exists():
        raise FactBoardError(
            _("{path} already exists: choose a new file for the recovery key.").format(path=recovery_key_out)
        )
    delivered: list[bool] = []

    def deliver(key: bytes) -> None:
        """Before the re-key commits: the new recovery key in its file (flushed) and on the screen."""
        show_recovery_key(path, slot.board_id, key, recovery_key_out, pending=True)
        delivered.append(True)

    try:
        passphrase = ask_secret(_("Passphrase"), PASSPHRASE_ENV)
        with progress_bar() as report:
            key = rekey(path, passphrase, deliver=deliver, progress=report)
    except BaseException:
        if delivered:
            err.print(
                _(
                    "The re-key stopped after it committed: the next start finishes it, and the recovery key above "
                    "opens the board."
                )
                if committed(path)
                else _(
                    "The re-key did not happen: the recovery key above does not apply; the old one still opens "
                    "the board."
                ),
                highlight=False,
            )
        raise
    with Board.open_with_key(path, key) as board:
        board.actor = audit_who(user or os.environ.get(USER_ENV))
        board.record_failed_unlocks(UnlockAttempts(path, system_clock), "rekey")
        board.audit_event("rekey", detail=stored(REKEYED))
    out.print(
        shown(
            _("{name} has its new key. The old recovery key no longer opens it; the one above does.").format(
                name=path.name
            )
        )
    )
