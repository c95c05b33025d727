"""Writes to a project's go / no-go criteria: switch a built-in, add, edit or remove the
team's own, attest a value. Each checks who may, runs in one transaction and records a
``GateCriterionChange`` (who, when, what changed)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from core.errors import ConflictError
from core.history import apply_changes
from decisions.criteria import BUILTINS, METRICS, criterion_label
from decisions.models import (
    Attestation,
    Comparator,
    CriterionKind,
    GateCriterion,
    GateCriterionChange,
)
from projects import permissions
from projects.models import Project
from projects.selectors import project_access

EDITABLE = {
    CriterionKind.THRESHOLD: ("metric", "comparator", "target", "enabled"),
    CriterionKind.ATTESTED: ("label", "comparator", "target", "max_age_days", "enabled"),
}


def _require_manager(project, acting_user):
    if not permissions.can_manage_gate_criteria(project_access(user=acting_user, project=project)):
        raise PermissionDenied("Only the project manager sets the go / no-go criteria.")


def _record(project, acting_user, criterion_label_text, changes, note=""):
    GateCriterionChange.objects.create(
        project=project, user=acting_user, criterion_label=criterion_label_text[:200],
        changes=changes, note=note[:300],
    )  # fmt: skip


def _validate(kind, fields):
    errors = {}
    if kind == CriterionKind.THRESHOLD and fields.get("metric") not in METRICS:
        errors["metric"] = "Choose one of the counts the app knows."
    if kind == CriterionKind.ATTESTED and not (fields.get("label") or "").strip():
        errors["label"] = "Name what the team attests, e.g. “Severity-1 UAT defects open”."
    if fields.get("comparator") not in Comparator.values:
        errors["comparator"] = "Choose at most, fewer than, exactly or at least."
    target = fields.get("target")
    if target is None:
        errors["target"] = "Give the number to compare with."
    elif target < 0:
        errors["target"] = "The number cannot be negative."
    max_age = fields.get("max_age_days")
    if kind == CriterionKind.ATTESTED and max_age is not None and max_age < 1:
        errors["max_age_days"] = "A value stays current for at least a day."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def gate_criterion_builtin_switch(*, project, acting_user, key, enabled):
    """Switch a built-in criterion on or off for the project."""
    _require_manager(project, acting_user)
    if key not in BUILTINS:
        raise ValidationError("There is no such built-in criterion.")
    Project.objects.select_for_update().get(pk=project.pk)  # one switch at a time
    row, _ = GateCriterion.objects.get_or_create(
        project=project, kind=CriterionKind.BUILTIN, builtin_key=key, defaults={"enabled": True}
    )
    changes = apply_changes(row, {"enabled": bool(enabled)})
    if changes:
        row.version += 1
        row.save()
        _record(
            project,
            acting_user,
            BUILTINS[key].label,
            changes,
            "switched on" if enabled else "switched off",
        )
    return row


@transaction.atomic
def gate_criterion_create(*, project, acting_user, kind, **fields):
    """Add a threshold or an attested criterion, after the project's others."""
    _require_manager(project, acting_user)
    if kind not in EDITABLE:
        raise ValidationError("Add a threshold or an attested criterion.")
    fields = {name: fields.get(name) for name in EDITABLE[kind] if name != "enabled"}
    if "label" in fields:
        fields["label"] = (fields["label"] or "").strip()
    _validate(kind, fields)
    Project.objects.select_for_update().get(pk=project.pk)
    last = GateCriterion.objects.filter(project=project).aggregate(last=Max("order"))["last"]
    criterion = GateCriterion.objects.create(
        project=project, kind=kind, order=(last or 0) + 1, **fields
    )
    _record(
        project, acting_user, criterion_label(criterion),
        {name: ["", str(value if value is not None else "")] for name, value in fields.items()},
        "added",
    )  # fmt: skip
    return criterion


