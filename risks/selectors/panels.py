"""Risk figures other pages show: the project page card and the home page."""

import hashlib

from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from core.cache import safe_cache
from core.lists import bounded, counts_by
from projects.models import Membership
from risks.models import ACTIVE_STATUSES, OPEN_ACTION_STATUSES, RATED_TYPES, MitigationAction, Risk

from .heatmap import heatmap
from .register import no_mitigation_plan_condition

# What "no mitigation plan" depends on: the findings and actions (each saved change bumps
# its version; a new row has a higher id) and who the project's members are.
NO_PLAN_CACHE_SECONDS = 24 * 3600


def _no_plan_key(project, risks, actions, memberships):
    facts = (risks, actions, sorted(membership.user_id for membership in memberships))
    digest = hashlib.blake2b(repr(facts).encode(), digest_size=12).hexdigest()
    return f"risk-no-plan:v1:{project.pk}:{digest}"


def _no_plan_count(project):
    return Risk.objects.filter(project=project, type__in=RATED_TYPES).aggregate(
        n=Count("pk", filter=no_mitigation_plan_condition())
    )["n"]


def project_risk_summary(project, *, memberships=None):
    """The figures of the project page's risk card, and its heat map of live risks.

    "No mitigation plan" (the register's flag: two subqueries per live finding, the card's
    costliest figure on a big register) is cached under a fingerprint of the findings and
    actions, read by the two aggregates the card makes anyway, and of ``memberships`` (the
    project's, which the page has loaded); without them it is counted every time, in the
    findings' aggregate."""
    active = Q(status__in=ACTIVE_STATUSES)
    fingerprint = {"n": Count("pk"), "versions": Sum("version"), "newest": Max("pk")}
    uncached = {}
    if memberships is None:  # counted with the other figures, without annotating every row
        uncached["no_plan"] = Count("pk", filter=no_mitigation_plan_condition())
    risks = Risk.objects.filter(project=project).aggregate(
        active=Count("pk", filter=active & Q(type__in=RATED_TYPES)),
        open_blockers=Count("pk", filter=active & Q(is_blocker=True)),
        **fingerprint,
        **uncached,
    )
    actions = MitigationAction.objects.filter(project=project).aggregate(
        open_actions=Count("pk", filter=Q(status__in=OPEN_ACTION_STATUSES)),
        overdue_actions=Count(
            "pk",
            filter=Q(status__in=OPEN_ACTION_STATUSES, due_date__lt=timezone.localdate()),
        ),
        **fingerprint,
    )
    facts = [tuple(figures.pop(name) for name in fingerprint) for figures in (risks, actions)]
    figures = {"total": facts[0][0], **risks, **actions}
    if memberships is not None:
        key = _no_plan_key(project, *facts, memberships)
        figures["no_plan"] = safe_cache.get(key)
        if figures["no_plan"] is None:
            figures["no_plan"] = _no_plan_count(project)
            safe_cache.set(key, figures["no_plan"], NO_PLAN_CACHE_SECONDS)
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
