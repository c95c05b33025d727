"""The follow-up reminders sweep: one digest per person per day, every reminder exactly once."""

import datetime
import io
import threading
from smtplib import SMTPRecipientsRefused, SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from decisions.models import Decision, DecisionCondition
from projects.models import Role
from reminders.digests import DigestSendError
from reminders.models import Reminder, ReminderDigest
from reminders.services import reminders_plan, reminders_sweep
from reminders.tasks import reminders_sweep_task
from reviews.models import ReviewItem
from tests.conftest import need_postgres
from tests.factories import (
    MembershipFactory,
    MitigationActionFactory,
    RiskFactory,
    UserFactory,
    make_review,
)

F, PM, A, C, V = (Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR,
                  Role.VIEWER)  # fmt: skip
TODAY = timezone.localdate()


def day(offset):
    return TODAY + datetime.timedelta(days=offset)


def at(offset=0, hour=9):
    """A moment of the site's day ``offset`` days from today, at ``hour`` o'clock."""
    return timezone.make_aware(datetime.datetime.combine(day(offset), datetime.time(hour)))


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def action(risk, owner, due_in, description=None):
    return MitigationActionFactory(
        risk=risk, owner=owner, due_date=day(due_in),
        description=description or f"Step due in {due_in} days",
    )  # fmt: skip


@pytest.fixture
def risk(project, members):
    return RiskFactory(project=project, raised_by=members[F], title="Cutover window too short")


