"""The hostile corpus through the real `factboard` command, as a separate process: every value is printed literally
(never as markup, never as a terminal escape), or refused with one line, a non-zero exit and no file changed.

A board holding the whole corpus is made in-process (`helpers.hostile.fill_board`); then each command runs once
over all of it. The writing commands take the values in packs (one `rows add` carries twelve), so the whole module
runs about thirty commands.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import pytest
from data.hostile_values import REFUSED, STORED, Hostile, by_name
from helpers.boards import NOW, PASSPHRASE, USER, snapshot_files
from helpers.cli import Cli, one_line_error
from helpers.hostile import LEGACY, fill_board, initials_for, plant_legacy
from helpers.sites import make_sites

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.meetings import MeetingSession
from factboard_tui.core.domain.templates import WEEKDAY_KEYS
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service
from factboard_tui.core.transfer.minutes import save_meeting

FROZEN = {"FACTBOARD_NOW": NOW.isoformat()}
CLOCK = frozen_clock(NOW)
"""The clock the CLI reads with (`FROZEN`): the corpus's visits go in the week the CLI lists, whatever today is."""
"""The CLI's clock is the in-process board's: the same week, so the planted visit notes show."""

TERMINAL_ACTING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal from data: C0 (but tab and newline), DEL, C1, bidi controls."""


def assert_inert(text: str, what: str) -> None:
    found = TERMINAL_ACTING.search(text)
    around = text[max(0, found.start() - 40) : found.end() + 40] if found else ""
    assert found is None, f"{what} printed {found.group()!r}: {around!r}"
    assert "Traceback" not in text, what


def run(cli: Cli, *args: str, columns: int = 200) -> tuple[str, str, int]:
    result = cli(*args, env={**FROZEN, "COLUMNS": str(columns)})
    assert_inert(result.stdout, f"{args} stdout")
    assert_inert(result.stderr, f"{args} stderr")
    return result.stdout, result.stderr, result.returncode


@pytest.fixture
def corpus(board_path: Path) -> Board:
    """The corpus on the CLI's board (and a meeting that saw every value written), closed before the CLI runs."""
    board, _key = Board.create(board_path, PASSPHRASE, template_id="sv", team="FACT Test", clock=CLOCK)
    session = MeetingSession.start([], board.template, NOW, USER, first_change_id=board.data_version())
    fill_board(board)
    save_meeting(board, session, NOW)
    board.close()
    return board


def one_line(value: str) -> str:
    return " ".join(value.split())


# -- reading: every face prints what the board holds, literally ------------------------------------------------------


def test_rows_list_json_gives_every_value_back_exactly(cli: Cli, corpus: Board, board_path: Path) -> None:
    with Board.unlock(board_path, PASSPHRASE, clock=CLOCK) as board:
        legacy = plant_legacy(board)
    stdout, _err, code = run(cli, "rows", "list", "--json")
    assert code == 0
    records = {record["client_code"]: record for record in json.loads(stdout)}
    for index, entry in enumerate(STORED, start=1):
        record = records[f"HV-{index}"]
        assert record["situation"] == entry.expected(multiline=True), entry.name
        assert record["safety"] == entry.expected(multiline=False), entry.name
        assert record["visits"]["mon"]["note"] == entry.expected(multiline=False), entry.name
    # A value planted past the write path travels as JSON escapes: the same value, nothing a terminal acts on.
    by_id = {record["id"]: record for record in records.values()}
    for name, row_id in legacy.items():
        assert by_id[row_id]["situation"] == LEGACY[name], name
    assert "\\u009b" in stdout and "\\u202e" in stdout


