"""Who is told what after an item is saved: a new owner, and the stakeholders whose sign-off
the item now awaits. Called inside the saving transaction; ``notify`` mails after commit."""

from notifications.models import Kind
from notifications.services import notify
from projects.permissions import ProjectAccess, eligible_signoff_roles
from projects.selectors import memberships_of_project
from reviews.models import SIGNOFF_STATUSES

# A change to these means what was signed is no longer what is there.
SIGNED_CONTENT_FIELDS = frozenset({"status", "response"})


def awaited_signers(item, project):
    """The active members who may fill one of the item's sign-off roles."""
    return [
        membership.user
        for membership in memberships_of_project(project)
        if eligible_signoff_roles(ProjectAccess.of(membership, project=project), item)
    ]


def tell_item_saved(item, acting_user, changes):
    """After ``changes`` ({field: [old, new]}) were saved on ``item`` (its review loaded)."""
    review = item.review
    project = review.project
    url = item.get_absolute_url()
    if "owner" in changes and item.owner_id:
        notify(
            recipients=[item.owner],
            kind=Kind.OWNER,
            title=f"You own the checklist item “{item.title}” in {review.title}",
            url=url,
            project=project,
            actor=acting_user,
            key=f"item-owner:{item.pk}:{item.version}",
        )
    if item.status in SIGNOFF_STATUSES and SIGNED_CONTENT_FIELDS & set(changes):
        notify(
            recipients=awaited_signers(item, project),
            kind=Kind.SIGNOFF_REQUESTED,
            title=f"Your sign-off is awaited on “{item.title}” in {review.title}",
            url=url,
            project=project,
            actor=acting_user,
            key=f"item-signoff:{item.pk}:{item.version}",
        )
