"""Two legal measures at once (issue 19: "legal measures per client, each with a start date and an expiry date"; in
Denmark a tvangsindlæggelse and a tvangsbehandling run together): the second slot carries everything a field
carries — the write path with the board's words, history and undo, the flags (each measure weighed), the panel's
text, the migration from schema 7 with the seal carried, sync between sites, the export column and its import back,
and the statistics."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers.boards import NOW, USER
from helpers.old_boards import as_version_7, edit_outside_factboard
from helpers.sites import make_sites

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.history import describe_change
from factboard_tui.core.domain.meetings import plan_flags
from factboard_tui.core.domain.plan_statistics import RowPlans, plan_figures
from factboard_tui.core.domain.plans import measures_text
from factboard_tui.core.domain.statistics import weeks_of
from factboard_tui.core.domain.templates import load_template
from factboard_tui.core.errors import InvalidValue
from factboard_tui.core.store import migrations
from factboard_tui.core.store.board import Board
from factboard_tui.core.sync import service
from factboard_tui.core.transfer.export import Format, board_document
from factboard_tui.core.transfer.export_formats import render
from factboard_tui.core.transfer.importer import plan_import, run_import

TODAY = NOW.date()


def _da_board(tmp_path: Path) -> Board:
    board, _key = Board.create(tmp_path / "da.db", "a long passphrase here", template_id="da", team="FACT Aarhus")
    board.clock = frozen_clock(NOW)
    return board


def test_a_danish_row_holds_admission_and_treatment_each_flagged_and_listed(tmp_path: Path) -> None:
    with _da_board(tmp_path) as board:
        row_id = board.add_row(USER, {"client_code": "DD-75", "triage": "krise"})
        board.set_field(USER, row_id, "Tvang", "Tvangsindlæggelse")
        board.set_field(USER, row_id, "Tvang til", (TODAY + timedelta(days=5)).isoformat())
        board.set_field(USER, row_id, "Tvang 2", "Tvangsbehandling")  # by the board's own words
        board.set_field(USER, row_id, "legal_measure_expiry_2", (TODAY - timedelta(days=1)).isoformat())
        row = board.row(row_id)
        assert (row.legal_measure, row.legal_measure_2) == ("admission", "treatment")
        flags = {flag.key: flag.text for flag in plan_flags(row, board.template, TODAY)}
        assert flags["measure_expiring"].startswith("Tvangsindlæggelse expires")  # in 5 days
        assert flags["measure_expired"].startswith("Tvangsbehandling expired")  # yesterday
        text = measures_text(row, board.template)
        assert text.startswith("Tvangsindlæggelse … – ") and "; Tvangsbehandling … – " in text
        with pytest.raises(InvalidValue, match="is not a legal measure of this board"):
            board.set_field(USER, row_id, "legal_measure_2", "LPT")  # a Swedish measure
        lines = [describe_change(change, board.template) for change in board.history(row_id)]
        assert any(line.field_label == "Tvang 2" and line.new == "Tvangsbehandling" for line in lines)
        board.undo_last(USER)  # the expiry of measure 2
        board.undo_last(USER)  # measure 2 itself
        row = board.row(row_id)
        assert (row.legal_measure, row.legal_measure_2, row.legal_measure_expiry_2) == ("admission", None, None)


def test_a_board_at_schema_7_gains_the_second_measure_and_keeps_its_seal(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    board, key = created
    board.add_row(USER, {"client_code": "DD-75", "triage": "kris", "legal_measure": "LPT"})
    board.close()
    as_version_7(board_path, key)
    with Board.open_with_key(board_path, key, frozen_clock(NOW)) as opened:
        assert opened.schema_version() == migrations.LATEST_VERSION == 8
        row = opened.open_row_by_code("DD-75")
        assert (row.legal_measure, row.legal_measure_2) == ("lpt", None)
        assert opened.audit_verify().ok
        opened.set_field(USER, row.id or 0, "legal_measure_2", "LVM")
        assert opened.audit_verify().ok and opened.row(row.id or 0).legal_measure_2 == "lvm"


def test_an_edit_made_outside_factboard_at_schema_7_is_still_found_after_the_migration(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    board, key = created
    board.add_row(USER, {"client_code": "DD-75", "triage": "kris"})
    board.close()
    as_version_7(board_path, key)
    edit = "UPDATE board_row SET legal_measure = 'lvm' WHERE client_code = 'DD-75'"
    edit_outside_factboard(board_path, key, edit, migrations._SEALED_WITH_PLANS)
    with Board.open_with_key(board_path, key, frozen_clock(NOW)) as opened:
        report = opened.audit_verify()
        assert not report.ok and "were changed outside FactBoard" in (report.problem or "")


def test_the_second_measure_merges_between_sites(tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["region", "muni"])
    region, muni = sites["region"], sites["muni"]
    try:
        row_id = region.add_row(USER, {"client_code": "DD-75", "triage": "kris", "legal_measure": "lpt"})
        service.import_bundle(muni, service.export_bundle(region, "muni").data)
        muni_id = muni.open_row_by_code("DD-75").id or 0
        region.set_field(USER, row_id, "legal_measure_2", "lvm")
        muni.set_field("MJR", muni_id, "legal_measure_expiry_2", "2026-12-20")
        service.import_bundle(muni, service.export_bundle(region, "muni").data)
        service.import_bundle(region, service.export_bundle(muni, "region").data)
        for board in (region, muni):
            row = board.open_row_by_code("DD-75")
            assert (row.legal_measure, row.legal_measure_2, row.legal_measure_expiry_2) == (
                "lpt",
                "lvm",
                date(2026, 12, 20),
            )
    finally:
        for board in sites.values():
            board.close()


def test_the_board_export_has_a_column_for_the_second_measure_and_imports_back(board: Board, tmp_path: Path) -> None:
    board.add_row(
        USER,
        {"client_code": "DD-75", "triage": "kris", "legal_measure": "lpt", "legal_measure_expiry": "2026-12-20"}
        | {"legal_measure_2": "lvm", "legal_measure_start_2": "2026-11-01"},
    )
    document = board_document(board)
    table = document.tables[0]
    cells = dict(zip([c.label for c in table.columns], table.rows[0], strict=True))
    assert (cells["Tvångsåtgärd"], cells["Tvångsåtgärd 2"]) == ("LPT … – 2026-12-20", "LVM 2026-11-01 – …")
    path = tmp_path / "board.xlsx"
    path.write_bytes(render(document, Format.XLSX))
    with Board.create(tmp_path / "other.db", "another passphrase", template_id="sv", team="T")[0] as other:
        run_import(other, plan_import(other, path), USER)
        row = other.open_row_by_code("DD-75")
        assert (row.legal_measure, row.legal_measure_expiry) == ("lpt", date(2026, 12, 20))
        assert (row.legal_measure_2, row.legal_measure_start_2, row.legal_measure_expiry_2) == (
            "lvm",
            date(2026, 11, 1),
            None,
        )


def test_the_statistics_count_each_measure_a_client_holds() -> None:
    """On 30 Nov: row 1 under admission (to 5 Dec: expiring) and treatment (ended 29 Nov: expired, still
    recorded); row 2 under treatment alone, started 10 Nov, no expiry. Treatment: 1 in force, 1 expired, 1 started."""
    settings = load_template("da").plans
    start, end = date(2026, 11, 1), date(2026, 11, 30)

    def row(row_id: int, **fields: object) -> RowPlans:
        return RowPlans(row_id, date(2026, 10, 1), None, {k: ((date.min, v),) for k, v in fields.items()})

    rows = [
        row(
            1,
            legal_measure="admission",
            legal_measure_expiry=date(2026, 12, 5),
            legal_measure_2="treatment",
            legal_measure_expiry_2=date(2026, 11, 29),
        ),
        row(2, legal_measure_2="treatment", legal_measure_start_2=date(2026, 11, 10)),
    ]
    figures = plan_figures(rows, settings, start, end, weeks_of(start, end))
    found = {item.key: (item.in_force, item.expiring, item.expired, item.started) for item in figures.measures}
    assert found["admission"] == (1, 1, 0, 0)
    assert found["treatment"] == (1, 0, 1, 1)
