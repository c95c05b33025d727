"""The production support plan of a project and its hypercare.

One plan per project: its support lines (L1, L2, L3, vendor, partner) with their contacts
and hours, the escalation path, the knowledge-transfer sessions, and the sign-offs. A
change of the plan after sign-off supersedes the standing sign-offs (the plan keeps a
history of what changed, not full copies). Hypercare starts at go-live and lasts the plan's
weeks: exit criteria and a daily check-in log.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import ChangeRecord, TimeStampedModel
from cutover.models.plan import validate_time_zone
from projects.models import SignoffRole


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SIGNED_OFF = "signed_off", "Signed off"


class SupportPlan(TimeStampedModel):
    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="support_plan"
    )
    time_zone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    hypercare_weeks = models.PositiveSmallIntegerField(default=4)
    # The hours every line must cover during hypercare, as [[weekday, "HH:MM", "HH:MM"], ...];
    # during the cutover window every line must cover every hour.
    hypercare_hours = models.JSONField(default=list, blank=True)
    signoff_roles = models.JSONField("sign-off roles", default=list, blank=True)
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    hypercare_started_at = models.DateTimeField(null=True, blank=True)
    hypercare_closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic concurrency (core.errors.ConflictError): every saved change increments it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["project"]

    def __str__(self):
        return f"Support plan of {self.project}"

    def get_absolute_url(self):
        return reverse("support:plan", args=[self.project_id])

    def get_signoff_roles_display(self):
        labels = dict(SignoffRole.choices)
        return [labels.get(role, role) for role in self.signoff_roles or []]

    @property
    def hypercare_rows(self):
        return [
            (int(day), datetime.time.fromisoformat(start), datetime.time.fromisoformat(end))
            for day, start, end in self.hypercare_hours or []
        ]


class Level(models.TextChoices):
    L1 = "l1", "L1"
    L2 = "l2", "L2"
    L3 = "l3", "L3"
    VENDOR = "vendor", "Vendor"
    PARTNER = "partner", "Partner"


class SupportLine(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="lines")
    level = models.CharField(max_length=10, choices=Level.choices)
    team = models.CharField("team", max_length=200)
    handles = models.TextField("what it handles", blank=True)
    order = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return f"{self.get_level_display()} · {self.team}"

    @property
    def name(self):
        """The line as the gaps name it: "L2", or "Vendor (Contoso Cloud)"."""
        if self.level in (Level.VENDOR, Level.PARTNER):
            return f"{self.get_level_display()} ({self.team})"
        return self.get_level_display()

    @property
    def weekly_text(self):
        """ "Mon-Fri 08:00-18:00, Sat-Sun 24h" from the (prefetched) weekly rows."""
        from support.hours_text import format_weekly

        rows = [(row.weekday, row.start, row.end) for row in self.weekly_hours.all()]
        return format_weekly(rows).replace("\n", ", ")


class LineContact(models.Model):
    """A member of the project, or someone outside it with a name, e-mail and phone."""

    line = models.ForeignKey(SupportLine, on_delete=models.CASCADE, related_name="contacts")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["line", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(member__isnull=False) | ~models.Q(name=""),
                name="line_contact_member_or_name",
            )
        ]

    def __str__(self):
        return str(self.member) if self.member_id else self.name


class WeeklyHours(models.Model):
    """Cover on a weekday: an end at or before the start crosses midnight; equal is 24 h."""

    line = models.ForeignKey(SupportLine, on_delete=models.CASCADE, related_name="weekly_hours")
    weekday = models.PositiveSmallIntegerField(help_text="0 = Monday … 6 = Sunday")
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["line", "weekday", "start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="weekly_hours_weekday")
        ]

    def __str__(self):
        return f"{self.weekday} {self.start}-{self.end}"


class HoursException(models.Model):
    """A date whose hours replace the weekly ones: closed, or special hours."""

    line = models.ForeignKey(SupportLine, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField()
    closed = models.BooleanField(default=False)
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)

    class Meta:
        ordering = ["line", "date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed=True) | models.Q(start__isnull=False, end__isnull=False),
                name="hours_exception_closed_or_hours",
            )
        ]

    def __str__(self):
        return f"{self.date} {self.label}"

    @property
    def label(self):
        """ "closed", "24h" or "08:00-24:00"."""
        from support.hours_text import span_text

        return "closed" if self.closed else span_text(self.start, self.end)


class EscalationLevel(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="escalation")
    order = models.PositiveSmallIntegerField()
    line = models.ForeignKey(
        SupportLine, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        LineContact, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    response_minutes = models.PositiveIntegerField("expected response (minutes)")

    class Meta:
        ordering = ["plan", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(line__isnull=False) | models.Q(contact__isnull=False),
                name="escalation_level_line_or_contact",
            )
        ]

    def __str__(self):
        return f"{self.order}. {self.contact or self.line}"


class KnowledgeTransferSession(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="kt_sessions")
    topic = models.CharField(max_length=200)
    date = models.DateField()
    from_members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    from_text = models.CharField("from (others)", max_length=200, blank=True)
    to_members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    to_text = models.CharField("to (others)", max_length=200, blank=True)
    attended = models.TextField(blank=True)
    done = models.BooleanField(default=False)
    # Optimistic concurrency: every saved change increments it.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["plan", "date", "pk"]

    def __str__(self):
        return self.topic


class CriterionStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"


class HypercareExitCriterion(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="exit_criteria")
    text = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=CriterionStatus.choices, default=CriterionStatus.OPEN
    )

    class Meta:
        ordering = ["plan", "pk"]

    def __str__(self):
        return self.text


class HypercareCheckIn(models.Model):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="check_ins")
    date = models.DateField()
    notes = models.TextField(blank=True)
    p1 = models.PositiveIntegerField("open P1", default=0)
    p2 = models.PositiveIntegerField("open P2", default=0)
    p3 = models.PositiveIntegerField("open P3", default=0)
    p4 = models.PositiveIntegerField("open P4", default=0)
    decisions = models.TextField("decisions taken", blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "date"], name="hypercare_check_in_one_a_day")
        ]

    def __str__(self):
        return f"Check-in {self.date}"

    @property
    def open_incidents(self):
        return self.p1 + self.p2 + self.p3 + self.p4


class SignOffDecision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REVOKE = "revoke", "Revoked"


STANDING_DECISIONS = (SignOffDecision.APPROVE, SignOffDecision.REJECT)


class SupportPlanSignOff(models.Model):
    """Append-only, as the cutover plan's: one standing approval or rejection per signer;
    a change of the plan supersedes every standing one."""

    Decision = SignOffDecision

    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="signoffs")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    as_role = models.CharField("signed as", max_length=40, choices=SignoffRole.choices)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    signed_version = models.PositiveIntegerField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "signer"],
                condition=models.Q(superseded_at__isnull=True)
                & models.Q(decision__in=STANDING_DECISIONS),
                name="support_signoff_one_standing_per_signer",
            )
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.signer}"


class SupportPlanChange(ChangeRecord):
    plan = models.ForeignKey(SupportPlan, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.plan} v{self.version}"
