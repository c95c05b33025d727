"""Demo reviews and workshops for `manage.py seed_demo` (see ``projects.demo``)."""

import datetime

from django.db import transaction
from django.utils import timezone

from projects.models import Membership, Role, SignoffRole
from reviews.models import Review, SignOff, Workshop
from reviews.services.checklists import checklist_load_default
from reviews.services.items import review_item_update
from reviews.services.reviews import review_create
from reviews.services.signoffs import item_sign_off
from reviews.services.workshops import workshop_create, workshop_save_minutes

# --- Reviews --------------------------------------------------------------------

EARLY_REVIEW_TITLE = "Early readiness check (10 weeks out)"
CURRENT_REVIEW_TITLE = "Go-live readiness review (4 weeks out)"

# (item key, status, response, owner, who signs it off: each signs as every stakeholder role
# the item names that they hold). Roles nobody listed here holds stay awaited, so the
# approvers find items waiting on their home page.
EARLY_ANSWERS = [
    (
        "glr-review-scheduled",
        "done",
        "Review booked four weeks before go-live.",
        "pm",
        ["approver"],
    ),
    (
        "scope-business-terms",
        "done",
        "Scope walked through with finance and warehouse leads.",
        "pm",
        ["approver"],
    ),
    (
        "uat-scope-coverage",
        "in_progress",
        "Test cases traced for 80% of requirements.",
        "contributor",
        [],
    ),
    ("dm-dry-runs", "at_risk", "First dry run failed on open purchase orders.", "contributor", []),
    ("cut-mock-cutover", "not_started", "", "facilitator", []),
]

CURRENT_ANSWERS = [
    ("glr-review-scheduled", "done",
     "Review held 4 weeks before the date; mitigation time planned.", "facilitator", ["pm"]),
    ("glr-test-cycles-exit-criteria", "in_progress",
     "SIT and performance closed; UAT cycle 2 ends Friday.", "facilitator", []),
    ("glr-risk-register", "done",
     "Risk log kept in readiness; every risk has an owner and a date.", "facilitator", ["pm"]),
    ("glr-go-no-go-criteria", "done",
     "Criteria agreed in steering: no open blocker without accepted workaround.", "pm",
     ["approver"]),
    # Waits for Alice Approver (business owner).
    ("scope-business-terms", "done", "Scope presented as 42 end-to-end processes.", "pm", []),
    ("scope-profile-recorded", "done",
     "Big-bang, 3 ISV solutions, 14 interfaces, 380 users at go-live.", "pm", ["facilitator"]),
    ("scope-gap-list", "done", "Eleven gaps, all prioritised with owners.", "facilitator", ["pm"]),
    # Signed by the business owner; waits for Arjun Approver (executive sponsor).
    ("scope-signoff", "done", "Signed by the finance and operations directors.", "pm",
     ["approver"]),
    ("acc-all-test-types", "done",
     "All test types in the strategy executed on the full solution.", "facilitator",
     ["contributor"]),
    # Waits for Carla Contributor (test lead).
    ("acc-end-to-end", "done",
     "Order-to-cash and procure-to-pay run end to end with integrations.", "facilitator", []),
    ("uat-scope-coverage", "done", "All 612 requirements traced to test cases.", "facilitator",
     ["contributor"]),
    ("uat-migrated-data", "done", "UAT cycle 2 runs on the third trial migration.", "facilitator",
     ["contributor"]),
    ("uat-real-security-roles", "at_risk",
     "Warehouse testers still share one role; fix planned.", "contributor", []),
    ("uat-signoff", "in_progress", "Sign-off meeting booked after cycle 2.", "pm", []),
    ("perf-peak-load", "done", "Month-end peak simulated at 1.5x volume; targets met.",
     "contributor", ["facilitator"]),
    # Signed by the solution architect; waits for Alice Approver (business owner).
    ("perf-signoff", "done", "Accepted by the business owners.", "pm", ["facilitator"]),
    ("sit-before-uat", "done", "SIT closed two weeks before UAT started.", "contributor",
     ["facilitator"]),
    # Signed by the integration lead; waits for Alice Approver (business owner).
    ("sit-signoff", "done", "All 14 interfaces signed off.", "contributor", ["facilitator"]),
    ("dm-plan", "done", "Strategy, sequence and reconciliation documented.", "pm",
     ["contributor"]),
    ("dm-dry-runs", "at_risk", "Third dry run took 31 hours against a 24-hour window.",
     "contributor", []),
    ("dm-fits-window", "at_risk", "Does not fit yet: parallel loads being tuned.",
     "contributor", []),
    ("cut-plan-complete", "in_progress", "Runbook has 212 steps; owners missing on 9.",
     "facilitator", []),
    ("cut-mock-cutover", "not_started", "Mock cutover planned for next weekend.", "facilitator",
     []),
    ("cm-training-delivered", "in_progress", "70% of users trained; rest scheduled.", "pm", []),
    # Waits for Arjun Approver (IT lead).
    ("env-licenses", "done", "Licences bought in the production tenant and assigned.", "pm", []),
    ("ax-collation", "done", "Source database uses SQL_Latin1_General_CP1_CI_AS.", "contributor",
     ["approver2"]),
    ("ax-warehouse-mobile", "not_applicable",
     "Warehouse keeps its current scanners for phase 1.", "pm", []),
]  # fmt: skip