class FailingSMTP(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


# --- The digest ----------------------------------------------------------------------------


def test_one_digest_per_person_grouped_overdue_then_due_soon(project, members, risk):
    action(risk, members[C], -2, "Map the bank statement variant")
    action(risk, members[C], 2, "Rerun the warehouse scripts")
    action(risk, members[C], 10, "Not due for a while")
    action(risk, members[A], 1, "Book the sign-off session")
    result = reminders_sweep(now=at())
    assert result.digests_sent == 2
    assert len(mail.outbox) == 2
    (digest,) = mails_to(members[C])
    body = digest.body
    assert "Not due for a while" not in body
    assert body.index("Overdue:") < body.index("Map the bank statement variant")
    assert body.index("Map the bank statement variant") < body.index("Due soon:")
    assert body.index("Due soon:") < body.index("Rerun the warehouse scripts")
    assert project.name in body
    assert "http://testserver" not in body
    assert f"/projects/{project.pk}/actions/" in body
    html = digest.alternatives[0][0]
    assert "Overdue (1)" in html
    assert "Due soon (1)" in html
    assert "1 overdue, 1 due soon" in digest.subject
    assert len(mails_to(members[A])) == 1
    assert Reminder.objects.count() == 3
    assert ReminderDigest.objects.filter(sent_at__isnull=False, item_count__gt=0).count() == 2


def test_lines_link_to_their_pages_with_the_site_url(project, members, risk, settings):
    settings.SITE_URL = "https://readiness.example.com"
    step = action(risk, members[C], -1)
    reminders_sweep(now=at())
    assert f"https://readiness.example.com{step.get_absolute_url()}" in mail.outbox[0].body


def test_running_the_sweep_again_sends_nothing_new(project, members, risk):
    action(risk, members[C], -2)
    reminders_sweep(now=at())
    again = reminders_sweep(now=at(hour=10))
    assert again.digests_sent == 0
    assert len(mail.outbox) == 1
    tomorrow = reminders_sweep(now=at(1))  # "overdue" was told once; nothing new tomorrow
    assert tomorrow.digests_sent == 0


def test_a_reminder_due_after_today_s_digest_waits_for_tomorrow(project, members, risk):
    action(risk, members[C], -2)
    reminders_sweep(now=at())
    action(risk, members[C], 1, "Added at noon")
    assert reminders_sweep(now=at(hour=13)).digests_sent == 0
    assert reminders_sweep(now=at(1)).digests_sent == 1
    assert "Added at noon" in mail.outbox[-1].body
    assert len(mail.outbox) == 2


def test_the_log_refuses_the_same_reminder_twice(project, members, risk):
    step = action(risk, members[C], -2)
    Reminder.objects.create(
        recipient=members[C], kind="action_overdue", action=step, threshold="overdue",
        sent_on=TODAY,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            recipient=members[C], kind="action_overdue", action=step, threshold="overdue",
            sent_on=day(1),
        )  # fmt: skip
    ReminderDigest.objects.create(recipient=members[C], date=TODAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDigest.objects.create(recipient=members[C], date=TODAY)


# --- Preferences and pauses ------------------------------------------------------------------


def test_paused_project_sends_nothing(project, members, risk):
    action(risk, members[C], -9)
    project.reminders_paused = True
    project.save()
    result = reminders_sweep(now=at())
    assert result.digests_sent == 0
    assert mail.outbox == []
    assert not Reminder.objects.exists()


def test_digest_turned_off_sends_nothing(project, members, risk):
    action(risk, members[C], -2)
    members[C].digest_enabled = False
    members[C].save()
    result = reminders_sweep(now=at())
    assert mail.outbox == []
    assert result.held == 1
    assert [digest.held for digest in reminders_plan(now=at())] == ["digests turned off"]
    assert not Reminder.objects.exists()


def test_digest_hour_is_respected(project, members, risk):
    action(risk, members[C], -2)
    members[C].digest_hour = 14
    members[C].save()
    assert reminders_sweep(now=at(hour=13)).digests_sent == 0
    assert mail.outbox == []
    assert reminders_sweep(now=at(hour=14)).digests_sent == 1


def test_catch_up_after_downtime_sends_what_was_missed(project, members, risk):
    """Nobody ran the sweep for a week: the next one tells what is due now, once."""
    action(risk, members[C], -5, "Overdue while the worker was down")
    action(risk, members[C], -30, "Long overdue")
    reminders_sweep(now=at(hour=23))
    (digest,) = mails_to(members[C])
    assert "Overdue while the worker was down" in digest.body
    assert "Long overdue" in digest.body
    assert "[escalated] Long overdue" in mails_to(members[PM])[0].body


def test_a_digest_whose_send_failed_is_sent_by_the_next_sweep(project, members, risk, settings):
    action(risk, members[C], -2, "Told despite the mail outage")
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders.FailingSMTP"
    with pytest.raises(DigestSendError):
        reminders_sweep(now=at())
    digest = ReminderDigest.objects.get()
    assert digest.sent_at is None
    assert digest.claim_token == ""  # released at once
    assert "SMTPServerDisconnected" in digest.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_sweep(now=at(hour=10)).digests_sent == 1
    assert "Told despite the mail outage" in mail.outbox[0].body
    assert reminders_sweep(now=at(hour=11)).digests_sent == 0


def test_a_digest_that_failed_days_ago_goes_out_with_today_s(project, members, risk, settings):
    action(risk, members[C], -2, "Failed on Monday")
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders.FailingSMTP"
    with pytest.raises(DigestSendError):
        reminders_sweep(now=at())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    action(risk, members[C], 4, "New on Wednesday")
    assert reminders_sweep(now=at(2)).digests_sent == 1
    (message,) = mail.outbox
    assert "Failed on Monday" in message.body
    assert "New on Wednesday" in message.body
    assert list(ReminderDigest.objects.values_list("date", flat=True)) == [day(2)]


def test_a_digest_held_by_a_sweep_that_died_is_taken_over_after_the_lease(project, members, risk):
    action(risk, members[C], -2)
    digest = ReminderDigest.objects.create(
        recipient=members[C], date=TODAY, claim_token="dead", claimed_at=at(hour=8)
    )
    assert reminders_sweep(now=at(hour=8) + datetime.timedelta(minutes=5)).digests_sent == 0
    assert reminders_sweep(now=at(hour=9)).digests_sent == 1
    digest.refresh_from_db()
    assert digest.sent_at is not None


def test_the_task_retries_smtp_errors_and_the_next_sweep_still_sends(
    project, members, risk, settings, monkeypatch
):
    from readiness.celery import app

    monkeypatch.setattr(app.conf, "task_eager_propagates", False)
    action(risk, members[C], -2)
    members[C].digest_hour = 0  # the task runs "now": whatever the hour, the digest is due
    members[C].save()
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders.FailingSMTP"
    result = reminders_sweep_task.apply()
    assert result.failed()
    assert isinstance(result.result, SMTPServerDisconnected | DigestSendError)
    assert ReminderDigest.objects.get().attempts == 4  # the first try and three retries
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_sweep_task.apply().get()["digests_sent"] == 1
    assert len(mail.outbox) == 1


# --- What is reminded -------------------------------------------------------------------------


def test_escalation_to_the_project_manager_after_m_days_overdue(project, members, risk):
    action(risk, members[C], -4, "Four days late")
    action(risk, members[C], -6, "Six days late")
    reminders_sweep(now=at())
    (to_manager,) = mails_to(members[PM])
    assert "[escalated] Six days late" in to_manager.body
    assert "Four days late" not in to_manager.body
    assert f"owner {members[C]}" in to_manager.body
    (to_owner,) = mails_to(members[C])
    assert "Four days late" in to_owner.body
    assert "Six days late" in to_owner.body
    assert "[escalated]" not in to_owner.body


def test_escalation_follows_the_project_setting(project, members, risk):
    project.escalation_after_days = 2
    project.save()
    action(risk, members[C], -2, "Two days late")
    reminders_sweep(now=at())
    assert "[escalated] Two days late" in mails_to(members[PM])[0].body


def test_due_soon_follows_the_project_setting(project, members, risk):
    project.reminder_due_soon_days = 7
    project.save()
    action(risk, members[C], 6, "Due in six days")
    reminders_sweep(now=at())
    assert "Due in six days" in mails_to(members[C])[0].body


def test_daily_reminders_in_the_last_two_weeks_before_go_live(project, members, risk):
    action(risk, members[C], -1, "Still late")
    project.go_live_date = day(10)
    project.save()
    for offset in range(3):
        assert reminders_sweep(now=at(offset)).digests_sent == 1
    assert len(mails_to(members[C])) == 3
    assert all("Still late" in message.body for message in mail.outbox)


def test_outside_the_last_two_weeks_an_overdue_action_is_told_once(project, members, risk):
    action(risk, members[C], -1, "Late, go-live far away")
    for offset in range(3):
        reminders_sweep(now=at(offset))
    assert len(mails_to(members[C])) == 1


def test_owners_who_left_the_project_are_not_reminded(project, members, risk):
    step = action(risk, members[C], -1)
    members[C].memberships.filter(project=project).delete()
    reminders_sweep(now=at())
    assert mails_to(members[C]) == []
    assert step.pk  # the action waits for the project manager to reassign it


@pytest.fixture
def done_item(project, members):
    review = make_review(project, acting_user=members[F])
    ReviewItem.objects.filter(review=review, key="item-0-1").update(status="done")
    return ReviewItem.objects.get(review=review, key="item-0-1")


def test_signoffs_awaited_while_the_vote_is_open(project, members, done_item):
    assert reminders_sweep(now=at()).digests_sent == 0  # go-live in 30 days, no vote
    Decision.objects.create(review=done_item.review, opened_by=members[F])
    reminders_sweep(now=at(hour=10))
    (to_approver,) = mails_to(members[A])
    assert "Sign-offs awaited:" in to_approver.body
    assert done_item.title in to_approver.body
    assert done_item.get_absolute_url() in to_approver.body
    assert mails_to(members[V]) == []  # viewers never sign
    assert mails_to(members[C]) == []  # holds no stakeholder role the item needs


def test_signoffs_awaited_when_go_live_is_within_n_days(project, members, done_item):
    project.go_live_date = day(3)
    project.save()
    holder = UserFactory(full_name="Bea Business-Owner")
    MembershipFactory(project=project, user=holder, role=C, signoff_roles=["business_owner"])
    reminders_sweep(now=at())
    assert done_item.title in mails_to(members[A])[0].body
    assert done_item.title in mails_to(holder)[0].body


def test_a_signed_item_is_not_awaited(project, members, done_item):
    from reviews.services.signoffs import item_sign_off

    Decision.objects.create(review=done_item.review, opened_by=members[F])
    item_sign_off(item=done_item, acting_user=members[A], decision="approve")
    reminders_sweep(now=at())
    assert done_item.title not in "".join(m.body for m in mail.outbox)


def test_a_missed_condition_reverts_the_go_and_tells_manager_and_approvers(
    project, members, django_capture_on_commit_callbacks
):
    review = make_review(project, acting_user=members[F])
    decision = Decision.objects.create(
        review=review, opened_by=members[F], status="recorded", outcome="conditional_go",
        recorded_by=members[F], recorded_at=timezone.now(), snapshot={},
    )  # fmt: skip
    DecisionCondition.objects.create(
        decision=decision, description="Mock cutover passes", owner=members[C], due_date=day(-1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = reminders_sweep(now=at())
    decision.refresh_from_db()
    assert decision.reverted_at is not None
    assert result.reverted == [decision]
    # Told once, from one place: each of them gets their digest, and nothing besides.
    for person in (members[PM], members[A]):
        (digest,) = mails_to(person)
        assert "digest" in digest.subject
        assert "Conditional go reverted to no-go:" in digest.body
        assert "Mock cutover passes" in digest.body
    assert mails_to(members[C]) == []
    mail.outbox.clear()
    reminders_sweep(now=at(1))
    assert mail.outbox == []  # reverted once, told once


# --- The command ------------------------------------------------------------------------------


def test_dry_run_prints_who_would_get_what_and_sends_nothing(project, members, risk):
    action(risk, members[C], -2, "Map the bank statement variant")
    members[A].digest_enabled = False
    members[A].save()
    action(risk, members[A], 1, "Book the sign-off session")
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--today", TODAY.isoformat(), "--hour", "9",
                 stdout=out)  # fmt: skip
    printed = out.getvalue()
    assert members[C].email in printed
    assert "would be sent" in printed
    assert "Map the bank statement variant" in printed
    assert members[A].email in printed
    assert "held: digests turned off" in printed
    assert project.name in printed
    assert mail.outbox == []
    assert not Reminder.objects.exists()
    assert not ReminderDigest.objects.exists()


def test_command_sends_the_digests(project, members, risk):
    action(risk, members[C], -2)
    out = io.StringIO()
    call_command("send_reminders", "--today", TODAY.isoformat(), "--hour", "9", stdout=out)
    assert "1 digest(s) sent" in out.getvalue()
    assert len(mail.outbox) == 1


# --- Concurrency and cost ----------------------------------------------------------------------


def test_a_sweep_running_while_another_sends_sends_nothing(project, members, risk, monkeypatch):
    """The second sweep starts after the first one committed its claims, before it sent."""
    from reminders import digests
    from reminders import services as reminders

    action(risk, members[C], -2)
    action(risk, members[A], 1)
    real_send = digests.send_digests
    overlapping = []

    def send_with_a_second_sweep_meanwhile(claimed, *, now):
        overlapping.append(reminders_sweep(now=now))
        return real_send(claimed, now=now)

    monkeypatch.setattr(reminders, "send_digests", send_with_a_second_sweep_meanwhile)
    first = reminders_sweep(now=at())
    assert first.digests_sent == 2
    assert overlapping[0].digests_sent == 0
    assert len(mail.outbox) == 2


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_on_postgresql_send_each_digest_once():
    need_postgres()
    from tests.factories import ProjectFactory

    project = ProjectFactory()
    owners = [UserFactory() for _ in range(12)]
    raiser = owners[0]
    for owner in owners:
        MembershipFactory(project=project, user=owner, role=C)
    risk = RiskFactory(project=project, raised_by=raiser)
    for index, owner in enumerate(owners):
        action(risk, owner, -1 - index % 3)
        action(risk, owner, 1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            results.append(reminders_sweep(now=at()))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(result.digests_sent for result in results) == len(owners)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(owner.email for owner in owners)
    assert Reminder.objects.count() == 2 * len(owners)


def _world(project, members, size):
    """``size`` owners with 10 actions each (overdue, due soon, later), sign-offs awaited under
    an open vote, and an escalated action."""
    review = make_review(project, acting_user=members[F], title=f"Review {size}")
    ReviewItem.objects.filter(review=review).update(status="done")
    Decision.objects.create(review=review, opened_by=members[F])
    risk = RiskFactory(project=project, raised_by=members[F])
    for _n in range(size):
        owner = UserFactory()
        MembershipFactory(project=project, user=owner, role=C)
        for k in range(10):
            action(risk, owner, k % 5 - 7)


MARK_SENT = 'UPDATE "reminders_reminderdigest" SET "sent_at"'


def _sweep_counting_queries(now):
    """Sweep; return (result, its queries but the marks, the marks: one per digest sent, each
    its own transaction, so a sweep killed mid-send repeats at most one digest)."""
    with CaptureQueriesContext(connection) as queries:
        result = reminders_sweep(now=now)
    marks = sum(1 for query in queries if query["sql"].startswith(MARK_SENT))
    return result, len(queries) - marks, marks


@pytest.mark.parametrize("size", [2, 8])
def test_sweep_queries_do_not_grow_with_the_number_of_actions(
    project, members, size, django_assert_max_num_queries
):
    _world(project, members, size)
    digests = size + 2  # the owners, the approver (sign-offs), the PM
    with django_assert_max_num_queries(30 + digests):
        result, queries, marks = _sweep_counting_queries(at())
    assert result.digests_sent == digests
    assert queries <= 30
    assert marks == digests


def test_sweep_query_count_is_the_same_at_two_sizes(db, members, project):
    from tests.factories import ProjectFactory

    counts = []
    # 20 and 200 actions: the reminders are inserted by one INSERT ... SELECT whatever their
    # number (a bulk_create would take one more query per ~99 rows on SQLite). Sending reads
    # digests 500 at a time: both sizes are one read.
    for size in (2, 20):
        other = ProjectFactory()
        for role in (F, PM, A):
            MembershipFactory(project=other, user=UserFactory(), role=role)
        people = {m.role: m.user for m in other.memberships.all()}
        _world(other, people, size)
        # A different day each time: everything is new.
        result, queries, marks = _sweep_counting_queries(at(size))
        assert marks == result.digests_sent > 0
        counts.append(queries)
    assert counts[0] == counts[1], counts


class UnreachableSMTP(BaseEmailBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise AssertionError("never reached: the connection does not open")


def test_an_unreachable_mail_relay_releases_every_digest_at_once(project, members, risk, settings):
    action(risk, members[C], -2)
    action(risk, members[A], 1)
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders.UnreachableSMTP"
    with pytest.raises(DigestSendError):
        reminders_sweep(now=at())
    assert set(ReminderDigest.objects.values_list("claim_token", "sent_at")) == {("", None)}
    assert all("ConnectionRefusedError" in d.last_error for d in ReminderDigest.objects.all())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminders_sweep(now=at(hour=10)).digests_sent == 2


# --- Refused for good --------------------------------------------------------------------------


class RefusingSMTP(BaseEmailBackend):
    """The relay answers 550 for the contributor's address and accepts everyone else."""

    refused = ""

    def send_messages(self, messages):
        for message in messages:
            if message.to == [self.refused]:
                raise SMTPRecipientsRefused({self.refused: (550, b"5.1.1 User unknown")})
        return mail.get_connection("django.core.mail.backends.locmem.EmailBackend").send_messages(
            messages
        )


def test_a_refused_digest_is_final_and_shown_to_site_staff(
    project, members, risk, settings, client
):
    action(risk, members[C], -2)
    action(risk, members[A], 1)
    RefusingSMTP.refused = members[C].email
    settings.EMAIL_BACKEND = "tests.reminders.test_reminders.RefusingSMTP"
    result = reminders_sweep(now=at())  # no DigestSendError: nothing is worth a retry
    assert result.digests_sent == 1
    assert result.refused == [members[C].email]
    assert [m.to for m in mail.outbox] == [[members[A].email]]
    action(risk, members[C], 2, "Due later today")
    assert reminders_sweep(now=at(hour=10)).digests_sent == 0  # the refused one is not retried
    (held,) = [d for d in reminders_plan(now=at(hour=11)) if d.recipient == members[C]]
    assert held.held == "today's digest was refused by the mail relay; these go tomorrow"

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:reminders_reminderdigest_changelist"), {"status": "failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "Refused for good" in text
    assert "550 5.1.1 User unknown" in text
    assert members[A].full_name not in text  # the sent one is filtered out
