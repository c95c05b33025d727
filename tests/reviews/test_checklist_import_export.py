"""Checklist templates: the shipped file, import/export round trips, all-or-nothing imports."""

import io

import pytest
import yaml
from openpyxl import load_workbook

from reviews.models import (
    ChecklistTemplate,
    Review,
    ReviewItem,
    ReviewSection,
    TemplateItem,
    TemplateSection,
)
from reviews.services.checklists import (
    DEFAULT_CHECKLIST_KEY,
    ChecklistImportError,
    checklist_export,
    checklist_import,
    checklist_is_default,
    checklist_load_default,
)
from tests.factories import ProjectFactory

HEADER = (
    "section_key,section_title,section_order,item_key,title,description,severity,mandatory,"
    "signoff_roles,scopes,order"
)
GOOD_ROWS = (
    "testing,Testing,1,uat-done,UAT finished,All UAT cases pass,blocker,yes,"
    "business_owner;test_lead,all,1",
    "testing,,,sit-done,SIT finished,,high,no,integration_lead,finance_operations,2",
    "people,People,2,training,Users trained,,medium,no,change_manager,all,1",
)


def csv_file(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def good_rows(**replacements):
    """GOOD_ROWS with some rows (by index) replaced."""
    return [replacements.get(f"row{index}", row) for index, row in enumerate(GOOD_ROWS)]


GOOD_YAML = """\
key: small
name: Small checklist
sections:
  - key: testing
    title: Testing
    order: 1
items:
  - key: uat-done
    section: testing
    title: UAT finished
    severity: blocker
    mandatory: true
    signoff_roles: [business_owner]
    scopes: [all]
  - key: sit-done
    section: testing
    title: SIT finished
    scopes: [finance_operations]
"""


def snapshot(template):
    """What a template holds, read straight from the tables, without ids or version."""
    sections = list(
        TemplateSection.objects.filter(template=template)
        .order_by("order", "key")
        .values(
            "key", "title", "order", "purpose", "expected_outcome", "key_questions", "red_flags",
            "default_signoff_role",
        )
    )  # fmt: skip
    items = list(
        TemplateItem.objects.filter(template=template)
        .order_by("section__order", "order", "key")
        .values(
            "key", "section__key", "title", "description", "severity", "mandatory",
            "signoff_roles", "scopes", "order",
        )
    )  # fmt: skip
    return {"name": template.name, "description": template.description, "sections": sections,
            "items": items}  # fmt: skip


def table_counts():
    return (
        ChecklistTemplate.objects.count(),
        TemplateSection.objects.count(),
        TemplateItem.objects.count(),
    )


@pytest.fixture
def shipped(db):
    template, created = checklist_load_default()
    assert created
    return template


def import_fails(data, fmt, **options):
    """Import ``data`` expecting a failure; check nothing was written; return (line, msg)s."""
    before = table_counts()
    with pytest.raises(ChecklistImportError) as excinfo:
        checklist_import(data=data, fmt=fmt, **options)
    assert table_counts() == before
    return [(error.line, error.message) for error in excinfo.value.errors]


# --- the shipped checklist ------------------------------------------------------


def test_shipped_checklist_has_every_item_and_section(shipped):
    assert shipped.key == DEFAULT_CHECKLIST_KEY
    assert (shipped.version, shipped.active) == (1, True)
    assert shipped.sections.count() == 15
    assert shipped.items.count() == 105
    assert shipped.items.filter(mandatory=True).count() == 53
    assert shipped.items.filter(section__key="production_environment").count() == 20
    uat_signoff = shipped.items.get(key="uat-signoff")
    assert uat_signoff.signoff_roles == ["business_owner", "test_lead"]
    two_approvals = {item.key for item in shipped.items.all() if len(item.signoff_roles) == 2}
    assert two_approvals == {
        "uat-signoff", "sit-signoff", "perf-signoff", "dm-scripts-signoff", "cut-plan-signoff",
        "sup-transition-plan", "acc-signoff", "scope-signoff",
    }  # fmt: skip
    assert shipped.items.get(key="ax-collation").scopes == ["ax2012_upgrade"]
    cutover = shipped.sections.get(key="cutover")
    assert cutover.default_signoff_role == "steering_committee"
    assert "No mock cutover planned." in cutover.red_flags
    assert checklist_is_default(shipped)


def test_load_default_twice_keeps_one_template(shipped):
    template, created = checklist_load_default()
    assert (template, created) == (shipped, False)
    assert ChecklistTemplate.objects.count() == 1
    assert TemplateItem.objects.count() == 105


# --- round trips ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_export_then_import_gives_the_same_template(shipped, fmt):
    data = checklist_export(template=shipped, fmt=fmt)
    again = checklist_import(data=data, fmt=fmt, template_key=shipped.key)
    assert again.version == 2
    assert snapshot(again) == snapshot(shipped)


def test_csv_round_trip_keeps_multiline_quoted_and_unicode_text(db):
    original = checklist_import(data=GOOD_YAML.encode(), fmt="yaml")
    item = original.items.get(key="uat-done")
    item.description = 'Line one, with a comma;\nline two "quoted" — café'
    item.save()
    section = original.sections.get()
    section.key_questions = ["Is it done; really?", "Who signs?"]
    section.save()
    data = checklist_export(template=original, fmt="csv")
    again = checklist_import(data=data, fmt="csv", template_key="small")
    assert snapshot(again) == snapshot(original)


def test_yaml_export_is_readable_and_names_the_version(shipped):
    text = checklist_export(template=shipped, fmt="yaml").decode()
    assert text.startswith(f"# Checklist template {DEFAULT_CHECKLIST_KEY}, version 1")
    document = yaml.safe_load(text)
    assert document["key"] == DEFAULT_CHECKLIST_KEY
    assert len(document["items"]) == 105
    assert "    signoff_roles: [business_owner, test_lead]" in text


def test_xlsx_export_has_items_and_sections_sheets(shipped):
    workbook = load_workbook(io.BytesIO(checklist_export(template=shipped, fmt="xlsx")))
    assert workbook.sheetnames == ["Items", "Sections"]
    items = list(workbook["Items"].iter_rows(values_only=True))
    assert items[0][:4] == ("section_key", "section_title", "section_order", "item_key")
    assert len(items) == 1 + 105
    first = dict(zip(items[0], items[1], strict=True))
    assert first["item_key"] == "glr-review-scheduled"
    assert first["section_title"] == "Overall go-live readiness"
    assert workbook["Items"].freeze_panes == "A2"
    assert workbook["Items"]["A1"].font.bold
    assert workbook["Sections"].max_row == 1 + 15


def test_xlsx_export_keeps_formula_like_text_as_text(db):
    template = checklist_import(
        data=csv_file(good_rows(row0=GOOD_ROWS[0].replace("UAT finished", "=1+1"))[0]),
        fmt="csv",
        template_key="formula",
    )
    workbook = load_workbook(io.BytesIO(checklist_export(template=template, fmt="xlsx")))
    cell = workbook["Items"]["E2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


# --- versions -----------------------------------------------------------------


def test_reimport_bumps_version_and_existing_review_keeps_its_copy(db):
    first = checklist_import(data=GOOD_YAML.encode(), fmt="yaml")
    project = ProjectFactory()
    review = Review.objects.create(
        project=project, template=first, template_name=first.name,
        template_version=first.version, title="First review", created_by=project.created_by,
    )  # fmt: skip
    for section in first.sections.all():
        copy = ReviewSection.objects.create(review=review, key=section.key, title=section.title)
        for item in section.items.all():
            ReviewItem.objects.create(
                review=review, section=copy, key=item.key, title=item.title,
                mandatory=item.mandatory, signoff_roles=item.signoff_roles,
            )  # fmt: skip

    changed = GOOD_YAML.replace("title: UAT finished", "title: UAT finished and signed")
    second = checklist_import(data=changed.encode(), fmt="yaml")

    first.refresh_from_db()
    assert (second.key, second.version, second.active) == ("small", 2, True)
    assert (first.version, first.active) == (1, False)
    assert second.items.get(key="uat-done").title == "UAT finished and signed"
    assert first.items.get(key="uat-done").title == "UAT finished"
    assert sorted(review.items.values_list("key", "title")) == [
        ("sit-done", "SIT finished"),
        ("uat-done", "UAT finished"),
    ]
    review.refresh_from_db()
    assert review.template == first


def test_csv_import_keeps_name_of_the_version_it_replaces(db):
    checklist_import(data=GOOD_YAML.encode(), fmt="yaml")
    template = checklist_import(data=csv_file(*GOOD_ROWS), fmt="csv", template_key="small")
    assert (template.name, template.version) == ("Small checklist", 2)
    assert template.sections.get(key="testing").title == "Testing"
    assert template.items.get(key="uat-done").signoff_roles == ["business_owner", "test_lead"]
    assert template.items.get(key="sit-done").scopes == ["finance_operations"]


def test_import_accepts_utf8_bom_and_crlf(db):
    data = b"\xef\xbb\xbf" + csv_file(*GOOD_ROWS).replace(b"\n", b"\r\n")
    template = checklist_import(data=data, fmt="csv", template_key="bom", name="BOM file")
    assert template.items.count() == 3
    assert template.name == "BOM file"


# --- bad files: all or nothing, with line numbers --------------------------------


@pytest.mark.parametrize(
    ("rows", "expected_line", "expected_text"),
    [
        pytest.param(
            good_rows(row1="testing,,,sit-done,SIT finished,,high,no,integration_lead,finance,2"),
            3, "scopes: unknown scope 'finance'", id="unknown-scope",
        ),
        pytest.param(
            good_rows(row2="people,People,2,uat-done,Users trained,,medium,no,,all,1"),
            4, "item_key: duplicate item key 'uat-done' (also on line 2)", id="duplicate-key",
        ),
        pytest.param(
            good_rows(row0="testing,Testing,1,uat-done,  ,,blocker,yes,,all,1"),
            2, "title: is empty", id="empty-title",
        ),
        pytest.param(
            good_rows(row2="people,People,2,training,Users trained,,critical,no,,all,1"),
            4, "severity: unknown value 'critical'", id="unknown-severity",
        ),
        pytest.param(
            good_rows(row2="people,People,2,training,Users trained,,medium,maybe,,all,1"),
            4, "mandatory: 'maybe' is not yes/no", id="bad-boolean",
        ),
        pytest.param(
            good_rows(row2="people,People,2,training,Users trained,,medium,no,ceo,all,1"),
            4, "signoff_roles: unknown sign-off role 'ceo'", id="unknown-role",
        ),
        pytest.param(
            good_rows(row2="people,People,2,user training!,Users trained,,medium,no,,all,1"),
            4, "item_key: 'user training!' may only contain", id="invalid-key",
        ),
        pytest.param(
            good_rows(row2="people,People,2,,Users trained,,medium,no,,all,1"),
            4, "item_key: is empty", id="empty-key",
        ),
        pytest.param(
            good_rows(row2="people,,2,training,Users trained,,medium,no,,all,1"),
            4, "section_title: is empty", id="section-without-title",
        ),
        pytest.param(
            good_rows(row1="testing,Tests,,sit-done,SIT finished,,high,no,,all,2"),
            3, "section_title: 'Tests' differs from 'Testing'", id="conflicting-section",
        ),
        pytest.param(
            good_rows(row1="testing,,,sit-done,SIT finished,,high,no"),
            3, "has 8 values but the header has 11 columns", id="short-row",
        ),
        pytest.param(
            good_rows(row1="testing,,,sit-done,SIT finished,,high,no,,all,second"),
            3, "order: 'second' is not a whole number", id="bad-order",
        ),
    ],
)  # fmt: skip
def test_bad_csv_row_imports_nothing_and_names_the_line(db, rows, expected_line, expected_text):
    errors = import_fails(csv_file(*rows), "csv", template_key="bad")
    assert any(line == expected_line and expected_text in message for line, message in errors), (
        errors
    )
    assert not ChecklistTemplate.objects.filter(key="bad").exists()


def test_csv_with_wrong_columns_reports_the_header_line(db):
    header = HEADER.replace("item_key", "item").replace(",order", ",order,owner")
    [(line, message)] = import_fails(csv_file(*GOOD_ROWS, header=header), "csv", template_key="x")
    assert line == 1
    assert "unknown columns: item, owner" in message
    assert "missing columns: item_key" in message


def test_csv_with_semicolons_between_columns_gets_a_hint(db):
    header = HEADER.replace(",", ";")
    [(line, message)] = import_fails(csv_file(header=header), "csv", template_key="x")
    assert line == 1
    assert "the file seems to use ';' between columns" in message


def test_csv_with_several_bad_rows_reports_all_of_them(shipped):
    rows = [
        "testing,Testing,1,uat-done,,,blocker,yes,,all,1",  # line 2: empty title
        'testing,,,sit-done,"SIT\nfinished",,high,no,,everywhere,2',  # lines 3-4: bad scope
        "people,People,2,uat-done,Users trained,,medium,perhaps,,all,1",  # line 5: two errors
    ]
    errors = import_fails(csv_file(*rows), "csv", template_key=DEFAULT_CHECKLIST_KEY)
    assert [line for line, _ in errors] == [2, 3, 5, 5]
    assert "title: is empty" in errors[0][1]
    assert "unknown scope 'everywhere'" in errors[1][1]
    assert {message.split(":")[0] for _, message in errors[2:]} == {"mandatory", "item_key"}
    # The shipped template is untouched: still one active version 1.
    assert list(ChecklistTemplate.objects.values_list("version", "active")) == [(1, True)]


def test_csv_import_reports_every_undecodable_line_of_a_latin1_file(db):
    rows = good_rows(row0="testing,Testing,1,uat-done,Recette terminée,,blocker,yes,,all,1")
    rows[2] = "people,People,2,training,Utilisateurs formés,,medium,no,,all,1"
    errors = import_fails(csv_file(*rows).decode().encode("latin-1"), "csv", template_key="x")
    assert errors == [
        (2, "not UTF-8 text; save the file as UTF-8"),
        (4, "not UTF-8 text; save the file as UTF-8"),
    ]


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_utf16_file_is_refused(db, fmt):
    data = (GOOD_YAML if fmt == "yaml" else csv_file(*GOOD_ROWS).decode()).encode("utf-16")
    assert import_fails(data, fmt, template_key="x") == [
        (1, "the file is UTF-16 encoded; save it as UTF-8")
    ]


def test_header_only_csv_has_no_items(db):
    assert import_fails(csv_file(), "csv", template_key="x") == [
        (1, "the file has no checklist items")
    ]


def test_csv_without_a_template_key_is_refused(db):
    [(line, message)] = import_fails(csv_file(*GOOD_ROWS), "csv")
    assert line == 1
    assert "no template key" in message


def test_yaml_item_in_unknown_section_names_its_line(db):
    data = GOOD_YAML.replace(
        "    section: testing\n    title: SIT", "    section: tests\n    title: SIT"
    )
    [(line, message)] = import_fails(data.encode(), "yaml")
    assert line == 15
    assert message == "section: unknown section 'tests'; sections in the file: testing"


def test_invalid_yaml_reports_the_line_of_the_syntax_error(db):
    data = GOOD_YAML.replace("    title: SIT finished", "    title: [SIT finished")
    [(line, message)] = import_fails(data.encode(), "yaml")
    assert line == 18
    assert message.startswith("invalid YAML:")


def test_yaml_with_several_problems_reports_all_of_them(db):
    data = GOOD_YAML + (
        "  - key: uat-done\n"  # line 19: duplicate of line 8
        "    section: testing\n"
        "    title: ''\n"  # and an empty title
        "    scopes: [all, mars]\n"  # and an unknown scope
        "    owner: somebody\n"  # and an unknown field
    )
    data = data.replace("  - key: testing\n", "  - key: testing\n    colour: blue\n")
    errors = import_fails(data.encode(), "yaml")
    assert [line for line, _ in errors] == [4, 20, 20, 20, 20]
    assert errors[0][1] == "unknown field 'colour'"
    messages = sorted(message for _, message in errors[1:])
    assert messages == [
        "key: duplicate item key 'uat-done' (also on line 9)",
        "scopes: unknown scope 'mars'; use one of all, customer_engagement, finance_operations, "
        "ax2012_upgrade, dual_write, ai_agents",
        "title: is empty",
        "unknown field 'owner'",
    ]


def test_yaml_duplicate_section_keys_are_refused(db):
    data = GOOD_YAML.replace(
        "items:\n", "  - key: testing\n    title: Testing again\n    order: 2\nitems:\n"
    )
    assert import_fails(data.encode(), "yaml") == [
        (7, "duplicate section key 'testing' (also on line 4)")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (1, "expected a mapping with key, name, sections and items")),
        ("- just\n- a list\n", (1, "expected a mapping with key, name, sections and items")),
        ("key: empty\nsections: []\nitems: []\n", (1, "the file has no checklist items")),
        ("key: x\nitems: {a: 1}\n", (2, "items: must be a list")),
    ],
)
def test_yaml_without_items_is_refused(db, text, expected):
    assert expected in import_fails(text.encode(), "yaml")


# --- formulas (issue 12) ------------------------------------------------------------


FORMULA_TEXTS = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                 "\tTab first", "'quoted already", "- a bullet list"]  # fmt: skip


def test_csv_export_neutralises_formulas_and_imports_them_back_unchanged(db):
    import csv as csv_module

    original = checklist_import(data=GOOD_YAML.encode(), fmt="yaml")
    item = original.items.get(key="uat-done")
    item.title = FORMULA_TEXTS[0]
    item.description = "\n".join(FORMULA_TEXTS)
    item.save()
    section = original.sections.get()
    section.key_questions = FORMULA_TEXTS[1:4]
    section.purpose = "=1+1"
    section.save()
    data = checklist_export(template=original, fmt="csv")
    rows = list(csv_module.reader(io.StringIO(data.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    spreadsheet_formulas = [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert spreadsheet_formulas == []
    assert "'" + FORMULA_TEXTS[0] in cells
    again = checklist_import(data=data, fmt="csv", template_key="small")
    assert snapshot(again) == snapshot(original)
