"""Reading tables that people upload (CSV and XLSX), guarded so a file costs no more than
its size. The checklist importer and the cutover run sheet importer both read through here.

Problems are collected, not raised: each reader appends ``make_error(line, message)`` to
``errors`` and returns None when it cannot go on, so an importer can report every problem
of a file at once.

An XLSX file is a zip of XML parts that someone else made: it is refused when its parts
would unpack beyond XLSX_MAX_UNCOMPRESSED_BYTES (the sizes the zip declares bound what
Python's zipfile unpacks, so they are checked before anything is read); openpyxl reads it
in read-only mode (streaming the sheet) through defusedxml (no XML entities); and rows and
columns are counted as they come, so a sheet cannot claim a million rows of filler.
"""

import codecs
import csv
import datetime
import io
import zipfile

from openpyxl import load_workbook

XLSX_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
XLSX_MAX_MEMBERS = 200
XLSX_MAX_ROWS = 5_000
XLSX_MAX_COLUMNS = 30


def decode_text(data, errors, make_error):
    """UTF-8 text of ``data`` (a BOM is fine), or None with an error per undecodable line."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        errors.append(make_error(1, "the file is UTF-16 encoded; save it as UTF-8"))
        return None
    bad = []
    for number, raw_line in enumerate(data.split(b"\n"), start=1):
        try:
            raw_line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
    for number in bad:
        errors.append(make_error(number, "not UTF-8 text; save the file as UTF-8"))
    if bad:
        return None
    text = data.decode("utf-8-sig")
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        errors.append(make_error(line, "contains NUL bytes (UTF-16?); save it as UTF-8"))
        return None
    return text


def csv_rows(text, errors, make_error):
    """(first physical line, row) for each non-blank record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows, end = [], 0
    try:
        for row in reader:
            start, end = end + 1, reader.line_num
            if any(cell.strip() for cell in row):
                rows.append((start, row))
    except csv.Error as exc:
        errors.append(make_error(reader.line_num or 1, f"unreadable CSV: {exc}"))
    return rows


def _cell_text(value):
    """A cell as the CSV would have it: numbers without a needless ".0", yes/no, ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    return str(value)


def _check_archive(data, errors, make_error, what):
    """Whether ``data`` is a zip that unpacks to a sane size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        errors.append(make_error(1, "not an XLSX file (an XLSX file is a zip archive)"))
        return False
    unpacked = sum(member.file_size for member in members)
    if len(members) > XLSX_MAX_MEMBERS or unpacked > XLSX_MAX_UNCOMPRESSED_BYTES:
        limit = XLSX_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
        errors.append(
            make_error(
                1,
                f"the XLSX file unpacks to more than {limit} MB or {XLSX_MAX_MEMBERS} parts; "
                f"save only the {what} in it",
            )
        )
        return False
    return True


def _short(text, limit=60):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unreadable(exc):
    """The message for a file openpyxl cannot read, naming the innermost error (openpyxl
    wraps them): "unreadable XLSX file (EntitiesForbidden)"."""
    for _ in range(10):
        inner = exc.__cause__ or exc.__context__
        if inner is None:
            break
        exc = inner
    return f"unreadable XLSX file ({_short(type(exc).__name__)})"


def xlsx_rows(data, errors, make_error, *, sheet_name, expected_columns, what):
    """(row number, cells as text) of the sheet ``sheet_name`` (else the first), or None with
    an error. ``what`` names the content in messages ("checklist", "run sheet")."""
    if not _check_archive(data, errors, make_error, what):
        return None
    try:
        # read_only streams the sheet instead of building it; openpyxl parses through
        # defusedxml, which refuses XML entity tricks.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        errors.append(make_error(1, _unreadable(exc)))
        return None
    rows = []
    try:
        names = workbook.sheetnames
        sheet = workbook[sheet_name] if sheet_name in names else workbook.worksheets[0]
        for number, row in enumerate(
            sheet.iter_rows(max_col=XLSX_MAX_COLUMNS + 1, values_only=True), start=1
        ):
            if number > XLSX_MAX_ROWS + 1:
                errors.append(
                    make_error(number, f"more than {XLSX_MAX_ROWS} rows; a {what} never has")
                )
                return None
            if len(row) > XLSX_MAX_COLUMNS and row[XLSX_MAX_COLUMNS] not in (None, ""):
                errors.append(
                    make_error(
                        number, f"more than {XLSX_MAX_COLUMNS} columns; expected {expected_columns}"
                    )
                )
                return None
            cells = [_cell_text(value) for value in row[:XLSX_MAX_COLUMNS]]
            while cells and not cells[-1].strip():
                cells.pop()  # a sheet pads rows to its widest; the CSV rules count columns
            if cells:
                rows.append((number, cells))
    except Exception as exc:
        errors.append(make_error(1, _unreadable(exc)))
        return None
    finally:
        workbook.close()
    return rows
