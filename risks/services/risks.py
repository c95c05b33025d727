"""Writes of findings: raise, edit (with a version check), accept."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from core.errors import refuse_if_stale
from core.history import apply_changes, display_value
from projects import permissions
from projects.models import Membership, Project, Role
from risks.models import AcceptanceExpiryNotice, Category, Risk, RiskChange, RiskStatus, RiskType
from webhooks.models import WebhookEventType
from webhooks.services import webhook_event_publish

from .actions import action_create
from .common import access_of, require

# Fields a finding's edit form may change. Acceptance has its own service.
RISK_EDIT_FIELDS = (
    "title", "type", "category", "status", "description", "recommendation",
    "likelihood", "impact", "is_blocker", "workaround",
)  # fmt: skip

# Relations the services set themselves from objects already fetched and checked.
_RELATIONS = ("project", "review", "review_item", "area", "raised_by", "accepted_by", "updated_by")


def _normalise(fields, risk_type):
    """Assertions are not rated and never block."""
    if risk_type == RiskType.ASSERTION:
        fields.update(likelihood=None, impact=None, is_blocker=False)
    return fields


def _links(*, project, review, review_item, area):
    """The review, item and checklist area a finding came from, checked to be of the project."""
    if review_item is not None:
        review = review_item.review
        area = area or review_item.section
    if area is not None and review is None:
        review = area.review
    if review is not None and review.project_id != project.pk:
        raise ValidationError("The review item belongs to another project.")
    if area is not None and area.review_id != review.pk:
        raise ValidationError("The checklist area belongs to another review.")
    return review, review_item, area


def _next_number(project):
    """The project's next finding number (R-1 first); the lock on the project row makes two
    findings raised at once take different numbers."""
    Project.objects.select_for_update().filter(pk=project.pk).first()
    return (Risk.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1


@transaction.atomic
def risk_create(
    *,
    project,
    acting_user,
    title,
    type=RiskType.RISK,
    description="",
    recommendation="",
    category=Category.OTHER,
    likelihood=None,
    impact=None,
    is_blocker=False,
    workaround="",
    review=None,
    review_item=None,
    area=None,
    first_action=None,
):
    """Raise a finding; ``first_action`` (description, owner, due_date) starts its plan.

    The finding and its first action are saved together or not at all; a refused first
    action is reported under ``first_action.<argument>``.
    """
    require(
        permissions.can_raise_risk(access_of(acting_user, project)),
        "Viewers read the register; ask the project manager for a contributing role.",
    )
    review, review_item, area = _links(
        project=project, review=review, review_item=review_item, area=area
    )
    fields = _normalise(
        {
            "title": (title or "").strip(),
            "type": type,
            "category": category,
            "description": description or "",
            "recommendation": recommendation or "",
            "likelihood": likelihood,
            "impact": impact,
            "is_blocker": bool(is_blocker),
            "workaround": workaround or "",
        },
        type,
    )
    risk = Risk(
        project=project,
        review=review,
        review_item=review_item,
        area=area,
        raised_by=acting_user,
        updated_by=acting_user,
        **fields,
    )
    risk.full_clean(exclude=[*_RELATIONS, "number"])
    risk.number = _next_number(project)
    risk.save()
    note = f"Raised as {risk.get_type_display().lower()}"
    if risk.score:
        note += f" (score {risk.score}, {risk.get_severity_display().lower()})"
    RiskChange.objects.create(
        risk=risk, user=acting_user, version=risk.version, changes={}, note=note
    )
    if first_action and (first_action.get("description") or "").strip():
        try:
            action_create(risk=risk, acting_user=acting_user, **first_action)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                raise
            raise ValidationError(
                {f"first_action.{name}": messages for name, messages in error.error_dict.items()}
            ) from error
    _publish(risk, WebhookEventType.FINDING_RAISED, acting_user)
    return risk


def _publish(risk, event, acting_user):
    kind = risk.get_type_display().lower()
    verb = "raised" if event == WebhookEventType.FINDING_RAISED else "closed"
    text = f"{acting_user} {verb} {kind} {risk.reference} “{risk.title}”."
    if risk.score:
        text += f" Score {risk.score}, {risk.get_severity_display().lower()}."
    if risk.is_blocker:
        text += " It blocks the go-live."
    webhook_event_publish(
        project=risk.project, event=event,
        title=f"{risk.reference} {verb}: {risk.title}", text=text,
        url=risk.get_absolute_url(), actor=acting_user,
        data={"finding_id": risk.pk, "reference": risk.reference, "type": risk.type,
              "severity": risk.severity, "is_blocker": risk.is_blocker},
    )  # fmt: skip


def _lock(risk):
    return Risk.objects.select_for_update().select_related("project").get(pk=risk.pk)


@transaction.atomic
def risk_update(*, risk, acting_user, version, **fields):
    """Change a finding's fields; refuse (ConflictError) when ``version`` is stale."""
    require(
        permissions.can_edit_risk(access_of(acting_user, risk.project), risk),
        "You may not edit this finding.",
    )
    unknown = set(fields) - set(RISK_EDIT_FIELDS)
    if unknown:
        raise TypeError(f"risk_update() cannot change {', '.join(sorted(unknown))}")
    locked = _lock(risk)
    refuse_if_stale(locked, version, what="this finding")
    if fields.get("status") == RiskStatus.ACCEPTED and locked.status != RiskStatus.ACCEPTED:
        raise ValidationError(
            {"status": "Use “Accept” on the finding's page: it records who accepted it and why."}
        )
    fields = _normalise(dict(fields), fields.get("type", locked.type))
    was_accepted = locked.status == RiskStatus.ACCEPTED
    changes = apply_changes(locked, fields)
    if was_accepted and locked.status != RiskStatus.ACCEPTED:
        # Reopened: the acceptance no longer holds; the history keeps who had accepted it.
        changes["accepted_by"] = [display_value(locked, "accepted_by", locked.accepted_by), ""]
        locked.accepted_by, locked.accepted_at, locked.acceptance_reason = None, None, ""
    if not changes:
        return locked
    locked.full_clean(exclude=_RELATIONS)
    locked.version += 1
    locked.updated_by = acting_user
    locked.save()
    RiskChange.objects.create(
        risk=locked, user=acting_user, version=locked.version, changes=changes
    )
    if "status" in changes and locked.status == RiskStatus.CLOSED:
        _publish(locked, WebhookEventType.FINDING_CLOSED, acting_user)
    return locked


