"""factory_boy factories for every model the tests create."""

import datetime

import factory
from django.utils import timezone

from accounts.models import User
from projects.models import Membership, Project, Role

DEMO_PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(DEMO_PASSWORD)


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    customer = factory.Faker("company")
    go_live_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    scopes = factory.LazyFunction(lambda: ["finance_operations"])
    created_by = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CONTRIBUTOR
    signoff_roles = factory.LazyFunction(list)


# --- Checklist templates and reviews ----------------------------------------------


def make_template(*, sections=2, items_per_section=3, key="test-checklist", scopes_by_item=None):
    """A small checklist template: items alternate mandatory/optional, one sign-off role each."""
    from reviews.models import ChecklistTemplate, TemplateItem, TemplateSection

    version = ChecklistTemplate.objects.filter(key=key).count() + 1
    template = ChecklistTemplate.objects.create(key=key, name="Test checklist", version=version)
    for s in range(sections):
        section = TemplateSection.objects.create(
            template=template, key=f"area-{s}", title=f"Area {s}", order=s,
            key_questions=[f"Question {s}?"], red_flags=[f"Red flag {s}"],
        )  # fmt: skip
        for i in range(items_per_section):
            key_ = f"item-{s}-{i}"
            TemplateItem.objects.create(
                template=template, section=section, key=key_, title=f"Item {s}.{i}",
                severity="blocker" if i == 0 else "high", mandatory=(i == 0),
                signoff_roles=["business_owner"], order=i,
                scopes=(scopes_by_item or {}).get(key_, ["all"]),
            )  # fmt: skip
    return template


def make_review(project, *, template=None, acting_user=None, **kwargs):
    from reviews.services.reviews import review_create

    template = template or make_template()
    return review_create(
        project=project,
        template=template,
        acting_user=acting_user or project.created_by,
        title=kwargs.pop("title", "Readiness review"),
        **kwargs,
    )


# --- Risks and mitigation actions ----------------------------------------------


class RiskFactory(factory.django.DjangoModelFactory):
    """A rated, open risk. Pass ``type="assertion"`` with ``likelihood=None, impact=None``."""

    class Meta:
        model = "risks.Risk"

    project = factory.SubFactory(ProjectFactory)
    number = factory.Sequence(lambda n: n + 1)  # unique everywhere, so within each project too
    title = factory.Sequence(lambda n: f"Risk {n}")
    description = "What could go wrong, and why."
    type = "risk"
    category = "data"
    likelihood = 3
    impact = 3
    raised_by = factory.SubFactory(UserFactory)


class MitigationActionFactory(factory.django.DjangoModelFactory):
    """An open action due in a week; give an ``owner`` who is a member of the risk's project."""

    class Meta:
        model = "risks.MitigationAction"

    risk = factory.SubFactory(RiskFactory)
    description = factory.Sequence(lambda n: f"Mitigation step {n}")
    owner = factory.SubFactory(UserFactory)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))


def make_digest_owners(count):
    """``count`` contributors of a new project, each owning one action overdue by two days:
    their digest is due whatever the hour, in the order of their ids (the sweep's order)."""
    project = ProjectFactory()
    owners = [UserFactory(digest_hour=0) for _ in range(count)]
    for owner in owners:
        MembershipFactory(project=project, user=owner, role=Role.CONTRIBUTOR)
    risk = RiskFactory(project=project, raised_by=owners[0])
    for owner in owners:
        MitigationActionFactory(
            risk=risk, owner=owner, due_date=timezone.localdate() - datetime.timedelta(days=2)
        )
    return owners


# --- Summary PDFs --------------------------------------------------------------------


def make_summary(review, *, requested_by, status="ready", recipients=()):
    """A summary report; a ready one has a (tiny) stored PDF, without running WeasyPrint."""
    from django.core.files.base import ContentFile

    from summaries.models import SummaryReport

    report = SummaryReport.objects.create(review=review, requested_by=requested_by, status=status)
    if status == "ready":
        report.pages = 1
        report.file.save(f"summary-{report.pk}.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    report.recipients.set(recipients)
    return report


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation to ``project`` (give ``invited_by``, its project manager)."""

    class Meta:
        model = "projects.Invitation"

    project = factory.SubFactory(ProjectFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    role = Role.CONTRIBUTOR
    invited_by = factory.SubFactory(UserFactory)
    nonce = factory.Sequence(lambda n: f"{n:032x}")


# --- Cutover plans -------------------------------------------------------------------


def days_ahead(days, hour, tz=None):
    """An aware datetime ``days`` days after today at ``hour``:00 in ``tz`` (the site's time
    zone by default): a meeting that lies ahead whenever the tests run."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour, 0), tzinfo=tz or timezone.get_current_timezone()
    )


