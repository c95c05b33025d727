"""The executive summary page of the summary PDF, and the groupings that keep the PDF short.

Plain functions over what ``summaries.pdf.summary_context`` has already loaded (the items
with their sign-offs, the open risks and actions, the latest decision), so they add no
query; ``review_trend`` reads the previous review in a fixed number of queries. An
override reads as everywhere else: ``Decision.override_line``.
"""

from collections import Counter
from dataclasses import dataclass, field

from decisions.models import Vote
from decisions.selectors import go_votes_needed
from reviews.models import ItemStatus
from reviews.selectors.reviews import changes_since_previous
from reviews.selectors.scores import scores_for_reviews
from risks.models import SEVERITY_BANDS, ActionStatus, Category, RiskStatus, SeverityBand

TOP_RISKS = 5

# How far along an item is, to tell a step forward from a step back between two reviews.
# "At risk" is a started item in trouble: a step back from "in progress".
PROGRESS = {
    ItemStatus.NOT_STARTED: 0,
    ItemStatus.AT_RISK: 1,
    ItemStatus.IN_PROGRESS: 2,
    ItemStatus.ACCEPTED_RISK: 3,
    ItemStatus.DONE: 4,
}
STATUS_LABELS = dict(ItemStatus.choices)


# --- What we need from the reader -----------------------------------------------------------


@dataclass
class Signer:
    """Someone who could give sign-offs that finished items still wait for."""

    user: object
    items: set = field(default_factory=set)


def signoffs_awaited(items):
    """The sign-offs finished items wait for, as the reader looks for them: by person.

    Each person with the items they could sign (an item counts once per person, whichever
    of its roles they hold), most first; the roles nobody in the project holds, with their
    item counts. Only items up for sign-off count, and not a rejected one (it needs rework,
    not a signature). ``count`` is the number of items waiting.
    """
    signers, unheld, waiting = {}, Counter(), 0
    for item in items:
        if not item.is_up_for_signoff or item.signoff.rejections or not item.awaited:
            continue
        waiting += 1
        for wait in item.awaited:
            if not wait["people"]:
                unheld[wait["label"]] += 1
            for user in wait["people"]:
                signers.setdefault(user.pk, Signer(user)).items.add(item.pk)
    people = sorted(signers.values(), key=lambda signer: (-len(signer.items), str(signer.user)))
    return {"count": waiting, "people": people, "unheld": sorted(unheld.items())}


def votes_awaited(decision, approvers, project):
    """For a decision open for votes: go votes cast, go votes the project's rule needs, and
    who has not voted."""
    if decision is None or decision.is_recorded:
        return None
    approver_ids = {user.pk for user in approvers}
    counted = [vote for vote in decision.current_votes if vote.voter_id in approver_ids]
    voted = {vote.voter_id for vote in counted}
    return {
        "go": sum(1 for vote in counted if vote.choice == Vote.Choice.GO),
        "cast": len(counted),
        "needed": go_votes_needed(project, len(approvers)),
        "waiting_for": [user for user in approvers if user.pk not in voted],
    }


def open_conditions(decision):
    if decision is None or decision.reverted_at:
        return []
    return [condition for condition in decision.condition_list if condition.is_open]


def label_actions(owner_groups):
    for group in owner_groups:
        for action in group.actions:
            action.status_label = ACTION_STATUS_LABELS.get(action.status, action.status)
    return owner_groups


def overdue_by_owner(owner_groups):
    """(owner, overdue count) for owners with overdue actions, most overdue first."""
    rows = [(group.owner, group.overdue_count) for group in owner_groups if group.overdue_count]
    return sorted(rows, key=lambda row: -row[1])


# --- Top risks ------------------------------------------------------------------------------


def top_risks(open_risks, owner_groups, limit=TOP_RISKS):
    """The highest-scored open risks, each with its next open action (or none)."""
    top = open_risks[:limit]
    wanted = {risk.pk: risk for risk in top}
    for risk in top:
        risk.next_action = None
    for group in owner_groups:
        for action in group.actions:
            risk = wanted.get(action.risk_id)
            if risk is None:
                continue
            current = risk.next_action
            if current is None or _due_key(action) < _due_key(current):
                risk.next_action = action
    return top


def _due_key(action):
    return (action.due_date is None, action.due_date or 0, action.pk)


# --- The trend against the previous review ---------------------------------------------------


