"""No English word reaches a Swedish team through the CLI's errors: the real `factboard` on a Swedish board, with a
wrong passphrase, a value the cell refuses (a control character, an identity number), a full disk under the board
and under the backup folder, and a board whose template copy was damaged. Each line is in Swedish from end to end:
no English word from a small stop-list stands in it once paths and `commands` are set aside (a fragment built
outside gettext, such as "while writing the backup" or "permission denied", would)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from helpers import prepared
from helpers.cli import Cli
from helpers.disks import fill, small_disk

from factboard_tui.core.store.board import Board
from factboard_tui.core.transfer.demo import DEMO_PASSPHRASE

SWEDISH = {"FACTBOARD_LANG": None, "LANG": "sv_SE.UTF-8", "LC_ALL": None, "LANGUAGE": None, "LC_MESSAGES": None}
"""The test helpers speak English; here the board decides, as outside the tests, on a Swedish computer (before a
board is open, which a wrong passphrase or a full disk can stop, the CLI speaks `LANG`)."""

ENGLISH = re.compile(
    r"\b(the|and|with|while|cannot|does|this|that|been|from|which|nothing|changed|again|please|would|there|into"
    r"|should|only|must|holds|looks|like|free|space|writing|reading|denied|permission|unknown|not|was|is)\b",
    re.IGNORECASE,
)
"""English words no Swedish sentence holds."""

SET_ASIDE = re.compile(r"`[^`]*`|\S*/\S*|--[\w-]+")
"""Paths, `commands` and options: data and names, not words."""


def english(text: str) -> list[str]:
    return ENGLISH.findall(SET_ASIDE.sub(" ", text))


def swedish_line(result: object, code: int) -> str:
    """The command failed with `code` and one line on stderr, in Swedish with no English word; returns it."""
    stderr = str(getattr(result, "stderr", "")).strip()
    assert getattr(result, "returncode", None) == code, stderr
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr, stderr
    assert stderr.startswith("fel: "), stderr
    assert not english(stderr), f"English words {english(stderr)} in: {stderr}"
    return stderr


def test_the_stop_list_catches_an_english_fragment() -> None:
    """The check itself: the line a Swedish nurse got before (a Swedish sentence around English pieces)."""
    before = "fel: Disken som rymmer /mnt/x är full (0 KiB ledigt) while writing the backup: frigör utrymme."
    assert english(before) == ["while", "writing", "the"]
    assert not english("fel: Disken som rymmer /mnt/x är full (0 KiB ledigt): kör `factboard backup --list`.")


def test_a_wrong_passphrase_and_refused_values_are_said_in_swedish(cli: Cli) -> None:
    prepared.blank(cli.db, template="sv")
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Kris", env=SWEDISH)
    wrong = cli("rows", "list", env={**SWEDISH, "FACTBOARD_PASSPHRASE": "not the right one"})
    swedish_line(wrong, 3)
    control = swedish_line(cli("rows", "set", "DD-75", "situation", "Sover\x1b[2J dåligt", env=SWEDISH), 1)
    assert "U+001B" in control
    override = swedish_line(cli("rows", "set", "DD-75", "situation", "abc\u202edef", env=SWEDISH), 1)
    assert "U+202E" in override
    number = swedish_line(cli("rows", "set", "DD-75", "situation", "pnr 19121212-1212", env=SWEDISH), 1)
    assert "19121212" not in number
    swedish_line(cli("rows", "set", "DD-75", "triage", "Panik", env=SWEDISH), 1)


def test_a_damaged_template_copy_is_said_in_swedish(cli: Cli) -> None:
    key = prepared.blank(cli.db, template="sv")
    with Board.open_with_key(cli.db, key) as board, board.engine.begin() as connection:
        (raw,) = connection.exec_driver_sql("SELECT value FROM board_meta WHERE key = 'template'").one()
        template = json.loads(raw)
        template["triage"] = []
        connection.exec_driver_sql(
            "UPDATE board_meta SET value = ? WHERE key = 'template'", (json.dumps(template, ensure_ascii=False),)
        )
    line = swedish_line(cli("rows", "list", env=SWEDISH), 1)
    assert "'triage'" in line


def test_a_full_disk_is_said_in_swedish(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk", 4096) as disk:
        (tmp_path / "home").mkdir()
        cli = Cli(disk / "board.db", home=tmp_path / "home", tmpdir=tmp_path / "tmpdir")
        prepared.blank(cli.db, template="sv")
        cli.ok("rows", "add", "--code", "DD-75", "--triage", "Kris", env=SWEDISH)
        fill(disk, 0)
        full = swedish_line(cli("rows", "set", "DD-75", "actions", "Ring läkaren " * 400, env=SWEDISH), 10)
        assert "KiB" in full
    with small_disk(tmp_path / "backups", 64) as backups:
        cli = Cli(tmp_path / "board.db", home=tmp_path / "home", tmpdir=tmp_path / "tmpdir")
        prepared.blank(cli.db, template="sv")
        fill(backups, 0)
        swedish_line(cli("backup", "-o", str(backups), env=SWEDISH), 10)


def test_a_config_file_that_does_not_fit_is_said_in_swedish(cli: Cli, tmp_path: Path) -> None:
    """Read before any board opens: the person's `LANG` speaks, and every piece of the line is translated."""
    prepared.blank(cli.db, template="sv")
    config = tmp_path / "config.toml"
    for text in ("backups = 3\n", "colour = 'blå'\n", "idle_lock_minutes = 0\n", "[keys]\n'board.edit' = ''\n"):
        config.write_text(text, encoding="utf-8")
        line = swedish_line(cli("rows", "list", env={**SWEDISH, "FACTBOARD_CONFIG": str(config)}), 1)
        assert line.startswith("fel: Konfigurationsfilen"), line


