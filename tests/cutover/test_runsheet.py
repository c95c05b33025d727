"""Run sheet import and export: a round trip, and files that are refused whole, by line."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cutover.models import PlanVersion, Step
from cutover.runsheet import COLUMNS, RunSheetError, parse_run_sheet
from cutover.services import runsheet_import, step_update, steps_from_typical
from projects.models import Role

pytestmark = pytest.mark.django_db

HEADER = ",".join(COLUMNS)


def sheet(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def row(number, title="Step", duration="30", predecessors="", owner="", **extra):
    values = {"number": str(number), "title": title, "category": "deployment",
              "owner_email": owner, "duration_minutes": duration, "predecessors": predecessors}  # fmt: skip
    values.update(extra)
    return ",".join(_csv(values.get(column, "")) for column in COLUMNS)


def _csv(value):
    buffer = io.StringIO()
    csv.writer(buffer).writerow([value])
    return buffer.getvalue().strip("\r\n")


def import_csv(plan_version, user, data):
    return runsheet_import(plan_version=plan_version, acting_user=user, data=data, fmt="csv")


def refused(plan_version, user, data, fmt="csv"):
    with pytest.raises(RunSheetError) as error:
        runsheet_import(plan_version=plan_version, acting_user=user, data=data, fmt=fmt)
    return [str(problem) for problem in error.value.errors]


def export(client, project, version, fmt):
    response = client.get(reverse("cutover:export", args=[project.pk, version.number, fmt]))
    assert response.status_code == 200
    return response.content


def snapshot(version):
    """Everything a run sheet carries, by step number."""
    return {
        step.number: (
            step.title, step.category, step.owner_id, step.backup_owner_id, step.duration_minutes,
            sorted(step.predecessor_links.values_list("predecessor__number", flat=True)),
            step.fixed_start, step.is_checkpoint, step.checkpoint_criteria, step.verification,
            step.instructions, step.rollback_step.number if step.rollback_step else None,
            step.is_rollback,
        )
        for step in version.steps.order_by("number")
    }  # fmt: skip


@pytest.fixture
def typical(plan_version, members):
    pm = members[Role.PROJECT_MANAGER]
    version = steps_from_typical(plan_version=plan_version, acting_user=pm)
    # Some of everything: an owner with a backup, a fixed start, formula-like text.
    step = version.steps.get(number=14)
    step_update(
        step=step, acting_user=pm, version=step.version, owner=members[Role.CONTRIBUTOR],
        backup_owner=pm, fixed_start=version.window_start.replace(hour=21, minute=30),
        instructions="=HYPERLINK(\"http://evil\") and a, comma; and \"quotes\"\nover two lines",
    )  # fmt: skip
    return PlanVersion.objects.get(pk=version.pk)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_runsheet_round_trip(client_for, project, members, typical, fmt):
    pm = members[Role.PROJECT_MANAGER]
    before = snapshot(typical)
    data = export(client_for(pm), project, typical, fmt)
    if fmt == "csv":
        assert "'=HYPERLINK" in data.decode("utf-8-sig")  # neutralised for spreadsheets
    runsheet_import(plan_version=typical, acting_user=pm, data=data, fmt=fmt)
    assert snapshot(PlanVersion.objects.get(pk=typical.pk)) == before


def test_xlsx_export_is_a_run_sheet(client_for, project, members, typical):
    workbook = load_workbook(
        io.BytesIO(export(client_for(members[Role.VIEWER]), project, typical, "xlsx"))
    )
    sheet = workbook["Run sheet"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == 29
    assert rows[14][4] == members[Role.PROJECT_MANAGER].email
    assert sheet["L15"].data_type == "s"  # formula-like text stays text


def test_import_replaces_the_steps_and_records_it(plan_version, three_steps, members, project):
    contributor = members[Role.CONTRIBUTOR]
    version = import_csv(plan_version, members[Role.PROJECT_MANAGER], sheet(
        row(1, "Freeze", owner=contributor.email.upper()),
        row(2, "Load", duration="240", predecessors="1"),
        row(3, "Check", predecessors="1;2", checkpoint="yes", checkpoint_criteria="All green"),
        row(4, "Undo", is_rollback="yes"),
        row(5, "Restore", predecessors="4", is_rollback="yes"),
    ))  # fmt: skip
    assert version.steps.count() == 5
    assert version.steps.get(number=1).owner == contributor
    assert version.steps.get(number=3).is_checkpoint
    assert "Run sheet imported: 5 steps." in version.changes.order_by("-pk").first().note


def test_import_headers_are_forgiving(plan_version, members):
    header = "Number,Title,Duration minutes,Owner e-mail"
    version = import_csv(plan_version, members[Role.PROJECT_MANAGER],
                         sheet("1,Freeze,30,", header=header))  # fmt: skip
    assert version.steps.get().title == "Freeze"


def test_import_refuses_a_cycle(plan_version, members):
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], sheet(
        row(1), row(2, predecessors="1;3"), row(3, predecessors="2"),
    ))  # fmt: skip
    assert problems == [
        "line 3: predecessors: the steps wait for each other in a loop: Step 2 → 3 → 2"
    ]
    assert not Step.objects.exists()


def test_import_refuses_an_unknown_owner(plan_version, members, outsider):
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], sheet(
        row(1, owner="nobody@example.com"), row(2, owner=outsider.email),
    ))  # fmt: skip
    assert problems == [
        "line 2: owner_email: nobody@example.com is not a member of the project",
        f"line 3: owner_email: {outsider.email} is not a member of the project",
    ]


def test_import_refuses_duplicate_numbers_and_unknown_predecessors(plan_version, members):
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], sheet(
        row(1), row(1, "Again"), row(2, predecessors="9"),
    ))  # fmt: skip
    assert problems == [
        "line 3: number: step 1 is already on line 2",
        "line 4: predecessors: there is no step 9",
    ]


@pytest.mark.parametrize(
    ("duration", "message"),
    [("ninety", "'ninety' is not a whole number from 0 to 10080"),
     ("-5", "'-5' is not a whole number from 0 to 10080"),
     ("99999", "'99999' is not a whole number from 0 to 10080"),
     ("", "duration_minutes: is empty")],
)  # fmt: skip
def test_import_refuses_a_bad_duration(plan_version, members, duration, message):
    problems = refused(
        plan_version, members[Role.PROJECT_MANAGER], sheet(row(1, duration=duration))
    )
    assert len(problems) == 1
    assert problems[0].startswith("line 2: duration_minutes")
    assert message in problems[0]


def test_import_lists_every_problem_with_its_line(plan_version, members):
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], sheet(
        row(1, title=""), row(2, category="plumbing"), row(3, checkpoint="maybe"),
        row(4, fixed_start="next friday"), row(5, rollback_step="1"),
    ))  # fmt: skip
    assert [problem.split(":")[0] for problem in problems] == [
        "line 2", "line 3", "line 4", "line 5", "line 6",
    ]  # fmt: skip
    assert "title: is empty" in problems[0]
    assert "unknown category 'plumbing'" in problems[1]
    assert "step 1 is not marked is_rollback" in problems[4]


def test_import_refuses_a_fixed_start_outside_the_window(plan_version, members):
    late = plan_version.window_end.astimezone(plan_version.tz).replace(tzinfo=None)
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], sheet(
        row(1, fixed_start=f"{late:%Y-%m-%d} 23:59"),
    ))  # fmt: skip
    assert problems == ["line 2: fixed_start: a fixed start is inside the window"]


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"%PDF-1.4 not a sheet", "xlsx", "not an XLSX file"),
        (b"\xff\xfe\x00n\x00u", "csv", "UTF-16"),
        (b"title;duration\nA;3\n", "csv", "unknown columns"),
        (b"", "csv", "the file is empty"),
        (HEADER.encode() + b"\n", "csv", "the file has no steps"),
    ],
    ids=["pdf-as-xlsx", "utf16", "semicolons", "empty", "header-only"],
)
def test_import_refuses_what_is_not_a_run_sheet(plan_version, members, data, fmt, message):
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], data, fmt=fmt)
    assert any(message in problem for problem in problems), problems


def test_import_refuses_an_xlsx_that_unpacks_too_far(plan_version, members):
    from core.tabular import XLSX_MAX_UNCOMPRESSED_BYTES

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (XLSX_MAX_UNCOMPRESSED_BYTES + 1))
    problems = refused(plan_version, members[Role.PROJECT_MANAGER], buffer.getvalue(), fmt="xlsx")
    assert problems == ["line 1: the XLSX file unpacks to more than 20 MB or 200 parts; "
                        "save only the run sheet in it"]  # fmt: skip


def test_import_reads_the_run_sheet_tab_of_a_workbook(plan_version, members):
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["not", "this"])
    tab = workbook.create_sheet("Run sheet")
    tab.append(list(COLUMNS))
    tab.append([1, "Freeze", "business", None, None, 45])
    buffer = io.BytesIO()
    workbook.save(buffer)
    version = runsheet_import(plan_version=plan_version, acting_user=members[Role.PROJECT_MANAGER],
                              data=buffer.getvalue(), fmt="xlsx")  # fmt: skip
    assert version.steps.get().duration_minutes == 45


def test_parse_reads_times_in_the_plan_time_zone():
    rows = parse_run_sheet(
        data=sheet(row(1, fixed_start="2026-07-03 18:00")), fmt="csv", time_zone="Europe/London"
    )
    assert rows[0].fixed_start.isoformat() == "2026-07-03T18:00:00+01:00"


def test_import_page_lists_the_problems_and_keeps_the_plan(
    client_for, project, members, three_steps
):
    client = client_for(members[Role.PROJECT_MANAGER])
    upload = SimpleUploadedFile("run.csv", sheet(row(1), row(2, predecessors="2")), "text/csv")
    response = client.post(reverse("cutover:import", args=[project.pk]), {"file": upload})
    assert response.status_code == 400
    assert "Nothing was imported" in response.text
    assert "Line 3: predecessors: a step cannot wait for itself" in response.text
    assert Step.objects.count() == 3


def test_import_page_refuses_another_file_type(client_for, project, members, plan_version):
    upload = SimpleUploadedFile("run.pdf", b"%PDF-1.4", "application/pdf")
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        reverse("cutover:import", args=[project.pk]), {"file": upload}
    )
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.text


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_plan_editors_import(client_for, project, members, plan_version, role):
    upload = SimpleUploadedFile("run.csv", sheet(row(1)), "text/csv")
    response = client_for(members[role]).post(
        reverse("cutover:import", args=[project.pk]), {"file": upload}
    )
    assert response.status_code == 403
    assert not Step.objects.exists()
