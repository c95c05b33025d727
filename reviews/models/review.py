"""A readiness review and its copied checklist: items, history, evidence, sign-offs."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from core.models import ChangeRecord, TimeStampedModel
from projects.models import SignoffRole

from .checklist import ItemSeverity


class Review(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        MITIGATION = "mitigation", "Mitigation"
        COMPLETE = "complete", "Complete"

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="reviews"
    )
    template = models.ForeignKey(
        "reviews.ChecklistTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    template_name = models.CharField(max_length=200, blank=True)
    template_version = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(max_length=200)
    scheduled_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Carried forward (issue 15): the review whose responses this one started from, and the
    # items of that review whose key the template no longer has ([{"key", "title"}, ...]).
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    removed_since_carried = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-scheduled_date", "-created_at"]
        indexes = [models.Index(fields=["project", "created_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.project_id, self.pk])


class ReviewSection(models.Model):
    """A copy of a template section, frozen into the review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    purpose = models.TextField(blank=True)
    expected_outcome = models.TextField(blank=True)
    key_questions = models.JSONField(default=list, blank=True)
    red_flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["review", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="review_section_key_unique")
        ]

    def __str__(self):
        return self.title


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    AT_RISK = "at_risk", "At risk"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    ACCEPTED_RISK = "accepted_risk", "Accepted risk"


# Statuses in which an item no longer stands in the way of go-live.
SETTLED_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.ACCEPTED_RISK, ItemStatus.NOT_APPLICABLE})
# Statuses in which the team puts an item up for sign-off: done, or its risk accepted.
SIGNOFF_STATUSES = frozenset({ItemStatus.DONE, ItemStatus.ACCEPTED_RISK})


class ReviewItem(models.Model):
    """One checklist item of one review, with the team's response."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ReviewSection, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(max_length=100)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    severity = models.CharField(
        max_length=10, choices=ItemSeverity.choices, default=ItemSeverity.MEDIUM
    )
    mandatory = models.BooleanField(default=False)
    signoff_roles = models.JSONField(default=list, blank=True)
    order = models.PositiveIntegerField(default=0)
    # The response, edited by the team.
    status = models.CharField(
        max_length=20, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED, db_index=True
    )
    response = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="owned_review_items",
    )  # fmt: skip
    due_date = models.DateField(null=True, blank=True)
    is_blocker = models.BooleanField("go-live blocker", default=False)
    blocker_reason = models.TextField(blank=True)
    # Copied from the previous review and not yet confirmed or changed: it counts as not done.
    to_reconfirm = models.BooleanField("to re-confirm", default=False)
    # Optimistic concurrency: every saved change increments the version.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["section__order", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["review", "key"], name="review_item_key_unique")
        ]
        indexes = [
            models.Index(fields=["review", "status"]),
            models.Index(fields=["owner", "status"]),
            # "Awaiting my sign-off": the items put up for sign-off that name no role.
            models.Index(fields=["status", "signoff_roles"], name="review_item_signoff_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(
            "reviews:item_detail", args=[self.review.project_id, self.review_id, self.pk]
        )

    @property
    def counts_as_done(self):
        """Done, and not a carried-forward answer still waiting to be re-confirmed."""
        return self.status == ItemStatus.DONE and not self.to_reconfirm

    @property
    def is_applicable(self):
        return self.status != ItemStatus.NOT_APPLICABLE

    @property
    def is_open_blocker(self):
        return self.is_blocker and self.status not in SETTLED_STATUSES

    @property
    def is_up_for_signoff(self):
        return self.status in SIGNOFF_STATUSES

    @property
    def is_blocking_not_done(self):
        """Of blocker severity and not settled: it counts apart from the go-live blockers."""
        return self.severity == ItemSeverity.BLOCKER and self.status not in SETTLED_STATUSES

    def get_signoff_roles_display(self):
        labels = dict(SignoffRole.choices)
        return [labels.get(role, role) for role in self.signoff_roles or []]


class ReviewItemChange(ChangeRecord):
    """One saved edit of an item."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField(help_text="The item's version after this change.")

    def __str__(self):
        return f"{self.item} v{self.version}"


# Disks allow 255 bytes per name; an upload's name may be longer (in UTF-8, far longer).
EVIDENCE_NAME_MAX_BYTES = 100


def short_file_name(filename, limit=EVIDENCE_NAME_MAX_BYTES):
    """``filename`` cut to at most ``limit`` bytes of UTF-8, keeping its extension."""
    stem, dot, extension = filename.rpartition(".")
    if not dot or len(extension.encode()) > 10:
        stem, dot, extension = filename, "", ""
    room = limit - len((dot + extension).encode())
    stem = stem.encode()[:room].decode(errors="ignore") or "file"
    return stem + dot + extension


def evidence_upload_to(instance, filename):
    review = instance.item.review
    folder = f"evidence/project-{review.project_id}/review-{review.pk}/item-{instance.item_id}"
    return f"{folder}/{short_file_name(filename)}"


class ItemEvidence(models.Model):
    """A link or an uploaded file that supports an item's response. Removal is recorded, not deleted."""

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=300)
    title = models.CharField(max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    valid_until = models.DateField(
        null=True, blank=True, help_text="Optional: after this day the evidence is expired."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~models.Q(url="") & models.Q(file=""))
                | (models.Q(url="") & ~models.Q(file="")),
                name="evidence_is_link_or_file",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_file(self):
        return bool(self.file)

    @property
    def host(self):
        """The host a link leads to (shown beside its title, which anyone could have typed)."""
        return (urlsplit(self.url).hostname or "") if self.url else ""

    @property
    def is_expired(self):
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def is_web_link(self):
        return urlsplit(self.url).scheme.lower() in ("http", "https") and bool(self.host)


class SignOffDecision(models.TextChoices):
    APPROVE = "approve", "Approved"
    REJECT = "reject", "Rejected"
    REVOKE = "revoke", "Revoked"


# A signer's approval or rejection stands until superseded; a revoke only withdraws.
STANDING_DECISIONS = (SignOffDecision.APPROVE, SignOffDecision.REJECT)


class SignOff(models.Model):
    """A stakeholder's decision on an item. Append-only: a new record of the same person
    (a changed mind, a revoke) supersedes their previous one, as a change of the item
    supersedes them all; one person has at most one standing approval or rejection per item
    (a constraint)."""

    Decision = SignOffDecision

    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="signoffs")
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signoffs"
    )
    as_role = models.CharField("signed as", max_length=40, choices=SignoffRole.choices, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    item_version = models.PositiveIntegerField(help_text="The item's version that was signed.")
    superseded_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the item changed after this sign-off, or its signer signed again.",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["item", "superseded_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "signer"],
                condition=models.Q(superseded_at__isnull=True)
                & models.Q(decision__in=STANDING_DECISIONS),
                name="signoff_one_standing_per_signer",
            )
        ]

    def __str__(self):
        return f"{self.get_decision_display()} by {self.signer} on {self.item}"

    @property
    def is_current(self):
        return self.superseded_at is None
