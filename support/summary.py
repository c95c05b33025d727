"""The support plan as the go / no-go gate sees it: signed off, gaps in its cover, and the
knowledge transfer done. Read for the project as a whole, in a fixed number of queries."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from projects.models import Role
from projects.permissions import ProjectAccess
from support import selectors
from support.models import PlanStatus, SupportPlan


@dataclass(frozen=True)
class SupportCriteria:
    """A project without a support plan does not use them (``in_use`` False)."""

    in_use: bool
    signed_off: bool = False
    gaps: list = field(default_factory=list)  # sentences, e.g. "L2 has no cover Saturday …"
    knowledge_transfer_done: int = 0
    knowledge_transfer_total: int = 0

    @property
    def plan_ready(self):
        return self.signed_off and not self.gaps

    @property
    def knowledge_transfer_complete(self):
        return self.knowledge_transfer_done == self.knowledge_transfer_total

    @property
    def met(self):
        return not self.in_use or (self.plan_ready and self.knowledge_transfer_complete)

    def unmet(self):
        """What a go now would override, in a few words each."""
        if not self.in_use:
            return []
        parts = []
        if not self.signed_off:
            parts.append("the support plan not signed off")
        if self.gaps:
            count = len(self.gaps)
            parts.append(f"{count} gap{'s' if count != 1 else ''} in the support cover")
        if not self.knowledge_transfer_complete:
            left = self.knowledge_transfer_total - self.knowledge_transfer_done
            parts.append(f"{left} knowledge-transfer session{'s' if left != 1 else ''} not done")
        return parts

    def as_dict(self):
        """Frozen in a decision's snapshot."""
        return {
            "in_use": self.in_use,
            "signed_off": self.signed_off,
            "gaps": list(self.gaps),
            "knowledge_transfer_done": self.knowledge_transfer_done,
            "knowledge_transfer_total": self.knowledge_transfer_total,
            "met": self.met,
        }


def support_criteria(project):
    """The gate's support criteria for ``project``: 7 queries with a plan (the plan, the
    cutover window, the lines and their contacts, hours and exceptions, the sessions), 1
    without, whatever the plan's size."""
    plan = SupportPlan.objects.filter(project=project).order_by("pk").first()
    if plan is None:
        return SupportCriteria(in_use=False)
    lines = selectors.lines_of(plan)
    result = selectors.coverage_of(plan, project, lines, selectors.cutover_window(project))
    done = list(plan.kt_sessions.values_list("done", flat=True))
    return SupportCriteria(
        in_use=True,
        signed_off=plan.status == PlanStatus.SIGNED_OFF,
        gaps=result.sentences,
        knowledge_transfer_done=sum(done),
        knowledge_transfer_total=len(done),
    )


@dataclass
class SupportSummary:
    """The support plan in the summary PDF: the plan page's view and the gate's criteria,
    the latter taken from the former (no second read)."""

    view: object  # selectors.PlanView
    criteria: SupportCriteria


def support_summary(project):
    """The support plan as the summary PDF shows it (lines with their contacts and hours,
    the escalation path, the sessions, the gaps, the sign-offs), read for the project as a
    whole; None without a plan."""
    plan = SupportPlan.objects.filter(project=project).order_by("pk").first()
    if plan is None:
        return None
    access = ProjectAccess(user=AnonymousUser(), project=project, role=Role.VIEWER)
    view = selectors.plan_view(access, plan)
    return SupportSummary(
        view=view,
        criteria=SupportCriteria(
            in_use=True,
            signed_off=plan.status == PlanStatus.SIGNED_OFF,
            gaps=view.coverage.sentences,
            knowledge_transfer_done=view.kt_done,
            knowledge_transfer_total=len(view.kt_sessions),
        ),
    )