@pytest.mark.parametrize("columns", [80, 160])
def test_rows_list_prints_every_value_literally_at_any_width(cli: Cli, corpus: Board, columns: int) -> None:
    stdout, _err, code = run(cli, "rows", "list", columns=columns)
    assert code == 0
    assert f"{len(STORED)} rows" in stdout
    if columns >= 140:  # free text shows on a wide terminal; short values whole
        for name in ("markup-close", "markup-bold", "markup-open-bracket", "markup-unclosed-tag", "csv-formula"):
            assert f"│ {by_name(name).value} " in stdout, name
        assert "[@click=app.qu" in stdout and "[link=https://e" in stdout


def test_staff_list_prints_every_name_literally(cli: Cli, corpus: Board) -> None:
    stdout, _err, code = run(cli, "staff", "list", "--json")
    assert code == 0
    names = {member["initials"]: member["name"] for member in json.loads(stdout)}
    table, _err, code = run(cli, "staff", "list")
    assert code == 0
    for index, entry in enumerate(STORED):
        assert names[initials_for(index)] == entry.expected(multiline=False), entry.name
    for name in ("markup-close", "markup-click", "markup-link", "emoji-zwj", "arabic", "double-dash-help"):
        assert by_name(name).value in table, name


def test_minutes_and_the_audit_extract_print_every_value_literally(cli: Cli, corpus: Board) -> None:
    markdown, err, code = run(cli, "meetings", "show", "1")
    assert code == 0 and "plain text" in err
    page, _err, code = run(cli, "meetings", "show", "1", "--format", "html")
    assert code == 0
    text = html.unescape(page)
    for entry in STORED:
        assert entry.expected(multiline=True) in text, entry.name
    for name in ("emoji-zwj", "arabic", "cjk", "flags", "leading-dash", "format-strings"):  # no Markdown in them
        assert one_line(by_name(name).value) in markdown, name
    extract, err, code = run(cli, "audit", "show", "--client", "HV-1")
    assert code == 0 and "HV-1" in extract and "plain text" in err


def test_exports_hold_every_value(cli: Cli, corpus: Board, tmp_path: Path) -> None:
    _out, _err, code = run(cli, "export", "board", "-f", "csv", "-o", str(tmp_path / "board.csv"))
    assert code == 0
    with (tmp_path / "board.csv").open(encoding="utf-8-sig", newline="") as handle:
        cells = {cell for row in csv.reader(handle, delimiter=";") for cell in row}  # a Swedish board
    for entry in STORED:
        expected = entry.expected(multiline=True)
        # A cell a spreadsheet would run as a formula may come out behind a quote (issue 12's formula rule).
        assert expected in cells or f"'{expected}" in cells, entry.name
    for kind, fmt in (("board", "html"), ("week", "html"), ("week", "md"), ("week", "csv")):
        target = tmp_path / f"{kind}.{fmt}"
        stdout, _err, code = run(cli, "export", kind, "-f", fmt, "-o", str(target))
        assert code == 0 and "NOT encrypted" in stdout
        written = target.read_text(encoding="utf-8")
        assert_inert(written, f"export {kind} {fmt}")
        if fmt == "html":
            page = html.unescape(written)
            for entry in STORED:
                assert entry.expected(multiline=False) in page or entry.expected(multiline=True) in page, entry.name


def test_an_export_to_a_file_named_like_markup_says_where_it_went_literally(
    cli: Cli, corpus: Board, tmp_path: Path
) -> None:
    name = "[b]x[link=mailto:evil@example]y[@click=app.quit]z[red.csv"  # a file name holds no slash: no [/]
    stdout, _err, code = run(cli, "export", "board", "-f", "csv", "-o", str(tmp_path / name))
    assert code == 0
    assert name in stdout.replace("\n", "")
    assert (tmp_path / name).is_file()


# -- writing: every value goes in as the corpus says, or is refused in one line changing nothing ---------------------

FIELD_OPTIONS = ("--situation", "--actions", "--safety", "--other-providers", "--children-note")
MULTILINE = {"--situation", "--actions"}
KEYS = {
    "--situation": "situation",
    "--actions": "actions",
    "--safety": "safety",
    "--other-providers": "other_providers",
    "--children-note": "children_note",
}


