"""Write a checklist's plain content (see ``checklists.template_content``) as YAML, CSV or XLSX."""

import csv
import io

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.spreadsheets import neutralise_formula

from .checklist_formats import (
    CSV_COLUMNS,
    CSV_ITEM_NAMES,
    ITEM_FIELDS,
    LIST_SEPARATOR,
    SECTION_FIELDS,
    SLUG,
    TEXT_LIST_SEPARATOR,
)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data):
        # Never write anchors and aliases (a shared list would get one): the importer
        # refuses them.
        return True

    def increase_indent(self, flow=False, indentless=False):
        # Indent list entries under their key, as people write YAML by hand.
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper, value):
    # Lists of keys (roles, scopes) read best on one line; sentences one per line.
    flow = all(isinstance(v, str) and SLUG.fullmatch(v) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def to_yaml(content, *, header=""):
    body = yaml.dump(content, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return (header + body).encode()


def csv_rows(content):
    """Header plus one row per item, lists joined, the section repeated on each row."""
    sections = {section["key"]: section for section in content["sections"]}
    rows = [list(CSV_COLUMNS)]
    for item in content["items"]:
        section = sections[item["section"]]
        values = {
            **{f"section_{name}": section[name] for name in SECTION_FIELDS},
            **{CSV_ITEM_NAMES.get(name, name): item[name] for name in ITEM_FIELDS},
        }
        values["mandatory"] = "yes" if item["mandatory"] else "no"
        for name in ("signoff_roles", "scopes"):
            values[name] = LIST_SEPARATOR.join(values[name])
        for name in ("section_key_questions", "section_red_flags"):
            values[name] = TEXT_LIST_SEPARATOR.join(values[name])
        rows.append([values[column] for column in CSV_COLUMNS])
    return rows


def to_csv(content):
    """CSV with formula-like text neutralised (the importer restores it, core.spreadsheets)."""
    buffer = io.StringIO()
    rows = csv_rows(content)
    csv.writer(buffer).writerows(
        [rows[0], *([neutralise_formula(v, reversible=True) for v in row] for row in rows[1:])]
    )
    # The BOM makes Excel open the file as UTF-8; the importer accepts it.
    return buffer.getvalue().encode("utf-8-sig")


def _sheet(workbook, title, rows, widths):
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            # A text starting with '=' must stay text, not become a formula.
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(rows[0]):
        sheet.column_dimensions[
            sheet.cell(row=1, column=index + 1).column_letter
        ].width = widths.get(name, 16)
    return sheet


def to_xlsx(content):
    workbook = Workbook()
    workbook.remove(workbook.active)
    wide = {"title": 50, "description": 80, "section_title": 36, "purpose": 60}
    wide |= {"section_purpose": 60, "section_expected_outcome": 60, "expected_outcome": 60}
    wide |= {"section_key_questions": 80, "section_red_flags": 60, "key_questions": 80}
    wide |= {"red_flags": 60, "item_key": 30, "section_key": 26, "key": 26}
    _sheet(workbook, "Items", csv_rows(content), wide)
    section_rows = [list(SECTION_FIELDS)]
    for section in content["sections"]:
        values = dict(section)
        for name in ("key_questions", "red_flags"):
            values[name] = "\n".join(values[name])
        section_rows.append([values[name] for name in SECTION_FIELDS])
    _sheet(workbook, "Sections", section_rows, wide)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
