"""The project's logo and confidentiality line, set on the project form for the summary PDF."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from projects.logos import LOGO_MAX_BYTES
from projects.models import Project, Role


def image_file(name="logo.png", image_format="PNG", size=(300, 90)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 120, 212)).save(buffer, image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def form_data(project, **extra):
    return {
        "name": project.name, "customer": project.customer, "phase": project.phase,
        "go_live_date": project.go_live_date.isoformat(),
        "scopes": [], "reminder_due_soon_days": 3, "escalation_after_days": 5,
        "vote_rule": "all", "votes_required": 1, **extra,
    }  # fmt: skip


def edit(client_for, members, project, role=Role.PROJECT_MANAGER, **extra):
    url = reverse("projects:project_edit", args=[project.pk])
    return client_for(members[role]).post(url, form_data(project, **extra))


def test_the_edit_form_uploads_files_and_offers_logo_and_confidentiality_line(
    client_for, project, members
):
    url = reverse("projects:project_edit", args=[project.pk])
    page = client_for(members[Role.PROJECT_MANAGER]).get(url).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert 'name="logo"' in page
    assert 'accept="image/png,image/jpeg"' in page
    assert 'name="confidentiality_note"' in page
    assert 'name="remove_logo"' not in page  # nothing to remove yet


def test_a_png_logo_and_a_confidentiality_line_are_saved(client_for, project, members):
    response = edit(client_for, members, project, logo=image_file(),
                    confidentiality_note="Confidential: Contoso internal")  # fmt: skip
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.confidentiality_note == "Confidential: Contoso internal"
    assert project.logo.name.startswith(f"logos/project-{project.pk}/")
    with project.logo.storage.open(project.logo.name, "rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"
    page = client_for(members[Role.PROJECT_MANAGER]).get(
        reverse("projects:project_edit", args=[project.pk])
    )
    assert 'name="remove_logo"' in page.content.decode()
    assert project.logo.url not in page.content.decode()  # the media folder is not served


def test_a_jpeg_logo_is_accepted(client_for, project, members):
    response = edit(client_for, members, project, logo=image_file("logo.jpg", "JPEG"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.logo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (image_file("logo.gif", "GIF"), "The logo must be a PNG or JPEG image; this one is GIF."),
        (SimpleUploadedFile("logo.png", b"not an image at all", content_type="image/png"),
         "This file is not a PNG or JPEG image we can read."),
        (image_file(size=(4500, 20)), "at most 4000 pixels on the longer side"),
    ],
    ids=["gif", "not-an-image", "too-many-pixels"],
)  # fmt: skip
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused_with_a_reason(
    client_for, project, members, upload, message
):
    response = edit(client_for, members, project, logo=upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    project.refresh_from_db()
    assert not project.logo


def test_a_logo_over_the_size_cap_is_refused(client_for, project, members):
    png = image_file().read()
    padded = png + b"\0" * (LOGO_MAX_BYTES + 1 - len(png))  # still a PNG, one byte too big
    upload = SimpleUploadedFile("logo.png", padded, content_type="image/png")
    response = edit(client_for, members, project, logo=upload)
    assert response.status_code == 200
    assert "the limit is 1.0\xa0MB" in response.content.decode()
    project.refresh_from_db()
    assert not project.logo


def test_replacing_or_removing_the_logo_deletes_the_old_file(
    client_for, project, members, django_capture_on_commit_callbacks
):
    edit(client_for, members, project, logo=image_file("first.png"))
    project.refresh_from_db()
    first = project.logo.name
    storage = project.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        edit(client_for, members, project, logo=image_file("second.png"))
    project.refresh_from_db()
    second = project.logo.name
    assert second != first
    assert not storage.exists(first)
    assert storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        response = edit(client_for, members, project, remove_logo="on")
    assert response.status_code == 302
    project.refresh_from_db()
    assert not project.logo
    assert not storage.exists(second)


def test_a_new_logo_and_remove_at_once_is_refused(client_for, project, members):
    edit(client_for, members, project, logo=image_file())
    response = edit(client_for, members, project, logo=image_file("other.png"), remove_logo="on")
    assert response.status_code == 200
    assert "Choose a new logo or remove the current one, not both." in response.content.decode()


def test_only_who_may_edit_the_project_sets_its_logo(client_for, project, members):
    response = edit(client_for, members, project, role=Role.VIEWER, logo=image_file())
    assert response.status_code == 403
    project.refresh_from_db()
    assert not project.logo


def test_a_new_project_can_start_with_its_logo(client_for, members, project):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        reverse("projects:project_create"),
        {**form_data(project), "name": "With a logo", "logo": image_file()},
    )
    assert response.status_code == 302
    created = Project.objects.get(name="With a logo")
    assert created.logo.name.startswith(f"logos/project-{created.pk}/")