def test_rows_add_takes_every_storable_value(cli: Cli, board_path: Path) -> None:
    Board.create(board_path, PASSPHRASE, template_id="sv", team="FACT Test")[0].close()
    pack = len(FIELD_OPTIONS) + len(WEEKDAY_KEYS)
    wanted: dict[str, dict[str, tuple[Hostile, bool]]] = {}
    for number, start in enumerate(range(0, len(STORED), pack), start=1):
        entries = STORED[start : start + pack]
        code = f"HA-{number}"
        args = ["rows", "add", "--code", code, "--triage", "obs", "--children", "yes"]
        wanted[code] = {}
        for option, entry in zip(FIELD_OPTIONS + tuple(f"--{day}" for day in WEEKDAY_KEYS), entries, strict=False):
            args += [option, entry.value if option in KEYS else f"DEN: {entry.value}"]
            wanted[code][option] = (entry, option in MULTILINE)
        stdout, _err, status = run(cli, *args)
        assert status == 0 and f"Added {code}" in stdout
    records = {record["client_code"]: record for record in json.loads(run(cli, "rows", "list", "--json")[0])}
    for code, options in wanted.items():
        for option, (entry, multiline) in options.items():
            if option in KEYS:
                stored = records[code][KEYS[option]]
            else:
                stored = records[code]["visits"][option.removeprefix("--")]["note"]
            assert stored == entry.expected(multiline), (entry.name, option)


SET_LITERALLY = ("markup-close", "markup-link", "markup-click", "emoji-zwj", "arabic", "double-dash-help")


def test_rows_set_takes_a_value_and_prints_the_change_literally(cli: Cli, corpus: Board) -> None:
    old = by_name("markup-bold").value  # HV-1's safety holds the first corpus value
    for name in SET_LITERALLY:
        new = by_name(name).value
        stdout, stderr, code = run(cli, "rows", "set", "HV-1", "safety", "--", new)
        assert code == 0, stderr
        assert stdout.strip() == f"HV-1 safety: {old} -> {new}"
        old = new
    record = json.loads(run(cli, "rows", "list", "--json")[0])
    assert next(row for row in record if row["client_code"] == "HV-1")["safety"] == old


REFUSED_BY_SET = ("ansi-clear", "osc0-title", "c1-csi", "bidi-override", "lone-surrogate", "100-kb")


def test_rows_set_refuses_in_one_line_and_changes_nothing(cli: Cli, corpus: Board, tmp_path: Path) -> None:
    before = snapshot_files(tmp_path)
    for name in REFUSED_BY_SET:
        entry = by_name(name)
        result = cli("rows", "set", "HV-1", "situation", "--", entry.value, env=FROZEN)
        message = one_line_error(result, "Aktuell situation", entry.refusal)
        assert_inert(message, name)
        assert result.stdout == ""
        assert snapshot_files(tmp_path) == before, name


def test_the_error_printer_prints_a_quoted_value_literally(cli: Cli, corpus: Board, tmp_path: Path) -> None:
    before = snapshot_files(tmp_path)
    one_line_error(cli("rows", "set", "HV-1", "[/]", "x", env=FROZEN), "error: There is no field '[/]'")
    one_line_error(
        cli("rows", "set", "HV-1", "triage", "[link=https://evil.example]x", env=FROZEN),
        "'[link=https://evil.example]x'",
    )
    long = cli("rows", "set", "HV-1", "triage", "[" * 5000, env=FROZEN)
    assert len(one_line_error(long, "is not a triage level")) < 400  # the value is quoted in part, never whole
    assert snapshot_files(tmp_path) == before


