"""The `factboard` command: a thin Typer face over the core services.

Scripts and tests call these exact names (`init`, `demo`, `open`, `rows …`, `staff …`, `passwd`, `doctor`).
Every user error is one line on stderr and a non-zero exit code, never a traceback. Passphrases come from a hidden
prompt, or from `FACTBOARD_PASSPHRASE` for scripts; who is writing comes from `--user` or `FACTBOARD_USER`.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from factboard_tui import cli_options, locations
from factboard_tui.core.characters import inert, json_safe
from factboard_tui.core.errors import FactBoardError, InvalidValue
from factboard_tui.shown import shown

P = ParamSpec("P")
R = TypeVar("R")

PASSPHRASE_ENV = "FACTBOARD_PASSPHRASE"
NEW_PASSPHRASE_ENV = "FACTBOARD_NEW_PASSPHRASE"
RECOVERY_KEY_ENV = "FACTBOARD_RECOVERY_KEY"
USER_ENV = "FACTBOARD_USER"

out = Console()
err = Console(stderr=True)

app = typer.Typer(
    name="factboard",
    help="FactBoard: the FACT team's morning board, in an encrypted local database.",
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rows_app = typer.Typer(help="List, add, change and take off board rows.", no_args_is_help=True)
staff_app = typer.Typer(help="The team list: initials, name, discipline, organisation.", no_args_is_help=True)
app.add_typer(rows_app, name="rows")
app.add_typer(staff_app, name="staff")

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="The board's database file (default: $FACTBOARD_DB, else board.db in the data dir)."),
]
CodeArgument = Annotated[str, typer.Argument(help="Client code of a row on the board, like DD-75.")]
ThemeOption = Annotated[
    str | None,
    typer.Option(
        "--theme", help="wall, laptop, high-contrast or light, for this session (ctrl+t cycles and remembers)."
    ),
]
UserOption = Annotated[
    str | None,
    typer.Option(
        "--user",
        "-u",
        help="Your staff initials, stamped on changes and named in the audit log (default: $FACTBOARD_USER).",
    ),
]


def user_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn `FactBoardError` into one line on stderr and its exit code (the message is shown as plain text: it
    may quote a value or a file name); take the options given before the command (`cli_options`). Every command
    is wrapped by it."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            kwargs = cli_options.apply(function, kwargs, command_name(wrapper))  # type: ignore[assignment]
            return function(*args, **kwargs)
        except FactBoardError as error:
            err.print(shown(("error:", "bold red"), " ", str(error), one_line=True), soft_wrap=True)
            raise typer.Exit(error.exit_code) from None
        except Exception as error:  # a full disk, a read-only mount, a failing USB stick …
            told = told_error(error)
            if told is None:
                raise
            err.print(shown(("error:", "bold red"), " ", str(told), one_line=True), soft_wrap=True)
            raise typer.Exit(told.exit_code) from None
        except KeyboardInterrupt:
            err.print("Interrupted: nothing more was changed.")
            raise typer.Exit(130) from None

    return wrapper


def print_json(value: Any) -> None:
    """`value` as JSON on stdout for scripts; a character a terminal could act on travels as its `\\u` escape."""
    sys.stdout.write(json_safe(json.dumps(value, ensure_ascii=False, indent=2)) + "\n")


def command_name(callback: Callable[..., Any]) -> str:
    """How a person types the command whose registered function is `callback` (`rows list`)."""
    return cli_options.command_names(app).get(callback, "")


def told_error(error: Exception) -> FactBoardError | None:
    """An operating system or SQLite error that escaped a command, told as what happened (None: a bug, not a user
    error). Commands map the errors they expect themselves; this keeps the rest from printing a traceback."""
    if not isinstance(error, OSError) and getattr(error, "sqlite_errorcode", None) is None:
        return None
    from factboard_tui.core.diagnosis import told

    return told(error, None, "use")


def db_path(db: Path | None) -> Path:
    """The database a command works on."""
    return (db or locations.default_db_path()).expanduser()


def ask_secret(prompt: str, env: str, confirm: bool = False) -> str:
    """A secret from the environment (scripts) or a hidden prompt (people)."""
    value = os.environ.get(env)
    if value is not None:
        return value
    if not sys.stdin.isatty():
        raise FactBoardError(f"No terminal to ask for the {prompt.lower()}: set {env} or run in a terminal.")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def author(user: str | None) -> str:
    """Who is writing: --user, else FACTBOARD_USER; writes need it."""
    initials = user or os.environ.get(USER_ENV)
    if not initials:
        raise InvalidValue("author", f"Say who is writing: pass --user INITIALS or set {USER_ENV}.")
    return initials


def open_row(board: Any, code: str) -> tuple[int, Any]:
    """The id and row of the client on the board with this code."""
    row = board.open_row_by_code(code)
    return int(row.id), row


def with_theme(settings: Any, theme: str | None) -> Any:
    """Settings with the theme asked for on the command line (by short name or full name)."""
    from dataclasses import replace

    if theme is None:
        return settings
    name = theme if theme.startswith("factboard-") else f"factboard-{theme}"
    return replace(settings, theme=name)


def recover(path: Path, show: Callable[[str], None] | None = None) -> list[str]:
    """Before any question: finish or undo an operation on the board (or on its backups) that was cut off, and say
    what was done (on stderr, unless `show` says how). Needs no passphrase: whatever is typed next, it is done."""
    from factboard_tui.core.backups import recover_backups, recover_board
    from factboard_tui.settings import load_settings

    notes = recover_board(path) + recover_backups(path, load_settings().backups.directory_for(path))
    for note in notes:
        if show is not None:
            show(note)
        else:
            err.print(shown(note), soft_wrap=True)
    return notes


@contextmanager
def unlocked(db: Path | None, user: str | None = None, *, write_now: bool = True, warn: bool = True) -> Iterator[Any]:
    """The unlocked board for a command, closed afterwards.

    The unlock is entered in the audit log (as --user, else $FACTBOARD_USER, else '?') with the command's first
    audit entry, or after the command succeeded: a refused command still changes nothing. `write_now=False` holds
    back even the entry for wrong passphrases typed before, until the command is done (`audit verify` reads the
    log first). A problem with the audit log seen on opening is a warning line before the command runs (unless
    `warn` is False: the command checks the log itself).
    """
    from factboard_tui.core.store import Board

    path = db_path(db)
    recover(path)
    Board.read_slot(path)  # fail on a missing board or slot before asking for a passphrase
    who = user or os.environ.get(USER_ENV)
    board = Board.unlock(path, ask_secret("Passphrase", PASSPHRASE_ENV), user=who, via="cli", write_now=write_now)
    if board.audit_warning is not None and warn:
        problem = f" the audit log does not verify: {board.audit_warning}. Run `factboard audit verify`; nothing was "
        problem += "overwritten."
        err.print(shown(("warning:", "bold yellow"), problem), soft_wrap=True)
    try:
        yield board
        # After the command succeeded, so a refused command still changes nothing.
        board.record_unlock()
        warned = board.audit_warning
        try:
            made = daily_backup(board)
        except FactBoardError as error:  # the command's own work is saved: say so, and why there is no backup
            err.print(
                shown(
                    ("warning:", "bold yellow"),
                    " the command's work is saved, but today's backup was not made: ",
                    str(error),
                ),
                soft_wrap=True,
            )
            return
        if warn and board.audit_warning is not None and board.audit_warning != warned:  # found by the day's check
            found = f" today's check of the audit log found: {board.audit_warning}. Run `factboard audit verify`."
            err.print(shown(("warning:", "bold yellow"), found), soft_wrap=True)
        if made is not None:
            err.print(shown(f"First unlock today: backed up to {made}"), soft_wrap=True)
    finally:
        board.close()


def daily_backup(board: Any) -> Path | None:
    """The first unlock of a day makes a backup, unless the config's `[backups] daily = false`."""
    from factboard_tui.settings import load_settings

    settings = load_settings().backups
    if not settings.daily:
        return None
    made: Path | None = board.daily_backup(settings.directory_for(board.path), settings.keep)
    return made


