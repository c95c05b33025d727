"""Summary PDFs: request, render, download, e-mail; and what happens when things break."""

import datetime
import io
import os
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from projects.models import Role
from summaries.models import SummaryReport
from summaries.services import (
    summaries_requeue_stuck,
    summary_render,
    summary_request,
    summary_send,
)
from summaries.tasks import SEND_MAX_RETRIES, backoff, summary_render_task, summary_send_task
from tests.celery_broker import closed_port, publishing_to
from tests.factories import MitigationActionFactory, RiskFactory, make_review, make_summary

F, PM, A, C, V = (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip


@pytest.fixture
def review(project, members):
    review = make_review(project, acting_user=members[F])
    risk = RiskFactory(
        project=project, raised_by=members[F], likelihood=4, impact=5, is_blocker=True,
        title="Cutover window too short", workaround="Move history loads after go-live",
    )  # fmt: skip
    MitigationActionFactory(
        risk=risk, owner=members[C], description="Rehearse the cutover",
        due_date=timezone.localdate() - datetime.timedelta(days=2),
    )  # fmt: skip
    return review


def request_url(review):
    return reverse("summaries:summary_request", args=[review.project_id, review.pk])


def list_url(review):
    return reverse("summaries:summary_list", args=[review.project_id, review.pk])


def pdf_files(root):
    return sorted(name for _, _, names in os.walk(root) for name in names if name.endswith(".pdf"))


class FailingSMTP(BaseEmailBackend):
    """A mail relay that is down: every send raises, and the attempts are counted."""

    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        raise SMTPServerDisconnected("Connection unexpectedly closed")


# --- Request ----------------------------------------------------------------------------


def test_summary_request_is_recorded_queued_and_enqueued_after_commit(
    client_for, review, members, django_capture_on_commit_callbacks, monkeypatch
):
    enqueued = []
    monkeypatch.setattr(summary_render_task, "delay", lambda report_id: enqueued.append(report_id))
    client = client_for(members[F])
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(request_url(review), {"recipients": [], "send": ""})
        report = SummaryReport.objects.get(review=review)
        assert report.status == "queued"
        assert enqueued == []  # nothing is sent to the broker before the commit
    assert response.status_code == 302
    assert len(callbacks) == 1
    callbacks[0]()
    assert enqueued == [report.pk]  # an id, not an object
    page = client.get(list_url(review)).content.decode()
    assert "Queued" in page
    assert 'hx-trigger="every 2s"' in page


def test_summary_request_defaults_to_approvers_and_project_manager(review, members):
    report = summary_request(review=review, acting_user=members[PM])
    assert set(report.recipients.all()) == {members[A], members[PM]}
    assert report.send_requested is False


@pytest.mark.parametrize(("role", "status"), [(F, 302), (PM, 302), (A, 403), (C, 403), (V, 403)])
def test_only_facilitator_and_project_manager_request_a_summary(
    client_for, review, members, role, status
):
    response = client_for(members[role]).post(request_url(review), {})
    assert response.status_code == status
    assert SummaryReport.objects.filter(review=review).exists() is (status == 302)


def test_non_member_gets_404_on_every_summary_url(client_for, review, members, outsider):
    report = make_summary(review, requested_by=members[F])
    client = client_for(outsider)
    assert client.get(list_url(review)).status_code == 404
    assert client.post(request_url(review), {}).status_code == 404
    args = [review.project_id, report.pk]
    assert client.get(reverse("summaries:summary_download", args=args)).status_code == 404
    assert client.post(reverse("summaries:summary_send", args=args), {}).status_code == 404


def test_review_page_links_to_the_summaries(client_for, review, members):
    page = client_for(members[V]).get(review.get_absolute_url()).content.decode()
    assert list_url(review) in page
    assert "Summary PDF" in page


# --- Render ------------------------------------------------------------------------------


def test_summary_goes_from_queued_to_ready_with_a_valid_pdf(
    client_for, review, members, django_capture_on_commit_callbacks
):
    client = client_for(members[PM])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(request_url(review), {})
    report = SummaryReport.objects.get(review=review)
    assert report.status == "ready", report.error
    data = report.file.read()
    assert data.startswith(b"%PDF")
    pdf = PdfReader(io.BytesIO(data))
    assert report.pages == len(pdf.pages) >= 3
    text = " ".join(page.extract_text() for page in pdf.pages)
    for expected in (review.project.name, "Readiness", "Go / no-go decision", "Open go-live",
                     "Cutover window too short", "Move history loads after go-live",
                     "Rehearse the cutover", "Sign-off status", "Full checklist", "Item 1.2",
                     f"Page 2 of {report.pages}"):  # fmt: skip
        assert expected in text, expected
    page = client.get(list_url(review)).content.decode()
    assert "Ready" in page
    assert reverse("summaries:summary_download", args=[review.project_id, report.pk]) in page
    assert 'hx-trigger="every 2s"' not in page  # polling stops


def test_summary_html_reuses_the_heat_map_partial_and_draws_area_bars_in_its_table(review):
    from summaries.pdf import summary_html

    html = summary_html(review)
    assert 'class="risk-heatmap"' in html  # risks/includes/_heatmap.svg.html
    # The web's section-bar SVG cuts long area names to fit; the PDF's table wraps them.
    assert 'class="section-bars"' not in html
    assert html.count('class="bar-fill') == review.sections.count()
    assert '<link rel="stylesheet" href="css/print.css">' in html  # from the static folder


def test_pdf_fetcher_serves_static_files_only():
    from summaries.pdf import STATIC_BASE, _static_files_fetcher

    fetcher = _static_files_fetcher()
    css = fetcher.fetch((STATIC_BASE / "css" / "print.css").as_uri())
    assert b"@page" in css.read()
    for url in ("http://example.com/x.css", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="static"):
            fetcher.fetch(url)


def test_rendering_twice_stores_one_file(review, members, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = make_summary(review, requested_by=members[F], status="queued")
    summary_render(report_id=report.pk)
    report.refresh_from_db()
    first = report.file.name
    summary_render(report_id=report.pk)  # a redelivered task: the report is ready already
    report.refresh_from_db()
    assert report.file.name == first
    SummaryReport.objects.filter(pk=report.pk).update(status="queued")  # the requeue sweep
    summary_render_task.delay(report.pk)
    report.refresh_from_db()
    assert report.status == "ready"
    assert report.file.name == first
    assert pdf_files(tmp_path) == [os.path.basename(first)]
    assert report.attempts == 2


def test_a_failed_render_is_marked_failed_with_a_readable_message(
    client_for, review, members, monkeypatch
):
    def broken(html):
        raise ValueError("unsupported image in item evidence")

    monkeypatch.setattr("summaries.pdf.render_pdf", broken)
    report = make_summary(review, requested_by=members[F], status="queued")
    summary_render_task.delay(report.pk)
    report.refresh_from_db()
    assert report.status == "failed"
    assert "could not be rendered" in report.error
    assert "unsupported image in item evidence" in report.error
    assert not report.file
    page = client_for(members[F]).get(list_url(review)).content.decode()
    assert "Failed" in page
    assert "unsupported image in item evidence" in page
    assert 'hx-trigger="every 2s"' not in page  # no endless spinner


# --- Broker down ---------------------------------------------------------------------------


def test_broker_down_the_request_stays_queued_and_the_sweep_picks_it_up(
    client_for, review, members, django_capture_on_commit_callbacks
):
    client = client_for(members[F])
    with (
        publishing_to(f"redis://127.0.0.1:{closed_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(request_url(review), {}, follow=True)
    assert response.status_code == 200
    report = SummaryReport.objects.get(review=review)
    assert report.status == "queued"
    assert "Queued" in response.content.decode()
    assert "queued" in response.content.decode().lower()
    # Ten minutes on, with the broker back (eager here), the beat sweep enqueues it again.
    assert summaries_requeue_stuck() == []  # not stuck yet
    later = timezone.now() + datetime.timedelta(minutes=11)
    assert summaries_requeue_stuck(now=later) == [report.pk]
    report.refresh_from_db()
    assert report.status == "ready"


def test_requeue_sweep_takes_over_a_render_whose_worker_died_and_gives_up_after_three(
    review, members
):
    report = make_summary(review, requested_by=members[F], status="rendering")
    long_ago = timezone.now() - datetime.timedelta(hours=1)
    SummaryReport.objects.filter(pk=report.pk).update(started_at=long_ago, attempts=1)
    assert summaries_requeue_stuck() == [report.pk]
    report.refresh_from_db()
    assert report.status == "ready"
    stuck = make_summary(review, requested_by=members[F], status="rendering")
    SummaryReport.objects.filter(pk=stuck.pk).update(started_at=long_ago, attempts=3)
    assert summaries_requeue_stuck() == []
    stuck.refresh_from_db()
    assert stuck.status == "failed"
    assert "after 3 attempts" in stuck.error


def test_a_render_in_progress_elsewhere_is_not_started_twice(review, members):
    report = make_summary(review, requested_by=members[F], status="rendering")
    SummaryReport.objects.filter(pk=report.pk).update(started_at=timezone.now(), attempts=1)
    summary_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "rendering"
    assert report.attempts == 1


# --- Download --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", Role.values)
def test_every_member_downloads_a_ready_summary(client_for, review, members, role):
    report = make_summary(review, requested_by=members[F])
    url = reverse("summaries:summary_download", args=[review.project_id, report.pk])
    response = client_for(members[role]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_summary_without_a_pdf_is_not_downloadable(client_for, review, members):
    report = make_summary(review, requested_by=members[F], status="queued")
    url = reverse("summaries:summary_download", args=[review.project_id, report.pk])
    assert client_for(members[F]).get(url).status_code == 404


def test_older_summaries_stay_listed_with_their_date(client_for, review, members):
    old = make_summary(review, requested_by=members[F])
    SummaryReport.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=20)
    )
    make_summary(review, requested_by=members[PM])
    page = client_for(members[V]).get(list_url(review)).content.decode()
    assert page.count("Download PDF") == 2
    assert (
        timezone.localtime(timezone.now() - datetime.timedelta(days=20)).strftime("%-d %b %Y")
        in page
    )
    assert "Request summary" not in page  # a viewer only reads


# --- E-mail -----------------------------------------------------------------------------------


def test_request_with_send_renders_then_mails_the_pdf_to_the_recipients(
    review, members, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = summary_request(
            review=review, acting_user=members[PM], recipients=[members[A], members[V]], send=True
        )
    report.refresh_from_db()
    assert report.status == "ready"
    assert report.sent_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {members[A].email, members[V].email}
    assert review.project.name in message.subject
    assert "Not ready" in message.subject
    (name, content, mimetype) = message.attachments[0]
    assert name.endswith(".pdf")
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")
    html = message.alternatives[0][0]
    assert "Not ready" in html
    assert "Decision" in html
    assert "Not taken yet" in html
    assert "Not ready" in message.body


def test_sending_twice_sends_once(review, members):
    report = make_summary(review, requested_by=members[F], recipients=[members[A]])
    SummaryReport.objects.filter(pk=report.pk).update(send_requested=True)
    summary_send(report_id=report.pk)
    summary_send_task.delay(report.pk)
    assert len(mail.outbox) == 1
    report.refresh_from_db()
    first = report.sent_at
    summary_send(report_id=report.pk)
    report.refresh_from_db()
    assert report.sent_at == first
    assert len(mail.outbox) == 1


def test_send_view_mails_chosen_members(
    client_for, review, members, django_capture_on_commit_callbacks
):
    report = make_summary(review, requested_by=members[F])
    url = reverse("summaries:summary_send", args=[review.project_id, report.pk])
    client = client_for(members[PM])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"recipients": [members[A].pk, members[C].pk]})
    assert response.status_code == 302
    assert {address for m in mail.outbox for address in m.to} == {
        members[A].email,
        members[C].email,
    }
    assert "Sent " in client.get(list_url(review)).content.decode()
    assert client_for(members[V]).post(url, {"recipients": [members[A].pk]}).status_code == 403


def test_send_view_refuses_non_members_as_recipients(client_for, review, members, outsider):
    report = make_summary(review, requested_by=members[F])
    url = reverse("summaries:summary_send", args=[review.project_id, report.pk])
    client_for(members[PM]).post(url, {"recipients": [outsider.pk]})
    assert mail.outbox == []


def test_smtp_down_retries_with_backoff_then_marks_not_sent_keeping_the_pdf(
    client_for, review, members, settings, monkeypatch
):
    from readiness.celery import app

    # As in embedded mode: eager tasks whose retries Celery runs at once, in-process.
    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    settings.EMAIL_BACKEND = "tests.summaries.test_summaries.FailingSMTP"
    FailingSMTP.attempts = 0
    report = make_summary(review, requested_by=members[F], recipients=[members[A]])
    SummaryReport.objects.filter(pk=report.pk).update(send_requested=True)
    summary_send_task.delay(report.pk)  # eager: Celery runs each retry at once
    assert FailingSMTP.attempts == SEND_MAX_RETRIES + 1
    report.refresh_from_db()
    assert report.sent_at is None
    assert "Not sent" in report.send_error
    assert "SMTPServerDisconnected" in report.send_error
    assert report.status == "ready"
    assert report.file.read().startswith(b"%PDF")  # the PDF is kept
    page = client_for(members[F]).get(list_url(review)).content.decode()
    assert "Not sent" in page
    assert "Download PDF" in page
    # Retries back off exponentially up to a cap.
    assert [backoff(n, base=30, cap=600) for n in range(7)] == [30, 60, 120, 240, 480, 600, 600]


def test_smtp_error_is_retried_by_a_real_retry_call(review, members, settings, monkeypatch):
    """The task asks Celery for a retry with a countdown (not an immediate loop)."""
    from celery.exceptions import Retry

    settings.EMAIL_BACKEND = "tests.summaries.test_summaries.FailingSMTP"
    report = make_summary(review, requested_by=members[F], recipients=[members[A]])
    SummaryReport.objects.filter(pk=report.pk).update(send_requested=True)
    asked = {}

    def retry(exc=None, countdown=None, **kwargs):
        asked.update(exc=exc, countdown=countdown)
        return Retry(exc=exc, when=countdown)

    task = summary_send_task._get_current_object()
    monkeypatch.setattr(type(task), "retry", lambda self, **kwargs: retry(**kwargs))
    with pytest.raises(Retry):
        summary_send_task.run(report.pk)
    assert isinstance(asked["exc"], SMTPServerDisconnected)
    assert asked["countdown"] == 30


def test_a_failed_send_can_be_sent_again_once_mail_works(client_for, review, members, settings,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    report = make_summary(review, requested_by=members[F], recipients=[members[A]])
    SummaryReport.objects.filter(pk=report.pk).update(send_requested=True, send_error="Not sent")
    url = reverse("summaries:summary_send", args=[review.project_id, report.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client_for(members[F]).post(url, {"recipients": [members[A].pk]})
    report.refresh_from_db()
    assert report.sent_at is not None
    assert report.send_error == ""
    assert len(mail.outbox) == 1


# --- Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 4])
def test_summary_context_queries_do_not_grow_with_the_review(
    project, members, size, django_assert_max_num_queries
):
    from summaries.pdf import summary_context
    from tests.factories import make_template

    template = make_template(sections=2 * size, items_per_section=3 * size, key=f"t{size}")
    review = make_review(project, template=template, acting_user=members[F])
    for n in range(3 * size):
        risk = RiskFactory(project=project, raised_by=members[F], likelihood=n % 5 + 1)
        MitigationActionFactory(risk=risk, owner=members[C])
    with django_assert_max_num_queries(14):
        summary_context(review)


@pytest.mark.parametrize("count", [1, 8])
def test_summaries_page_queries_do_not_grow(
    client_for, review, members, count, django_assert_max_num_queries
):
    for _ in range(count):
        make_summary(review, requested_by=members[F], recipients=[members[A], members[PM]])
    client = client_for(members[F])
    client.get(list_url(review))  # the session is saved on the first request
    with django_assert_max_num_queries(10):
        assert client.get(list_url(review)).status_code == 200
