"""Plans and legal measures through the `factboard` command: set with the board's words and dates, listed in
`rows list --json`, and a status the board does not know refused in one line with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.boards import snapshot_files
from helpers.cli import Cli, one_line_error

NOW = "2026-11-25T09:00:00"


def test_rows_add_and_set_take_plans_and_a_legal_measure(cli: Cli, tmp_path: Path) -> None:
    at = {"FACTBOARD_NOW": NOW}
    cli.ok("init", "--recovery-key-out", str(tmp_path / "recovery.txt"), env=at)
    cli.ok(
        "rows", "add", "--code", "DD-75", "--triage", "Kris", "--crisis-plan", "Finns",
        "--crisis-plan-review", "2026-12-01", "--legal-measure", "LPT", "--measure-expiry", "2026-12-05", env=at,
    )  # fmt: skip
    cli.ok("rows", "set", "DD-75", "SIP", "Påbörjad", env=at)
    cli.ok("rows", "set", "DD-75", "Tvång från", "2026-11-20", env=at)
    (row,) = json.loads(cli.ok("rows", "list", "--json", env=at).stdout)
    assert (row["crisis_plan"], row["crisis_plan_review"]) == ("exists", "2026-12-01")
    assert (row["coordinated_plan"], row["signal_plan"]) == ("in_progress", None)
    assert (row["legal_measure"], row["legal_measure_start"], row["legal_measure_expiry"]) == (
        "lpt",
        "2026-11-20",
        "2026-12-05",
    )
    before = snapshot_files(tmp_path)
    failed = cli("rows", "set", "DD-75", "legal_measure", "TUD", env=at)
    assert "is not a legal measure of this board: use LPT, ÖPT, LRV, ÖRV, LVM" in one_line_error(failed)
    assert snapshot_files(tmp_path) == before
