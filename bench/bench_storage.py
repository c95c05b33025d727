"""An evidence download of a 1 MB file from a bucket beside the same from the local disk.

The bucket is moto's S3 server (tests/s3_server.py) on 127.0.0.1, in a process of its own
unless ``--in-process``; the app reaches it over HTTP as it would a bucket next to it.
Each round downloads the file through the evidence view (in-process test client, as a
member; the permission check and all) from the local folder, then from the bucket,
streamed, both read to the last byte; the medians of N rounds are printed side by side
with their ratio. Also shown: the redirect mode (the view answering with a presigned link,
and the link then fetched from the bucket).

Target (issue 17): the bucket within 1.5x of the local disk.

Run: .venv/bin/python bench/bench_storage.py [--requests 30]
"""

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

TARGET_RATIO = 1.5
FILE_BYTES = 1024 * 1024


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def _separate_s3_server():
    """moto's server in a child process (so it does not share this process's interpreter)."""
    port = _free_port()
    code = (
        "import logging, time\nfrom moto.server import ThreadedMotoServer\n"
        "logging.getLogger('werkzeug').setLevel(logging.WARNING)\n"
        f"ThreadedMotoServer(ip_address='127.0.0.1', port={port}, verbose=False).start()\n"
        "time.sleep(3600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code])
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        yield endpoint
    finally:
        child.terminate()
        child.wait(10)


def _download_ms(client, url):
    started = time.perf_counter()
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.streaming_content)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    assert size == FILE_BYTES, size
    return elapsed


def _raw_read_ms(name):
    """The floor: the same object read through the storage alone (one GET, no view)."""
    from django.core.files.storage import default_storage

    started = time.perf_counter()
    with default_storage.open(name) as handle:
        size = sum(len(chunk) for chunk in iter(lambda: handle.read(64 * 1024), b""))
    assert size == FILE_BYTES, size
    return (time.perf_counter() - started) * 1000


def _redirect_ms(client, url):
    started = time.perf_counter()
    response = client.get(url)
    view = (time.perf_counter() - started) * 1000
    assert response.status_code == 302, response.status_code
    with urllib.request.urlopen(response["Location"], timeout=30) as fetched:  # noqa: S310
        size = len(fetched.read())
    assert size == FILE_BYTES, size
    return view, (time.perf_counter() - started) * 1000


def run(requests=30, in_process=False):
    common.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client, override_settings
    from django.urls import reverse

    from projects.models import Role
    from reviews.models import ItemEvidence
    from reviews.services.items import item_evidence_add
    from tests.factories import MembershipFactory, ProjectFactory, UserFactory, make_review
    from tests.s3_server import CREDENTIALS, bucket_storages, new_bucket, s3_server

    os.environ.update(CREDENTIALS)
    project = ProjectFactory()
    facilitator, viewer = UserFactory(), UserFactory()
    MembershipFactory(project=project, user=facilitator, role=Role.FACILITATOR)
    MembershipFactory(project=project, user=viewer, role=Role.VIEWER)
    item = make_review(project, acting_user=facilitator).items.first()
    body = b"%PDF-1.4\n" + os.urandom(FILE_BYTES - 9)
    client = Client()
    client.force_login(viewer)

    def evidence_url():
        upload = SimpleUploadedFile("report.pdf", body, content_type="application/pdf")
        evidence = item_evidence_add(item=item, acting_user=facilitator, file=upload)
        return reverse("reviews:evidence_download", args=[project.pk, evidence.pk])

    from django.conf import settings

    server = s3_server() if in_process else _separate_s3_server()
    with server as endpoint:
        bucket = override_settings(
            STORAGES=bucket_storages(settings.STORAGES, endpoint, new_bucket(endpoint))
        )
        local_url = evidence_url()
        with bucket:
            bucket_url = evidence_url()
            bucket_name = ItemEvidence.objects.latest("pk").file.name
        local, streamed, redirect_view, redirect_total, raw = [], [], [], [], []
        _download_ms(client, local_url)  # warm
        for _ in range(requests):  # alternated, so that load from elsewhere hits both alike
            local.append(_download_ms(client, local_url))
            with bucket:
                # Switching the setting builds a new storage (and S3 client), which a running
                # site does once: the first download after the switch is not timed.
                _download_ms(client, bucket_url)
                streamed.append(_download_ms(client, bucket_url))
                raw.append(_raw_read_ms(bucket_name))
                with override_settings(STORAGE_DOWNLOADS="redirect"):
                    view, total = _redirect_ms(client, bucket_url)
            redirect_view.append(view)
            redirect_total.append(total)
    local_ms, streamed_ms = statistics.median(local), statistics.median(streamed)
    ratio = streamed_ms / local_ms
    redirect_view_ms = statistics.median(redirect_view)
    return {
        "bytes": FILE_BYTES, "requests": requests,
        "server": "in this process" if in_process else "a separate process",
        "local_ms": round(local_ms, 2), "bucket_ms": round(streamed_ms, 2),
        "ratio": round(ratio, 2),
        "bucket_read_ms": round(statistics.median(raw), 2),
        "redirect_view_ms": round(redirect_view_ms, 2),
        "redirect_view_ratio": round(redirect_view_ms / local_ms, 2),
        "redirect_total_ms": round(statistics.median(redirect_total), 2),
        "ok": ratio <= TARGET_RATIO,
    }  # fmt: skip


def lines(figures):
    return [
        f"Evidence download of a {figures['bytes'] // 1024} KB file through its view, median "
        f"of {figures['requests']} (moto's S3 server in {figures['server']}):",
        "| local disk | bucket, streamed | ratio | target | redirect: the view (ratio) | "
        "redirect: view + link |",
        "|---|---|---|---|---|---|",
        f"| {figures['local_ms']:.1f} ms | {figures['bucket_ms']:.1f} ms | "
        f"{figures['ratio']:.2f}x | <= {TARGET_RATIO}x | {figures['redirect_view_ms']:.1f} ms "
        f"({figures['redirect_view_ratio']:.2f}x) | {figures['redirect_total_ms']:.1f} ms |",
        f"The bucket's own floor: the same object read through the storage alone (one GET, "
        f"no view) takes {figures['bucket_read_ms']:.1f} ms; the local download plus that read: "
        f"{figures['local_ms'] + figures['bucket_read_ms']:.1f} ms.",
        "OK" if figures["ok"] else "NOT OK",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--in-process", action="store_true", help="moto in this process")
    args = parser.parse_args()
    return common.report(run(requests=args.requests, in_process=args.in_process), lines)


if __name__ == "__main__":
    sys.exit(main())
