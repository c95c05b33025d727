"""The live cutover: started by whoever edits the plan, of the current version once it is
signed off. The run itself is recorded by ``cutover.services.runs`` (the same marks, the same
rules as a rehearsal)."""

from django.core.exceptions import PermissionDenied, ValidationError

from cutover.models import PlanStatus, RunKind
from cutover.services.runs import run_start
from projects import permissions

from .common import access_of, current_version_of


def live_cutover_start(*, plan, acting_user):
    """Start the live cutover of the plan's current version; refused unless it is signed off."""
    if not permissions.can_start_live_cutover(access_of(acting_user, plan.project)):
        raise PermissionDenied(
            "Only the project manager and the cutover manager start the live cutover."
        )
    version = current_version_of(plan)
    if version.status != PlanStatus.SIGNED_OFF:
        raise ValidationError(
            f"Version {version.number} of the plan is not signed off: the live cutover runs a "
            "signed-off plan. Ask for the sign-offs it awaits, then start it."
        )
    return run_start(plan=plan, acting_user=acting_user, kind=RunKind.LIVE)
