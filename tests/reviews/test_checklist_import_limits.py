"""Checklist imports against hostile files (issue 12, Medium #6).

A 530-byte YAML alias bomb produced a 168 MB error page in the admin and a MemoryError
from ``import_checklist``. YAML anchors and aliases are now refused with their line, the
file size and the error messages are capped, and the XLSX import (which the admin now
accepts) is protected against zip bombs. The fuzzing of these lives in
test_robustness_imports.py.
"""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from reviews.models import ChecklistTemplate
from reviews.services.checklist_formats import IMPORT_MAX_BYTES, MAX_ERRORS, MAX_MESSAGE_LENGTH
from reviews.services.checklist_xlsx import (
    XLSX_MAX_COLUMNS,
    XLSX_MAX_ROWS,
    XLSX_MAX_UNCOMPRESSED_BYTES,
)
from reviews.services.checklists import (
    ChecklistImportError,
    checklist_export,
    checklist_import,
    checklist_load_default,
)
from tests.factories import UserFactory
from tests.reviews.test_checklist_import_export import GOOD_ROWS, GOOD_YAML, HEADER


def alias_bomb(levels=9, width=9):
    """Nine levels of nine aliases: about 500 bytes that stand for 9**9 strings."""
    lines = ["key: bomb", "name: Bomb", 'l0: &l0 "lol"']
    for level in range(1, levels + 1):
        lines.append(f"l{level}: &l{level} [" + ",".join([f"*l{level - 1}"] * width) + "]")
    lines += [
        "sections: [{key: s, title: S}]",
        f"items: [{{key: k, section: s, title: T, order: *l{levels}, mandatory: *l{levels}}}]",
    ]
    return ("\n".join(lines) + "\n").encode()


def refusal(data, fmt, **kwargs):
    with pytest.raises(ChecklistImportError) as refused:
        checklist_import(data=data, fmt=fmt, **kwargs)
    return refused.value


# --- YAML anchors and aliases --------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_at_once_with_a_short_line_error(db):
    data = alias_bomb()
    assert len(data) < 600
    started = time.monotonic()
    error = refusal(data, "yaml")
    assert time.monotonic() - started < 2
    assert len(str(error)) < 5_000
    assert error.errors[0].line == 3
    assert "anchor" in error.errors[0].message
    assert not ChecklistTemplate.objects.exists()


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("key: a\nname: &n Name\ndescription: *n\n", 2, "anchor '&n'"),
        ("key: a\nbase: &b {severity: high}\nitems:\n  - <<: *b\n    key: x\n", 2, "anchor"),
        ("key: a\nitems:\n  - key: x\n    title: *undefined\n", 4, "alias '*undefined'"),
    ],
)
def test_yaml_anchors_and_aliases_are_refused_on_their_line(db, text, line, words):
    error = refusal(text.encode(), "yaml")
    assert any(e.line == line and words in e.message for e in error.errors), error.errors