# -- the board itself -------------------------------------------------------------------------------------------


@app.callback()
def root(ctx: typer.Context, db: DbOption = None, user: UserOption = None, theme: ThemeOption = None) -> None:
    """With no command, open the board (like `factboard open`). Options before a command apply to it."""
    cli_options.keep(cli_options.RootOptions(db, user, theme))
    if ctx.invoked_subcommand is None:
        open_board(db=db, user=user, theme=theme)


@app.command("init")
@user_errors
def init(
    db: DbOption = None,
    template: Annotated[str, typer.Option(help="Board language template: sv, da or en.")] = "sv",
    team: Annotated[str, typer.Option(help="The team's name, shown on the board.")] = "FACT",
    recovery_key_out: Annotated[
        Path | None, typer.Option("--recovery-key-out", help="Also write the recovery key to this file.")
    ] = None,
) -> None:
    """Create a new encrypted board and show its recovery key once."""
    from factboard_tui.core.store import Board

    path = db_path(db)
    if recovery_key_out is not None and recovery_key_out.exists():
        raise FactBoardError(f"{recovery_key_out} already exists: choose a new file for the recovery key.")
    passphrase = ask_secret("New passphrase", PASSPHRASE_ENV, confirm=True)
    board, key = Board.create(path, passphrase, template_id=template, team=team)
    board.close()
    out.print(shown("Created board ", (board.team, "bold"), f" at {path} (template {template})."))
    show_recovery_key(path, board.board_id, key, recovery_key_out)


