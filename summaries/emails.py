"""The e-mail of a summary report: a short text and HTML body, the PDF attached."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from core.http import UrlTemplate, absolute_url
from core.text import has_foreign_url
from decisions.selectors import latest_decision
from reviews.selectors.scores import review_score
from risks.selectors import open_blocker_risks

# The e-mail lists this many open blockers; the PDF has them all.
EMAIL_BLOCKERS = 5


def summary_email(report):
    """The e-mail of a summary: a short text + HTML body and the PDF attached.

    What members typed (names, titles, the open blockers) goes through the ``inert``
    filters (core.text): foreign addresses defanged, links only to this site; and the
    mail says who requested it and who raised each blocker.
    """
    review = report.review
    project = review.project
    score = review_score(review)
    decision = latest_decision(review)
    recipients = list(report.recipients.filter(is_active=True).order_by("full_name"))
    blockers = open_blocker_risks(project)
    risk_url = UrlTemplate("risks:risk_detail", project.pk, absolute=True)
    for risk in blockers[:EMAIL_BLOCKERS]:
        risk.mail_url = risk_url.fill(risk.pk)
    context = {
        "report": report,
        "review": review,
        "project": project,
        "score": score,
        "decision": decision,
        "blockers": blockers[:EMAIL_BLOCKERS],
        "defanged": has_foreign_url(
            project.name,
            review.title,
            report.requested_by,
            *(risk.title for risk in blockers[:EMAIL_BLOCKERS]),
            *(risk.raised_by for risk in blockers[:EMAIL_BLOCKERS]),
        ),
        "more_blockers": max(0, len(blockers) - EMAIL_BLOCKERS),
        "register_url": absolute_url(reverse("risks:register", args=[project.pk])),
        "site_url": settings.SITE_URL,
        "review_url": absolute_url(review.get_absolute_url()),
        "summaries_url": absolute_url(
            reverse("summaries:summary_list", args=[project.pk, review.pk])
        ),
    }
    subject = " ".join(render_to_string("emails/summary_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/summary.txt", context),
        to=[user.email for user in recipients],
        reply_to=[report.requested_by.email],
    )
    message.attach_alternative(render_to_string("emails/summary.html", context), "text/html")
    with report.file.open("rb") as handle:
        message.attach(report.file.name.rsplit("/", 1)[-1], handle.read(), "application/pdf")
    return message
