"""The readiness score: derived from items and their sign-offs, never typed in.

Rules (see the README's glossary):
- An item is *applicable* unless its status is "not applicable".
- An item is *signed* when every required sign-off role has a current approval,
  no current rejection stands, and the owner is not the only approver.
- An item carried forward from the previous review and not re-confirmed yet counts as
  not done, whatever its status (issue 15).
- An item is *complete* when it is done and signed. A section's score is the share
  of its applicable items that are complete.
- An item a stakeholder *rejected* counts as rejected until it changes (a change
  supersedes the sign-offs) or the rejection is revoked.
- State: **not ready** if any item is flagged as a go-live blocker and not settled,
  or any mandatory item is neither done nor an accepted risk with its sign-offs;
  otherwise **ready with risks** if any applicable item is not complete (accepted
  risks, non-blocking gaps); otherwise **ready**. Findings flagged as blockers are
  the risk register's part of the go-live blockers (``risks.selectors.go_live_blockers``).
"""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ValidationError

from reviews.models import SETTLED_STATUSES, ItemStatus, SignOff


class State:
    READY = "ready"
    READY_WITH_RISKS = "ready_with_risks"
    NOT_READY = "not_ready"

    labels = {
        READY: "Ready",
        READY_WITH_RISKS: "Ready with risks",
        NOT_READY: "Not ready",
    }


@dataclass
class SignoffState:
    required: list
    filled: dict  # role -> SignOff
    awaited_roles: list
    rejections: list
    approvals: list
    signed: bool

    @property
    def current(self):
        return self.approvals + self.rejections


def signoff_state(item, signoffs):
    """Who signed which required role, who rejected, and whether the item counts as signed.

    ``signoffs`` are the item's SignOff rows in creation order (prefetched).
    """
    latest = {}
    for record in signoffs:
        if record.superseded_at is None:
            latest[record.signer_id] = record  # a later record replaces the person's earlier one
    approvals = [s for s in latest.values() if s.decision == SignOff.Decision.APPROVE]
    rejections = [s for s in latest.values() if s.decision == SignOff.Decision.REJECT]
    required = list(item.signoff_roles or []) or [""]
    filled = {}
    unplaced = []
    for approval in approvals:
        if approval.as_role in required and approval.as_role not in filled:
            filled[approval.as_role] = approval
        else:
            unplaced.append(approval)
    for approval in unplaced:  # approvers who signed without naming a role fill the open slots
        open_roles = [role for role in required if role not in filled]
        if open_roles:
            filled[open_roles[0]] = approval
    awaited = [role for role in required if role not in filled]
    signers = {s.signer_id for s in approvals}
    owner_alone = item.owner_id is not None and signers == {item.owner_id}
    signed = not awaited and not rejections and not owner_alone
    return SignoffState(required, filled, awaited, rejections, approvals, signed)


def plan_signoff_state(plan, records):
    """The same rules for a plan (cutover or support) that names its ``signoff_roles``: a
    plan has no owner who could sign alone. ``records`` in creation order."""
    return signoff_state(
        SimpleNamespace(signoff_roles=list(plan.signoff_roles or []), owner_id=None), records
    )


def plan_signoff_choice(state, eligible, signer_id, *, decision, as_role, comment, signed_version):
    """(role, standing) of a plan sign-off being given: the role it is given as, and the
    signer's standing record when this submission repeats it exactly (the first one then
    stands and nothing is written). The role is the one asked for, which the signer must
    hold; else the first awaited role they hold, else that of their standing record, else
    their first eligible role."""
    standing = next((r for r in state.current if r.signer_id == signer_id), None)
    if as_role:
        if as_role not in eligible:
            raise ValidationError({"as_role": "You do not hold that sign-off role for this plan."})
    else:
        open_roles = [role for role in state.awaited_roles if role in eligible]
        as_role = open_roles[0] if open_roles else (standing.as_role if standing else min(eligible))
    repeat = standing is not None and (
        standing.decision, standing.as_role, standing.comment, standing.signed_version,
    ) == (decision, as_role, comment, signed_version)  # fmt: skip
    return as_role, (standing if repeat else None)