def test_staff_add_takes_a_name_literally_or_refuses_it(cli: Cli, corpus: Board, tmp_path: Path) -> None:
    for initials, name in (("MKA", "markup-close"), ("MKB", "markup-click")):
        stdout, _err, code = run(cli, "staff", "add", initials, "--name", by_name(name).value)
        assert code == 0 and f"Saved {initials}." in stdout
    names = {member["initials"]: member["name"] for member in json.loads(run(cli, "staff", "list", "--json")[0])}
    assert names["MKA"] == "[/]" and names["MKB"] == "[@click=app.quit]X[/]"
    before = snapshot_files(tmp_path)
    one_line_error(cli("staff", "add", "MKC", "--name", by_name("osc0-title").value, env=FROZEN), "Name holds")
    assert snapshot_files(tmp_path) == before


def _corpus_csv(path: Path, entries: list[Hostile]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            [
                "Datum",
                "Patient",
                "Triage",
                "FVK",
                "Aktuell situation",
                "Aktuella åtgärder",
                "[/]Extra[link=https://evil.example]",
            ]
        )
        for number, entry in enumerate(entries, start=1):
            writer.writerow(["2026-11-23", f"IM-{number}", "Obs", "CSA", entry.value, entry.value, "x"])


def test_import_checks_every_cell_and_refuses_each_bad_one_by_row_and_column(
    cli: Cli, corpus: Board, tmp_path: Path
) -> None:
    entries = [entry for entry in STORED + REFUSED if entry.in_files]
    source = tmp_path / "in" / "tavlan.csv"
    source.parent.mkdir()
    _corpus_csv(source, entries)
    before = snapshot_files(tmp_path)
    stdout, stderr, code = run(cli, "import", str(source), "--dry-run", "--preview", "all", columns=160)
    assert code != 0 and stderr.startswith("error:") and len(stderr.strip().splitlines()) == 1
    assert "Columns unknown, not imported: G ([/]Extra[link=https://evil.example])" in stdout.replace("\n", "")
    problems = [line for line in stdout.splitlines() if line.startswith("problem ")]
    for number, entry in enumerate(entries, start=2):  # the header is row 1
        mine = [line for line in problems if line.startswith(f"problem row {number},")]
        if entry in REFUSED:
            assert mine and "column E" in mine[0] and entry.refusal.split()[0] in mine[0], (entry.name, mine)
        else:
            assert not mine, (entry.name, mine)
    for name in ("markup-close", "markup-bold", "csv-formula", "leading-dash"):  # the preview's actions column
        assert f"│ {by_name(name).value} " in stdout, name
    assert snapshot_files(tmp_path) == before
    stdout, _err, code = run(cli, "import", str(source), "--skip-bad")
    assert code == 0 and "skipped rows" in stdout
    records = {record["client_code"]: record for record in json.loads(run(cli, "rows", "list", "--json")[0])}
    for number, entry in enumerate(entries, start=1):
        if entry in REFUSED:
            assert f"IM-{number}" not in records, entry.name
        else:
            assert records[f"IM-{number}"]["situation"] == entry.expected(multiline=True), entry.name


def test_sync_import_refuses_a_bundle_carrying_a_refused_value_whole(cli: Cli, tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["region", "board"])  # the CLI's board is the receiving site
    region = sites["region"]
    row_id = region.add_row(USER, {"client_code": "DD-75", "triage": "obs", "situation": "placeholder"})
    with region.engine.begin() as connection:  # an old or hostile sender's change log
        connection.exec_driver_sql(
            "UPDATE change_log SET new = ? WHERE row_id = ? AND field = 'situation'", ("\x1b]0;PWNED\x07", row_id)
        )
    bundle = tmp_path / "in" / "from-region.fbsync"
    bundle.parent.mkdir()
    bundle.write_bytes(service.export_bundle(region, "board").data)
    for board in sites.values():
        board.close()
    before = snapshot_files(tmp_path)
    result = cli("sync", "import", str(bundle), env=FROZEN)
    assert result.returncode == 8
    message = one_line_error(result, "'situation'", "U+001B ESCAPE", "nothing was applied")
    assert_inert(message, "sync import")
    assert snapshot_files(tmp_path) == before
