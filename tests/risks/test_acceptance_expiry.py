"""Risk acceptances expire (issue 15 §4): 90 days by default, then the finding reopens,
exactly once, with the reason in its history and on its page."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.models import Role
from risks.models import Risk, RiskChange, RiskStatus
from risks.services import risk_accept, risk_acceptances_expire
from tests.factories import RiskFactory

pytestmark = pytest.mark.django_db


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def accept(risk, members, **kwargs):
    return risk_accept(
        risk=risk, acting_user=members[Role.APPROVER], reason="Manual workaround", **kwargs
    )


def test_an_acceptance_holds_ninety_days_by_default(risk, members):
    assert settings.RISK_ACCEPTANCE_DAYS == 90
    accepted = accept(risk, members)
    assert accepted.acceptance_expires_on == days(90)
    change = accepted.changes.order_by("-version").first()
    assert change.changes["acceptance_expires_on"] == ["", days(90).isoformat()]


def test_the_expiry_day_can_be_chosen_but_not_in_the_past(risk, members):
    assert accept(risk, members, expires_on=days(30)).acceptance_expires_on == days(30)
    other = RiskFactory(project=risk.project, raised_by=members[Role.FACILITATOR])
    with pytest.raises(ValidationError) as error:
        accept(other, members, expires_on=days(0))
    assert "at least until tomorrow" in str(error.value)


def expire_now(risk, members, *, expired_on):
    """An accepted risk whose acceptance ran out on ``expired_on``."""
    accept(risk, members, expires_on=days(1))
    Risk.objects.filter(pk=risk.pk).update(acceptance_expires_on=expired_on)


def test_expiry_reopens_the_risk_exactly_once(risk, members):
    expire_now(risk, members, expired_on=days(-1))
    version = Risk.objects.get(pk=risk.pk).version
    assert risk_acceptances_expire() == [risk.pk]
    assert risk_acceptances_expire() == []  # a second run does nothing
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OPEN
    assert risk.acceptance_expired_on == days(-1)
    assert risk.version == version + 1
    notes = list(RiskChange.objects.filter(risk=risk, note__startswith="Acceptance expired"))
    assert len(notes) == 1
    assert notes[0].note == f"Acceptance expired on {days(-1).isoformat()}: reopened."
    assert notes[0].changes == {"status": ["Accepted", "Open"]}
    assert notes[0].version == risk.version


def test_an_acceptance_holds_through_its_last_day(risk, members):
    expire_now(risk, members, expired_on=days(0))
    assert risk_acceptances_expire() == []
    risk.refresh_from_db()
    assert risk.status == RiskStatus.ACCEPTED


def test_only_accepted_risks_reopen(risk, members):
    expire_now(risk, members, expired_on=days(-3))
    Risk.objects.filter(pk=risk.pk).update(status=RiskStatus.CLOSED)
    assert risk_acceptances_expire() == []
    assert Risk.objects.get(pk=risk.pk).status == RiskStatus.CLOSED


def test_accepting_again_after_expiry_clears_the_reason(risk, members):
    expire_now(risk, members, expired_on=days(-1))
    risk_acceptances_expire()
    again = accept(Risk.objects.get(pk=risk.pk), members, expires_on=days(60))
    assert again.status == RiskStatus.ACCEPTED
    assert again.acceptance_expired_on is None


def test_the_task_runs_the_sweep_and_is_scheduled(risk, members):
    from risks.tasks import risk_acceptances_expire_task

    expire_now(risk, members, expired_on=days(-1))
    assert risk_acceptances_expire_task.apply().get() == {"reopened": 1}
    assert risk_acceptances_expire_task.apply().get() == {"reopened": 0}
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "risks.tasks.risk_acceptances_expire_task" in schedule


def test_the_risk_page_says_until_when_and_why_it_reopened(client_for, risk, members):
    accept(risk, members, expires_on=datetime.date(2099, 3, 31))
    client = client_for(members[Role.VIEWER])
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "accepted until 31 Mar 2099" in page
    Risk.objects.filter(pk=risk.pk).update(acceptance_expires_on=days(-1))
    risk_acceptances_expire()
    page = client.get(risk.get_absolute_url()).content.decode()
    assert "Reopened:" in page
    assert f"expired on {days(-1):%-d %b %Y}" in page


def test_the_accept_form_offers_the_default_day(client_for, risk, members):
    page = client_for(members[Role.APPROVER]).get(risk.get_absolute_url()).content.decode()
    assert "Accepted until" in page
    assert days(90).isoformat() in page


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.PROJECT_MANAGER, True),
        (Role.APPROVER, True),
        (Role.FACILITATOR, False),
        (Role.CONTRIBUTOR, False),
        (Role.VIEWER, False),
    ],
)
def test_who_may_accept_with_an_expiry(client_for, risk, members, role, allowed):
    url = reverse("risks:risk_accept", args=[risk.project_id, risk.pk])
    response = client_for(members[role]).post(
        url, {"version": risk.version, "reason": "Ok", "expires_on": days(20).isoformat()}
    )
    assert response.status_code == (302 if allowed else 403)
    risk.refresh_from_db()
    assert (risk.acceptance_expires_on == days(20)) is allowed


def test_an_outsider_cannot_accept(client_for, risk, outsider):
    url = reverse("risks:risk_accept", args=[risk.project_id, risk.pk])
    response = client_for(outsider).post(url, {"version": risk.version, "reason": "Ok"})
    assert response.status_code == 404


def test_a_past_day_in_the_form_is_a_message(client_for, risk, members):
    url = reverse("risks:risk_accept", args=[risk.project_id, risk.pk])
    response = client_for(members[Role.APPROVER]).post(
        url, {"version": risk.version, "reason": "Ok", "expires_on": days(-1).isoformat()}
    )
    assert response.status_code == 400
    assert "at least until tomorrow" in response.content.decode()


# --- The digest: the acceptor and the project manager are told, once ----------------------


def at(hour=9, offset=0):
    day = timezone.localdate() + datetime.timedelta(days=offset)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def expired_line(risk):
    return f"Risk acceptance expired: {risk.title} — reopened"


def test_the_acceptor_and_the_project_manager_get_the_line_once(risk, members):
    from django.core import mail

    from reminders.services import reminders_sweep
    from risks.models import AcceptanceExpiryNotice

    expire_now(risk, members, expired_on=days(-1))
    risk_acceptances_expire()
    risk_acceptances_expire()  # run twice: still one notice per person
    told = {members[Role.APPROVER], members[Role.PROJECT_MANAGER]}
    assert {n.recipient for n in AcceptanceExpiryNotice.objects.filter(risk=risk)} == told
    reminders_sweep(now=at(9))
    for person in told:
        (message,) = [m for m in mail.outbox if m.to == [person.email]]
        assert message.body.count(expired_line(risk)) == 1
        assert "1 risk acceptance expired" in message.subject
        assert risk.get_absolute_url() in message.body
        assert expired_line(risk) in message.alternatives[0][0]
    count = len(mail.outbox)
    reminders_sweep(now=at(10))
    reminders_sweep(now=at(9, offset=1))  # told once: nothing the next day either
    later = [m.body for m in mail.outbox[count:]]
    assert not any(expired_line(risk) in body for body in later)


def test_nobody_else_is_told(risk, members):
    from django.core import mail

    from reminders.services import reminders_sweep

    expire_now(risk, members, expired_on=days(-1))
    risk_acceptances_expire()
    reminders_sweep(now=at(9))
    others = (Role.FACILITATOR, Role.CONTRIBUTOR, Role.VIEWER)
    for role in others:
        assert not any(
            expired_line(risk) in m.body for m in mail.outbox if m.to == [members[role].email]
        )


def test_a_paused_project_tells_nobody_until_it_resumes(risk, members):
    from django.core import mail

    from reminders.services import reminders_sweep

    expire_now(risk, members, expired_on=days(-1))
    risk_acceptances_expire()
    risk.project.reminders_paused = True
    risk.project.save()
    reminders_sweep(now=at(9))
    assert not any(expired_line(risk) in m.body for m in mail.outbox)


def test_the_dry_run_shows_the_line_and_tells_nobody(risk, members):
    import io

    from django.core import mail
    from django.core.management import call_command

    from risks.models import AcceptanceExpiryNotice

    expire_now(risk, members, expired_on=days(-1))
    risk_acceptances_expire()
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"expired    {expired_line(risk)}" in text
    assert members[Role.PROJECT_MANAGER].email in text
    assert mail.outbox == []
    assert not AcceptanceExpiryNotice.objects.filter(digest_id__isnull=False).exists()
