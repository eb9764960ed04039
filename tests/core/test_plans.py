"""Dated plans and legal measures on real boards: the yes/no crisis plan migrated on open (yes becomes "exists", the
seal and the audit still true, an edit made outside FactBoard before the migration still found), the write path
with the board's words, history and undo, the flags with answers worked out by hand, old sites' bundles, the
templates' legal measures, and import and export columns."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from helpers.boards import NOW, USER
from helpers.old_boards import as_version_6, edit_outside_factboard, raw
from helpers.sites import forge, make_sites, real_export

from factboard_tui.core.clock import frozen_clock
from factboard_tui.core.domain.history import describe_change
from factboard_tui.core.domain.meetings import plan_flags
from factboard_tui.core.domain.plans import measure_state, plan_states
from factboard_tui.core.domain.templates import BoardTemplate, load_template
from factboard_tui.core.errors import InvalidValue, TemplateError
from factboard_tui.core.store import migrations
from factboard_tui.core.store.board import Board
from factboard_tui.core.store.schema import BoardRow
from factboard_tui.core.sync import bundle as B
from factboard_tui.core.sync import service
from factboard_tui.core.transfer.export import Format, board_document
from factboard_tui.core.transfer.export_formats import render
from factboard_tui.core.transfer.importer import plan_import, run_import

TODAY = date(2026, 11, 25)


# -- the migration of the yes/no crisis plan -------------------------------------------------------------------------


def _old_board(created: tuple[Board, bytes], board_path: Path) -> bytes:
    """A board at schema 6 with DD-75 (crisis plan yes) and AA-80 (no), as the version before plans wrote it."""
    board, key = created
    board.add_row(USER, {"client_code": "DD-75", "triage": "kris", "crisis_plan": "Finns"})
    board.add_row(USER, {"client_code": "AA-80", "triage": "kris"})
    board.close()
    as_version_6(board_path, key)
    connection = raw(board_path, key)
    assert connection.execute("SELECT client_code, crisis_plan FROM board_row ORDER BY id").fetchall() == [
        ("DD-75", 1),
        ("AA-80", 0),
    ]
    connection.close()
    return key


def test_an_old_boards_yes_no_crisis_plan_becomes_a_status_when_opened(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    key = _old_board(created, board_path)
    with Board.open_with_key(board_path, key, frozen_clock(NOW)) as board:
        assert board.schema_version() == migrations.LATEST_VERSION
        rows = {row.client_code: row for row in board.rows()}
        assert rows["DD-75"].crisis_plan == "exists" and rows["DD-75"].crisis_plan_review is None
        assert rows["AA-80"].crisis_plan is None
        assert board.audit_verify().ok
        board.set_field(USER, rows["AA-80"].id or 0, "legal_measure", "LPT")
        board.set_field(USER, rows["AA-80"].id or 0, "Krisplan", "påbörjad")
        assert board.audit_verify().ok
        assert board.row(rows["AA-80"].id or 0).crisis_plan == "in_progress"


def test_an_edit_made_outside_factboard_before_the_migration_is_still_found_after_it(
    created: tuple[Board, bytes], board_path: Path
) -> None:
    key = _old_board(created, board_path)
    edit = "UPDATE board_row SET situation = 'forged' WHERE client_code = 'AA-80'"
    edit_outside_factboard(board_path, key, edit, migrations._SEALED_BEFORE_PLANS)
    with Board.open_with_key(board_path, key, frozen_clock(NOW)) as board:
        report = board.audit_verify()
        assert not report.ok
        assert "board rows (edited) were changed outside FactBoard" in (report.problem or "")


# -- writing plans and measures --------------------------------------------------------------------------------------


def test_plans_and_measures_take_the_boards_words_and_dates_and_undo(board: Board) -> None:
    row_id = board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    board.write_row(
        USER,
        "set",
        row_id=row_id,
        values={"SIP": "Finns", "SIP ses över": "2026-12-01", "Tvångsåtgärd": "öpt", "Tvång t.o.m.": "2027-05-01"},
    )
    row = board.row(row_id)
    assert (row.coordinated_plan, row.coordinated_plan_review) == ("exists", date(2026, 12, 1))
    assert (row.legal_measure, row.legal_measure_expiry) == ("opt", date(2027, 5, 1))
    lines = {
        (line.field_label, line.new)
        for line in map(lambda c: describe_change(c, board.template), board.history(row_id))
    }
    assert ("SIP", "Finns") in lines and ("Tvångsåtgärd", "ÖPT") in lines
    board.undo_last(USER)
    row = board.row(row_id)
    assert row.coordinated_plan is None and row.legal_measure is None and row.legal_measure_expiry is None


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("crisis_plan", "kanske", "is not a plan status: use Saknas, Påbörjad, Finns"),
        ("legal_measure", "TUD", "is not a legal measure of this board: use LPT, ÖPT, LRV, ÖRV, LVM"),
        ("legal_measure_expiry", "31/13", "Tvång t.o.m."),
    ],
)
def test_a_status_or_measure_the_board_does_not_know_is_refused_and_nothing_is_written(
    board: Board, field: str, value: str, says: str
) -> None:
    row_id = board.add_row(USER, {"client_code": "DD-75", "triage": "obs"})
    before = board.history(row_id)
    with pytest.raises(InvalidValue) as caught:
        board.set_field(USER, row_id, field, value)
    assert says in str(caught.value)
    assert board.history(row_id) == before


# -- flags, with answers worked out by hand -------------------------------------------------------------------------


def _row(**values: object) -> BoardRow:
    base: dict[str, object] = {"client_code": "DD-75", "date_on": date(2026, 11, 1), "triage": "crisis"}
    return BoardRow.model_validate(
        base | values | {"created_at": NOW, "created_by": USER, "updated_at": NOW, "updated_by": USER}
    )


SV = load_template("sv")


@pytest.mark.parametrize(
    ("values", "flags"),
    [
        ({}, ["Kris: no current Krisplan"]),
        ({"crisis_plan": "in_progress"}, ["Kris: no current Krisplan"]),
        ({"crisis_plan": "exists"}, []),
        ({"crisis_plan": "exists", "crisis_plan_review": date(2026, 11, 25)}, ["Krisplan: review due 2026-11-25"]),
        (
            {"crisis_plan": "exists", "crisis_plan_review": date(2026, 11, 24)},
            ["Kris: no current Krisplan", "Krisplan: review due 2026-11-24"],
        ),
        ({"triage": "stable", "care_plan": "exists", "care_plan_review": date(2026, 12, 1)}, []),
        ({"triage": "stable", "care_plan": "missing", "care_plan_review": date(2026, 11, 1)}, []),
        ({"triage": "stable", "legal_measure": "lpt", "legal_measure_expiry": date(2026, 12, 10)}, []),
        (
            {"triage": "stable", "legal_measure": "lpt", "legal_measure_expiry": date(2026, 12, 9)},
            ["LPT expires 2026-12-09 (in 14 days)"],
        ),
        (
            {"triage": "stable", "legal_measure": "lpt", "legal_measure_expiry": date(2026, 11, 25)},
            ["LPT expires 2026-11-25 (in 0 days)"],
        ),
        (
            {"triage": "stable", "legal_measure": "opt", "legal_measure_expiry": date(2026, 11, 24)},
            ["ÖPT expired 2026-11-24"],
        ),
        ({"triage": "stable", "legal_measure": "lvm"}, []),
    ],
)
def test_plan_and_measure_flags(values: dict[str, object], flags: list[str]) -> None:
    assert [flag.text for flag in plan_flags(_row(**values), SV, TODAY)] == flags


def test_the_read_functions_say_where_each_plan_and_the_measure_stand() -> None:
    row = _row(signal_plan="exists", signal_plan_review=date(2026, 11, 20), legal_measure="lrv")
    states = {state.kind: state for state in plan_states(row, SV, TODAY)}
    assert list(states) == ["crisis", "signal", "coordinated", "care"]
    assert states["signal"].review_due and not states["signal"].current and states["signal"].label == "Signalplan"
    assert states["coordinated"].status is None and not states["coordinated"].review_due
    measure = measure_state(row, SV, TODAY)
    assert measure is not None and (measure.label, measure.expiry, measure.expired) == ("LRV", None, False)
    assert measure_state(_row(), SV, TODAY) is None


# -- templates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template_id", "coordinated", "measures"),
    [
        ("sv", "SIP", ["LPT", "ÖPT", "LRV", "ÖRV", "LVM"]),
        ("da", "KIP", ["Tvangsindlæggelse", "Tvangstilbageholdelse", "Tvangsbehandling", "Tvungen opfølgning"]),
        ("nb", "IP", ["TUD", "TPH døgn"]),
        ("nl", "Zorgplan", ["Zorgmachtiging", "Crisismaatregel", "Voortzetting crisismaatregel"]),
        ("en", "Coordinated plan", []),
    ],
)
def test_each_template_names_its_plans_and_its_countrys_measures(
    template_id: str, coordinated: str, measures: list[str]
) -> None:
    template = load_template(template_id)
    assert template.label("coordinated_plan") == coordinated
    assert [measure.label for measure in template.plans.measures] == measures
    assert (template.plans.warning_days, template.plans.carry_forward) == (14, 2)


LAW_NAMES = {
    "sv": ("lag (1991:1128) om psykiatrisk tvångsvård", "lag (1991:1129) om rättspsykiatrisk vård", "lag (1988:870)"),
    "da": ("psykiatriloven",),
    "nb": ("psykisk helsevernloven",),
    "nl": ("wvggz",),
}
"""The law's own name, as the templates' comments cite it from the sources checked (the pick-list shows it)."""


@pytest.mark.parametrize("template_id", sorted(LAW_NAMES))
def test_each_legal_measure_names_its_law_by_the_laws_own_name(template_id: str) -> None:
    """A measure's law text names the law itself, not only a section guessed from memory (`LPT 3 a §`)."""
    for measure in load_template(template_id).plans.measures:
        assert any(name in measure.law.casefold() for name in LAW_NAMES[template_id]), measure.law


