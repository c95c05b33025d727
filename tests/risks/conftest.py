import datetime

from django.utils import timezone

from risks.models import MitigationAction, Risk


def days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def bulk_register(project, owners, raised_by, count):
    """``count`` findings with three actions each (one overdue, one due, one done), fast."""
    types = ["risk", "risk", "issue", "assertion"]
    statuses = ["open", "mitigating", "open", "accepted", "closed"]
    risks = Risk.objects.bulk_create(
        [
            Risk(
                project=project,
                number=n + 1,
                title=f"Bulk finding {n}",
                type=types[n % 4],
                status=statuses[n % 5],
                category="data",
                likelihood=None if types[n % 4] == "assertion" else n % 5 + 1,
                impact=None if types[n % 4] == "assertion" else (n // 5) % 5 + 1,
                is_blocker=n % 7 == 0 and types[n % 4] != "assertion",
                raised_by=raised_by,
            )
            for n in range(count)
        ]
    )
    actions = []
    now = timezone.now()
    for n, risk in enumerate(risks):
        if risk.type == "assertion":
            continue
        owner = owners[n % len(owners)]
        of = {"risk": risk, "project_id": risk.project_id, "owner": owner}
        actions += [
            MitigationAction(**of, description="Overdue step", due_date=days(-3)),
            MitigationAction(**of, description="Next step", due_date=days(5)),
            MitigationAction(
                **of, description="Done step", due_date=days(-10),
                status="done", completed_at=now, completed_by=owner,
            ),
        ]  # fmt: skip
    MitigationAction.objects.bulk_create(actions)
    return risks