def test_typers_own_help_and_usage_errors_are_said_in_swedish(cli: Cli) -> None:
    """Typer's panel titles, its usage line and its vendored Click's usage errors came in English (`Usage:`,
    `No such option: --foo`, `Missing argument 'code'.`) around FactBoard's Swedish; with `LANG` Swedish they are
    Swedish, and in English they are Typer's own words."""
    wide = {**SWEDISH, "COLUMNS": "200"}
    for words, said in (
        (("rows", "list", "--foo"), "Inget sådant alternativ: --foo"),
        (("rows", "set"), "Argumentet 'code' saknas."),
        (("no-such-command",), "Inget sådant kommando 'no-such-command'."),
    ):
        result = cli(*words, env=wide)
        assert result.returncode == 2, result.stderr
        assert said in result.stderr and "Användning:" in result.stderr, result.stderr
        assert not english(result.stderr) and "OPTIONS" not in result.stderr, result.stderr
    helped = cli("rows", "list", "--help", env=wide).stdout
    assert "Alternativ" in helped and "Visa den här hjälpen och avsluta." in helped
    assert "Installera komplettering för det aktuella skalet." in cli("--help", env=wide).stdout
    english_help = cli("rows", "list", "--foo", env={"COLUMNS": "200"}).stderr
    assert "Usage:" in english_help and "No such option: --foo" in english_help


def test_clicks_parser_errors_are_said_in_swedish(cli: Cli) -> None:
    """Click's parser and Typer's conversions wrote their refusals in English only, inside the Swedish usage panel:
    `Got unexpected extra argument(s) (extra)`, `Option '--db' requires an argument.`, `Option '--all' does not take
    a value.`, `Input should be a valid integer, unable to parse string as an integer`, `Input should be greater than or
    equal to 1`."""
    prepared.blank(cli.db, template="sv")
    wide = {**SWEDISH, "COLUMNS": "200"}
    for words, said in (
        (("rows", "list", "extra"), "Oväntat extra argument (extra)"),
        (("rows", "off", "DD-75", "--reason", "x", "one", "two"), "Oväntade extra argument (one two)"),
        (("rows", "list", "--db"), "Alternativet '--db' behöver ett värde."),
        (("rows", "list", "--all=ja"), "Alternativet '--all' tar inget värde."),
        (("meetings", "show", "abc"), "'abc' är inget heltal."),
        (("report", "--caseload", "0"), "'0' är för litet: ange 1 eller mer."),
    ):
        result = cli(*words, env=wide)
        assert result.returncode == 2, result.stderr
        assert said in result.stderr and "─ Fel ─" in result.stderr, result.stderr
        assert not english(result.stderr) and "Got" not in result.stderr, result.stderr
    chosen = cli("--lang", "sv", "rows", "list", "extra", env={"COLUMNS": "200"}).stderr
    assert "Oväntat extra argument (extra)" in chosen, chosen
    english_line = cli("rows", "list", "one", "two", env={"COLUMNS": "200"}).stderr
    assert "Got unexpected extra arguments (one two)" in english_line, english_line


