"""The data the page benchmarks run on: demo-like projects at 1x, grown to 10x.

1x: 5 projects with the same six people (facilitator, project manager, two approvers,
contributor, viewer); each project has one review of 85 items copied from the shipped
checklist (finance and operations scope, cut to 85 so the figure stays comparable when
the checklist grows), 60% answered with sign-offs and history, 30 findings, 60 actions,
a workshop and an open go / no-go vote.

10x and 50x: ten (fifty) times the rows, grown where each page can see them: 50 (250)
projects (home and My actions span projects), and the measured project gets 10 (50)
reviews with 9 (49) recorded decisions (project page), 300 (1,500) findings and 600
(3,000) actions (register, actions by owner, gate), and ten (fifty) times the history
on its current review (review, workshop mode).
"""

import datetime
from dataclasses import dataclass, field

ITEMS = 85
RISKS = 30
ACTIONS_PER_RISK = 2
PROJECTS = 5
PEOPLE = ["facilitator", "pm", "approver", "approver2", "contributor", "viewer"]
STATUS_CYCLE = [
    "done", "done", "done", "done", "in_progress", "in_progress", "at_risk", "not_applicable",
    "not_started", "not_started",
]  # fmt: skip
RESPONSE = (
    "Walked through in the readiness workshop: evidence attached, owner named and the "
    "remaining work planned with a date. "
)
RISK_STATUSES = ["open", "mitigating", "open", "mitigated", "closed", "accepted"]


@dataclass
class World:
    people: dict
    template: object
    projects: list = field(default_factory=list)
    project: object = None  # the measured project
    review: object = None  # its current review
    item: object = None  # the item workshop mode shows
    factor: int = 1  # how many times the 1x rows the world holds

    def describe(self):
        from projects.models import Project
        from reviews.models import Review, ReviewItem
        from risks.models import MitigationAction, Risk

        return (
            f"{Project.objects.count()} projects, {Review.objects.count()} reviews, "
            f"{ReviewItem.objects.count():,} items, {Risk.objects.count():,} findings, "
            f"{MitigationAction.objects.count():,} actions"
        )


def _people():
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    password = make_password("bench-password")
    names = {
        "facilitator": "Fiona Facilitator", "pm": "Paul Manager", "approver": "Alice Approver",
        "approver2": "Arjun Approver", "contributor": "Carla Contributor",
        "viewer": "Victor Viewer",
    }  # fmt: skip
    return {
        short: User.objects.create(
            email=f"{short}@bench.example.com", full_name=names[short], password=password
        )
        for short in PEOPLE
    }


def _project(number, people):
    from django.utils import timezone

    from projects.models import Membership, Project, Role

    roles = {
        "facilitator": Role.FACILITATOR, "pm": Role.PROJECT_MANAGER, "approver": Role.APPROVER,
        "approver2": Role.APPROVER, "contributor": Role.CONTRIBUTOR, "viewer": Role.VIEWER,
    }  # fmt: skip
    project = Project.objects.create(
        name=f"Bench project {number}: finance and operations go-live",
        customer=f"Customer {number}",
        go_live_date=timezone.localdate() + datetime.timedelta(days=30 + number % 20),
        scopes=["finance_operations"],
        created_by=people["pm"],
    )
    Membership.objects.bulk_create(
        Membership(project=project, user=people[short], role=roles[short]) for short in PEOPLE
    )
    return project


def _review(project, people, template, *, title, weeks=0, history=1):
    """A review of ITEMS items, answered by STATUS_CYCLE, signed and with history."""
    from django.utils import timezone

    from reviews.models import ItemStatus, ReviewItem, ReviewItemChange, SignOff
    from reviews.services.reviews import review_create

    review = review_create(
        project=project, template=template, acting_user=people["facilitator"], title=title,
        scheduled_date=timezone.localdate() + datetime.timedelta(weeks=weeks),
        facilitator=people["facilitator"],
    )  # fmt: skip
    items = list(review.items.order_by("section__order", "order", "key"))
    ReviewItem.objects.filter(pk__in=[item.pk for item in items[ITEMS:]]).delete()
    items = items[:ITEMS]
    owners = [people["contributor"], people["facilitator"], people["pm"]]
    today = timezone.localdate()
    labels = dict(ItemStatus.choices)
    for index, item in enumerate(items):
        item.status = STATUS_CYCLE[index % len(STATUS_CYCLE)]
        if item.status != "not_started":
            item.response = RESPONSE * (1 + index % 3)
            item.owner = owners[index % len(owners)]
            item.due_date = today + datetime.timedelta(days=index % 21 - 7)
            item.version = 2
    ReviewItem.objects.bulk_update(items, ["status", "response", "owner", "due_date", "version"])
    answered = [item for item in items if item.status != "not_started"]
    SignOff.objects.bulk_create(
        SignOff(
            item=item, signer=people[signer], decision="approve", item_version=2,
            as_role=(item.signoff_roles or [""])[0], comment="Evidence reviewed.",
        )
        for index, item in enumerate(answered)
        if item.status == "done"
        for signer in (["approver", "approver2"] if index % 2 else ["approver"])
    )  # fmt: skip
    ReviewItemChange.objects.bulk_create(
        ReviewItemChange(
            item=item, user=people["facilitator"], version=2,
            changes={"status": ["Not started", labels[item.status]]},
        )
        for item in answered
        for _ in range(history)
    )  # fmt: skip
    return review, items


