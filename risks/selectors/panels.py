"""Risk figures other pages show: the project page card and the home page."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.lists import bounded, counts_by
from projects.models import Membership
from risks.models import ACTIVE_STATUSES, OPEN_ACTION_STATUSES, RATED_TYPES, MitigationAction, Risk

from .heatmap import heatmap
from .register import no_mitigation_plan_condition


def project_risk_summary(project):
    """The figures of the project page's risk card, and its heat map of live risks."""
    active = Q(status__in=ACTIVE_STATUSES)
    figures = Risk.objects.filter(project=project).aggregate(
        total=Count("pk"),
        active=Count("pk", filter=active & Q(type__in=RATED_TYPES)),
        open_blockers=Count("pk", filter=active & Q(is_blocker=True)),
        # The register's "no mitigation plan" flag, counted without annotating every row.
        no_plan=Count("pk", filter=no_mitigation_plan_condition()),
    )
    figures.update(
        MitigationAction.objects.filter(risk__project=project).aggregate(
            open_actions=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
            overdue_actions=Count(
                "pk",
                filter=Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate()),
            ),
        )
    )
    register_url = reverse("risks:register", args=[project.pk])
    figures["heatmap"] = heatmap(
        Risk.objects.filter(project=project, status__in=ACTIVE_STATUSES),
        cell_url=lambda likelihood, impact: "?".join(
            [
                register_url,
                urlencode({"status": "active", "likelihood": likelihood, "impact": impact}),
            ]
        ),
        title="Heat map of open risks and issues",
        dom_id="project-heatmap",
    )
    return figures


def open_blocker_counts(projects):
    """Set ``open_blocker_count`` on each of ``projects`` (one query)."""
    ids = [project.pk for project in projects]
    blockers = counts_by(
        Risk.objects.filter(project_id__in=ids, is_blocker=True, status__in=ACTIVE_STATUSES),
        "project_id",
    )
    for project in projects:
        project.open_blocker_count = blockers.get(project.pk, 0)
    return projects


# Past this many, home says "99+": counting someone's overdue actions stops there.
HOME_COUNT_CAP = 99


def home_risk_panels(user, projects, *, limit=8):
    """The home page's "My overdue actions" (the most overdue ``limit`` of them and how many
    in all, in every project the user is a member of), and ``open_blocker_count`` on each of
    ``projects`` (the cards the page shows, already scoped to the user's memberships).
    """
    open_blocker_counts(projects)
    overdue = (
        MitigationAction.objects.filter(
            owner=user,
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=timezone.localdate(),
            risk__project__in=Membership.objects.filter(user=user).values("project_id"),
        )
        .select_related("risk__project")
        .order_by("due_date", "pk")
    )
    return {"my_overdue_actions": bounded(overdue, limit, cap=HOME_COUNT_CAP)}