def test_the_audit_log_says_the_boards_own_events_in_swedish(cli: Cli, tmp_path: Path) -> None:
    """What FactBoard wrote into audit entries was stored English free text ("2 failed unlocks since … (cli)", "the
    board before is kept as …", "the database has a new key; …", "3 lines (md)"), and an undone add kept the reason
    "undo: added by mistake" (the report's reasons off the board). Now each is a message id with values, said in the
    reader's language: the board's own events (`audit show` without `--client`) and a client's extract carry no
    English word, and `audit verify` still verifies every entry."""
    key = prepared.blank(cli.db, template="sv")
    env = {**SWEDISH, "COLUMNS": "250"}
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Kris", env=env)
    with Board.open_with_key(cli.db, key) as board:
        board.add_row("AB", {"client_code": "EE-12", "triage": "new"})
        board.undo_last("AB")
    for _attempt in range(2):
        swedish_line(cli("rows", "list", env={**env, "FACTBOARD_PASSPHRASE": "not the right one"}), 3)
    cli.ok("backup", "-o", str(tmp_path / "backups"), env=env)
    made = max((tmp_path / "backups").glob("*.db"), key=lambda path: path.name)
    cli.ok("restore", str(made), env=env)
    cli.ok("rekey", "--recovery-key-out", str(tmp_path / "recovery.txt"), env=env)
    cli.ok("audit", "show", "--client", "DD-75", env=env)
    events = cli.ok("audit", "show", env=env).stdout
    for said in (
        "misslyckade upplåsningar: 2, den första",
        "tavlan som den var finns kvar som",
        "databasen har fått en ny nyckel",
        "via kommandoraden",
        "via återställningen",
    ):
        assert said in events, events
    assert "DD-75" not in events and "EE-12" not in events, events
    extract = cli.ok("audit", "show", "--client", "DD-75", env=env).stdout
    assert "rader: 3, som md" in extract, extract
    report = tmp_path / "rapport.md"
    cli.ok("report", "-f", "md", "-o", str(report), env=env)
    assert "| ångrat: tillagd av misstag | 1 |" in report.read_text(encoding="utf-8")  # the reasons off the board
    for text in (events, extract):
        assert not english(text.replace("Kris", "")), english(text)
    assert "kedjan obruten" in cli.ok("audit", "verify", env=env).stdout


def test_the_weeks_html_export_speaks_swedish(cli: Cli, tmp_path: Path) -> None:
    """A marked sentence inside an f-string's braces never reached the catalog (Babel cannot see it): the HTML
    export said "Exported from FactBoard: this file is not encrypted." on every Swedish team's printout."""
    prepared.demo(cli.db, template="sv")
    env = {**SWEDISH, "FACTBOARD_PASSPHRASE": DEMO_PASSPHRASE}
    page = tmp_path / "vecka.html"
    cli.ok("export", "week", "-o", str(page), env=env)
    text = " ".join(re.sub(r"<style>.*?</style>|<[^>]+>", " ", page.read_text(encoding="utf-8"), flags=re.S).split())
    assert "Exporterad från FactBoard: filen är inte krypterad." in text
    assert not english(html.unescape(text)), english(html.unescape(text))
