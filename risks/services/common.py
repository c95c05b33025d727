"""What the risk and action services share: permission checks and the conflict error."""

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.services import require_member
from readiness.history import describe_changes


class RiskConflictError(ValidationError):
    """The finding changed since the version the edit started from.

    ``changes`` holds the history rows written since then, so the page can say
    who changed what; ``current_version`` lets the person save again knowingly.
    """

    def __init__(self, *, risk, since_version, changes):
        self.risk = risk
        self.current_version = risk.version
        self.changes = list(changes)
        summary = "; ".join(
            f"{change.user or 'someone'} changed {', '.join(describe_changes(change.changes))}"
            for change in reversed(self.changes)
        )
        super().__init__(
            f"Someone else saved this finding while you were editing it (version "
            f"{since_version} → {risk.version}): {summary or 'details unavailable'}. "
            "Your changes were not saved: check them against the current values and save again."
        )


def require(allowed, message="You may not do that in this project."):
    if not allowed:
        raise PermissionDenied(message)


def require_member_owner(*, project, owner, field="owner"):
    """Refuse an action owner who is not a member of the project, saying why."""
    if owner is None:
        raise ValidationError({field: "Choose the one person who owns this action."})
    require_member(project=project, user=owner, field=field, purpose="own its actions")
