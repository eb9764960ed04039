"""`factboard report`: the fidelity report as a file the user asked for: mode 600, audited, said to be plaintext;
every format carries the figures, hostile free text stays inert, a bad period is one line and writes nothing.

The figures themselves are checked against hand-worked answers in tests/core/test_statistics.py; here the same
history goes through the real command, in a separate process, as a coordinator would run it.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest
from helpers.boards import PASSPHRASE
from helpers.cli import Cli, one_line_error
from helpers.history import seed_history

from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import write_row

HOSTILE = '=HYPERLINK("http://evil.example/x") <img src=x onerror=alert(1)> | **bold**'
"""A reason for going off that a spreadsheet would run, a browser would load and Markdown would format."""

NOW = {"FACTBOARD_NOW": "2026-11-30T12:00:00+00:00"}
PERIOD = ("--from", "2026-11-02", "--to", "2026-11-29")


@pytest.fixture
def history(board: Board) -> Board:
    """The known history, with one more row that goes off for a hostile reason; closed before the command runs."""
    seed_history(board)
    board.clock = lambda: __import__("datetime").datetime(2026, 11, 28, 12, tzinfo=__import__("datetime").UTC)
    row = board.add_row("KOO", {"client_code": "HH-66", "triage": "watch"})
    write_row(board, "KOO", "off", row_id=row, values={"off_reason": HOSTILE})
    board.close()
    return board


def test_the_json_report_holds_the_figures_and_is_written_mode_600(cli: Cli, history: Board, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    result = cli.ok("report", *PERIOD, "-o", str(target), "--caseload", "20", env=NOW)
    assert "NOT encrypted" in result.stdout and "report.json" in result.stdout
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["from"], data["to"]) == ("2026-11-02", "2026-11-29")
    assert data["board"]["days_on_board"] == [0, 7, 11, 29]  # HH-66 came and went the same day
    assert data["board"]["reentries_90_days"] == 1
    assert data["meetings"]["per_week"] == {"2026-W45": 3, "2026-W46": 1, "2026-W47": 0, "2026-W48": 2}
    assert data["team"]["contacts_by_organisation"] == {"region": 6, "municipality": 3, "": 1}
    met = {item["key"]: item["met"] for item in data["criteria"]}
    assert met == {"meetings": False, "seen_by_four": True, "seen_by_two": True, "reviewed": False,
                   "caseload_share": True}  # fmt: skip
    with Board.unlock(cli.db, PASSPHRASE) as board, board.engine.connect() as connection:
        exports = connection.exec_driver_sql("SELECT subject, detail FROM audit_log WHERE action = 'export'").all()
    assert exports == [("report.json", "report (json), cli")]


def test_html_has_charts_loads_nothing_and_escapes_free_text(cli: Cli, history: Board, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    cli.ok("report", *PERIOD, "-o", str(target), env=NOW)
    page = target.read_text(encoding="utf-8")
    assert page.count("<svg") == 4  # rows by triage, crises and admissions, meetings a week, days on board
    assert "<script" not in page and "<img" not in page and "onerror=alert(1)&gt;" in page
    assert "At least 90 % of board clients seen by more than one staff member within 2 weeks" in page
    assert "DACTS item H2" in page and "not met" in page and "not assessed" in page  # no caseload size set


def test_markdown_and_csv_keep_hostile_text_inert(cli: Cli, history: Board, tmp_path: Path) -> None:
    cli.ok("report", *PERIOD, "-o", str(tmp_path / "report.md"), env=NOW)
    cli.ok("report", *PERIOD, "-f", "csv", "-o", str(tmp_path / "report.txt"), env=NOW)
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "## Fidelity criteria" in markdown and "\\<img src=x onerror=alert(1)\\>" in markdown
    assert "\\| \\*\\*bold\\*\\*" in markdown
    text = (tmp_path / "report.txt").read_bytes().decode("utf-8-sig")
    # As the board's exports on a Swedish board: ';' (Excel's list separator there), every cell quoted, CRLF
    assert text.startswith('"Section";"Table";"Row";"Figure";"Value"\r\n')
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    reasons = [line for line in lines if line[1] == "Reasons for going off"]
    assert [line[2] for line in reasons] == ["Flyttat", "'" + HOSTILE, "Stabil"]
    assert ["Meetings", "", "", "Rows not reached", "3"] in lines


@pytest.mark.parametrize(
    ("words", "named"),
    [
        (("--from", "2026-13-45"), "--from"),
        (("--from", "2026-11-29", "--to", "2026-11-02"), "swap --from and --to"),
        (("-f", "pdf"), "pdf"),
    ],
)
def test_a_bad_period_or_format_is_one_line_and_writes_nothing(
    cli: Cli, history: Board, tmp_path: Path, words: tuple[str, ...], named: str
) -> None:
    one_line_error(cli("report", *words, "-o", str(tmp_path / "r.html"), env=NOW), named)
    assert not list(tmp_path.glob("r.*"))


def test_json_and_csv_count_plans_and_legal_measures(cli: Cli, history: Board, tmp_path: Path) -> None:
    """The figures worked out by hand in tests/core/test_plan_statistics.py, read back from the files."""
    cli.ok("report", *PERIOD, "-f", "json", "-o", str(tmp_path / "report.json"), env=NOW)
    cli.ok("report", *PERIOD, "-f", "csv", "-o", str(tmp_path / "report.csv"), env=NOW)
    plans = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["plans"]
    assert plans["clients"] == 2 and plans["warning_days"] == 14
    assert plans["kinds"]["crisis"] == {"exists": 2, "in_progress": 0, "missing": 0, "not_recorded": 0, "current": 1,
                                        "share_current": 0.5, "review_due": 1}  # fmt: skip
    assert plans["kinds"]["care"]["missing"] == 1 and plans["kinds"]["coordinated"]["in_progress"] == 1
    assert plans["measures"]["opt"] == {"in_force": 1, "expiring": 1, "expired": 0, "started": 0}
    assert plans["measures"]["lpt"] == {"in_force": 0, "expiring": 0, "expired": 1, "started": 2}
    assert plans["current_by_week"]["2026-W47"]["signal"] == 0.5
    text = (tmp_path / "report.csv").read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    section = "Plans and legal measures"
    assert [section, "", "", "Clients on the board on 2026-11-29", "2"] in lines
    assert [section, "Plans on 2026-11-29", "Krisplan", "Current", "1 (50 %)"] in lines
    assert [section, "Plans on 2026-11-29", "Krisplan", "Review due", "1"] in lines
    assert [section, "Plans on 2026-11-29", "Vårdplan", "Saknas", "1"] in lines
    measures = "Legal measures on 2026-11-29"
    assert [section, measures, "ÖPT", "Expiring within 14 days", "1"] in lines
    assert [section, measures, "LPT", "Expired, still recorded", "1"] in lines
    assert [section, measures, "LPT", "Started in the period", "2"] in lines