def test_the_import_command_refuses_an_alias_bomb_without_running_out_of_memory(db, tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_bytes(alias_bomb())
    with pytest.raises(CommandError) as refused:
        call_command("import_checklist", str(path))
    assert "line 3: YAML anchor" in str(refused.value)
    assert len(str(refused.value)) < 5_000


# --- Sizes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
def test_a_file_over_the_size_limit_is_refused_before_it_is_read(db, fmt):
    error = refusal(b"#" * (IMPORT_MAX_BYTES + 1), fmt, template_key="big")
    assert [e.line for e in error.errors] == [1]
    assert "larger than" in error.errors[0].message


def test_the_command_refuses_a_file_over_the_size_limit(db, tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"#" * (IMPORT_MAX_BYTES + 1))
    with pytest.raises(CommandError, match="larger than"):
        call_command("import_checklist", str(path))


def test_error_messages_and_their_number_are_capped(db):
    huge = "x" * 2_000
    items = "\n".join(
        f"  - {{key: 'bad key {n}', section: nowhere, title: '', order: '{huge}'}}"
        for n in range(400)
    )
    data = f"key: capped\nsections: []\nitems:\n{items}\n".encode()
    assert len(data) < IMPORT_MAX_BYTES
    error = refusal(data, "yaml")
    assert len(error.errors) == MAX_ERRORS + 1
    assert all(len(e.message) <= MAX_MESSAGE_LENGTH for e in error.errors)
    assert "more problems" in error.errors[-1].message
    assert len(str(error)) < (MAX_ERRORS + 1) * (MAX_MESSAGE_LENGTH + 20)


# --- XLSX ----------------------------------------------------------------------------------


def workbook_bytes(rows, *, title="Items"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_sheet_rows():
    return [HEADER.split(",")] + [row.split(",") for row in GOOD_ROWS]


def test_an_xlsx_export_imports_back_unchanged(db):
    from tests.reviews.test_checklist_import_export import snapshot

    shipped, _ = checklist_load_default()
    data = checklist_export(template=shipped, fmt="xlsx")
    again = checklist_import(data=data, fmt="xlsx", template_key=shipped.key)
    assert again.version == 2
    assert snapshot(again) == snapshot(shipped)


def test_an_xlsx_file_with_bad_rows_names_each_row(db):
    rows = good_sheet_rows()
    rows[2][4] = ""  # the title of the item on row 3
    rows[3][9] = "nowhere"  # the scopes of the item on row 4
    error = refusal(workbook_bytes(rows), "xlsx", template_key="sheet")
    assert [(e.line, e.message.split(":")[0]) for e in error.errors] == [
        (3, "title"),
        (4, "scopes"),
    ]


def test_xlsx_numbers_and_booleans_are_read_as_the_csv_would_have_them(db):
    rows = good_sheet_rows()
    rows[1][2], rows[1][7], rows[1][10] = 1, True, 1.0
    template = checklist_import(data=workbook_bytes(rows), fmt="xlsx", template_key="typed")
    item = template.items.get(key="uat-done")
    assert (item.mandatory, item.order) == (True, 1)


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(db):
    """A valid workbook plus one member of zeros that unpacks far beyond the cap."""
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(good_sheet_rows()))) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["xl/media/padding.bin"] = b"\0" * (XLSX_MAX_UNCOMPRESSED_BYTES + 1)
    data = _zip(members)
    assert len(data) < IMPORT_MAX_BYTES  # small on the wire
    error = refusal(data, "xlsx", template_key="bomb")
    assert "unpacks to more than" in error.errors[0].message


def test_an_xlsx_with_too_many_rows_or_columns_is_refused(db):
    rows = good_sheet_rows() + [["filler"] * 3] * XLSX_MAX_ROWS
    assert "rows" in refusal(workbook_bytes(rows), "xlsx", template_key="x").errors[0].message
    wide = good_sheet_rows()
    wide[1] = wide[1] + [""] * (XLSX_MAX_COLUMNS - len(wide[1])) + ["far right"]
    assert "columns" in refusal(workbook_bytes(wide), "xlsx", template_key="x").errors[0].message


def test_an_xlsx_with_an_xml_entity_bomb_is_refused(db):
    entities = '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + n)} "{("&" + chr(97 + n) + ";") * 10}">' for n in range(8)
    )
    with zipfile.ZipFile(io.BytesIO(workbook_bytes(good_sheet_rows()))) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    assert ">uat-done<" in sheet
    sheet = entities + "]>" + sheet.replace(">uat-done<", ">&i;<", 1)  # 10**9 characters
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    started = time.monotonic()
    error = refusal(_zip(members), "xlsx", template_key="entities")
    assert time.monotonic() - started < 2
    assert error.errors[0].line == 1
    assert "EntitiesForbidden" in error.errors[0].message  # defusedxml refuses the DTD


@pytest.mark.parametrize(
    "data", [b"", b"PK\x03\x04 not really a zip", _zip({"hello.txt": b"hi"}), GOOD_YAML.encode()]
)
def test_a_file_that_is_not_a_workbook_is_refused_cleanly(db, data):
    error = refusal(data, "xlsx", template_key="x")
    assert error.errors[0].line == 1


# --- The admin ----------------------------------------------------------------------------


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


IMPORT_URL = reverse("admin:reviews_checklisttemplate_import")


def test_the_admin_imports_an_xlsx_file_taking_the_key_from_its_name(staff_client):
    upload = SimpleUploadedFile("Cutover Checks.xlsx", workbook_bytes(good_sheet_rows()))
    response = staff_client.post(IMPORT_URL, {"file": upload}, follow=True)
    template = ChecklistTemplate.objects.get()
    assert (template.key, template.items.count()) == ("cutover-checks", 3)
    assert "Imported" in response.text


def test_the_admin_shows_a_short_line_error_for_an_alias_bomb(staff_client):
    response = staff_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("bomb.yaml", alias_bomb())}
    )
    assert response.status_code == 200
    assert len(response.content) < 100_000
    assert "<td>Line 3</td><td>YAML anchor" in response.text
    assert not ChecklistTemplate.objects.exists()
