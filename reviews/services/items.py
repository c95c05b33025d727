"""Editing review items: responses with version checks and history, blocker flags, evidence."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import refuse_if_stale
from core.history import apply_changes
from projects.services import require_member
from reviews.models import ItemEvidence, ReviewItem, ReviewItemChange, SignOff
from reviews.services.notices import SIGNED_CONTENT_FIELDS, tell_item_saved
from webhooks.models import WebhookEventType
from webhooks.services import webhook_event_publish

EDITABLE_FIELDS = ("status", "response", "owner", "due_date", "is_blocker", "blocker_reason")


def _record(item, acting_user, changes, note=""):
    return ReviewItemChange.objects.create(
        item=item, user=acting_user, version=item.version, changes=changes, note=note[:300]
    )


TEXT_FIELDS = frozenset({"response", "blocker_reason"})


def _normalise(name, value):
    """Form values as the model stores them: stripped text, None for an empty date or owner."""
    if name == "is_blocker":
        return bool(value)
    if name in TEXT_FIELDS:
        return (value or "").strip()
    return value or None


@transaction.atomic
def review_item_update(*, item, acting_user, version, **fields):
    """Save an edit made on top of ``version``; refuse it if someone saved in between.

    Returns the updated item. Raises ConflictError (with the changes made since
    ``version``) or ValidationError. History gets one entry per save; sign-offs
    are superseded when status or response change.
    """
    locked = (
        ReviewItem.objects.select_for_update(of=("self",))
        .select_related("review__project")
        .get(pk=item.pk)
    )
    refuse_if_stale(locked, version, what="this item")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}")
    fields = {name: _normalise(name, value) for name, value in fields.items()}
    if fields.get("owner") is not None:
        require_member(
            project=locked.review.project, user=fields["owner"], purpose="own its checklist items"
        )
    if (
        "is_blocker" in fields
        and fields["is_blocker"] != locked.is_blocker
        and not fields.get("blocker_reason")
    ):
        raise ValidationError(
            {
                "blocker_reason": "Say why the go-live blocker flag changes; the reason is kept in the history."
            }
        )
    previous_status = locked.status
    changes = apply_changes(locked, fields)
    if not changes:
        return locked
    if locked.to_reconfirm:  # a saved change of a carried-forward answer confirms it
        changes["to_reconfirm"] = ["yes", "no"]
        locked.to_reconfirm = False
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.updated_by = acting_user
    locked.save()
    note = ""
    if SIGNED_CONTENT_FIELDS & set(changes):
        superseded = SignOff.objects.filter(item=locked, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
        if superseded:
            note = f"{superseded} sign-off{'s' if superseded != 1 else ''} superseded; the item needs signing again."
    _record(locked, acting_user, changes, note=note)
    tell_item_saved(locked, acting_user, changes)
    if "status" in changes:
        _publish_status_change(locked, acting_user, previous_status, changes["status"])
    return locked


def _publish_status_change(item, acting_user, previous_status, labels):
    review, (old, new) = item.review, labels
    webhook_event_publish(
        project=review.project, event=WebhookEventType.ITEM_STATUS_CHANGED,
        title=f"“{item.title}” is now {new}",
        text=f"{acting_user} changed the status of “{item.title}” in {review.title} from {old} "
        f"to {new}.",
        url=item.get_absolute_url(), actor=acting_user,
        data={"item_id": item.pk, "review_id": review.pk, "from": previous_status, "to": item.status},
    )  # fmt: skip


@transaction.atomic
def review_item_confirm(*, item, acting_user, version):
    """Confirm a carried-forward answer as still true: the item leaves "to re-confirm".

    Refused like an edit (ConflictError) when someone saved the item since ``version``.
    Confirming an item that is not to re-confirm changes nothing.
    """
    locked = ReviewItem.objects.select_for_update().select_related("review").get(pk=item.pk)
    refuse_if_stale(locked, version, what="this item")
    if not locked.to_reconfirm:
        return locked
    locked.to_reconfirm = False
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.updated_by = acting_user
    locked.save()
    _record(
        locked,
        acting_user,
        {"to_reconfirm": ["yes", "no"]},
        note="Confirmed: the answer carried forward still holds.",
    )
    return locked


def _check_upload(upload):
    extension = Path(upload.name).suffix.lower().lstrip(".")
    allowed = settings.EVIDENCE_ALLOWED_EXTENSIONS
    if extension not in allowed:
        raise ValidationError(
            {
                "file": f"Files of type .{extension or '?'} are not accepted. Allowed: {', '.join(allowed)}."
            }
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        limit = settings.EVIDENCE_MAX_BYTES / (1024 * 1024)
        raise ValidationError({"file": f"The file is larger than the {limit:.0f} MB limit."})
    if upload.size == 0:
        raise ValidationError({"file": "The file is empty."})
    head = upload.read(8)
    upload.seek(0)
    signatures = {"pdf": b"%PDF", "png": b"\x89PNG", "jpg": b"\xff\xd8\xff", "jpeg": b"\xff\xd8\xff",
                  "gif": b"GIF8", "zip": b"PK", "xlsx": b"PK", "docx": b"PK", "pptx": b"PK"}  # fmt: skip
    expected = signatures.get(extension)
    if expected and not head.startswith(expected):
        raise ValidationError(
            {"file": f"The file's content does not look like a .{extension} file."}
        )


@transaction.atomic
def item_evidence_add(*, item, acting_user, title="", url="", file=None, valid_until=None):
    if bool(url) == bool(file):
        raise ValidationError("Give either a link or a file.")
    if file is not None:
        _check_upload(file)
    evidence = ItemEvidence(
        item=item,
        url=url or "",
        title=(title or "").strip() or (Path(file.name).name if file else url)[:200],
        added_by=acting_user,
        valid_until=valid_until,
    )
    if file is not None:
        evidence.file = file
        evidence.size = file.size
        evidence.content_type = getattr(file, "content_type", "") or ""
    evidence.full_clean(exclude=["file"] if file is not None else None)
    evidence.save()
    note = "Evidence added"
    if evidence.valid_until:
        note += f", valid until {evidence.valid_until.isoformat()}"
    _record(item, acting_user, {"evidence": ["", evidence.title]}, note=note)
    return evidence


@transaction.atomic
def item_evidence_remove(*, evidence, acting_user):
    """Hide evidence from the item; the record and the file stay for the history."""
    if evidence.removed_at is not None:
        return evidence
    evidence.removed_at = timezone.now()
    evidence.removed_by = acting_user
    evidence.save(update_fields=["removed_at", "removed_by"])
    _record(evidence.item, acting_user, {"evidence": [evidence.title, ""]}, note="Evidence removed")
    return evidence
