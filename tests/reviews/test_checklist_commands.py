"""The load_checklist, import_checklist and export_checklist management commands."""

import io

import pytest
import yaml
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from reviews.models import ChecklistTemplate, TemplateItem
from reviews.services.checklists import DEFAULT_CHECKLIST_KEY
from tests.reviews.test_checklist_import_export import GOOD_ROWS, GOOD_YAML, csv_file


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_checklist_twice_loads_it_once(db):
    first, _ = run("load_checklist")
    second, _ = run("load_checklist")
    assert "Loaded checklist template Success by Design go-live checklist (v1) with 105 items." in (
        first
    )
    assert "is already loaded; nothing to do" in second
    assert ChecklistTemplate.objects.count() == 1
    assert TemplateItem.objects.count() == 105


def test_load_checklist_leaves_an_edited_template_alone(db):
    run("load_checklist")
    TemplateItem.objects.filter(key="uat-signoff").update(title="Edited by staff")
    out, _ = run("load_checklist")
    assert "differs from the shipped file; left as it is" in out
    assert list(ChecklistTemplate.objects.values_list("version", flat=True)) == [1]
    assert TemplateItem.objects.get(key="uat-signoff").title == "Edited by staff"


def test_seed_demo_loads_the_checklist(db):
    run("seed_demo")
    run("seed_demo")
    assert ChecklistTemplate.objects.filter(key=DEFAULT_CHECKLIST_KEY).count() == 1


def test_import_checklist_csv_takes_its_key_from_the_file_name(db, tmp_path):
    path = tmp_path / "Cut Over Checks.csv"
    path.write_bytes(csv_file(*GOOD_ROWS))
    out, _ = run("import_checklist", str(path), "--name", "Cutover checks")
    template = ChecklistTemplate.objects.get()
    assert (template.key, template.name, template.version) == (
        "cut-over-checks",
        "Cutover checks",
        1,
    )
    assert "Imported Cutover checks (v1) as key cut-over-checks with 3 items" in out


def test_import_checklist_yaml_twice_makes_version_two(db, tmp_path):
    path = tmp_path / "small.yml"
    path.write_text(GOOD_YAML)
    run("import_checklist", str(path))
    run("import_checklist", str(path))
    assert list(ChecklistTemplate.objects.values_list("key", "version", "active")) == [
        ("small", 2, True),
        ("small", 1, False),
    ]


def test_import_checklist_with_bad_file_lists_every_error_and_changes_nothing(db, tmp_path):
    path = tmp_path / "bad.csv"
    rows = [
        "testing,Testing,1,uat-done,,,blocker,yes,,all,1",
        "testing,,,uat-done,SIT finished,,high,no,,nowhere,2",
    ]
    path.write_bytes(csv_file(*rows))
    with pytest.raises(CommandError) as excinfo:
        run("import_checklist", str(path))
    message = str(excinfo.value)
    assert message.startswith("bad.csv was not imported (3 errors; nothing was changed):")
    assert "line 2: title: is empty" in message
    assert "line 3: item_key: duplicate item key 'uat-done' (also on line 2)" in message
    assert "line 3: scopes: unknown scope 'nowhere'" in message
    assert not ChecklistTemplate.objects.exists()


def test_import_checklist_needs_a_known_format(db, tmp_path):
    path = tmp_path / "checklist.txt"
    path.write_text(GOOD_YAML)
    with pytest.raises(CommandError, match=r"Cannot tell the format of checklist\.txt"):
        run("import_checklist", str(path))
    run("import_checklist", str(path), "--format", "yaml", "--key", "from-txt")
    assert ChecklistTemplate.objects.get().key == "from-txt"


def test_export_checklist_writes_yaml_to_stdout_by_default(db):
    run("load_checklist")
    out, _ = run("export_checklist")
    document = yaml.safe_load(out)
    assert document["key"] == DEFAULT_CHECKLIST_KEY
    assert len(document["items"]) == 105


def test_export_checklist_picks_the_asked_version(db, tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text(GOOD_YAML)
    run("import_checklist", str(path))
    path.write_text(GOOD_YAML.replace("title: UAT finished", "title: UAT done"))
    run("import_checklist", str(path))
    latest, _ = run("export_checklist", "--key", "small", "--format", "csv")
    first, _ = run("export_checklist", "--key", "small", "--version", "1", "--format", "csv")
    assert "UAT done" in latest
    assert "UAT finished" in first
    assert latest.splitlines()[0].startswith("section_key,section_title,section_order,item_key")


def test_export_checklist_xlsx_needs_an_output_file(db, tmp_path):
    run("load_checklist")
    with pytest.raises(CommandError, match="pass --output"):
        run("export_checklist", "--format", "xlsx")
    output = tmp_path / "checklist.xlsx"
    _, err = run("export_checklist", "--format", "xlsx", "--output", str(output))
    assert f"to {output}" in err
    assert load_workbook(output)["Items"].max_row == 106


def test_export_checklist_unknown_key_or_version(db):
    run("load_checklist")
    with pytest.raises(CommandError, match="no checklist template with key 'nope'"):
        run("export_checklist", "--key", "nope")
    with pytest.raises(CommandError, match="no version 7 of checklist template"):
        run("export_checklist", "--version", "7")
