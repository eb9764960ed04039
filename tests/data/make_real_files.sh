#!/bin/sh
# Make the spreadsheets under tests/data/ with LibreOffice, as teams make them (see tests/data/README.md).
# The files are committed: CI and the tests never need LibreOffice. Run from the repository root after changing a
# source in tests/data/sources/:  sh tests/data/make_real_files.sh
set -eu
cd "$(dirname "$0")"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
calc() {  # calc SOURCE FILTER SUFFIX: convert one HTML table to a workbook with LibreOffice Calc, headless
  soffice --headless --norestore -env:UserInstallation=file://"$out"/profile --infilter="HTML (StarCalc)" \
    --convert-to "$3:$2" --outdir "$out" "sources/$1.html" >/dev/null
}
calc da_board "Calc MS Excel 2007 XML" xlsx && cp "$out/da_board.xlsx" da_board.xlsx
calc da_board "calc8" ods && cp "$out/da_board.ods" da_board.ods
calc sv_board "Calc MS Excel 2007 XML" xlsx && cp "$out/sv_board.xlsx" sv_board.xlsx
calc sv_board "calc8" ods && cp "$out/sv_board.ods" sv_board.ods
calc sv_board "MS Excel 97" xls && cp "$out/sv_board.xls" sv_board.xls
# Swedish Excel's "CSV (semikolonavgränsad)": Windows-1252, ';' between cells, '"' around text that needs it, and
# CRLF line ends. LibreOffice's CSV filter writes the first three (options 59,34,1: 59 is ";", 34 is the quote, 1 is
# LibreOffice's number for Windows-1252 (its "1252" is another, lossy table: it wrote "–" as 0x13). On Linux it ends
# lines with LF, so sed adds the CR that Excel on Windows writes.
csv_excel() {
  calc "$1" "Text - txt - csv (StarCalc):59,34,1" csv && sed 's/$/\r/' "$out/$1.csv" > "$2"
}
csv_excel sv_board sv_board_excel.csv
csv_excel sv_few_columns sv_few_columns_excel.csv
calc nb_board "Calc MS Excel 2007 XML" xlsx && cp "$out/nb_board.xlsx" nb_board.xlsx
calc nl_board "calc8" ods && cp "$out/nl_board.ods" nl_board.ods
# A workbook saved with nothing in it.
calc empty "calc8" ods && cp "$out/empty.ods" empty.ods