@transaction.atomic
def risk_accept(*, risk, acting_user, reason, version=None, expires_on=None):
    """Accept a risk or issue: an approver or the project manager, never its own raiser.

    The acceptance holds until ``expires_on`` (by default RISK_ACCEPTANCE_DAYS from today);
    then ``risk_acceptances_expire`` reopens the finding.
    """
    require(
        permissions.is_risk_acceptor(access_of(acting_user, risk.project)),
        "Only an approver or the project manager can accept a risk.",
    )
    locked = _lock(risk)
    refuse_if_stale(locked, version, what="this finding")
    if locked.raised_by_id == acting_user.pk:
        raise ValidationError(
            "You raised this finding, so someone else (an approver or the project manager) "
            "must accept it."
        )
    if not locked.is_rated:
        raise ValidationError(
            "An assertion records something done well; there is nothing to accept."
        )
    if locked.status in (RiskStatus.ACCEPTED, RiskStatus.CLOSED):
        raise ValidationError(f"This finding is already {locked.get_status_display().lower()}.")
    if locked.is_blocker and not locked.workaround.strip():
        raise ValidationError(
            {
                "workaround": "A go-live blocker can be accepted only with a workaround. "
                "Ask the facilitator or the project manager to record one first."
            }
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the risk is accepted."})
    today = timezone.localdate()
    if expires_on is None:
        expires_on = today + datetime.timedelta(days=settings.RISK_ACCEPTANCE_DAYS)
    if expires_on <= today:
        raise ValidationError({"expires_on": "An acceptance must hold at least until tomorrow."})
    changes = apply_changes(
        locked, {"status": RiskStatus.ACCEPTED, "acceptance_expires_on": expires_on}
    )
    changes["accepted_by"] = ["", str(acting_user)]
    locked.acceptance_expired_on = None
    locked.accepted_by = acting_user
    locked.accepted_at = timezone.now()
    locked.acceptance_reason = reason
    locked.version += 1
    locked.updated_by = acting_user
    locked.save()
    RiskChange.objects.create(
        risk=locked, user=acting_user, version=locked.version, changes=changes,
        note=f"Accepted: {reason}"[:300],
    )  # fmt: skip
    return locked


@transaction.atomic
def risk_acceptances_expire(*, today=None):
    """Reopen every accepted finding whose acceptance expired before ``today``; returns them.

    Set-based and exactly once: one conditional UPDATE reopens the rows still accepted and
    expired (the rows are locked first, so a sweep running at the same time skips them and
    a second run finds nothing), and each reopened finding gets one history row saying why.
    The reminders digest tells its acceptor and the project manager (``acceptance_expired_on``).
    """
    today = today or timezone.localdate()
    expired = Risk.objects.filter(status=RiskStatus.ACCEPTED, acceptance_expires_on__lt=today)
    rows = list(
        expired.select_for_update(skip_locked=True, of=("self",)).values_list(
            "pk", "version", "acceptance_expires_on", "accepted_by_id", "project_id"
        )
    )
    if not rows:
        return []
    ids = [pk for pk, *_ in rows]
    expired.filter(pk__in=ids).update(
        status=RiskStatus.OPEN,
        acceptance_expired_on=F("acceptance_expires_on"),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    RiskChange.objects.bulk_create(
        RiskChange(
            risk_id=pk,
            user=None,
            version=version + 1,
            changes={"status": ["Accepted", "Open"]},
            note=f"Acceptance expired on {expires_on.isoformat()}: reopened.",
        )
        for pk, version, expires_on, _, _ in rows
    )
    managers = {}
    for project_id, user_id in Membership.objects.filter(
        project_id__in={row[4] for row in rows}, role=Role.PROJECT_MANAGER
    ).values_list("project_id", "user_id"):
        managers.setdefault(project_id, set()).add(user_id)
    AcceptanceExpiryNotice.objects.bulk_create(
        [
            AcceptanceExpiryNotice(risk_id=pk, recipient_id=user_id, expired_on=expires_on)
            for pk, _, expires_on, acceptor_id, project_id in rows
            for user_id in sorted(managers.get(project_id, set()) | {acceptor_id} - {None})
        ],
        ignore_conflicts=True,
    )
    return ids
