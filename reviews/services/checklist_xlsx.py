"""Reading the Items sheet of an XLSX checklist file, guarded against zip and XML bombs.

An XLSX file is a zip of XML parts that someone else made: it is refused when its parts
would unpack beyond XLSX_MAX_UNCOMPRESSED_BYTES (the sizes the zip declares bound what
Python's zipfile unpacks, so they are checked before anything is read); openpyxl reads it
in read-only mode (streaming the sheet) through defusedxml (no XML entities); and rows and
columns are counted as they come, so a sheet cannot claim a million rows of filler.
``xlsx_rows`` gives the rows as text, as a CSV file would have them, or None with the
problems added to ``errors`` (``make_error(line, message)`` makes one).
"""

import datetime
import io
import zipfile

from openpyxl import load_workbook

XLSX_MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
XLSX_MAX_MEMBERS = 200
XLSX_MAX_ROWS = 5_000
XLSX_MAX_COLUMNS = 30
XLSX_ITEMS_SHEET = "Items"


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


def _check_archive(data, errors, make_error):
    """Whether ``data`` is a zip that unpacks to a sane size (the declared sizes bound what
    Python's zipfile will unpack, so they are checked before anything is read)."""
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
                "save only the checklist in it",
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


def xlsx_rows(data, errors, make_error, *, expected_columns):
    """(row number, cells) of the Items sheet (else the first), or None with an error."""
    if not _check_archive(data, errors, make_error):
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
        sheet = workbook[XLSX_ITEMS_SHEET] if XLSX_ITEMS_SHEET in names else workbook.worksheets[0]
        for number, row in enumerate(
            sheet.iter_rows(max_col=XLSX_MAX_COLUMNS + 1, values_only=True), start=1
        ):
            if number > XLSX_MAX_ROWS + 1:
                errors.append(
                    make_error(number, f"more than {XLSX_MAX_ROWS} rows; a checklist never has")
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
