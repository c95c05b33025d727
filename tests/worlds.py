"""Object graphs for the access tests: one project with every kind of object."""

from projects.models import Membership, Role
from tests.factories import MembershipFactory, ProjectFactory, UserFactory


def project_world():
    """A project holding one object of every kind a URL can name; returns (ids, members)."""
    project = ProjectFactory()
    members = {}
    for role in Role.values:
        user = UserFactory()
        MembershipFactory(project=project, user=user, role=role)
        members[role] = user
    membership = Membership.objects.filter(project=project).first()
    ids = {"project_pk": project.pk, "membership_pk": membership.pk}
    ids.update(_invitation_ids(project, members))
    ids.update(_review_ids(project, members))
    ids.update(_risk_ids(project, members, ids["item_pk"]))
    ids.update(_question_ids(project, members, ids["item_pk"]))
    ids["finding_pk"] = ids["risk_pk"]  # the API calls findings findings
    ids["token_pk"] = _token_id(members[Role.CONTRIBUTOR])
    ids.update(_cutover_ids(project))
    ids.update(_support_ids(project, members))
    ids.update(_criterion_ids(project))
    ids.update(_notification_ids(project, members))
    ids.update(_webhook_ids(project, members))
    return ids, members


def _token_id(user):
    """A personal access token of one of the project's members (revoked from the profile)."""
    from accounts.services import access_token_create

    token, _ = access_token_create(acting_user=user, name="world", scope="read", days=7)
    return token.pk


def _notification_ids(project, members):
    from notifications.models import Kind
    from notifications.services import notify

    (notification,) = notify(
        recipients=[members[Role.PROJECT_MANAGER]], kind=Kind.OWNER, title="Yours",
        url=project.get_absolute_url(), project=project,
    )  # fmt: skip
    return {"notification_pk": notification.pk}


def _webhook_ids(project, members):
    """An outgoing webhook (disabled: nothing is sent from the crawl)."""
    from webhooks.models import Webhook

    webhook = Webhook.objects.create(
        project=project, name="Teams", url="https://hooks.example.com/in", events=["vote.opened"],
        is_enabled=False, created_by=members[Role.PROJECT_MANAGER],
    )  # fmt: skip
    return {"webhook_pk": webhook.pk}


def _support_ids(project, members):
    """A support plan with a line, a contact, an escalation level, a knowledge-transfer
    session and an exit criterion."""
    import datetime

    from support import services

    pm = members[Role.PROJECT_MANAGER]
    plan = services.support_plan_create(
        project=project, acting_user=pm, signoff_roles=["project_manager"]
    )
    line = services.line_save(
        plan=plan, acting_user=pm, version=None, level="l1", team="Service desk"
    )
    contact = services.contact_add(line=line, acting_user=pm, member=pm)
    level = services.escalation_add(plan=plan, acting_user=pm, response_minutes=15, line=line)
    session = services.kt_session_save(
        plan=plan, acting_user=pm, topic="Runbook", date=datetime.date(2026, 3, 2)
    )
    criterion = services.exit_criterion_add(plan=plan, acting_user=pm, text="No open P1")
    return {
        "line_pk": line.pk, "contact_pk": contact.pk, "level_pk": level.pk,
        "session_pk": session.pk, "exit_criterion_pk": criterion.pk,
    }  # fmt: skip


def _criterion_ids(project):
    """An attested go / no-go criterion with a value."""
    from decisions.models import Attestation, GateCriterion

    criterion = GateCriterion.objects.create(
        project=project, kind="attested", label="Severity-1 defects open", comparator="eq",
        target=0, max_age_days=7,
    )  # fmt: skip
    Attestation.objects.create(
        criterion=criterion, value=0, evidence="Defect log",
        attested_by=project.memberships.first().user,
    )  # fmt: skip
    return {"criterion_pk": criterion.pk}


