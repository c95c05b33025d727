import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from projects.models import Role
from reviews.models import ItemEvidence, ReviewItemChange
from tests.factories import make_review


@pytest.fixture
def item(project, members):
    return make_review(project).items.get(key="item-0-1")


def add_url(item):
    return reverse("reviews:evidence_add", args=[item.review.project_id, item.review_id, item.pk])


def pdf(name="uat-report.pdf", body=b"%PDF-1.4 report"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def test_upload_and_download_by_member(client_for, members, item):
    client = client_for(members[Role.FACILITATOR])
    response = client.post(add_url(item), {"title": "UAT report", "file": pdf()}, follow=True)
    assert "Evidence added." in response.text
    evidence = ItemEvidence.objects.get()
    download = client_for(members[Role.VIEWER]).get(
        reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 report"
    assert "attachment" in download["Content-Disposition"]
    assert ReviewItemChange.objects.get(item=item).note == "Evidence added"


def test_download_refused_to_non_members(client_for, members, item, outsider):
    evidence = ItemEvidence(item=item, title="x", added_by=members[Role.FACILITATOR])
    evidence.file.save("x.pdf", pdf().file, save=True)
    url = reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk])
    assert client_for(outsider).get(url).status_code == 404


def test_link_evidence(client_for, members, item):
    client_for(members[Role.FACILITATOR]).post(
        add_url(item), {"url": "https://wiki.example.com/uat"}
    )
    assert ItemEvidence.objects.get().url == "https://wiki.example.com/uat"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("tool.exe", b"MZ...."), "Files of type .exe are not accepted"),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf"), "does not look like a .pdf file"),
        (SimpleUploadedFile("empty.txt", b""), "The submitted file is empty."),
    ],
)
def test_bad_uploads_are_refused_with_a_message(client_for, members, item, upload, message):
    response = client_for(members[Role.FACILITATOR]).post(
        add_url(item), {"file": upload}, follow=True
    )
    assert message in response.text
    assert not ItemEvidence.objects.exists()


def test_upload_above_size_limit_is_refused(client_for, members, item, settings):
    settings.EVIDENCE_MAX_BYTES = 10
    response = client_for(members[Role.FACILITATOR]).post(
        add_url(item), {"file": pdf(body=b"%PDF-1.4 " + b"x" * 50)}, follow=True
    )
    assert "larger than the" in response.text
    assert not ItemEvidence.objects.exists()


def test_removed_evidence_is_hidden_but_kept(client_for, members, item):
    client = client_for(members[Role.FACILITATOR])
    client.post(add_url(item), {"title": "Plan", "file": pdf()})
    evidence = ItemEvidence.objects.get()
    client.post(reverse("reviews:evidence_remove", args=[item.review.project_id, evidence.pk]))
    evidence.refresh_from_db()
    assert evidence.removed_at is not None
    page = client.get(item.get_absolute_url())
    assert "No evidence yet." in page.text
    url = reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk])
    assert client.get(url).status_code == 404


def test_viewer_cannot_add_evidence(client_for, members, item):
    response = client_for(members[Role.VIEWER]).post(
        add_url(item), {"url": "https://x.example.com"}
    )
    assert response.status_code == 403


# --- Link evidence: an interstitial, never a bare redirect (issue 12) ------------------------


def _link(item, members, url="https://evil.example/sharepoint/login?next=x", title="UAT report"):
    return ItemEvidence.objects.create(
        item=item, url=url, title=title, added_by=members[Role.CONTRIBUTOR]
    )


def test_link_evidence_opens_a_page_saying_where_it_leads(client_for, members, item):
    evidence = _link(item, members)
    url = reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk])
    response = client_for(members[Role.VIEWER]).get(url)
    assert response.status_code == 200  # not a redirect to the stored address
    page = response.text
    assert "You are leaving readiness for" in page
    assert "<strong>evil.example</strong>" in page
    assert "https://evil.example/sharepoint/login?next=x" in page
    assert f"Added by {members[Role.CONTRIBUTOR]}" in page
    assert (
        'href="https://evil.example/sharepoint/login?next=x" rel="noopener noreferrer nofollow"'
        in page
    )
    assert item.get_absolute_url() in page  # the way back


def test_the_item_page_links_evidence_through_the_interstitial_and_shows_the_host(
    client_for, members, item
):
    evidence = _link(item, members, title="Our wiki")
    page = client_for(members[Role.VIEWER]).get(item.get_absolute_url()).text
    assert 'href="https://evil.example' not in page
    assert reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk]) in page
    assert "evil.example" in page


def test_a_stored_address_that_is_not_http_is_shown_but_not_linked(client_for, members, item):
    evidence = _link(item, members, url="javascript:alert(1)")
    url = reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk])
    response = client_for(members[Role.VIEWER]).get(url)
    assert response.status_code == 200
    assert 'href="javascript:' not in response.text
    assert "cannot be opened from here" in response.text


@pytest.mark.parametrize("stem", ["a" * 300, "é" * 200, "報告" * 100])
def test_a_file_name_longer_than_the_disk_allows_is_stored_under_a_shorter_one(
    client_for, members, item, stem
):
    """Found by fuzzing: a name over 255 bytes was a 500 ("File name too long")."""
    client = client_for(members[Role.FACILITATOR])
    response = client.post(add_url(item), {"file": pdf(f"{stem}.pdf")}, follow=True)
    assert "Evidence added." in response.text
    evidence = ItemEvidence.objects.get()
    stored = evidence.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".pdf")
    assert len(stored.encode()) <= 120
    download = client.get(
        reverse("reviews:evidence_download", args=[item.review.project_id, evidence.pk])
    )
    assert b"".join(download.streaming_content) == b"%PDF-1.4 report"