def review_trend(review, items, score):
    """The previous review of the project, its score then and now, and the items that moved.

    None for a project's first review. Five queries at most (the previous review, its
    item statuses, its score: two when cached, five when not).
    """
    changes = changes_since_previous(review, items)
    if changes is None:
        return None
    previous = changes["previous"]
    before = scores_for_reviews([previous])[previous.pk]
    forward, back, scope = [], [], []
    for item, was in changes["moved"]:
        move = {"item": item, "was": STATUS_LABELS.get(was, was), "now": item.status}
        if ItemStatus.NOT_APPLICABLE in (was, item.status):
            scope.append(move)
        elif PROGRESS[item.status] > PROGRESS[was]:
            forward.append(move)
        else:
            back.append(move)
    then, now = before.overall, score.overall
    return {
        "previous": previous,
        "before": before,
        "figures": [
            _change("Readiness", before.percent, score.percent, unit="%"),
            _change("Items done", then.done, now.done),
            _change(
                "Items flagged as go-live blockers",
                then.open_blockers,
                now.open_blockers,
                lower=True,
            ),
            _change(
                "Mandatory items not done and signed",
                then.unsigned_mandatory,
                now.unsigned_mandatory,
                lower=True,
            ),
        ],
        "moved": len(changes["moved"]),
        "forward": forward,
        "back": back,
        "scope": scope,
        "newly_done": sum(1 for move in forward if move["now"] == ItemStatus.DONE),
    }


def _change(label, then, now, *, unit="", lower=False):
    """A figure then and now; ``lower`` when less is better (blockers)."""
    delta = now - then
    return {"label": label, "then": f"{then}{unit}", "now": f"{now}{unit}", "delta": delta,
            "size": abs(delta), "better": delta < 0 if lower else delta > 0}  # fmt: skip


# --- Long lists, grouped ----------------------------------------------------------------------


@dataclass
class AreaGroup:
    """Items of one area that share a state, listed as one run of names, not one row each."""

    section: object
    items: list = field(default_factory=list)


def group_by_area(items):
    """Consecutive items (in checklist order) grouped by their area."""
    groups = []
    for item in items:
        if not groups or groups[-1].section.pk != item.section_id:
            groups.append(AreaGroup(item.section))
        groups[-1].items.append(item)
    return groups


def blocker_rows(blocker_items):
    """(items shown as rows, not-started items grouped by area).

    A blocker nobody has started and that carries no reason would be a row of dashes;
    those are listed by area with a count. Started ones keep their row (status, owner,
    reason), as does any not-started blocker whose reason was written down.
    """
    rows, waiting = [], []
    for item in blocker_items:
        if item.status == ItemStatus.NOT_STARTED and not item.blocker_reason:
            waiting.append(item)
        else:
            rows.append(item)
    return rows, group_by_area(waiting)


def checklist_sections(sections):
    """Per area: the items with something to read, and the untouched ones grouped.

    An item is untouched when it is not started and has no response; the appendix lists
    those by name in one paragraph per area instead of a block each saying "No response".
    """
    result = []
    for section, section_items in sections:
        shown, untouched = [], []
        for item in section_items:
            if item.status == ItemStatus.NOT_STARTED and not item.response.strip():
                untouched.append(item)
            else:
                shown.append(item)
        result.append({"section": section, "count": len(section_items), "items": shown,
                       "untouched": untouched})  # fmt: skip
    return result


def signoff_sections(sections):
    """Per area: the items up for sign-off (one line each) and a count of the others."""
    result = []
    for section, section_items in sections:
        applicable = [item for item in section_items if item.is_applicable]
        up = [item for item in applicable if item.is_up_for_signoff]
        pending = Counter(item.status for item in applicable if not item.is_up_for_signoff)
        result.append({
            "section": section,
            "items": up,
            "not_done": sum(pending.values()),
            "not_done_by_status": [
                (STATUS_LABELS[status], pending[status])
                for status in (ItemStatus.NOT_STARTED, ItemStatus.IN_PROGRESS, ItemStatus.AT_RISK)
                if pending[status]
            ],
        })  # fmt: skip
    return result


BAND_LABELS = dict(SeverityBand.choices)
CATEGORY_LABELS = dict(Category.choices)
RISK_STATUS_LABELS = dict(RiskStatus.choices)
ACTION_STATUS_LABELS = dict(ActionStatus.choices)


def risks_by_band(open_risks):
    """Open risks in their severity bands, highest first (each band with its score range).

    Labels are set here from plain dicts: ``get_FOO_display()`` in a template costs more
    than the rest of a row when there are hundreds.
    """
    bands = {band: [] for band, _, _ in reversed(SEVERITY_BANDS)}
    for risk in open_risks:
        risk.category_label = CATEGORY_LABELS.get(risk.category, risk.category)
        risk.status_label = RISK_STATUS_LABELS.get(risk.status, risk.status)
        bands[risk.severity].append(risk)
    return [
        {"band": band, "label": BAND_LABELS[band], "low": low, "high": high, "risks": bands[band]}
        for band, low, high in reversed(SEVERITY_BANDS)
        if bands[band]
    ]
