import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from projects.models import Role
from tests.factories import MitigationActionFactory, RiskFactory


@pytest.fixture
def register(project, members):
    raiser = members[Role.FACILITATOR]
    project.name = "Contoso F&O"
    project.save()
    high = RiskFactory(project=project, title="=HYPERLINK(evil)", likelihood=4, impact=4,
                       raised_by=raiser)  # fmt: skip
    MitigationActionFactory(risk=high, owner=members[Role.CONTRIBUTOR], description="Fix it")
    MitigationActionFactory(risk=high, owner=members[Role.APPROVER], description="Check it")
    low = RiskFactory(project=project, title="Minor", likelihood=1, impact=2, raised_by=raiser)
    MitigationActionFactory(risk=low, owner=members[Role.CONTRIBUTOR], description="Note it")
    RiskFactory(project=project, title="Issue now", type="issue", likelihood=5, impact=5,
                raised_by=raiser)  # fmt: skip
    RiskFactory(title="Someone else's")
    return {"high": high, "low": low}


def _xlsx_rows(response):
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_register_xlsx_contains_exactly_the_filtered_rows(client_for, project, members, register):
    url = reverse("risks:register_xlsx", args=[project.pk])
    response = client_for(members[Role.VIEWER]).get(url, {"type": "risk", "sort": "-score"})
    assert response.status_code == 200
    today = timezone.localdate().isoformat()
    assert (
        response["Content-Disposition"] == f'attachment; filename="contoso-fo-risks-{today}.xlsx"'
    )
    rows = _xlsx_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Ref", "Title", "Type"]
    assert [row[1] for row in body] == ["=HYPERLINK(evil)", "Minor"]  # text, not a formula
    assert body[0][header.index("Score")] == 16
    assert body[0][header.index("Severity")] == "High"
    assert body[0][header.index("Open actions")] == 2


def test_register_csv_respects_filters_and_neutralises_formulas(
    client_for, project, members, register
):
    url = reverse("risks:register_csv", args=[project.pk])
    response = client_for(members[Role.VIEWER]).get(url, {"severity": "high"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["'=HYPERLINK(evil)"]


def test_register_export_matches_the_register_page(client_for, project, members, register):
    client = client_for(members[Role.PROJECT_MANAGER])
    params = {"likelihood": 1, "impact": 2}
    page = client.get(reverse("risks:register", args=[project.pk]), params).text
    rows = _xlsx_rows(client.get(reverse("risks:register_xlsx", args=[project.pk]), params))
    assert [row[0] for row in rows[1:]] == [register["low"].reference]
    assert "1 finding match the filters" in page


def test_actions_exports_follow_the_register_filters(client_for, project, members, register):
    client = client_for(members[Role.CONTRIBUTOR])
    xlsx = client.get(reverse("risks:actions_xlsx", args=[project.pk]), {"severity": "high"})
    assert "-actions-" in xlsx["Content-Disposition"]
    assert sorted(row[2] for row in _xlsx_rows(xlsx)[1:]) == ["Check it", "Fix it"]
    by_owner = client.get(
        reverse("risks:actions_csv", args=[project.pk]), {"owner": members[Role.CONTRIBUTOR].pk}
    )
    rows = list(csv.reader(io.StringIO(by_owner.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Finding", "Finding title", "Action", "Owner"]
    assert sorted(row[2] for row in rows[1:]) == ["Fix it", "Note it"]


def test_exports_are_404_for_non_members(client_for, project, register, outsider):
    client = client_for(outsider)
    for name in ("register_csv", "register_xlsx", "actions_csv", "actions_xlsx"):
        assert client.get(reverse(f"risks:{name}", args=[project.pk])).status_code == 404
