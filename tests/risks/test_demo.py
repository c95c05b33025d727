import datetime

from django.utils import timezone

from projects import demo
from risks.demo import seed_risks
from risks.models import MitigationAction, Risk, RiskChange
from tests.factories import make_review


def test_seed_risks_builds_a_realistic_register_once(db):
    seeded = demo.seed_people_and_project()
    seed_risks(seeded)
    project = seeded["project"]
    risks = Risk.objects.filter(project=project)
    assert risks.count() >= 12
    assert set(risks.values_list("type", flat=True)) == {"assertion", "risk", "issue"}
    blockers = risks.filter(is_blocker=True)
    assert blockers.count() == 1
    assert blockers.get().workaround
    today = timezone.localdate()
    actions = MitigationAction.objects.filter(
        risk__project=project, status__in=["open", "in_progress"]
    )
    assert actions.filter(due_date__lt=today).count() >= 3
    owners = set(actions.values_list("owner__email", flat=True))
    assert len(owners) >= 4
    contributor = seeded["people"]["contributor@demo.example.com"]
    assert actions.filter(
        owner=contributor, due_date__gte=today, due_date__lte=today + datetime.timedelta(days=3)
    ).exists()
    assert risks.filter(status="accepted").exclude(accepted_by=None).exists()
    history = RiskChange.objects.filter(risk__project=project).count()

    seed_risks(seeded)
    assert Risk.objects.filter(project=project).count() == risks.count()
    assert RiskChange.objects.filter(risk__project=project).count() == history


def test_seed_risks_links_findings_to_the_demo_review_items(db):
    seeded = demo.seed_people_and_project()
    seed_risks(seeded)  # before any review exists: nothing to link to
    project = seeded["project"]
    review = make_review(project, acting_user=seeded["people"]["facilitator@demo.example.com"])
    item = review.items.first()
    item.key = "dm-dry-runs"
    item.save()
    seed_risks(seeded)  # run again once the review exists
    risk = Risk.objects.get(project=project, title__startswith="Data migration dry run")
    assert (risk.review_item, risk.review, risk.area) == (item, review, item.section)


def test_seed_risks_has_an_acceptance_expiring_soon_once(db):
    seeded = demo.seed_people_and_project()
    seed_risks(seeded)
    today = timezone.localdate()
    soon = Risk.objects.filter(
        project=seeded["project"],
        status="accepted",
        acceptance_expires_on__gt=today,
        acceptance_expires_on__lte=today + datetime.timedelta(days=7),
    )
    assert soon.count() == 1
    expiry = soon.get().acceptance_expires_on
    seed_risks(seeded)
    assert soon.get().acceptance_expires_on == expiry