def test_a_template_copy_from_before_plans_takes_the_shipped_block_of_its_language() -> None:
    old = json.loads(load_template("da").to_json())
    del old["plans"]
    for key in ("crisis_plan_review", "legal_measure"):
        del old["columns"][key]
    copy = BoardTemplate.from_json(json.dumps(old))
    assert copy.label("legal_measure") == "Tvang" and copy.plans.measure_label("follow_up") == "Tvungen opfølgning"
    assert BoardTemplate.from_json(copy.to_json()) == copy


def test_a_template_whose_plans_block_is_wrong_is_refused_with_what_to_fix() -> None:
    broken = json.loads(load_template("sv").to_json())
    broken["plans"]["kinds"] = broken["plans"]["kinds"][:3]
    with pytest.raises(TemplateError, match=r"'plans.kinds' must name each of crisis, signal, coordinated, care"):
        BoardTemplate.from_json(json.dumps(broken))
    hostile = json.loads(load_template("sv").to_json())
    hostile["plans"]["measures"][0]["label"] = "LPT\x1b[2J"  # an escape that would clear the wall screen
    with pytest.raises(TemplateError, match=r"'plans.measures.label' holds"):
        BoardTemplate.from_json(json.dumps(hostile))
    broken = json.loads(load_template("sv").to_json())
    broken["plans"]["warning_days"] = -1
    with pytest.raises(TemplateError, match=r"'plans.warning_days' must be a whole number from 0 to 365"):
        BoardTemplate.from_json(json.dumps(broken))


