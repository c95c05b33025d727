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