def form_datetime(moment):
    """``moment`` as a datetime-local field holds it: 2026-12-05T09:00 in its own time zone."""
    return moment.strftime("%Y-%m-%dT%H:%M")


def next_cutover_window_start():
    """Friday 18:00 Europe/London of the week after next (aware), a typical window's opening."""
    import zoneinfo

    london = zoneinfo.ZoneInfo("Europe/London")
    day = timezone.localdate() + datetime.timedelta(days=14)
    day += datetime.timedelta(days=(4 - day.weekday()) % 7)
    return datetime.datetime.combine(day, datetime.time(18, 0), tzinfo=london)


class CutoverPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cutover.CutoverPlan"
        django_get_or_create = ("project",)

    project = factory.SubFactory(ProjectFactory)
    created_by = factory.LazyAttribute(lambda plan: plan.project.created_by)
    signoff_roles = factory.LazyFunction(lambda: ["business_owner", "cutover_manager"])


class PlanVersionFactory(factory.django.DjangoModelFactory):
    """Version 1, a draft: Friday 18:00 to Monday 06:00 (60 h) Europe/London, 2 h buffer."""

    class Meta:
        model = "cutover.PlanVersion"

    plan = factory.SubFactory(CutoverPlanFactory)
    number = 1
    window_start = factory.LazyFunction(next_cutover_window_start)
    window_end = factory.LazyAttribute(
        lambda version: version.window_start + datetime.timedelta(hours=60)
    )
    time_zone = "Europe/London"
    buffer_minutes = 120
    created_by = factory.LazyAttribute(lambda version: version.plan.created_by)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "cutover.Step"
        skip_postgeneration_save = True

    plan_version = factory.SubFactory(PlanVersionFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Cutover step {n + 1}")
    category = "deployment"
    duration_minutes = 30
    verification = "Checked by the owner."


class StepDependencyFactory(factory.django.DjangoModelFactory):
    """``predecessor`` -> ``successor``, both of one version (give both, or neither)."""

    class Meta:
        model = "cutover.StepDependency"

    predecessor = factory.SubFactory(StepFactory)
    successor = factory.SubFactory(
        StepFactory, plan_version=factory.SelfAttribute("..predecessor.plan_version")
    )
    plan_version = factory.SelfAttribute("predecessor.plan_version")


def make_cutover_plan(project, *, steps=5, owner=None, chain=True, **version_fields):
    """A plan version of ``project`` with ``steps`` steps of 30 minutes, numbered 1..N; with
    ``chain`` each step depends on the one before (and every fifth on the one five before),
    written in bulk so large plans are quick to build."""
    from cutover.models import Step, StepDependency

    plan_version = PlanVersionFactory(plan=CutoverPlanFactory(project=project), **version_fields)
    Step.objects.bulk_create(
        Step(
            plan_version=plan_version,
            number=number,
            title=f"Step {number}",
            category="deployment",
            duration_minutes=30,
            owner=owner,
            backup_owner=owner,
            verification="Checked by the owner.",
            is_checkpoint=(number % 10 == 0),
        )
        for number in range(1, steps + 1)
    )
    by_number = {step.number: step for step in plan_version.steps.all()}
    if chain:
        links = {(number - 1, number) for number in range(2, steps + 1)}
        links |= {(number - 5, number) for number in range(6, steps + 1, 5)}
        StepDependency.objects.bulk_create(
            StepDependency(
                plan_version=plan_version, predecessor=by_number[a], successor=by_number[b]
            )
            for a, b in sorted(links)
        )
    return plan_version


class CutoverRunFactory(factory.django.DjangoModelFactory):
    """Rehearsal 1 of a plan version, running since now."""

    class Meta:
        model = "cutover.CutoverRun"

    plan_version = factory.SubFactory(PlanVersionFactory)
    plan = factory.SelfAttribute("plan_version.plan")
    kind = "rehearsal"
    number = 1
    started_by = factory.LazyAttribute(lambda run: run.plan.created_by)