# -- sync ------------------------------------------------------------------------------------------------------------


def test_plans_and_measures_merge_between_sites_field_by_field(tmp_path: Path) -> None:
    sites = make_sites(tmp_path, ["region", "muni"])
    region, muni = sites["region"], sites["muni"]
    try:
        row_id = region.add_row(USER, {"client_code": "DD-75", "triage": "kris"})
        service.import_bundle(muni, service.export_bundle(region, "muni").data)
        muni_id = muni.open_row_by_code("DD-75").id or 0
        region.set_field(USER, row_id, "crisis_plan", "exists")
        muni.set_field("MJR", muni_id, "legal_measure_expiry", "2026-12-20")
        service.import_bundle(muni, service.export_bundle(region, "muni").data)
        service.import_bundle(region, service.export_bundle(muni, "region").data)
        for board in (region, muni):
            row = board.open_row_by_code("DD-75")
            assert (row.crisis_plan, row.legal_measure_expiry) == ("exists", date(2026, 12, 20))
    finally:
        for board in sites.values():
            board.close()


@pytest.mark.parametrize(("old_text", "status"), [("true", "exists"), ("false", None)])
def test_a_format_1_bundle_from_an_older_site_brings_its_yes_no_crisis_plan(
    tmp_path: Path, old_text: str, status: str | None
) -> None:
    sites = make_sites(tmp_path, ["region", "muni"])
    region, muni = sites["region"], sites["muni"]
    try:
        region.add_row(USER, {"client_code": "DD-75", "triage": "kris", "crisis_plan": "in_progress"})
        header, payload = real_export(region, muni)
        for change in payload["changes"]:
            if change[7] == "crisis_plan":
                change[8] = old_text  # as the older FactBoard wrote its yes/no

        def as_format_1(forged: dict[str, object]) -> None:
            kept = ("schema", "origin_name", "ranges", "changes", "previous", "created")
            forged.update({key: header[key] for key in kept if key in header}, format=1)

        data = forge(region, muni, as_format_1, B.canonical_json(payload), version=1)
        assert data[6:8] == (1).to_bytes(2, "big")
        service.import_bundle(muni, data)
        assert muni.open_row_by_code("DD-75").crisis_plan == status
    finally:
        for board in sites.values():
            board.close()


