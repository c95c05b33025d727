"""E-mails about decisions: a vote opened (to the approvers), a decision recorded (to the
members). Each is sent once: the decision records when, under a row lock."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.http import absolute_url
from decisions.models import Decision
from decisions.selectors import gate, vote_tally
from notifications.models import Kind
from notifications.services import notify, wants_email
from projects.models import Role
from projects.selectors import members_in_roles


def _send(template, context, recipients):
    if not recipients:
        return
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}.txt", context),
        to=[user.email for user in recipients],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


def _locked(decision_id):
    return (
        Decision.objects.select_for_update(of=("self",))
        .select_related("review__project", "recorded_by", "opened_by")
        .get(pk=decision_id)
    )


def decision_vote_opened_notify(*, decision_id):
    """Tell the approvers the vote is open, with the gate as it stands; once."""
    with transaction.atomic():
        decision = _locked(decision_id)
        if decision.vote_opened_notified_at is not None:
            return "already told"
        review = decision.review
        approvers = members_in_roles(review.project, [Role.APPROVER])
        url = reverse("decisions:decision", args=[review.project_id, review.pk])
        notify(
            recipients=approvers,
            kind=Kind.VOTE_OPENED,
            title=f"The go / no-go vote on {review.title} is open",
            url=url,
            project=review.project,
            actor=decision.opened_by,
            key=f"vote-opened:{decision.pk}",
            emailed=True,
        )
        mailed = wants_email(approvers, Kind.VOTE_OPENED)
        if mailed:
            context = {
                "decision": decision,
                "review": review,
                "project": review.project,
                "gate": gate(review),
                "tally": vote_tally(decision),
                "url": absolute_url(url),
            }
            _send("decision_vote_opened", context, mailed)
        decision.vote_opened_notified_at = timezone.now()
        decision.save(update_fields=["vote_opened_notified_at", "updated_at"])
    return f"told {len(approvers)}"


def decision_recorded_notify(*, decision_id):
    """Tell every active member of the project the decision that was recorded; once."""
    with transaction.atomic():
        decision = _locked(decision_id)
        if decision.recorded_notified_at is not None or not decision.is_recorded:
            return "nothing to tell"
        review = decision.review
        members = members_in_roles(review.project, Role.values)
        context = {
            "decision": decision,
            "review": review,
            "project": review.project,
            "snapshot": decision.snapshot or {},
            "conditions": list(decision.conditions.select_related("owner")),
            "url": absolute_url(decision.get_absolute_url()),
        }
        notify(
            recipients=members,
            kind=Kind.DECISION_RECORDED,
            title=f"{decision.get_outcome_display()} recorded for {review.title}",
            url=decision.get_absolute_url(),
            project=review.project,
            actor=decision.recorded_by,
            key=f"decision-recorded:{decision.pk}",
            emailed=True,
        )
        _send("decision_recorded", context, wants_email(members, Kind.DECISION_RECORDED))
        decision.recorded_notified_at = timezone.now()
        decision.save(update_fields=["recorded_notified_at", "updated_at"])
    return f"told {len(members)}"
