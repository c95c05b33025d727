"""Evidence files, logos and summary PDFs in an S3-compatible bucket (issue 17 §2).

The bucket is moto's standalone server, started in this process on 127.0.0.1 and a free
port and spoken to over HTTP, as to any bucket. moto 5 checks neither the signature nor
the expiry of a presigned URL (it serves a tampered or expired one), so the presigned
links are checked here by recomputing their AWS Signature V4 (``sigv4_refusal``), the check
a real bucket makes; moto does refuse the object's bare URL (the bucket is private).
"""

import datetime
import hashlib
import hmac
import io
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, quote, urlsplit

import pytest
from botocore.response import StreamingBody
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from core import storage_settings
from projects.models import Role
from reviews.models import ItemEvidence
from summaries.models import SummaryReport
from summaries.services import summary_send
from tests.factories import make_review, make_summary
from tests.s3_server import CREDENTIALS, bucket_storages, new_bucket, s3_client, s3_server

F, V = Role.FACILITATOR, Role.VIEWER
EVIDENCE = b"%PDF-1.4\n" + os.urandom(300 * 1024)


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3_server() as endpoint:
        yield endpoint


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A new empty bucket, the site's default storage for this test; yields its name."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = new_bucket(s3_endpoint)
    settings.STORAGES = bucket_storages(settings.STORAGES, s3_endpoint, name)
    return name


def keys(endpoint, bucket):
    listed = s3_client(endpoint).list_objects_v2(Bucket=bucket)
    return sorted(entry["Key"] for entry in listed.get("Contents", []))


