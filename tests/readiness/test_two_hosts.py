"""Two web hosts and two workers sharing nothing but the database, Redis and a bucket
(issue 17 §3, the proof in CI's second pass).

The test starts a real S3-compatible server (moto's, tests/s3_server.py), two gunicorn
instances on two free ports and two Celery workers (tests/workers.py), each with its own
empty MEDIA_ROOT, all with the same SECRET_KEY, the pytest test database, REDIS_URL, the
bucket as STORAGE_URL and a queue of this run's own. A person then goes back and forth
between the two hosts over real HTTP: logs in on A, uses that session cookie on B to upload
evidence, downloads it from A, requests a summary on B, and downloads the PDF a worker
rendered from A. No host keeps a file on its own disk.

It skips on SQLite or without Redis (with the reason), and fails under REQUIRE_SERVICES=1
when a service or one of its servers does not start. Every process is stopped at the end,
pass or fail, and the tail of each log printed (pytest shows it when the test fails).
"""

import contextlib
import io
import os
import re
import socket
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from projects.models import Role
from tests.conftest import need_postgres, need_redis
from tests.s3_server import CREDENTIALS, REGION, new_bucket, s3_client, s3_server
from tests.workers import ROOT, _database_url, start_worker, stop_worker, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PASSWORD = "two-hosts-journey-password"
SECRET_KEY = "two-hosts-tests-only-secret-key"  # the same on every host
# Over FILE_UPLOAD_MAX_MEMORY_SIZE, so the upload passes through the web host's own
# temporary file on its way to the bucket.
EVIDENCE = b"%PDF-1.4\n" + os.urandom(3 * 1024 * 1024)
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_web(port, env, log_path):
    """``gunicorn`` on 127.0.0.1:``port`` (its own session, so it is stopped whole)."""
    log = log_path.open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "readiness.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--access-logfile", "-", "--error-logfile", "-"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    return process


def wait_until_serving(process, base_url, log_path, timeout=45):
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn on {base_url} exited ({process.returncode}); see {log_path}")
        with contextlib.suppress(requests.RequestException):  # not listening, or still loading
            health = requests.get(f"{base_url}/health/", timeout=20)
            if health.status_code == 200:
                assert health.json()["cache"] == "ok", health.json()  # Redis, not locmem
                return
        time.sleep(0.25)
    pytest.fail(f"gunicorn on {base_url} did not answer within {timeout} s")


def files_under(folder):
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


def csrf_token(response):
    assert response.status_code == 200, (response.status_code, response.url)
    match = CSRF_INPUT.search(response.text)
    assert match, f"no CSRF token in the form of {response.url}"
    return match.group(1)


@pytest.fixture
def hosts(tmp_path):
    """Start the bucket, two web hosts and two workers; yield what the journey needs."""
    redis_url = need_redis()
    need_postgres()
    queue = f"two-hosts-{os.getpid()}-{time.time_ns()}"
    folders = {name: tmp_path / name for name in ("media-a", "media-b", "media-w1", "media-w2")}
    for folder in folders.values():
        folder.mkdir()
    (tmp_path / "mail").mkdir()
    logs = {name: tmp_path / f"{name}.log" for name in ("web-a", "web-b", "worker-1", "worker-2")}
    processes = []
    with contextlib.ExitStack() as stack:

        @stack.callback
        def stop_all():
            for process in processes:  # all at once: each shuts down in a few seconds
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
            for process in processes:
                stop_worker(process)  # waits, and kills what is still running
            from django.db import connection

            connection.close()  # the servers' connections are gone; ours is reopened
            for name, log_path in logs.items():
                if log_path.exists():
                    print(f"--- {name} ---\n{log_path.read_text(errors='replace')[-4000:]}")

        endpoint = stack.enter_context(s3_server())
        bucket = new_bucket(endpoint)
        shared = {
            **os.environ,
            **CREDENTIALS,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "TEST_CELERY_QUEUE": queue,
            "SECRET_KEY": SECRET_KEY,
            "DEBUG": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "SECURE_HSTS_SECONDS": "0",
            "DATABASE_URL": _database_url(),
            "CONN_MAX_AGE": "0",
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "STORAGE_URL": f"s3://{bucket}?endpoint_url={endpoint}&region_name={REGION}",
            "EMAIL_URL": f"filemail:///{tmp_path / 'mail'}",
        }
        shared.pop("STORAGE_DOWNLOADS", None)  # streamed through the app (the default)
        web = {}
        for name, media in (("web-a", "media-a"), ("web-b", "media-b")):
            port = free_port()
            env = {
                **shared,
                "MEDIA_ROOT": str(folders[media]),
                "SITE_URL": f"http://127.0.0.1:{port}",
            }
            processes.append(start_web(port, env, logs[name]))
            web[name] = (processes[-1], f"http://127.0.0.1:{port}")
        for number in (1, 2):
            worker_env = {key: shared[key] for key in ("SECRET_KEY", "STORAGE_URL", "DEBUG")}
            processes.append(
                start_worker(
                    queue, tmp_path / "mail", logs[f"worker-{number}"],
                    name=f"w{number}@two-hosts", loglevel="info",
                    MEDIA_ROOT=str(folders[f"media-w{number}"]), **CREDENTIALS, **worker_env,
                )
            )  # fmt: skip
        for name, (process, base_url) in web.items():
            wait_until_serving(process, base_url, logs[name])
        yield {
            "a": web["web-a"][1],
            "b": web["web-b"][1],
            "endpoint": endpoint,
            "bucket": bucket,
            "folders": folders,
            "logs": logs,
        }


