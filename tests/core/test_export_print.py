"""Exports that print: the board's HTML prints every column on A4 landscape (checked with headless Chromium), the
xlsx has a page set-up, columns sized to content and rows tall enough for their text (read back with openpyxl and,
where LibreOffice is installed, printed by it), groups by provider are the providers the board holds, and dates are
written as the board writes them."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from helpers.boards import USER
from helpers.cli import Cli
from helpers.tools import require
from helpers.week import MONDAY, fill
from openpyxl import load_workbook

from factboard_tui.core.store.board import Board
from factboard_tui.core.store.rows import RowWrite
from factboard_tui.core.transfer.export import Format, Grouping, board_document, week_document
from factboard_tui.core.transfer.export_formats import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
SOFFICE = shutil.which("soffice")
LONG_TEXT = "Hembesök med läkare, boendestöd och kontakt med Socialtjänsten varje vecka; " * 4


@pytest.fixture
def full(board: Board) -> Board:
    """The week's rows, and one row with every column filled, long text and a long unbroken word."""
    fill(board)
    board.write_rows(
        USER,
        [
            RowWrite(
                "add",
                values={
                    "client_code": "LONG-1",
                    "triage": "Inlagd",
                    "category": "Återkommande inläggning",
                    "primary_contact": "MJR",
                    "doctor": "HMR",
                    "other_providers": "Borås stad / Socialtjänsten, LSS",
                    "children": True,
                    "children_note": "två barn, bor hos pappa",
                    "situation": LONG_TEXT,
                    "actions": LONG_TEXT + "Socialtjänstlagsbiståndshandläggarmöte",
                    "safety": "Riskbedömning gjord",
                    "evaluation_date": MONDAY,
                    "crisis_plan": True,
                },
                visits={MONDAY + timedelta(days=offset): ("DEN+MJR", "hembesök") for offset in range(7)},
            )
        ],
    )
    return board


def printed_words(html: bytes, folder: Path) -> tuple[list[list[tuple[float, str]]], float]:
    """Chromium prints the page to PDF; each page's words with their right edge, and the page's width."""
    assert CHROMIUM and PDFTOTEXT
    page, pdf = folder / "board.html", folder / "board.pdf"
    page.write_bytes(html)
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={folder / 'chromium'}", f"--print-to-pdf={pdf}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    boxes = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes)[1])  # type: ignore[index]
    pages = []
    for text in boxes.split("<page ")[1:]:
        pages.append([(float(x), word) for x, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', text)])
    return pages, width


def test_the_board_html_prints_every_column_on_a4_landscape(full: Board, tmp_path: Path) -> None:
    require("chromium", "print the HTML export to PDF")
    require("pdftotext", "read the printed PDF's pages")
    document = board_document(full, MONDAY)
    pages, width = printed_words(render(document, Format.HTML), tmp_path)
    assert round(width) == 842  # A4 landscape, in points
    first = pages[0]
    words = [word for _x, word in first]
    for label in [column.label for column in document.tables[0].columns if column.printed]:
        assert label.split()[0] in words, label  # every column's heading is on the first page
    assert max(x for x, _word in first) <= width  # nothing is cut at the page's right edge
    assert "Sö" in words and "Lö" in words


def test_the_week_html_keeps_each_column_in_place_from_group_to_group(full: Board, tmp_path: Path) -> None:
    require("chromium", "print the HTML export to PDF")
    require("pdftotext", "read the printed PDF's pages")
    html = render(week_document(full, MONDAY, Grouping.DAY), Format.HTML)
    tables = re.findall(rb"<colgroup>(.*?)</colgroup>", html)
    assert len(tables) == 8 and len(set(tables)) == 1  # one width list for every day's table
    pages, _width = printed_words(html, tmp_path)
    edges = {round(x) for page in pages for x, word in page if word == "Patient"}
    assert len(edges) == 1, edges  # the "Patient" heading ends at the same place in every group


def test_xlsx_has_a_page_setup_columns_to_content_and_rows_tall_enough(full: Board, tmp_path: Path) -> None:
    path = tmp_path / "week.xlsx"
    path.write_bytes(render(week_document(full, MONDAY, Grouping.DAY), Format.XLSX))
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    header = sheet.oddHeader
    assert header.left.text == "FACT Test" and "week 2026-W48" in header.center.text
    assert header.right.text == "Not encrypted"
    widths = {sheet.cell(1, column).value: sheet.column_dimensions[sheet.cell(1, column).column_letter].width
              for column in range(1, sheet.max_column + 1)}  # fmt: skip
    assert widths["Övriga vårdgivare"] >= len("Borås stad / Socialtjänsten, LSS")
    assert widths["Aktuella åtgärder"] <= 60
    tall = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 3).value == "LONG-1"]
    assert tall and all(sheet.row_dimensions[row].height >= 5 * 15 for row in tall)
    assert sheet.cell(tall[0], 10).alignment.wrap_text


def test_board_xlsx_categories_are_not_cut_at_a_fixed_width(full: Board, tmp_path: Path) -> None:
    path = tmp_path / "board.xlsx"
    path.write_bytes(render(board_document(full, MONDAY), Format.XLSX))
    sheet = load_workbook(path).worksheets[0]
    assert sheet.column_dimensions["E"].width >= len("Återkommande inläggning") + 1
    assert sheet.cell(2, 1).number_format == "yyyy-mm-dd"


def test_libreoffice_prints_the_week_xlsx_on_a_few_a4_landscape_pages(full: Board, tmp_path: Path) -> None:
    require("soffice", "print the xlsx export with LibreOffice")
    path = tmp_path / "week.xlsx"
    path.write_bytes(render(week_document(full, MONDAY, Grouping.DAY), Format.XLSX))
    subprocess.run(
        [str(SOFFICE), "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    info = subprocess.run(["pdfinfo", str(tmp_path / "week.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info)[1])  # type: ignore[index]
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts \(A4\)", info), info  # A4 landscape
    assert pages <= 10  # one sheet per day: a few pages, not 24 portrait ones


def test_groups_by_provider_are_the_providers_the_board_holds(full: Board) -> None:
    titles = [table.title for table in week_document(full, MONDAY, Grouping.PROVIDER).tables]
    assert "Borås stad / Socialtjänsten, LSS" in titles
    assert not {"Borås stad", "Socialtjänsten", "LSS"} & set(titles)


def test_da_exports_write_dates_as_the_board_does(cli: Cli, tmp_path: Path) -> None:
    env = {"FACTBOARD_NOW": "2026-11-25T09:00:00+00:00"}
    cli.ok("init", "--template", "da", env=env)
    cli.ok("rows", "add", "--code", "DD-75", "--triage", "Krise", "--date", "021126", "--user", USER, env=env)
    cli.ok("export", "board", "-o", str(tmp_path / "tavle.csv"), env=env)
    assert "02.11.2026" in (tmp_path / "tavle.csv").read_text(encoding="utf-8-sig")
    cli.ok("export", "board", "-o", str(tmp_path / "tavle.xlsx"), env=env)
    assert load_workbook(tmp_path / "tavle.xlsx").worksheets[0].cell(2, 1).number_format == "dd.mm.yyyy"


def test_export_board_help_lists_only_the_formats_it_makes(cli: Cli) -> None:
    text = " ".join(cli.ok("export", "board", "--help", env={"COLUMNS": "200"}).stdout.split())
    assert "[csv|xlsx|html]" in text and "md" not in text and "ics" not in text  # the choices as Click lists them
    refused = cli("export", "board", "-f", "md")
    assert refused.returncode != 0 and "csv, xlsx, html" in refused.stderr
