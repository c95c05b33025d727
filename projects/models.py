"""Projects, who takes part in them and in which role, and the stakeholder roles that sign off."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import TimeStampedModel


class Scope(models.TextChoices):
    """Which apps a project puts live; drives which checklist items apply."""

    CUSTOMER_ENGAGEMENT = "customer_engagement", "Customer engagement"
    FINANCE_OPERATIONS = "finance_operations", "Finance and operations"
    AX2012_UPGRADE = "ax2012_upgrade", "AX 2012 upgrade"
    DUAL_WRITE = "dual_write", "Dual-write"
    AI_AGENTS = "ai_agents", "AI agents and Copilot"


class Phase(models.TextChoices):
    INITIATE = "initiate", "Initiate"
    IMPLEMENT = "implement", "Implement"
    PREPARE = "prepare", "Prepare"
    HYPERCARE = "hypercare", "Hypercare"
    OPERATE = "operate", "Operate"


class VoteRule(models.TextChoices):
    """How many approvers must vote **go** for a go to stand without an override."""

    ALL = "all", "Every approver votes go"
    AT_LEAST = "at_least", "At least N approvers vote go"


class Role(models.TextChoices):
    """What a member does in a project; one person can hold different roles in different projects."""

    FACILITATOR = "facilitator", "Facilitator"
    PROJECT_MANAGER = "project_manager", "Project manager"
    APPROVER = "approver", "Approver"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"


class SignoffRole(models.TextChoices):
    """Stakeholder roles that accept a checklist item's evidence (the checklist's vocabulary).

    A member holds some of them in a project; the project manager holds "project
    manager" by office.
    """

    EXECUTIVE_SPONSOR = "executive_sponsor", "Executive sponsor"
    STEERING_COMMITTEE = "steering_committee", "Steering committee"
    BUSINESS_OWNER = "business_owner", "Business owner"
    PROJECT_MANAGER = "project_manager", "Project manager"
    SOLUTION_ARCHITECT = "solution_architect", "Solution architect"
    TEST_LEAD = "test_lead", "Test lead"
    INTEGRATION_LEAD = "integration_lead", "Integration lead"
    DATA_MIGRATION_LEAD = "data_migration_lead", "Data migration lead"
    IT_LEAD = "it_lead", "IT lead"
    SECURITY_LEAD = "security_lead", "Security lead"
    CHANGE_MANAGER = "change_manager", "Change manager"
    SUPPORT_LEAD = "support_lead", "Support lead"
    CUTOVER_MANAGER = "cutover_manager", "Cutover manager"


def project_logo_upload_to(instance, filename):
    return f"logos/project-{instance.pk or 'new'}/{filename}"


class Project(TimeStampedModel):
    name = models.CharField(max_length=200)
    customer = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    go_live_date = models.DateField("planned go-live date", null=True, blank=True)
    scopes = models.JSONField(
        "apps in scope", default=list, blank=True,
        help_text="Checklist items that apply to every project are always included.",
    )  # fmt: skip
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.IMPLEMENT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Follow-up settings (used by the reminders sweep).
    reminder_due_soon_days = models.PositiveSmallIntegerField(
        "remind when due within (days)", default=3
    )
    escalation_after_days = models.PositiveSmallIntegerField(
        "escalate to the project manager after (days overdue)", default=5
    )
    reminders_paused = models.BooleanField(default=False)
    # Go/no-go voting rule.
    vote_rule = models.CharField(max_length=10, choices=VoteRule.choices, default=VoteRule.ALL)
    votes_required = models.PositiveSmallIntegerField(
        "votes required", default=1, help_text="Used when the rule is “at least N”."
    )
    # How the summary PDF presents the project.
    logo = models.ImageField(
        upload_to=project_logo_upload_to, blank=True, max_length=300,
        help_text="Shown on the summary PDF's cover (PNG or JPEG).",
    )  # fmt: skip
    confidentiality_note = models.CharField(
        max_length=200, blank=True,
        help_text="Printed on every page of the summary PDF, e.g. “Confidential: Contoso internal”.",
    )  # fmt: skip

    class Meta:
        ordering = ["go_live_date", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("project_detail", args=[self.pk])

    def clean(self):
        unknown = set(self.scopes or []) - set(Scope.values)
        if unknown:
            raise ValidationError({"scopes": f"Unknown scope(s): {', '.join(sorted(unknown))}."})

    @property
    def days_to_go_live(self):
        if self.go_live_date is None:
            return None
        return (self.go_live_date - timezone.localdate()).days

    def get_scopes_display(self):
        labels = dict(Scope.choices)
        return [labels.get(scope, scope) for scope in self.scopes or []]


class Membership(TimeStampedModel):
    """A user's role in one project, and the stakeholder roles they sign off as."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    signoff_roles = models.JSONField(
        "stakeholder roles", default=list, blank=True,
        help_text="Checklist sign-off roles this person holds (business owner, test lead, ...).",
    )  # fmt: skip

    class Meta:
        ordering = ["project", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"], name="membership_unique_per_project"
            )
        ]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} in {self.project}"


class GoLiveDateChange(models.Model):
    """A re-plan: the planned go-live date moved, by whom and why (append-only).

    A no-go that proposes a new date records one; so does a project edit that moves the
    date. The decision behind a change points here (``decisions.Decision.go_live_change``).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="date_changes")
    old_date = models.DateField(null=True, blank=True)
    new_date = models.DateField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.project}: {self.old_date or '—'} → {self.new_date or '—'}"


class Invitation(TimeStampedModel):
    """An invitation to join a project in a role; nobody is a member until they accept.

    The link carries a signed token naming the invitation and its ``nonce``: a resend
    makes a new nonce (older links stop working), acceptance or revocation ends it, and
    the signature expires after ``INVITATION_MAX_AGE``.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    signoff_roles = models.JSONField("stakeholder roles", default=list, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    nonce = models.CharField(max_length=32)
    sent_at = models.DateTimeField(default=timezone.now)
    send_count = models.PositiveSmallIntegerField(default=1)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_project_and_email",
            )
        ]
        indexes = [models.Index(fields=["project", "sent_at"])]

    def __str__(self):
        return f"{self.email} to {self.project} as {self.get_role_display()}"

    @property
    def is_pending(self):
        return self.accepted_at is None and self.revoked_at is None