def test_a_journey_across_two_web_hosts_and_two_workers_keeps_nothing_on_either_disk(hosts):
    import requests
    from django.contrib.sessions.models import Session
    from django.test import override_settings
    from pypdf import PdfReader

    from reviews.models import ItemEvidence
    from summaries.models import SummaryReport
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review

    a, b = hosts["a"], hosts["b"]
    project = ProjectFactory(name="Two Hosts Go-Live")
    person = UserFactory(email="facilitator@two-hosts.example.com", full_name="Fay Hosts")
    # The hosts run the site's own password hashers (the tests' MD5 one is not among them).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    MembershipFactory(project=project, user=person, role=Role.FACILITATOR)
    review = make_review(project, acting_user=person, title="Cutover weekend review")
    item = review.items.order_by("pk").first()

    # Log in on host A.
    browser_a = requests.Session()
    login_url = reverse("login")
    token = csrf_token(browser_a.get(a + login_url, timeout=10))
    answer = browser_a.post(
        a + login_url,
        data={"csrfmiddlewaretoken": token, "username": person.email, "password": PASSWORD},
        headers={"Referer": a + login_url},
        timeout=30,
    )
    assert answer.status_code == 200
    assert answer.url == a + "/", "the log-in did not lead to the home page"

    # Host B knows the session host A started (kept in the database, not in A's memory):
    # the same cookies, as from a browser behind a balancer.
    assert Session.objects.filter(session_key=browser_a.cookies["sessionid"]).exists()
    browser_b = requests.Session()
    for cookie in ("sessionid", "csrftoken"):
        browser_b.cookies.set(cookie, browser_a.cookies[cookie])
    item_page = browser_b.get(b + item.get_absolute_url(), timeout=10)
    assert item_page.url == b + item.get_absolute_url(), "host B sent the person to log in"
    assert "Fay Hosts" in item_page.text

    # Upload evidence on B.
    add_url = reverse(
        "reviews:evidence_add",
        kwargs={"project_pk": project.pk, "review_pk": review.pk, "item_pk": item.pk},
    )
    answer = browser_b.post(
        b + add_url,
        data={"csrfmiddlewaretoken": csrf_token(item_page), "title": "Runbook sign-off"},
        files={"file": ("runbook.pdf", io.BytesIO(EVIDENCE), "application/pdf")},
        timeout=60,
    )
    assert answer.status_code == 200
    assert "Evidence added." in answer.text, answer.text[-2000:]
    evidence = ItemEvidence.objects.get(item=item)
    download_url = reverse(
        "reviews:evidence_download", kwargs={"project_pk": project.pk, "evidence_pk": evidence.pk}
    )
    assert download_url in answer.text

    # Download it from A, byte for byte.
    download = browser_a.get(a + download_url, timeout=30)
    assert download.status_code == 200
    assert download.content == EVIDENCE

    # Request a summary on B; follow its progress on A (the API the page's polling matches).
    summaries_url = reverse(
        "summaries:summary_list", kwargs={"project_pk": project.pk, "review_pk": review.pk}
    )
    request_url = reverse(
        "summaries:summary_request", kwargs={"project_pk": project.pk, "review_pk": review.pk}
    )
    token = csrf_token(browser_b.get(b + summaries_url, timeout=10))
    answer = browser_b.post(b + request_url, data={"csrfmiddlewaretoken": token}, timeout=30)
    assert answer.status_code == 200
    assert "Summary requested" in answer.text, answer.text[-2000:]
    status_url = a + reverse(
        "api:summary_list", kwargs={"project_pk": project.pk, "review_pk": review.pk}
    )

    def finished():
        listed = browser_a.get(status_url, timeout=10)
        assert listed.status_code == 200, listed.text
        (report,) = listed.json()["results"]
        return report if report["status"] in {"ready", "failed"} else None

    report = wait_for(finished, timeout=45, message="no worker rendered the summary")
    assert report["status"] == "ready", report["error"]

    # Download the PDF from A (the summaries page's link) and read it.
    pdf_url = reverse(
        "summaries:summary_download", kwargs={"project_pk": project.pk, "summary_pk": report["id"]}
    )
    assert pdf_url in browser_a.get(a + summaries_url, timeout=10).text
    pdf = browser_a.get(a + pdf_url, timeout=30)
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Two Hosts Go-Live" in text
    assert "Cutover weekend review" in text
    assert len(reader.pages) == report["pages"]

    # Both files are in the bucket, and on no host's disk.
    stored = SummaryReport.objects.get(pk=report["id"])
    listed = s3_client(hosts["endpoint"]).list_objects_v2(Bucket=hosts["bucket"])
    keys = {entry["Key"] for entry in listed.get("Contents", [])}
    assert {evidence.file.name, stored.file.name} <= keys
    assert {name: files_under(folder) for name, folder in hosts["folders"].items()} == {
        name: [] for name in hosts["folders"]
    }

    # Exactly one of the workers rendered it (each logs the tasks it took, at info).
    took = [
        name
        for name in ("worker-1", "worker-2")
        if re.search(
            r"summary_render_task\[[^\]]+\] succeeded",
            hosts["logs"][name].read_text(errors="replace"),
        )
    ]
    assert len(took) == 1, took
    print(f"The summary was rendered by {took[0]}")