def _cutover_ids(project):
    """A cutover plan whose version number is the project's own (so another project's
    version number is never one this project has)."""
    from django.utils import timezone

    from cutover.models import CutoverRun, PlannedRehearsal, StepEvent
    from tests.factories import make_cutover_plan

    version = make_cutover_plan(project, steps=3, number=1000 + project.pk)
    step = version.steps.order_by("number").first()
    run = CutoverRun.objects.create(
        plan=version.plan, plan_version=version, kind="rehearsal", number=1,
        started_by=version.plan.created_by,
    )  # fmt: skip
    event = StepEvent.objects.create(
        run=run, step=step, kind="started", at=timezone.now(), by=version.plan.created_by
    )
    rehearsal = PlannedRehearsal.objects.create(
        plan=version.plan, starts_at=timezone.now(), created_by=version.plan.created_by
    )
    return {
        "step_pk": step.pk, "number": version.number, "fmt": "csv", "run_pk": run.pk,
        "event_pk": event.pk, "rehearsal_pk": rehearsal.pk,
    }  # fmt: skip


def _invitation_ids(project, members):
    from projects.services import invitation_token
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(project=project, invited_by=members[Role.PROJECT_MANAGER])
    return {"invitation_pk": invitation.pk, "token": invitation_token(invitation)}


def _review_ids(project, members):
    from django.core.files.base import ContentFile

    from reviews.models import ItemEvidence
    from tests.factories import make_review

    review = make_review(project, acting_user=members[Role.FACILITATOR])
    item = review.items.first()
    evidence = ItemEvidence(item=item, title="plan.pdf", added_by=members[Role.FACILITATOR])
    evidence.file.save("plan.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    ids = {"review_pk": review.pk, "item_pk": item.pk, "evidence_pk": evidence.pk}
    ids.update(_workshop_and_decision_ids(review, members))
    ids["summary_pk"] = _summary_id(review, members)
    return ids


def _summary_id(review, members):
    from tests.factories import make_summary

    return make_summary(review, requested_by=members[Role.FACILITATOR]).pk


def _workshop_and_decision_ids(review, members):
    import datetime

    from django.utils import timezone

    from decisions.models import Decision, DecisionCondition
    from reviews.models import Workshop

    workshop = Workshop.objects.create(
        review=review,
        title="Workshop",
        starts_at=timezone.now(),
        created_by=members[Role.FACILITATOR],
    )
    decision = Decision.objects.create(
        review=review, opened_by=members[Role.FACILITATOR], status="recorded", outcome="conditional_go",
        recorded_by=members[Role.FACILITATOR], recorded_at=timezone.now(), snapshot={},
    )  # fmt: skip
    condition = DecisionCondition.objects.create(
        decision=decision, description="Mock cutover passes", owner=members[Role.CONTRIBUTOR],
        due_date=timezone.localdate() + datetime.timedelta(days=5),
    )  # fmt: skip
    return {"workshop_pk": workshop.pk, "decision_pk": decision.pk, "condition_pk": condition.pk}


def _risk_ids(project, members, item_pk):
    from reviews.models import ReviewItem
    from tests.factories import MitigationActionFactory, RiskFactory

    item = ReviewItem.objects.get(pk=item_pk)
    risk = RiskFactory(
        project=project, review=item.review, review_item=item, area=item.section,
        raised_by=members[Role.FACILITATOR],
    )  # fmt: skip
    action = MitigationActionFactory(risk=risk, owner=members[Role.CONTRIBUTOR])
    return {"risk_pk": risk.pk, "action_pk": action.pk}


def _question_ids(project, members, item_pk):
    """A question on the item, asked by the contributor (so its comment is theirs to edit)."""
    from discussions.services import thread_ask
    from projects.selectors import project_access
    from reviews.selectors.items import item_subject

    contributor = members[Role.CONTRIBUTOR]
    subject = item_subject(project_access(user=contributor, project=project), item_pk)
    thread = thread_ask(subject=subject, acting_user=contributor, body="Which test set?")
    return {
        "kind": "item", "subject_pk": item_pk, "thread_pk": thread.pk,
        "comment_pk": thread.comments.get().pk,
    }  # fmt: skip


def foreign_world_ids():
    """Ids of a project and a user who is a member of a different project only."""
    ids, _ = project_world()
    stranger = UserFactory()
    MembershipFactory(user=stranger, role=Role.PROJECT_MANAGER)
    return ids, stranger