@dataclass
class Figures:
    """Counts of a section or a whole review.

    Two kinds of "blocker" are kept apart: ``open_blockers`` are items the team flagged as
    go-live blockers that are not settled (with the blocker findings of the risk register
    they make the go-live blockers: ``risks.selectors.go_live_blockers``);
    ``blocking_not_done`` are items of blocker severity not done yet.
    """

    applicable: int = 0
    complete: int = 0
    done: int = 0
    open_blockers: int = 0
    blocking_not_done: int = 0
    rejected: int = 0
    at_risk: int = 0
    unsigned_mandatory: int = 0
    accepted_risks: int = 0
    total: int = 0

    @property
    def percent(self):
        return round(100 * self.complete / self.applicable) if self.applicable else 100

    def add(self, other):
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class SectionScore:
    section: object
    figures: Figures = field(default_factory=Figures)

    @property
    def rag(self):
        """Red / amber / green for the section bar."""
        if self.figures.open_blockers or self.figures.unsigned_mandatory or self.figures.rejected:
            return "red"
        if self.figures.complete < self.figures.applicable:
            return "amber"
        return "green"


# The figures whose items the gate lists (``ReviewScore.item_ids``).
LISTED_FIGURES = ("open_blockers", "blocking_not_done", "rejected", "unsigned_mandatory")


@dataclass
class ReviewScore:
    sections: list
    overall: Figures
    state: str
    # For each of LISTED_FIGURES, the ids of the items it counts, in checklist order: the
    # gate lists the first of them from the cached score without loading every item.
    item_ids: dict = field(default_factory=dict)

    @property
    def state_label(self):
        return State.labels[self.state]

    @property
    def percent(self):
        return self.overall.percent

    def as_dict(self):
        """A plain snapshot (for decisions and reports)."""
        return {
            "state": self.state,
            "state_label": self.state_label,
            "percent": self.percent,
            "overall": vars(self.overall).copy(),
            "sections": [
                {"key": s.section.key, "title": s.section.title, "percent": s.figures.percent,
                 "rag": s.rag, **vars(s.figures)}
                for s in self.sections
            ],
        }  # fmt: skip


def item_figures(item, state):
    figures = Figures(total=1)
    if item.status == ItemStatus.NOT_APPLICABLE:
        return figures
    figures.applicable = 1
    figures.done = int(item.counts_as_done)
    figures.complete = int(item.counts_as_done and state.signed)
    figures.at_risk = int(item.status == ItemStatus.AT_RISK)
    figures.accepted_risks = int(item.status == ItemStatus.ACCEPTED_RISK)
    figures.open_blockers = int(item.is_blocker and item.status not in SETTLED_STATUSES)
    figures.blocking_not_done = int(item.is_blocking_not_done)
    figures.rejected = int(bool(state.rejections))
    settled = item.is_up_for_signoff and state.signed and not item.to_reconfirm
    figures.unsigned_mandatory = int(item.mandatory and not settled)
    return figures


def score_review(sections, items, states):
    """Score a review from its sections, items and each item's SignoffState (by item id)."""
    by_section = {section.pk: SectionScore(section) for section in sections}
    overall = Figures()
    item_ids = {name: [] for name in LISTED_FIGURES}
    for item in items:
        figures = item_figures(item, states[item.pk])
        by_section[item.section_id].figures.add(figures)
        overall.add(figures)
        for name in LISTED_FIGURES:
            if getattr(figures, name):
                item_ids[name].append(item.pk)
    if overall.open_blockers or overall.unsigned_mandatory:
        state = State.NOT_READY
    elif overall.complete < overall.applicable:
        state = State.READY_WITH_RISKS
    else:
        state = State.READY
    return ReviewScore(list(by_section.values()), overall, state, item_ids)