def _holders(project):
    """Stakeholder role -> the demo members who hold it (the PM holds his by office)."""
    holders = {}
    for membership in Membership.objects.filter(project=project).select_related("user"):
        roles = set(membership.signoff_roles)
        if membership.role == Role.PROJECT_MANAGER:
            roles.add(SignoffRole.PROJECT_MANAGER)
        for role in roles:
            holders.setdefault(role, []).append(membership.user)
    return holders


def _answer_review(review, answers, people):
    """Answer the listed items; the signers sign each as the roles it names that they hold."""
    by_key = {item.key: item for item in review.items.all()}
    holders = _holders(review.project)
    short = {
        "pm": people["pm@demo.example.com"],
        "facilitator": people["facilitator@demo.example.com"],
        "contributor": people["contributor@demo.example.com"],
        "approver": people["approver@demo.example.com"],
        "approver2": people["approver2@demo.example.com"],
    }
    today = timezone.localdate()
    for index, (key, status, response, owner, signers) in enumerate(answers):
        item = by_key.get(key)
        if item is None:
            continue
        item = review_item_update(
            item=item,
            acting_user=short["facilitator"],
            version=item.version,
            status=status,
            response=response,
            owner=short[owner],
            due_date=today + datetime.timedelta(days=(index % 9) - 3) if status != "done" else None,
        )
        if not signers:
            continue
        signed_roles = set()
        for signer in (short[name] for name in signers):
            for role in item.signoff_roles:
                if role not in signed_roles and signer in holders.get(role, []):
                    signed_roles.add(role)
                    item = item_sign_off(
                        item=item,
                        acting_user=signer,
                        decision=SignOff.Decision.APPROVE,
                        comment="Evidence reviewed.",
                        as_role=role,
                    ).item


@transaction.atomic
def seed_reviews(seeded):
    """Two reviews of the demo project: an early check and the current one, partly answered and signed."""
    project, people = seeded["project"], seeded["people"]
    template, _ = checklist_load_default()
    facilitator = people["facilitator@demo.example.com"]
    reviews = {}
    for title, answers, status, weeks in (
        (EARLY_REVIEW_TITLE, EARLY_ANSWERS, Review.Status.COMPLETE, -6),
        (CURRENT_REVIEW_TITLE, CURRENT_ANSWERS, Review.Status.IN_PROGRESS, 0),
    ):
        review = Review.objects.filter(project=project, title=title).first()
        if review is None:
            review = review_create(
                project=project,
                template=template,
                acting_user=facilitator,
                title=title,
                scheduled_date=timezone.localdate() + datetime.timedelta(weeks=weeks),
                facilitator=facilitator,
            )
            _answer_review(review, answers, people)
            review.status = status
            review.save(update_fields=["status"])
        reviews[title] = review
    seeded["reviews"] = reviews
    seeded["review"] = reviews[CURRENT_REVIEW_TITLE]
    return reviews


