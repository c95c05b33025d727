"""Request bodies are capped, and an evidence upload stops once it passes the limit (issue 12).

A 200 MiB upload was received whole (written to a temporary file) before the size check
refused it. An upload handler now counts the bytes as they arrive and stops reading at
the limit; other request bodies are capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
"""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Role
from reviews.models import ItemEvidence
from tests.factories import make_review

ROOT = Path(__file__).resolve().parents[2]
F = Role.FACILITATOR


@pytest.fixture
def item(project, members):
    return make_review(project).items.get(key="item-0-1")


def add_url(item):
    return reverse("reviews:evidence_add", args=[item.review.project_id, item.review_id, item.pk])


def test_an_upload_over_the_limit_stops_being_read_as_it_arrives(
    client_for, members, item, settings
):
    settings.EVIDENCE_MAX_BYTES = 100 * 1024
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"x" * (4 * 1024 * 1024))
    response = client_for(members[F]).post(add_url(item), {"title": "Big", "file": big})
    read = response.wsgi_request._stream._pos  # bytes of the body the server read
    assert read < 400 * 1024, f"{read} bytes of a 4 MiB upload were read"
    assert response.status_code == 302
    assert not ItemEvidence.objects.exists()
    page = client_for(members[F]).get(response["Location"])
    assert "The file is larger than the 0.1 MB limit; nothing was uploaded." in page.text


def test_an_upload_under_the_limit_is_stored_whole(client_for, members, item, settings):
    settings.EVIDENCE_MAX_BYTES = 3 * 1024 * 1024
    body = b"%PDF-1.4 " + b"y" * (3 * 1024 * 1024 - 20)
    response = client_for(members[F]).post(
        add_url(item), {"file": SimpleUploadedFile("plan.pdf", body)}
    )
    assert response.status_code == 302
    assert ItemEvidence.objects.get().file.read() == body


def test_a_form_body_over_the_data_limit_is_refused(client_for, members, item):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2.5 * 1024 * 1024
    url = reverse("reviews:item_detail", args=[item.review.project_id, item.review_id, item.pk])
    response = client_for(members[F]).post(
        url, {"response": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 400


def test_compose_caps_what_gunicorn_reads_of_a_request():
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"][
        "command"
    ]
    for option in ("--limit-request-line", "--limit-request-fields", "--limit-request-field_size"):
        assert option in command, option


def test_a_checklist_upload_far_over_any_limit_is_stopped_and_said_so(admin_client, settings):
    settings.EVIDENCE_MAX_BYTES = 100 * 1024
    big = SimpleUploadedFile("huge.yaml", b"#" * (4 * 1024 * 1024))
    response = admin_client.post(reverse("admin:reviews_checklisttemplate_import"), {"file": big})
    assert response.wsgi_request._stream._pos < 400 * 1024
    assert "The file is larger than the 0.1 MB limit; nothing was uploaded." in response.text
