"""Text typed by members in the summary e-mail (issue 12, Medium #5, second half).

The summary e-mail carries what members typed (the project's name, the review's title, the
open blockers' titles) to other people, from the app's address. It says who wrote what,
links only to the app's own pages, and never leaves a foreign address as a link (mail
programs link anything that looks like one, so such addresses are defanged).
"""

import re

import pytest
from django.conf import settings
from django.core import mail

from projects.models import Role
from summaries.services import summary_send
from tests.factories import RiskFactory, make_review, make_summary

F, PM, A = Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER
FOREIGN = "https://evil.example/login"


@pytest.fixture
def sent(project, members):
    """A summary e-mail of a review whose typed texts carry foreign and own addresses."""
    project.name = "Contoso www.evil.example"
    project.save()
    review = make_review(project, acting_user=members[F])
    review.title = f"Final review, sign at {FOREIGN} or at {settings.SITE_URL}/projects/"
    review.save()
    RiskFactory(
        project=project,
        raised_by=members[F],
        is_blocker=True,
        title="Payroll cutover: see http://evil.example/payroll.exe",
    )
    report = make_summary(review, requested_by=members[PM], recipients=[members[A]])
    summary_send(report_id=report.pk)
    (message,) = mail.outbox
    return message, members, review


def _hrefs(html):
    return re.findall(r'href="([^"]*)"', html)


def test_the_html_mail_links_only_to_the_app(sent):
    message, _, _ = sent
    html = message.alternatives[0][0]
    hrefs = _hrefs(html)
    assert hrefs
    assert all(href.startswith(settings.SITE_URL + "/") for href in hrefs), hrefs


def test_foreign_addresses_in_typed_text_are_defanged_in_every_part(sent):
    message, _, _ = sent
    html = message.alternatives[0][0]
    for part in (message.subject, message.body, html):
        assert FOREIGN not in part
        assert "http://evil.example" not in part
        assert "www.evil.example" not in part
    assert "hxxps://evil[.]example/login" in message.body
    assert "hxxps://evil[.]example/login" in html
    assert "www[.]evil[.]example" in message.subject


def test_an_address_of_the_app_in_typed_text_stays_a_link(sent):
    message, _, _ = sent
    html = message.alternatives[0][0]
    assert f'<a href="{settings.SITE_URL}/projects/">' in html


def test_the_mail_says_who_wrote_what(sent):
    message, members, review = sent
    html = message.alternatives[0][0]
    requester = members[PM]
    for part in (message.body, html):
        assert f"Requested by {requester}" in part
        assert "Payroll cutover" in part
        assert f"raised by {members[F]}" in part
    assert f"{settings.SITE_URL}/projects/{review.project_id}/risks/" in html
    assert "written hxxp://example[.]com on purpose" in message.body


def test_the_defanging_note_appears_only_when_something_was_defanged(project, members):
    review = make_review(project, acting_user=members[F])
    report = make_summary(review, requested_by=members[PM], recipients=[members[A]])
    summary_send(report_id=report.pk)
    (message,) = mail.outbox
    assert "hxxp" not in message.body
    assert "hxxp" not in message.alternatives[0][0]


def test_control_characters_in_typed_text_do_not_reach_the_mail(project, members):
    review = make_review(project, acting_user=members[F])
    review.title = "Review\x1b[31m red\x07 \x0bdone"  # PostgreSQL refuses NUL itself
    review.save()
    report = make_summary(review, requested_by=members[PM], recipients=[members[A]])
    summary_send(report_id=report.pk)
    (message,) = mail.outbox
    for part in (message.subject, message.body, message.alternatives[0][0]):
        assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", part)
