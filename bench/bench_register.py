"""Risk register at 500 findings / 1,500 actions, beside the bare-Django floor page.

Also measures My actions and Actions by owner on the same data.
Run: .venv/bin/python bench/bench_register.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

RISKS = 500
ACTIONS_PER_RISK = 3


def seed_register(risks=RISKS, actions_per_risk=ACTIONS_PER_RISK):
    """A project with ``risks`` rated findings and ``actions_per_risk`` actions each."""
    import datetime

    from django.utils import timezone

    from projects.models import Membership, Role
    from risks.models import MitigationAction, Risk
    from tests.factories import ProjectFactory, UserFactory

    project = ProjectFactory(name="Bench register")
    people = {}
    for role in Role.values:
        people[role] = UserFactory(full_name=f"Bench {role.replace('_', ' ')}")
        Membership.objects.create(project=project, user=people[role], role=role)
    owners = [people[Role.CONTRIBUTOR], people[Role.APPROVER], people[Role.FACILITATOR]]
    statuses = ["open", "mitigating", "open", "mitigated", "closed"]
    created = Risk.objects.bulk_create(
        Risk(
            project=project,
            number=n + 1,
            title=f"Bench finding {n}: interface retries missing under peak load",
            description="What could go wrong, why, and what it would cost the go-live. " * 3,
            type="issue" if n % 4 == 0 else "risk",
            status=statuses[n % 5],
            category="integration",
            likelihood=n % 5 + 1,
            impact=(n // 5) % 5 + 1,
            is_blocker=n % 9 == 0,
            raised_by=people[Role.FACILITATOR],
        )
        for n in range(risks)
    )
    today = timezone.localdate()
    now = timezone.now()
    actions = []
    for n, risk in enumerate(created):
        for k in range(actions_per_risk):
            owner = owners[(n + k) % len(owners)]
            done = k == 2
            actions.append(
                MitigationAction(
                    risk=risk,
                    project_id=risk.project_id,
                    description=f"Mitigation step {k + 1} for finding {n}",
                    owner=owner,
                    due_date=today + datetime.timedelta(days=(n % 21) - 7),
                    status="done" if done else ("in_progress" if k == 1 else "open"),
                    completed_at=now if done else None,
                    completed_by=owner if done else None,
                )
            )
    MitigationAction.objects.bulk_create(actions)
    return project, people


def main():
    common.setup()
    from django.test import Client
    from django.urls import reverse

    from projects.models import Role
    from risks.models import MitigationAction, Risk

    project, people = seed_register()
    client = Client()
    client.force_login(people[Role.PROJECT_MANAGER])
    pages = [
        ("register", reverse("risks:register", args=[project.pk])),
        ("register filtered", reverse("risks:register", args=[project.pk]) + "?status=active"),
        ("actions by owner", reverse("risks:actions_by_owner", args=[project.pk])),
    ]
    rows = [(name, common.measure_page(client, url)) for name, url in pages]
    owner = Client()
    owner.force_login(people[Role.CONTRIBUTOR])
    rows.append(
        ("my actions (contributor)", common.measure_page(owner, reverse("risks:my_actions")))
    )
    print(
        f"Risk register: {Risk.objects.count()} findings, "
        f"{MitigationAction.objects.count()} actions (register pages show 100 rows)"
    )
    print(common.HEADER)
    for name, row in rows:
        print(common.format_row(name, row))
    return rows


if __name__ == "__main__":
    main()