@transaction.atomic
def gate_criterion_update(*, criterion, acting_user, version, **fields):
    """Edit a threshold or an attested criterion; ``version`` is the one the form was
    filled on (someone else's save since then raises ``ConflictError``)."""
    criterion = GateCriterion.objects.select_for_update().get(pk=criterion.pk)
    _require_manager(criterion.project, acting_user)
    if criterion.kind not in EDITABLE:
        raise ValidationError("A built-in criterion is only switched on or off.")
    if version is not None and int(version) != criterion.version:
        raise ConflictError(
            current=criterion, current_version=criterion.version, what="this criterion"
        )
    wanted = {name: fields[name] for name in EDITABLE[criterion.kind] if name in fields}
    if "label" in wanted:
        wanted["label"] = (wanted["label"] or "").strip()
    _validate(
        criterion.kind,
        {name: getattr(criterion, name) for name in EDITABLE[criterion.kind]} | wanted,
    )
    before = criterion_label(criterion)
    changes = apply_changes(criterion, wanted)
    if changes:
        criterion.version += 1
        criterion.save()
        _record(criterion.project, acting_user, before, changes, "edited")
    return criterion


@transaction.atomic
def gate_criterion_remove(*, criterion, acting_user):
    """Remove a threshold or an attested criterion (its attestations go with it; the
    history of the project's criteria keeps that it was removed)."""
    criterion = GateCriterion.objects.select_for_update().get(pk=criterion.pk)
    _require_manager(criterion.project, acting_user)
    if criterion.kind == CriterionKind.BUILTIN:
        raise ValidationError("A built-in criterion is switched off, not removed.")
    label = criterion_label(criterion)
    _record(criterion.project, acting_user, label, {"criterion": [label, ""]}, "removed")
    criterion.delete()


@transaction.atomic
def gate_criterion_attest(*, criterion, acting_user, value, evidence="", evidence_link=""):
    """Record the value of an attested criterion with its evidence; the latest counts."""
    criterion = GateCriterion.objects.select_for_update().get(pk=criterion.pk)
    access = project_access(user=acting_user, project=criterion.project)
    if not permissions.can_attest_gate_criterion(access):
        raise PermissionDenied(
            "Only the project manager, the facilitator or an approver attests a value."
        )
    if criterion.kind != CriterionKind.ATTESTED:
        raise ValidationError("Only an attested criterion takes a typed-in value.")
    errors = {}
    if value is None:
        errors["value"] = "Type in the value."
    evidence = (evidence or "").strip()
    evidence_link = (evidence_link or "").strip()
    if not (evidence or evidence_link):
        errors["evidence"] = "Say where the value comes from: a note or a link to the evidence."
    if errors:
        raise ValidationError(errors)
    attestation = Attestation.objects.create(
        criterion=criterion, value=value, evidence=evidence, evidence_link=evidence_link,
        attested_by=acting_user,
    )  # fmt: skip
    _record(
        criterion.project, acting_user, criterion_label(criterion),
        {"value": ["", str(value)]}, f"attested: {evidence or evidence_link}",
    )  # fmt: skip
    return attestation


@transaction.atomic
def gate_criterion_move(*, criterion, acting_user, up):
    """Move one of the team's criteria a place up or down (the gate lists them in order)."""
    _require_manager(criterion.project, acting_user)
    Project.objects.select_for_update().get(pk=criterion.project_id)
    rows = list(
        GateCriterion.objects.filter(project_id=criterion.project_id)
        .exclude(kind=CriterionKind.BUILTIN)
        .order_by("order", "pk")
    )
    index = next(i for i, row in enumerate(rows) if row.pk == criterion.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(rows):
        return
    rows[index], rows[other] = rows[other], rows[index]
    for position, row in enumerate(rows, start=1):
        if row.order != position:
            row.order = position
            row.save(update_fields=["order", "updated_at"])
    _record(
        criterion.project, acting_user, criterion_label(rows[other]),
        {"position": [str(index + 1), str(other + 1)]}, "moved up" if up else "moved down",
    )  # fmt: skip
