"""The cutover plan as the go / no-go gate and the summary PDF see it: is the current
version signed off, does the last rehearsal fit the window with the buffer, and (for the
PDF) the timeline and the rehearsals' results.

Read for the project as a whole, not for one viewer: the gate and the PDF show the same
thing to everyone who may see them.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser

from cutover import run_selectors, selectors
from cutover.models import PlanStatus, PlanVersion
from projects.models import Role
from projects.permissions import ProjectAccess


@dataclass(frozen=True)
class CutoverCriteria:
    """The gate's two cutover criteria. A project without a cutover plan does not use them
    (the gate says so); with a plan, both must be met for the gate to be clear."""

    in_use: bool
    version_number: int | None = None
    signed_off: bool = False
    rehearsal: object = None  # run_selectors.RehearsalFit of the last finished rehearsal

    @property
    def rehearsal_fits(self):
        return bool(self.rehearsal and self.rehearsal.fits)

    @property
    def met(self):
        return not self.in_use or (self.signed_off and self.rehearsal_fits)

    @property
    def signed_off_text(self):
        if self.signed_off:
            return f"Cutover plan version {self.version_number} is signed off."
        return f"Cutover plan version {self.version_number} is not signed off."

    @property
    def rehearsal_text(self):
        if self.rehearsal is None:
            return "No rehearsal of the cutover has finished yet."
        return f"{self.rehearsal.sentence}."

    def unmet(self):
        """What a go now would override, in a few words each."""
        if not self.in_use:
            return []
        parts = []
        if not self.signed_off:
            parts.append("the cutover plan not signed off")
        if self.rehearsal is None:
            parts.append("no finished cutover rehearsal")
        elif not self.rehearsal.fits:
            parts.append("a last rehearsal that does not fit the window with the buffer")
        return parts

    def as_dict(self):
        """Frozen in a decision's snapshot."""
        rehearsal = self.rehearsal
        return {
            "in_use": self.in_use,
            "version": self.version_number,
            "signed_off": self.signed_off,
            "rehearsal": None
            if rehearsal is None
            else {"number": rehearsal.number, "fits": rehearsal.fits, "text": rehearsal.sentence},
            "met": self.met,
        }


def current_version(project):
    """The plan's current version, with its plan, in one query; None without a plan."""
    return (
        PlanVersion.objects.filter(plan__project=project)
        .exclude(status=PlanStatus.SUPERSEDED)
        .select_related("plan")
        .order_by("-number")
        .first()
    )


def _criteria(version, rehearsal):
    if version is None:
        return CutoverCriteria(in_use=False)
    return CutoverCriteria(
        in_use=True,
        version_number=version.number,
        signed_off=version.status == PlanStatus.SIGNED_OFF,
        rehearsal=rehearsal,
    )


def cutover_criteria(project):
    """The gate's cutover criteria for ``project`` (two queries when the last rehearsal's
    fit is cached, a few more otherwise, whatever the plan's size)."""
    version = current_version(project)
    rehearsal = run_selectors.last_rehearsal_fits(project) if version else None
    return _criteria(version, rehearsal)


@dataclass
class CutoverSummary:
    """The cutover plan in the summary PDF."""

    view: object  # cutover.selectors.PlanView of the current version
    criteria: CutoverCriteria
    # (run_selectors.TrendLine, run_selectors.RehearsalFit) of each finished rehearsal, oldest first
    rehearsals: list = field(default_factory=list)


def cutover_summary(project):
    """The current plan, its timeline and its rehearsals' results; None without a plan."""
    access = ProjectAccess(user=AnonymousUser(), project=project, role=Role.VIEWER)
    version = selectors.version_get(access, missing=None)
    if version is None:
        return None
    trend = run_selectors.rehearsal_trend(version.plan)
    rehearsals = [(line, run_selectors.rehearsal_fit(line)) for line in trend.lines]
    return CutoverSummary(
        view=selectors.plan_view(access, version),
        criteria=_criteria(version, rehearsals[-1][1] if rehearsals else None),
        rehearsals=rehearsals,
    )