def show_recovery_key(
    path: Path, board_id: str, key: bytes, recovery_key_out: Path | None, pending: bool = False
) -> None:
    """Show a board's recovery key once (and first write it to a new file, flushed to the disk, if asked).

    `pending`: a re-key shows the key before it puts the new database in place, so the key is never lost.
    """
    from factboard_tui.core.durable import sync_directory
    from factboard_tui.core.keys import format_recovery_key

    recovery = format_recovery_key(key)
    if recovery_key_out is not None:
        fd = os.open(recovery_key_out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"FactBoard recovery key for {path.name} (board {board_id})\n{recovery}\n")
            handle.flush()
            os.fsync(handle.fileno())
        sync_directory(recovery_key_out.parent)
    title = "New recovery key: shown only now" if pending else "Recovery key: shown only now"
    out.print(Panel(recovery, title=title, expand=False))
    out.print(
        shown(
            "Keep it offline and safe: with it anyone can open the board, and `factboard passwd --recovery-key` "
            "sets a new passphrase." + (f" Also written to {recovery_key_out}." if recovery_key_out else "")
        )
    )
    out.file.flush()


@app.command("demo")
@user_errors
def demo(
    db: Annotated[Path | None, typer.Option("--db", help="Where to keep the demo board.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Throw the demo board away and make it anew.")] = False,
    no_open: Annotated[bool, typer.Option("--no-open", help="Create the demo board but do not open the TUI.")] = False,
    user: UserOption = None,
    theme: ThemeOption = None,
) -> None:
    """Create (or reopen) a demo board of synthetic rows and open it."""
    from factboard_tui.core.demo import DEMO_PASSPHRASE, create_demo_board, remove_board_files
    from factboard_tui.core.store import Board
    from factboard_tui.settings import load_settings

    settings = with_theme(load_settings(), theme)  # a malformed config stops here, before the board opens

    path = (db or locations.demo_db_path()).expanduser()
    if reset:
        remove_board_files(path)
    if path.exists():
        board = Board.unlock(path, DEMO_PASSPHRASE)
        out.print(shown(f"Demo board at {path} (synthetic data)."))
    else:
        board = create_demo_board(path)
        out.print(shown(f"Created a demo board of synthetic rows at {path}."))
    out.print(f"Its passphrase is [bold]{DEMO_PASSPHRASE}[/] (demo only; never put real clients in it).")
    if no_open:
        board.close()
        return
    from factboard_tui.tui.app import FactBoardApp

    tui = FactBoardApp(path, board=board, user=user or os.environ.get(USER_ENV) or "KOO", settings=settings)
    tui.run()
    board.close()
    if tui.return_code:
        raise typer.Exit(tui.return_code)  # a crash: its account is printed already