def fetch(url):
    """(status, headers, body) of a plain GET, as a browser following the redirect would."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our moto URL
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def sigv4_refusal(url, *, secret, now):
    """Why a bucket would refuse this presigned GET at ``now``, or None: its AWS Signature
    V4 (query-string form) recomputed from the secret key, then its expiry."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    signature = query.pop("X-Amz-Signature", "")
    canonical_query = "&".join(
        f"{quote(key, safe='-_.~')}={quote(value, safe='-_.~')}"
        for key, value in sorted(query.items())
    )
    canonical_request = "\n".join(
        ["GET", parts.path, canonical_query, f"host:{parts.netloc}", "", "host", "UNSIGNED-PAYLOAD"]
    )
    signed_at = query["X-Amz-Date"]
    scope = query["X-Amz-Credential"].split("/", 1)[1]
    string_to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            signed_at,
            scope,
            hashlib.sha256(canonical_request.encode()).hexdigest(),
        ]
    )
    key = f"AWS4{secret}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "SignatureDoesNotMatch"
    signed = datetime.datetime.strptime(signed_at, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
    if now > signed + datetime.timedelta(seconds=int(query["X-Amz-Expires"])):
        return "Request has expired"
    return None


@pytest.fixture
def item(project, members):
    return make_review(project, acting_user=members[F]).items.get(key="item-0-1")


def upload_evidence(client, item, name="uat-report.pdf", body=EVIDENCE):
    url = reverse("reviews:evidence_add", args=[item.review.project_id, item.review_id, item.pk])
    upload = SimpleUploadedFile(name, body, content_type="application/pdf")
    response = client.post(url, {"title": "UAT report", "file": upload}, follow=True)
    assert "Evidence added." in response.text
    return ItemEvidence.objects.filter(item=item).latest("pk")


def download_url(evidence):
    return reverse("reviews:evidence_download", args=[evidence.item.review.project_id, evidence.pk])


# --- Configuration ---------------------------------------------------------------------------


def test_default_storage_is_the_local_folder_without_a_bucket():
    storage = storage_settings.default_storage({}, presigned_seconds=60)
    assert storage == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_default_storage_reads_a_storage_url():
    environ = {
        "STORAGE_URL": "s3://evidence/site-a?endpoint_url=https://minio:9000&region_name=eu-1"
    }
    storage = storage_settings.default_storage(environ, presigned_seconds=30)
    assert storage["BACKEND"] == "core.storage.BucketStorage"
    assert storage["OPTIONS"] | {
        "bucket_name": "evidence", "location": "site-a", "endpoint_url": "https://minio:9000",
        "region_name": "eu-1", "querystring_expire": 30, "file_overwrite": False,
    } == storage["OPTIONS"]  # fmt: skip


def test_default_storage_reads_the_aws_variables():
    environ = {"AWS_STORAGE_BUCKET_NAME": "evidence", "AWS_S3_REGION_NAME": "eu-west-1"}
    options = storage_settings.default_storage(environ, presigned_seconds=60)["OPTIONS"]
    assert (options["bucket_name"], options["region_name"]) == ("evidence", "eu-west-1")
    assert "endpoint_url" not in options


@pytest.mark.parametrize(
    ("environ", "seconds", "message"),
    [
        ({"STORAGE_URL": "s3://key:secret@evidence"}, 60, "carries no credentials"),
        ({"STORAGE_URL": "s3://evidence?acl=public-read"}, 60, "unknown option 'acl'"),
        ({"STORAGE_URL": "gs://evidence"}, 60, "must look like s3://"),
        ({"AWS_STORAGE_BUCKET_NAME": "evidence"}, 3600, "must expire within 60 seconds"),
    ],
)
def test_default_storage_refuses_a_wrong_configuration(environ, seconds, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        storage_settings.default_storage(environ, presigned_seconds=seconds)


def settings_in_a_new_process(**environ):
    """(exit code, output) of printing the default storage's backend, with these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))}
    clean |= {"DJANGO_SETTINGS_MODULE": "readiness.settings", "SECRET_KEY": "check", **environ}
    code = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=Path(__file__).resolve().parents[2], env=clean, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def test_the_site_uses_the_bucket_when_a_storage_url_is_set():
    assert settings_in_a_new_process() == (
        0, "django.core.files.storage.FileSystemStorage\n"
    )  # fmt: skip
    code, output = settings_in_a_new_process(STORAGE_URL="s3://evidence?region_name=eu-west-1")
    assert (code, output) == (0, "core.storage.BucketStorage\n")


def test_an_unknown_download_mode_is_a_clear_startup_error():
    code, output = settings_in_a_new_process(STORAGE_DOWNLOADS="proxy")
    assert code != 0
    assert "STORAGE_DOWNLOADS is 'proxy': 'stream' (default) or 'redirect'." in output


# --- Evidence --------------------------------------------------------------------------------


def test_evidence_uploaded_through_the_page_is_streamed_back_from_the_bucket(
    client_for, members, item, bucket, s3_endpoint, settings
):
    local_before = sorted(os.walk(settings.MEDIA_ROOT))
    evidence = upload_evidence(client_for(members[F]), item)
    assert keys(s3_endpoint, bucket) == [evidence.file.name]
    assert sorted(os.walk(settings.MEDIA_ROOT)) == local_before  # nothing on this host's disk

    response = client_for(members[V]).get(download_url(evidence))
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == EVIDENCE
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="uat-report.pdf"'
    assert response["Content-Length"] == str(len(EVIDENCE))
    # What the view streams: the object's body as it arrives, not a copy of the whole file.
    with evidence.file.storage.open(evidence.file.name) as handle:
        assert isinstance(handle.file, StreamingBody)
        assert handle.read(9) == b"%PDF-1.4\n"


def test_a_second_upload_of_the_same_name_keeps_the_first(
    client_for, members, item, bucket, s3_endpoint
):
    first = upload_evidence(client_for(members[F]), item, body=b"%PDF first")
    second = upload_evidence(client_for(members[F]), item, body=b"%PDF second")
    assert first.file.name != second.file.name
    assert len(keys(s3_endpoint, bucket)) == 2
    client = client_for(members[V])
    assert b"".join(client.get(download_url(first)).streaming_content) == b"%PDF first"


def test_evidence_missing_from_the_bucket_is_a_404(client_for, members, item, bucket, s3_endpoint):
    evidence = upload_evidence(client_for(members[F]), item)
    s3_client(s3_endpoint).delete_object(Bucket=bucket, Key=evidence.file.name)
    assert client_for(members[V]).get(download_url(evidence)).status_code == 404


def test_redirect_mode_sends_a_member_to_a_link_that_expires_within_a_minute(
    client_for, members, item, bucket, s3_endpoint, settings
):
    settings.STORAGE_DOWNLOADS = "redirect"
    evidence = upload_evidence(client_for(members[F]), item)
    response = client_for(members[V]).get(download_url(evidence))
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    link = response["Location"]
    assert link.startswith(f"{s3_endpoint}/{bucket}/{evidence.file.name}?")
    query = parse_qs(urlsplit(link).query)
    assert int(query["X-Amz-Expires"][0]) <= 60
    assert query["response-content-disposition"] == ['attachment; filename="uat-report.pdf"']

    status, headers, body = fetch(link)
    assert (status, body) == (200, EVIDENCE)
    assert headers["Content-Disposition"] == 'attachment; filename="uat-report.pdf"'
    assert headers["Content-Type"] == "application/pdf"
    assert fetch(link.split("?")[0])[0] == 403  # the bucket is private: no link, no file

    secret, now = CREDENTIALS["AWS_SECRET_ACCESS_KEY"], timezone.now()
    assert sigv4_refusal(link, secret=secret, now=now) is None
    assert sigv4_refusal(link, secret=secret, now=now + datetime.timedelta(seconds=61)) == (
        "Request has expired"
    )
    longer = link.replace("X-Amz-Expires=60", "X-Amz-Expires=3600")
    assert sigv4_refusal(longer, secret=secret, now=now) == "SignatureDoesNotMatch"
    assert sigv4_refusal(link, secret="another-secret", now=now) == "SignatureDoesNotMatch"


@pytest.mark.parametrize("mode", ["stream", "redirect"])
def test_a_non_member_gets_a_404_and_never_a_link(
    client_for, members, item, outsider, bucket, settings, mode
):
    evidence = upload_evidence(client_for(members[F]), item)
    settings.STORAGE_DOWNLOADS = mode
    response = client_for(outsider).get(download_url(evidence))
    assert response.status_code == 404
    assert "Location" not in response
    assert bucket not in response.content.decode()
    report = SummaryReport.objects.create(
        review=item.review, requested_by=members[F], status=SummaryReport.Status.READY,
        file=ContentFile(b"%PDF-1.4 summary", name="summary.pdf"),
    )  # fmt: skip
    url = reverse("summaries:summary_download", args=[item.review.project_id, report.pk])
    response = client_for(outsider).get(url)
    assert response.status_code == 404
    assert "Location" not in response


# --- Summary PDF and logo -------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["stream", "redirect"])
def test_the_summary_rendered_by_its_task_lands_in_the_bucket_and_downloads(
    client_for, project, members, item, bucket, s3_endpoint, settings, mode,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    logo = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(logo, format="PNG")
    project.logo.save("logo.png", ContentFile(logo.getvalue()), save=True)
    settings.STORAGE_DOWNLOADS = mode
    client = client_for(members[F])
    request_url = reverse("summaries:summary_request", args=[project.pk, item.review_id])
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly
        client.post(request_url, {})
    report = SummaryReport.objects.get(review=item.review)
    assert report.status == "ready", report.error
    assert report.file.name in keys(s3_endpoint, bucket)
    assert project.logo.name in keys(s3_endpoint, bucket)

    response = client_for(members[V]).get(
        reverse("summaries:summary_download", args=[project.pk, report.pk])
    )
    if mode == "stream":
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        document = b"".join(response.streaming_content)
    else:
        assert response.status_code == 302
        status, headers, document = fetch(response["Location"])
        assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert document.startswith(b"%PDF")
    assert (
        document
        == s3_client(s3_endpoint).get_object(Bucket=bucket, Key=report.file.name)["Body"].read()
    )


def test_the_summary_mailed_from_the_bucket_carries_the_whole_pdf(
    project, members, item, bucket, s3_endpoint
):
    report = make_summary(item.review, requested_by=members[F], recipients=[members[V]])
    SummaryReport.objects.filter(pk=report.pk).update(send_requested=True)
    summary_send(report_id=report.pk)
    ((_, content, kind),) = mail.outbox[0].attachments
    stored = s3_client(s3_endpoint).get_object(Bucket=bucket, Key=report.file.name)
    assert (kind, content) == ("application/pdf", stored["Body"].read())
    assert content.startswith(b"%PDF")


def test_a_stored_file_opened_again_is_read_from_its_start(bucket):
    name = default_storage.save("notes/a.txt", ContentFile(b"hello bucket"))
    with default_storage.open(name) as handle:
        assert (handle.size, handle.read(5)) == (12, b"hello")
        handle.open()
        assert handle.read() == b"hello bucket"
    with pytest.raises(FileNotFoundError):
        default_storage.open("notes/missing.txt")


def test_the_pdf_embeds_the_logo_read_from_the_bucket(project, bucket):
    from summaries.pdf import logo_data_uri

    logo = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(logo, format="PNG")
    project.logo.save("logo.png", ContentFile(logo.getvalue()), save=True)
    assert logo_data_uri(project).startswith("data:image/png;base64,iVBORw0KGgo")


def test_the_test_server_leaves_no_thread_or_port_behind():
    threads = set(threading.enumerate())
    with s3_server() as endpoint:
        assert fetch(f"{endpoint}/")[0] == 200
    assert set(threading.enumerate()) <= threads
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{endpoint}/", timeout=2)  # noqa: S310 - our moto URL