# -- import and export -----------------------------------------------------------------------------------------------


def test_an_old_spreadsheets_yes_no_crisis_plan_and_the_new_columns_import(board: Board, tmp_path: Path) -> None:
    source = tmp_path / "tavlan.csv"
    source.write_text(
        "Patient,Triage,Krisplan,Krisplan ses över,Tvångsåtgärd,Tvång t.o.m.\n"
        "DD-75,kris,Ja,2026-12-01,LPT,2026-12-20\n"
        "AA-80,obs,Nej,,,\n"
        "CC-01,obs,Påbörjad,,ÖPT,\n",
        "utf-8",
    )
    run_import(board, plan_import(board, source), USER)
    rows = {row.client_code: row for row in board.rows()}
    assert (rows["DD-75"].crisis_plan, rows["DD-75"].crisis_plan_review) == ("exists", date(2026, 12, 1))
    assert (rows["DD-75"].legal_measure, rows["DD-75"].legal_measure_expiry) == ("lpt", date(2026, 12, 20))
    assert rows["AA-80"].crisis_plan == "missing" and rows["AA-80"].legal_measure is None
    assert (rows["CC-01"].crisis_plan, rows["CC-01"].legal_measure) == ("in_progress", "opt")


def test_the_board_export_has_a_column_per_plan_and_one_for_the_measure_and_imports_back(
    board: Board, tmp_path: Path
) -> None:
    board.add_row(
        USER,
        {"client_code": "DD-75", "triage": "kris", "crisis_plan": "exists", "crisis_plan_review": "2026-12-01"}
        | {"care_plan": "missing", "legal_measure": "lpt", "legal_measure_expiry": "2026-12-20"},
    )
    board.add_row(USER, {"client_code": "AA-80", "triage": "obs", "legal_measure": "LVM"})
    document = board_document(board)
    table = document.tables[0]
    cells = {row[2]: dict(zip([c.label for c in table.columns], row, strict=True)) for row in table.rows}
    assert cells["DD-75"]["Krisplan"] == "Finns (2026-12-01)" and cells["DD-75"]["Vårdplan"] == "Saknas"
    assert cells["DD-75"]["Tvångsåtgärd"] == "LPT … – 2026-12-20" and cells["DD-75"]["SIP"] == ""
    assert cells["AA-80"]["Tvångsåtgärd"] == "LVM"
    for fmt, name in ((Format.CSV, "board.csv"), (Format.XLSX, "board.xlsx")):
        path = tmp_path / name
        path.write_bytes(render(document, fmt))
        with Board.create(tmp_path / f"{name}.db", "another passphrase", template_id="sv", team="T")[0] as other:
            run_import(other, plan_import(other, path), USER)
            again = {row.client_code: row for row in other.rows()}
            assert (again["DD-75"].crisis_plan, again["DD-75"].crisis_plan_review) == ("exists", date(2026, 12, 1))
            assert (again["DD-75"].legal_measure, again["DD-75"].legal_measure_start) == ("lpt", None)
            assert again["DD-75"].legal_measure_expiry == date(2026, 12, 20) and again["DD-75"].care_plan == "missing"
            assert again["AA-80"].legal_measure == "lvm" and again["AA-80"].legal_measure_expiry is None
