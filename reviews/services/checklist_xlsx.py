"""Reading the Items sheet of an XLSX checklist file, guarded against zip and XML bombs
(the guarded reader and its limits are shared: ``core.tabular``)."""

from core import tabular
from core.tabular import (  # noqa: F401  (the limits, as the checklist's tests name them)
    XLSX_MAX_COLUMNS,
    XLSX_MAX_MEMBERS,
    XLSX_MAX_ROWS,
    XLSX_MAX_UNCOMPRESSED_BYTES,
)

XLSX_ITEMS_SHEET = "Items"


def xlsx_rows(data, errors, make_error, *, expected_columns):
    """(row number, cells) of the Items sheet (else the first), or None with an error."""
    return tabular.xlsx_rows(
        data, errors, make_error,
        sheet_name=XLSX_ITEMS_SHEET, expected_columns=expected_columns, what="checklist",
    )  # fmt: skip
