"""Checklist templates in the admin: import page, export links, list page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from reviews.models import ChecklistTemplate
from reviews.services.checklists import checklist_import, checklist_load_default
from tests.factories import UserFactory
from tests.reviews.test_checklist_import_export import GOOD_ROWS, GOOD_YAML, csv_file

IMPORT_URL = reverse("admin:reviews_checklisttemplate_import")


@pytest.fixture
def staff_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def upload(name, data):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_import_page_shows_the_form(staff_client):
    response = staff_client.get(IMPORT_URL)
    assert response.status_code == 200
    assert "Import checklist" in response.text
    assert 'type="file"' in response.text


def test_bad_csv_shows_every_line_numbered_error_and_imports_nothing(staff_client):
    rows = [
        "testing,Testing,1,uat-done,,,blocker,yes,,all,1",
        "testing,,,sit-done,SIT finished,,high,no,,finance,2",
        "people,People,2,training,Users trained,,medium,no,,all,1",
    ]
    response = staff_client.post(IMPORT_URL, {"file": upload("bad.csv", csv_file(*rows))})
    assert response.status_code == 200
    assert "Nothing was imported: the file has 2 problems." in response.text
    assert "<td>Line 2</td><td>title: is empty</td>" in response.text
    assert "<td>Line 3</td><td>scopes: unknown scope &#x27;finance&#x27;" in response.text
    assert not ChecklistTemplate.objects.exists()


def test_latin1_upload_shows_the_encoding_error(staff_client):
    data = csv_file(*GOOD_ROWS).decode().replace("UAT finished", "Recette terminée")
    response = staff_client.post(IMPORT_URL, {"file": upload("latin.csv", data.encode("latin-1"))})
    assert response.status_code == 200
    assert "<td>Line 2</td><td>not UTF-8 text; save the file as UTF-8</td>" in response.text
    assert not ChecklistTemplate.objects.exists()


def test_good_csv_creates_a_template_and_says_so(staff_client):
    response = staff_client.post(
        IMPORT_URL,
        {"file": upload("Go live.csv", csv_file(*GOOD_ROWS)), "name": "Go-live basics"},
        follow=True,
    )
    template = ChecklistTemplate.objects.get()
    assert (template.key, template.name, template.version) == ("go-live", "Go-live basics", 1)
    assert template.items.count() == 3
    assert response.redirect_chain[-1][0] == reverse(
        "admin:reviews_checklisttemplate_change", args=[template.pk]
    )
    assert "Imported Go-live basics (v1) with 3 items from Go live.csv" in response.text
    assert "UAT finished" in response.text  # the items inline


def test_yaml_upload_with_key_makes_next_version(staff_client):
    checklist_import(data=GOOD_YAML.encode(), fmt="yaml")
    staff_client.post(
        IMPORT_URL, {"file": upload("anything.yaml", GOOD_YAML.encode()), "key": "small"}
    )
    assert list(ChecklistTemplate.objects.values_list("version", "active")) == [
        (2, True),
        (1, False),
    ]


def test_upload_with_unknown_extension_asks_for_the_format(staff_client):
    response = staff_client.post(IMPORT_URL, {"file": upload("list.txt", GOOD_YAML.encode())})
    assert response.status_code == 200
    assert "Cannot tell from the file name; choose YAML, CSV or XLSX." in response.text
    assert not ChecklistTemplate.objects.exists()


def test_add_button_leads_to_import(staff_client):
    changelist = staff_client.get(reverse("admin:reviews_checklisttemplate_changelist"))
    assert IMPORT_URL in changelist.text
    assert "Import checklist" in changelist.text
    response = staff_client.get(reverse("admin:reviews_checklisttemplate_add"))
    assert response.status_code == 302
    assert response.url == IMPORT_URL


def test_non_staff_user_cannot_import(client, db):
    client.force_login(UserFactory())
    response = client.post(IMPORT_URL, {"file": upload("x.yaml", GOOD_YAML.encode())})
    assert response.status_code == 302
    assert "/admin/login/" in response.url
    assert not ChecklistTemplate.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("yaml", "application/yaml; charset=utf-8"),
        ("csv", "text/csv; charset=utf-8"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_export_links_download_the_template(staff_client, fmt, content_type):
    template, _ = checklist_load_default()
    change_page = staff_client.get(
        reverse("admin:reviews_checklisttemplate_change", args=[template.pk])
    )
    url = reverse("admin:reviews_checklisttemplate_export", args=[template.pk, fmt])
    assert url in change_page.text
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="success-by-design-go-live-v1.{fmt}"'
    )
    if fmt == "xlsx":
        assert load_workbook(io.BytesIO(response.content))["Items"].max_row == 106
    else:
        assert b"glr-review-scheduled" in response.content


def test_export_of_unknown_format_is_not_found(staff_client):
    template, _ = checklist_load_default()
    url = reverse("admin:reviews_checklisttemplate_export", args=[template.pk, "pdf"])
    assert staff_client.get(url).status_code == 404


def test_template_list_shows_item_counts_in_constant_queries(staff_client):
    url = reverse("admin:reviews_checklisttemplate_changelist")
    checklist_load_default()
    with CaptureQueriesContext(connection) as one_template:
        response = staff_client.get(url)
    assert '<td class="field-item_count">105</td>' in response.text
    for _ in range(3):
        checklist_import(data=GOOD_YAML.encode(), fmt="yaml")
    with CaptureQueriesContext(connection) as four_templates:
        response = staff_client.get(url)
    assert response.text.count('<td class="field-item_count">2</td>') == 3
    assert len(four_templates) == len(one_template)