@app.command("open")
@user_errors
def open_board(
    db: DbOption = None,
    user: UserOption = None,
    theme: ThemeOption = None,
    meeting: Annotated[
        bool, typer.Option("--meeting", help="Start the morning meeting at once (like m on the board).")
    ] = False,
) -> None:
    """Open the board in the terminal UI."""
    from factboard_tui.core.store import Board
    from factboard_tui.settings import load_settings
    from factboard_tui.tui.app import FactBoardApp

    path = db_path(db)
    notes = recover(path)
    Board.read_slot(path)
    settings = with_theme(load_settings(), theme)
    tui = FactBoardApp(
        path,
        user=user or os.environ.get(USER_ENV),
        passphrase=os.environ.get(PASSPHRASE_ENV),
        settings=settings,
        meeting=meeting,
        notes=notes,
    )
    tui.run()
    if tui.return_code:
        raise typer.Exit(tui.return_code)  # a crash: its account is printed already


# -- rows ----------------------------------------------------------------------------------------------------------


@rows_app.command("list")
@user_errors
def rows_list(
    db: DbOption = None,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
    include_off: Annotated[bool, typer.Option("--all", help="Also rows that have been taken off the board.")] = False,
) -> None:
    """List the rows on the board, in board order."""
    from factboard_tui.core.views import row_record

    with unlocked(db, user) as board:
        today = board.today()
        week = board.week_visits(today)
        records = [row_record(row, week.get(row.id, {}), board.template, today) for row in board.rows(include_off)]
        template = board.template
    if as_json:
        print_json(records)
        return
    table = Table(title=f"{len(records)} rows", header_style="bold")
    wide = out.width >= 140  # free text only where it can be read; `--json` always has everything
    columns = ["date_on", "client_code", "triage", "category", "primary_contact"]
    columns += ["situation", "actions"] if wide else []
    for key in columns:
        free_text = key in ("situation", "actions")
        table.add_column(
            shown(template.label(key), one_line=True),
            overflow="ellipsis",
            no_wrap=not free_text,
            max_width=None if free_text else 14,
        )
    for weekday in template.weekdays:
        table.add_column(shown(weekday, one_line=True), min_width=len(weekday), overflow="fold")
    for record in records:
        cells = [record[key] if key not in ("triage", "category") else record[f"{key}_label"] for key in columns]
        cells += [(cell or {}).get("staff") or "" for cell in record["visits"].values()]
        table.add_row(*[shown(cell or "") for cell in cells])
    out.print(table)