def _findings(project, people, items, *, count, start=0):
    """``count`` findings linked to the review's items, ACTIONS_PER_RISK actions each."""
    from django.utils import timezone

    from risks.models import MitigationAction, Risk

    today, now = timezone.localdate(), timezone.now()
    risks = Risk.objects.bulk_create(
        Risk(
            project=project,
            number=n + 1,
            review=items[n % len(items)].review if n % 3 == 0 else None,
            review_item=items[n % len(items)] if n % 3 == 0 else None,
            area=items[n % len(items)].section if n % 3 == 0 else None,
            title=f"Finding {n}: interface retries missing under month-end load",
            description="What could go wrong, why, and what it would cost the go-live. " * 2,
            type="issue" if n % 4 == 0 else "risk",
            status=RISK_STATUSES[n % len(RISK_STATUSES)],
            category="integration",
            likelihood=n % 5 + 1,
            impact=(n // 5) % 5 + 1,
            is_blocker=n % 9 == 0,
            workaround="Manual bank statement upload for the first week." if n % 18 == 0 else "",
            raised_by=people["facilitator"],
        )
        for n in range(start, start + count)
    )
    owners = [people["contributor"], people["approver"], people["facilitator"], people["pm"]]
    actions = []
    for n, risk in enumerate(risks, start=start):
        for k in range(ACTIONS_PER_RISK):
            owner = owners[(n + k) % len(owners)]
            done = (n + k) % 4 == 3
            actions.append(
                MitigationAction(
                    risk=risk,
                    project_id=risk.project_id,
                    owner=owner,
                    created_by=people["facilitator"],
                    description=f"Mitigation step {k + 1} of finding {n}: rehearse and re-test",
                    due_date=today + datetime.timedelta(days=(n * 7 + k) % 30 - 10),
                    status="done" if done else ("in_progress" if k else "open"),
                    completed_at=now if done else None,
                    completed_by=owner if done else None,
                )
            )
    MitigationAction.objects.bulk_create(actions, batch_size=1000)
    return risks


def _workshop_and_vote(review, people):
    from django.utils import timezone

    from decisions.services import decision_open, vote_cast
    from reviews.services.workshops import workshop_create

    workshop_create(
        review=review, acting_user=people["facilitator"], title="Go-live readiness workshop",
        starts_at=timezone.now() + datetime.timedelta(days=1), facilitator=people["facilitator"],
        agenda=list(review.sections.values_list("key", flat=True)),
        invitees=list(people.values()),
    )  # fmt: skip
    decision = decision_open(review=review, acting_user=people["facilitator"])
    vote_cast(decision=decision, acting_user=people["approver"], choice="go", comment="Ready.")


def _recorded_no_go(review, people):
    from decisions.services import decision_open, decision_record, vote_cast

    decision = decision_open(review=review, acting_user=people["facilitator"])
    for approver in ("approver", "approver2"):
        vote_cast(decision=decision, acting_user=people[approver], choice="no_go")
    decision_record(
        decision=decision, acting_user=people["pm"], outcome="no_go",
        rationale="Migration does not fit the window yet.",
        what_must_change="Three timed dry runs inside the cutover window.",
    )  # fmt: skip


def seed_1x():
    from reviews.services.checklists import checklist_load_default

    people = _people()
    template, _ = checklist_load_default()
    world = World(people=people, template=template)
    for number in range(PROJECTS):
        project = _project(number, people)
        review, items = _review(project, people, template, title="Go-live readiness review")
        _findings(project, people, items, count=RISKS)
        _workshop_and_vote(review, people)
        world.projects.append(project)
        if number == 0:
            world.project, world.review, world.item = project, review, items[len(items) // 2]
    return world


def grow_to(world, factor):
    """``factor`` times the 1x rows (10 or 50, growing from what the world holds now); see
    the module docstring for where they go."""
    from reviews.models import ReviewItemChange

    people, template, project = world.people, world.template, world.project
    before = world.factor
    for number in range(PROJECTS * before, PROJECTS * factor):
        other = _project(number, people)
        review, items = _review(other, people, template, title="Go-live readiness review")
        _findings(other, people, items, count=RISKS)
        _workshop_and_vote(review, people)
        world.projects.append(other)
    items = list(world.review.items.all())
    for weeks in range(before - 1, factor - 1):
        older, _ = _review(
            project, people, template, title=f"Readiness check {weeks + 1}", weeks=-factor + weeks
        )
        _recorded_no_go(older, people)
    _findings(project, people, items, count=RISKS * (factor - before), start=RISKS * before)
    answered = [item for item in items if item.status != "not_started"]
    ReviewItemChange.objects.bulk_create(
        (
            ReviewItemChange(
                item=item, user=people["pm"], version=2, changes={"response": ["draft", "final"]}
            )
            for item in answered
            for _ in range(factor - before)
        ),
        batch_size=1000,
    )
    world.factor = factor
    return world


def grow_to_10x(world):
    return grow_to(world, 10)
