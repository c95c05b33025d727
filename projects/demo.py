"""Demo people and projects for `manage.py seed_demo`: idempotent, realistic, small.

Each app seeds its own part of the demo (``projects``, ``reviews``, ``risks``,
``decisions``); each step looks up what it would create first, so running the
command again changes nothing and never duplicates rows.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from projects.models import Membership, Phase, Project, Role

DEMO_PASSWORD = "readiness-demo"  # noqa: S105 (printed for the demo logins on purpose)
DEMO_PROJECT_NAME = "Contoso Finance & Operations go-live"

DEMO_PEOPLE = [
    ("facilitator@demo.example.com", "Fiona Facilitator", Role.FACILITATOR),
    ("pm@demo.example.com", "Paul Manager", Role.PROJECT_MANAGER),
    ("approver@demo.example.com", "Alice Approver", Role.APPROVER),
    ("approver2@demo.example.com", "Arjun Approver", Role.APPROVER),
    ("contributor@demo.example.com", "Carla Contributor", Role.CONTRIBUTOR),
    ("viewer@demo.example.com", "Victor Viewer", Role.VIEWER),
]
# The stakeholder roles each demo member signs as. Security lead and support lead are held
# by nobody yet, so the demo shows the prompt to assign them.
DEMO_STAKEHOLDER_ROLES = {
    "facilitator@demo.example.com": ["solution_architect", "integration_lead", "cutover_manager"],
    "pm@demo.example.com": ["change_manager"],
    "approver@demo.example.com": ["business_owner", "steering_committee"],
    "approver2@demo.example.com": ["executive_sponsor", "steering_committee", "it_lead"],
    "contributor@demo.example.com": ["data_migration_lead", "test_lead"],
}


def _user(email, full_name, *, staff=False):
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "is_staff": staff, "is_superuser": staff}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed_people_and_project():
    admin = _user("admin@demo.example.com", "Ada Admin", staff=True)
    people = {email: _user(email, name) for email, name, _ in DEMO_PEOPLE}
    project = Project.objects.filter(name=DEMO_PROJECT_NAME).first()
    if project is None:
        project = Project.objects.create(
            name=DEMO_PROJECT_NAME,
            customer="Contoso Ltd",
            description=(
                "Finance, supply chain and warehouse processes move from AX 2012 to "
                "Dynamics 365 Finance and Supply Chain Management in one cutover weekend."
            ),
            go_live_date=timezone.localdate() + datetime.timedelta(days=30),
            scopes=["finance_operations", "ax2012_upgrade"],
            phase=Phase.PREPARE,
            created_by=people["pm@demo.example.com"],
        )
    for email, _, role in DEMO_PEOPLE:
        Membership.objects.get_or_create(
            project=project,
            user=people[email],
            defaults={"role": role, "signoff_roles": DEMO_STAKEHOLDER_ROLES.get(email, [])},
        )
    # A second project the contributor is not part of, to show that access is per project.
    other = Project.objects.filter(name="Fabrikam Customer Service roll-out").first()
    if other is None:
        other = Project.objects.create(
            name="Fabrikam Customer Service roll-out",
            customer="Fabrikam Inc",
            go_live_date=timezone.localdate() + datetime.timedelta(days=75),
            scopes=["customer_engagement"],
            phase=Phase.IMPLEMENT,
            created_by=people["facilitator@demo.example.com"],
        )
    Membership.objects.get_or_create(
        project=other,
        user=people["facilitator@demo.example.com"],
        defaults={"role": Role.PROJECT_MANAGER},
    )
    Membership.objects.get_or_create(
        project=other, user=people["viewer@demo.example.com"], defaults={"role": Role.APPROVER}
    )
    return {"admin": admin, "people": people, "project": project, "other": other}


def logins():
    rows = [(email, role.label) for email, _, role in DEMO_PEOPLE]
    rows.append(("admin@demo.example.com", "Site staff (admin)"))
    return rows