@rows_app.command("add")
@user_errors
def rows_add(
    code: Annotated[str, typer.Option("--code", help="Pseudonymous client code, like DD-75.")],
    triage: Annotated[str, typer.Option("--triage", help="Triage level (label or key).")],
    db: DbOption = None,
    user: UserOption = None,
    date_on: Annotated[str | None, typer.Option("--date", help="Date on board (default today).")] = None,
    category: Annotated[str | None, typer.Option()] = None,
    primary_contact: Annotated[str | None, typer.Option("--primary-contact", help="Primary contact (FVK).")] = None,
    doctor: Annotated[str | None, typer.Option()] = None,
    other_providers: Annotated[str | None, typer.Option("--other-providers")] = None,
    children: Annotated[str | None, typer.Option(help="Children under 18: yes or no.")] = None,
    children_note: Annotated[str | None, typer.Option("--children-note")] = None,
    situation: Annotated[str | None, typer.Option()] = None,
    actions: Annotated[str | None, typer.Option()] = None,
    safety: Annotated[str | None, typer.Option()] = None,
    evaluation_date: Annotated[str | None, typer.Option("--evaluation-date")] = None,
    crisis_plan: Annotated[str | None, typer.Option("--crisis-plan", help="A crisis plan exists: yes or no.")] = None,
    mon: Annotated[str | None, typer.Option(help="This week's Monday visit, like DEN+MJR or 'DEN: note'.")] = None,
    tue: Annotated[str | None, typer.Option()] = None,
    wed: Annotated[str | None, typer.Option()] = None,
    thu: Annotated[str | None, typer.Option()] = None,
    fri: Annotated[str | None, typer.Option()] = None,
    sat: Annotated[str | None, typer.Option()] = None,
    sun: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Put a client on the board."""
    from datetime import timedelta

    from factboard_tui.core.fields import split_visit_cell
    from factboard_tui.core.store import week_start
    from factboard_tui.core.templates import WEEKDAY_KEYS

    given = {
        "client_code": code,
        "triage": triage,
        "date_on": date_on,
        "category": category,
        "primary_contact": primary_contact,
        "doctor": doctor,
        "other_providers": other_providers,
        "children": children,
        "children_note": children_note,
        "situation": situation,
        "actions": actions,
        "safety": safety,
        "evaluation_date": evaluation_date,
        "crisis_plan": crisis_plan,
    }
    values = {key: value for key, value in given.items() if value is not None}
    days = {"mon": mon, "tue": tue, "wed": wed, "thu": thu, "fri": fri, "sat": sat, "sun": sun}
    with unlocked(db, user) as board:
        who = author(user)
        monday = week_start(board.today())
        visits = {
            monday + timedelta(days=WEEKDAY_KEYS.index(key)): split_visit_cell(cell)
            for key, cell in days.items()
            if cell is not None
        }
        result = board.write_row(who, "add", values=values, visits=visits, source="cli")
        row = board.row(result.row_id)
    out.print(shown(f"Added {row.client_code} to the board (row {row.id})."))


@rows_app.command("set")
@user_errors
def rows_set(
    code: CodeArgument,
    field: Annotated[str, typer.Argument(help="Field key or the board's column label (mon..sun for visits).")],
    value: Annotated[str, typer.Argument(help="New value; empty text clears the field.")],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Change one field of a client's row."""
    with unlocked(db, user) as board:
        row_id, row = open_row(board, code)
        result = board.set_field(author(user), row_id, field, value, source="cli")
    if result.changes:
        for change in result.changes:
            out.print(shown(f"{row.client_code} {change.field}: {change.old or '—'} -> {change.new or '—'}"))
    else:
        out.print(shown(f"{row.client_code}: no change (the value was already that)."))


@rows_app.command("off")
@user_errors
def rows_off(
    code: CodeArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why the client leaves the board.")],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Take a client off the board (the period closes; its history stays)."""
    with unlocked(db, user) as board:
        row_id, row = open_row(board, code)
        board.take_off(author(user), row_id, reason, source="cli")
    out.print(shown(f"Took {row.client_code} off the board."))


# -- staff ---------------------------------------------------------------------------------------------------------


@staff_app.command("add")
@user_errors
def staff_add(
    initials: Annotated[str, typer.Argument(help="Initials as the board shows them, like CSA.")],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    discipline: Annotated[str, typer.Option(help="nurse, doctor, psychologist, social_worker, …")] = "",
    organisation: Annotated[str, typer.Option(help="region or municipality.")] = "",
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Add a team member, or change one."""
    with unlocked(db, user) as board:
        staff = board.write_staff(
            author(user),
            initials,
            name=name or None,
            discipline=discipline or None,
            organisation=organisation or None,
            source="cli",
        )
    out.print(shown(f"Saved {staff.initials}."))


@staff_app.command("list")
@user_errors
def staff_list(
    db: DbOption = None,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the team."""
    with unlocked(db, user) as board:
        members = board.staff()
        template = board.template
    if as_json:
        print_json([member.model_dump(exclude={"id"}) for member in members])
        return
    table = Table(header_style="bold")
    for heading in ("Initials", "Name", "Discipline", "Organisation"):
        table.add_column(heading)
    for member in members:
        table.add_row(
            shown(member.initials),
            shown(member.name),
            shown(template.disciplines.get(member.discipline, member.discipline)),
            shown(template.organisations.get(member.organisation, member.organisation)),
        )
    out.print(table)


# -- keys and health ---------------------------------------------------------------------------------------------


@app.command("passwd")
@user_errors
def passwd(
    db: DbOption = None,
    recovery_key: Annotated[
        bool, typer.Option("--recovery-key", help="Prove access with the recovery key instead of the passphrase.")
    ] = False,
) -> None:
    """Set a new passphrase (re-wraps the key; the database is not touched)."""
    from factboard_tui.core.errors import WrongKey, WrongPassphrase
    from factboard_tui.core.keys import parse_recovery_key
    from factboard_tui.core.store import Board

    path = db_path(db)
    recover(path)
    if recovery_key:
        if not path.is_file():
            Board.read_slot(path)
        key = parse_recovery_key(ask_secret("Recovery key", RECOVERY_KEY_ENV))
        try:
            board = Board.open_with_key(path, key)
        except WrongKey:
            # Unlike a key from the slot, a typed recovery key is not proven right: no page verifying means a typo.
            raise WrongPassphrase(
                f"That recovery key does not open {path.name}: check what you typed (if it is right, run "
                "`factboard doctor`); nothing was changed."
            ) from None
    else:
        Board.read_slot(path)  # fail on a missing board or slot before asking for a passphrase
        # Counted like every unwrap (wrong tries wait, and are logged); the change itself is not logged.
        board = Board.unlock(path, ask_secret("Current passphrase", PASSPHRASE_ENV), via="passwd")
    try:
        board.set_passphrase(ask_secret("New passphrase", NEW_PASSPHRASE_ENV, confirm=True))
    finally:
        board.close()
    out.print("New passphrase set. The database itself was not changed; the recovery key stays the same.")


@app.command("doctor")
@user_errors
def doctor(db: DbOption = None, user: UserOption = None) -> None:
    """Finish what was cut off; check the key slot, every encrypted page and the schema; exits non-zero on trouble."""
    from factboard_tui.core.backups import leftovers
    from factboard_tui.core.migrations import LATEST_VERSION
    from factboard_tui.core.store import Board
    from factboard_tui.settings import load_settings

    path = db_path(db)
    recover(path, lambda note: out.print(shown(("fixed", "yellow"), "  ", note), soft_wrap=True))
    slot = Board.read_slot(path)
    slot.kdf.check_floor()
    out.print(
        f"[green]ok[/]  key slot: Argon2id {slot.kdf.memory_kib // 1024} MiB, {slot.kdf.iterations} passes, "
        f"{slot.kdf.lanes} lanes",
        highlight=False,
    )
    from factboard_tui.core.errors import AuditBroken

    with unlocked(db, user, write_now=False, warn=False) as board:
        out.print("[green]ok[/]  passphrase unwraps the key; every page verifies (cipher_integrity_check)")
        version = board.schema_version()
        out.print(f"[green]ok[/]  schema version {version} (this FactBoard knows up to {LATEST_VERSION})")
        board.check_structure()
        out.print("[green]ok[/]  references and structure (foreign_key_check, quick_check)")
        verdict = board.audit_verify(keep_problem=True)
        if verdict.problem is None:
            out.print(
                shown(("ok", "green"), f"  audit log: {verdict.count} entries, chain intact, records match their seal")
            )
            for note in leftovers(path, load_settings().backups.directory_for(path)):
                out.print(shown(("note", "yellow"), "  ", note), soft_wrap=True)
            out.print(shown(f"{len(board.rows())} rows on the board, team {board.team}."))
    if verdict.problem is not None:
        raise AuditBroken(f"The audit log does not verify: {verdict.problem}. Run `factboard audit verify`.")


# -- backups, restore and a new key (issue 7) -----------------------------------------------------------------------


@app.command("backup")
@user_errors
def backup(
    db: DbOption = None,
    user: UserOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Folder for backups (default: config, else backups/).")
    ] = None,
    keep: Annotated[int | None, typer.Option(help="Keep this many backups of the board (default: config, 14).")] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List this board's backups instead of taking one.")] = False,
) -> None:
    """Take an encrypted, verified copy of the board and its key slot (safe while others edit)."""
    from factboard_tui.core.backups import list_backups
    from factboard_tui.settings import load_settings

    path = db_path(db)
    settings = load_settings().backups
    directory = (output or settings.directory_for(path)).expanduser()
    if list_only:
        found = list_backups(path, directory)
        for item in found:
            out.print(shown(f"{item}  ({item.stat().st_size // 1024} KiB)"))
        if not found:
            out.print(shown(f"No backups of {path.name} in {directory}."))
        return
    if keep is not None and keep < 1:
        raise InvalidValue("keep", "--keep must be at least 1: the newest backup is always kept.")
    with unlocked(db, user) as board:
        made, checked = board.backup(directory, keep or settings.keep)
    out.print(
        shown(
            f"Backed up {checked.rows} rows of {checked.team} to {made} (encrypted, verified; its key slot beside it)."
        )
    )


@app.command("restore")
@user_errors
def restore(
    backup_file: Annotated[Path, typer.Argument(help="The backup to put back (its .keyslot must be beside it).")],
    db: DbOption = None,
    user: UserOption = None,
) -> None:
    """Put a backup in the board's place after verifying it; the current board is kept aside."""
    from factboard_tui.core.backups import restore_backup
    from factboard_tui.core.clock import system_clock

    path = db_path(db)
    recover(path)
    passphrase = ask_secret("Passphrase of the backup", PASSPHRASE_ENV)
    aside, checked = restore_backup(path, backup_file, passphrase, system_clock().astimezone())
    from factboard_tui.core.store import Board

    with Board.unlock(path, passphrase, user=user or os.environ.get(USER_ENV), via="restore") as board:
        board.audit_event("restore", subject=backup_file.name, detail=f"the board before is kept as {aside.name}")
    out.print(
        shown(
            f"Restored {checked.rows} rows of {checked.team} from {backup_file.name}. "
            f"The board as it was is kept at {aside}."
        )
    )


@app.command("rekey")
@user_errors
def rekey_command(
    db: DbOption = None,
    user: UserOption = None,
    recovery_key_out: Annotated[
        Path | None, typer.Option("--recovery-key-out", help="Also write the new recovery key to this file.")
    ] = None,
) -> None:
    """Give the database a new key; open FactBoards are asked to close first. Shows the new recovery key."""
    from factboard_tui.core.backups import committed, rekey
    from factboard_tui.core.clock import system_clock
    from factboard_tui.core.keys import UnlockAttempts
    from factboard_tui.core.store import Board, audit_who

    path = db_path(db)
    recover(path)
    slot = Board.read_slot(path)  # fail on a missing board or slot before asking for a passphrase
    if recovery_key_out is not None and recovery_key_out.exists():
        raise FactBoardError(f"{recovery_key_out} already exists: choose a new file for the recovery key.")
    delivered: list[bool] = []

    def deliver(key: bytes) -> None:
        """Before the re-key commits: the new recovery key in its file (flushed) and on the screen."""
        show_recovery_key(path, slot.board_id, key, recovery_key_out, pending=True)
        delivered.append(True)

    try:
        key = rekey(path, ask_secret("Passphrase", PASSPHRASE_ENV), deliver=deliver)
    except BaseException:
        if delivered:
            err.print(
                "The re-key stopped after it committed: the next start finishes it, and the recovery key above "
                "opens the board."
                if committed(path)
                else "The re-key did not happen: the recovery key above does not apply; the old one still opens "
                "the board.",
                highlight=False,
            )
        raise
    with Board.open_with_key(path, key) as board:
        board.actor = audit_who(user or os.environ.get(USER_ENV))
        board.record_failed_unlocks(UnlockAttempts(path, system_clock), "rekey")
        board.audit_event("rekey", detail="the database has a new key; the old recovery key no longer opens it")
    out.print(shown(f"{path.name} has its new key. The old recovery key no longer opens it; the one above does."))


# -- meetings (issue 4: meeting mode) -------------------------------------------------------------------------------

meetings_app = typer.Typer(
    help="Morning meetings held on the board: list them, show their minutes.", no_args_is_help=True
)
app.add_typer(meetings_app, name="meetings")

MINUTES_FORMATS = ("md", "html")
"""Formats `meetings show` writes."""


@meetings_app.command("list")
@user_errors
def meetings_list(
    db: DbOption = None,
    user: UserOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """List the meetings held on this board, newest first."""
    from factboard_tui.core.minutes import load_meeting, meeting_ids

    with unlocked(db, user) as board:
        records = [load_meeting(board, meeting_id) for meeting_id in meeting_ids(board)]
    if as_json:
        print_json([record.summary() for record in records])
        return
    table = Table(title=f"{len(records)} meetings", header_style="bold")
    for heading in ("Id", "Started", "Minutes", "Chair", "Agenda", "Present", "Discussed", "Not reached", "Changes"):
        table.add_column(heading)
    for record in records:
        summary = record.summary()
        table.add_row(
            *(
                shown(cell)
                for cell in (
                    record.id,
                    record.started_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                    f"{summary['duration_minutes']:g}",
                    record.chair,
                    record.agenda,
                    len(record.attendees),
                    len(summary["discussed"]),
                    len(summary["not_reached"]),
                    summary["changes"],
                )
            )
        )
    out.print(table)


@meetings_app.command("show")
@user_errors
def meetings_show(
    meeting_id: Annotated[int, typer.Argument(metavar="ID", help="The meeting's id (from `factboard meetings list`).")],
    db: DbOption = None,
    user: UserOption = None,
    output_format: Annotated[str, typer.Option("--format", help="md (Markdown) or html.")] = "md",
) -> None:
    """Print a meeting's minutes (plain text with client codes and changes: send them only where that is allowed)."""
    from factboard_tui.core.minutes import load_meeting, minutes_html, minutes_markdown

    if output_format not in MINUTES_FORMATS:
        raise InvalidValue("format", f"--format {output_format!r} is not known: use md or html.")
    with unlocked(db, user) as board:
        record = load_meeting(board, meeting_id)
        text = minutes_markdown(record) if output_format == "md" else minutes_html(record)
        what = f"minutes ({output_format}), cli"
        board.audit_event("export", subject=f"meeting {record.id}", detail=what, content=text)
    sys.stdout.write(inert(text))
    err.print(
        f"Meeting {record.id}'s minutes were written as plain text ({output_format}): they name clients and changes.",
        highlight=False,
    )


# -- export and import (their own module, registered on `app` when imported) --------------------------------------

from factboard_tui import cli_transfer  # noqa: E402, F401

# -- sync between sites (issue 5): the commands live in sync_cli.py -------------------------------------------------
from factboard_tui.sync_cli import sync_app  # noqa: E402  (needs the helpers above)

app.add_typer(sync_app, name="sync")

# -- audit log and purge (issue 7): the commands live in audit_cli.py -----------------------------------------------
from factboard_tui import audit_cli  # noqa: E402, F401  (registers `audit` and `purge` on app)


def main() -> None:
    """Entry point of the `factboard` console script.

    An exception that is not a user error is a bug: it is reported by `crash.record` (where it happened, a crash
    report file; never local variables, messages or board data) with exit code 70, instead of a traceback.
    """
    try:
        app()
    except Exception as error:
        from factboard_tui import crash

        sys.stderr.write(crash.record(error, face="cli").text + "\n")
        raise SystemExit(crash.EXIT_CODE) from None


if __name__ == "__main__":
    main()
