"""The register and its actions as CSV and XLSX files (what the export views send)."""

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.spreadsheets import neutralise_formula

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


REGISTER_COLUMNS = [
    ("Ref", lambda r: r.reference),
    ("Title", lambda r: r.title),
    ("Type", lambda r: r.get_type_display()),
    ("Category", lambda r: r.get_category_display()),
    ("Status", lambda r: r.get_status_display()),
    ("Likelihood", lambda r: r.likelihood),
    ("Impact", lambda r: r.impact),
    ("Score", lambda r: r.score),
    ("Severity", lambda r: r.get_severity_display()),
    ("Go-live blocker", lambda r: "yes" if r.is_blocker else "no"),
    ("No mitigation plan", lambda r: "yes" if r.no_mitigation_plan else "no"),
    ("Open actions", lambda r: r.open_action_count),
    ("Action owners", lambda r: "; ".join(sorted({a.owner for a in r.open_actions}))),
    ("Area", lambda r: r.area.title if r.area else ""),
    ("Review item", lambda r: r.review_item.title if r.review_item else ""),
    ("Description", lambda r: r.description),
    ("Recommendation", lambda r: r.recommendation),
    ("Workaround", lambda r: r.workaround),
    ("Raised by", lambda r: str(r.raised_by)),
    ("Accepted by", lambda r: str(r.accepted_by) if r.accepted_by else ""),
    ("Accepted at", lambda r: _local(r.accepted_at)),
    ("Acceptance reason", lambda r: r.acceptance_reason),
    ("Created", lambda r: _local(r.created_at)),
    ("Updated", lambda r: _local(r.updated_at)),
]

ACTION_COLUMNS = [
    ("Finding", lambda a: a.risk.reference),
    ("Finding title", lambda a: a.risk.title),
    ("Action", lambda a: a.description),
    ("Owner", lambda a: str(a.owner)),
    ("Owner e-mail", lambda a: a.owner.email),
    ("Due date", lambda a: a.due_date),
    ("Status", lambda a: a.get_status_display()),
    ("Overdue", lambda a: "yes" if a.is_overdue else "no"),
    ("Completed at", lambda a: _local(a.completed_at)),
    ("Completed by", lambda a: str(a.completed_by) if a.completed_by else ""),
    ("Notes", lambda a: a.notes),
]


def table(objects, columns):
    """(headers, rows) of plain values for a list of objects."""
    headers = [name for name, _ in columns]
    rows = [[value(obj) for _, value in columns] for obj in objects]
    return headers, rows


def filename(project, what, extension):
    return f"{slugify(project.name)}-{what}-{timezone.localdate().isoformat()}.{extension}"


def _attachment(response, name):
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def csv_response(name, headers, rows):
    def safe(value):
        if value is None:
            return ""
        if isinstance(value, datetime.date):
            return value.isoformat()
        return neutralise_formula(str(value))

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows([safe(value) for value in row] for row in rows)
    # A byte-order mark so that Excel opens the UTF-8 file with the right accents.
    return _attachment(
        HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"), name
    )


def xlsx_response(name, headers, rows, *, sheet_title):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), name)