# --- Workshops ----------------------------------------------------------------------

EARLY_MINUTES = """Attendees walked through all areas in 90 minutes.
- Data migration: first dry run failed on open purchase orders; re-creation plan needed.
- Cutover: no mock cutover planned yet.
- UAT: coverage at 80%, warehouse scenarios missing.
Decision: no-go for the original date; re-assess in six weeks."""


@transaction.atomic
def seed_workshops(seeded):
    """A past workshop with minutes on the early review; the next workshop booked."""
    people = seeded["people"]
    facilitator = people["facilitator@demo.example.com"]
    early = seeded["reviews"][EARLY_REVIEW_TITLE]
    current = seeded["reviews"][CURRENT_REVIEW_TITLE]
    invitees = list(people.values())
    if not Workshop.objects.filter(review=early).exists():
        workshop = workshop_create(
            review=early,
            acting_user=facilitator,
            title="Early readiness workshop",
            starts_at=timezone.now() - datetime.timedelta(weeks=6),
            facilitator=facilitator,
            location="Teams",
            agenda=list(early.sections.values_list("key", flat=True)),
            invitees=invitees,
            guests=[("Priya Partner", "priya@partner.example.com")],
        )
        workshop.attendees.update(attended=True)
        workshop_save_minutes(
            workshop=workshop, acting_user=facilitator, minutes=EARLY_MINUTES, version=1
        )
    if not Workshop.objects.filter(review=current).exists():
        workshop_create(
            review=current,
            acting_user=facilitator,
            title="Go-live readiness workshop",
            starts_at=(timezone.now() + datetime.timedelta(days=1)).replace(
                hour=9, minute=30, second=0, microsecond=0
            ),
            facilitator=facilitator,
            location="Board room and Teams",
            agenda=list(current.sections.values_list("key", flat=True)),
            invitees=invitees,
        )


# --- Questions ----------------------------------------------------------------------

# (item key, who asks, question, [(who answers, answer)], resolved by whom or None)
DEMO_QUESTIONS = [
    (
        "glr-test-cycles-exit-criteria",
        "contributor",
        "@facilitator does UAT cycle 2 have to close before the workshop, or is a signed "
        "exit report with open low-severity defects enough?",
        [("pm", "A signed exit report is enough if no defect above low is open.")],
        None,
    ),
    (
        "scope-gap-list",
        "approver",
        "Are the eleven gaps priced, or only prioritised?",
        [("facilitator", "Priced too: the estimate is attached to the gap list in the evidence.")],
        "approver",
    ),
]


@transaction.atomic
def seed_questions(seeded):
    """Questions on the current review's items: one open that mentions the facilitator, one
    answered and resolved."""
    from discussions.models import Thread
    from discussions.services import thread_ask, thread_reply, thread_resolve
    from projects.selectors import project_access
    from reviews.selectors.items import item_subject

    project, people = seeded["project"], seeded["people"]
    if Thread.objects.filter(project=project).exists():
        return
    review = seeded["review"]
    items = {item.key: item for item in review.items.select_related("section", "review")}

    def person(handle):
        return people[f"{handle}@demo.example.com"]

    for key, asker, question, answers, resolver in DEMO_QUESTIONS:
        item = items.get(key)
        if item is None:
            continue
        access = project_access(user=person(asker), project=project)
        subject = item_subject(access, item.pk, item=item)
        thread = thread_ask(subject=subject, acting_user=person(asker), body=question)
        for who, answer in answers:
            thread_reply(thread=thread, acting_user=person(who), body=answer)
        if resolver:
            thread_resolve(
                thread=thread, acting_user=person(resolver), subject_owner_id=subject.owner_id
            )
