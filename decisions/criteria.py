"""The go / no-go criteria a project's team agreed on, and their evaluation for a review.

Three kinds (``decisions.models.GateCriterion``):

- **built-in**: one entry of ``BUILTINS`` each, on unless the project switched it off. A
  project that never configured its criteria has no rows and gets every built-in, which is
  what the gate always checked.
- **threshold**: a count the app knows (``METRICS``) against a number ("open high or
  critical risks at most 2").
- **attested**: a value the team typed in, with who, when and evidence; the latest counts,
  and one older than the criterion's ``max_age_days`` counts as missing.

``evaluate`` reads them in a fixed number of queries: the criteria (one), the latest
attestations (one, when there are attested criteria), and one per group of counts a
threshold uses (risks, actions, items); the built-ins read the gate's own facts.

To add a built-in, add one ``Builtin`` to ``BUILTINS`` with a function of the gate's facts
(``decisions.selectors.gate`` and ``summary_facts`` hand over their dict, with ``project``,
``review``, ``cutover`` and ``support``) that returns a ``Check``. A new built-in starts on
for every project; one about a plan the project does not have counts as met.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import pluralize
from django.utils import timezone

from decisions.models import (
    Attestation,
    Comparator,
    CriterionKind,
    GateCriterion,
    GateCriterionChange,
)
from reviews.models import ItemStatus
from risks.selectors import open_action_count, open_risk_counts

# --- Built-ins --------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """What one criterion found: met or not, a sentence for the gate, and (when not met) the
    few words each that a go recorded now would override."""

    met: bool
    sentence: str
    phrases: tuple = ()


@dataclass(frozen=True)
class Builtin:
    key: str
    label: str
    evaluate: object  # callable(facts: dict) -> Check


def _count_check(count, *, none, some, phrase):
    if not count:
        return Check(True, none)
    return Check(
        False,
        some.format(n=count, s=pluralize(count)),
        (phrase.format(n=count, s=pluralize(count)),),
    )


def _blockers(facts):
    return _count_check(
        facts["go_live_blockers"].total,
        none="No open go-live blocker.",
        some="{n} open go-live blocker{s}.",
        phrase="{n} go-live blocker{s}",
    )


def _mandatory_signed(facts):
    return _count_check(
        facts["unsigned_mandatory"].count,
        none="Every mandatory item is done and signed off.",
        some="{n} mandatory item{s} not done and signed off.",
        phrase="{n} mandatory item{s} not done and signed",
    )


def _rejected(facts):
    return _count_check(
        facts["rejected_items"].count,
        none="No item rejected by a stakeholder.",
        some="{n} item{s} rejected by a stakeholder.",
        phrase="{n} rejected item{s}",
    )


def _overdue_actions(facts):
    return _count_check(
        facts["overdue_actions"].count,
        none="No overdue mitigation action.",
        some="{n} overdue mitigation action{s}.",
        phrase="{n} overdue action{s}",
    )


NO_CUTOVER_PLAN = "No cutover plan, so not checked."


def _cutover_signed_off(facts):
    cutover = facts["cutover"]
    if not cutover.in_use:
        return Check(True, NO_CUTOVER_PLAN)
    if cutover.signed_off:
        return Check(True, cutover.signed_off_text)
    return Check(False, cutover.signed_off_text, ("the cutover plan not signed off",))


def _rehearsal_fits(facts):
    cutover = facts["cutover"]
    if not cutover.in_use:
        return Check(True, NO_CUTOVER_PLAN)
    if cutover.rehearsal is None:
        return Check(False, cutover.rehearsal_text, ("no finished cutover rehearsal",))
    if not cutover.rehearsal.fits:
        return Check(
            False,
            cutover.rehearsal_text,
            ("a last rehearsal that does not fit the window with the buffer",),
        )
    return Check(True, cutover.rehearsal_text)


def _expired_evidence(facts):
    return _count_check(
        facts["expired_evidence"].count,
        none="No evidence past its valid-until date.",
        some="{n} item{s} with evidence past its valid-until date.",
        phrase="{n} item{s} with expired evidence",
    )


NO_SUPPORT_PLAN = "No support plan, so not checked."


def _support_plan(facts):
    support = facts["support"]
    if not support.in_use:
        return Check(True, NO_SUPPORT_PLAN)
    if support.plan_ready:
        return Check(True, "The support plan is signed off and covers every hour it must.")
    phrases = []
    sentences = []
    if not support.signed_off:
        phrases.append("the support plan not signed off")
        sentences.append("The support plan is not signed off.")
    if support.gaps:
        count = len(support.gaps)
        phrases.append(f"{count} gap{pluralize(count)} in the support cover")
        sentences.extend(f"{gap}." for gap in support.gaps)
    return Check(False, " ".join(sentences), tuple(phrases))


def _knowledge_transfer(facts):
    support = facts["support"]
    if not support.in_use:
        return Check(True, NO_SUPPORT_PLAN)
    done, total = support.knowledge_transfer_done, support.knowledge_transfer_total
    if support.knowledge_transfer_complete:
        return Check(True, f"Every knowledge-transfer session is done ({done} of {total}).")
    left = total - done
    return Check(
        False,
        f"{left} knowledge-transfer session{pluralize(left)} not done ({done} of {total} done).",
        (f"{left} knowledge-transfer session{pluralize(left)} not done",),
    )


BUILTINS = {
    builtin.key: builtin
    for builtin in (
        Builtin("blockers", "No open go-live blocker", _blockers),
        Builtin("mandatory_signed", "Every mandatory item done and signed off", _mandatory_signed),
        Builtin("rejected_items", "No item rejected by a stakeholder", _rejected),
        Builtin("overdue_actions", "No overdue mitigation action", _overdue_actions),
        Builtin("cutover_signed_off", "Cutover plan signed off", _cutover_signed_off),
        Builtin("rehearsal_fits", "Last cutover rehearsal fits the window", _rehearsal_fits),
        Builtin("expired_evidence", "No evidence past its valid-until date", _expired_evidence),
        Builtin("support_plan", "Support plan signed off with no coverage gap", _support_plan),
        Builtin("knowledge_transfer", "Knowledge transfer complete", _knowledge_transfer),
    )
}


# --- Threshold metrics --------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    key: str
    singular: str
    plural: str
    source: str  # "gate" (the gate's facts), "risks", "actions" or "items": one query per source

    def noun(self, count):
        return self.singular if count == 1 else self.plural


METRICS = {
    metric.key: metric
    for metric in (
        Metric(
            "open_high_risks", "open high or critical risk", "open high or critical risks", "risks"
        ),
        Metric("open_risks", "open risk or issue", "open risks and issues", "risks"),
        Metric("open_blocker_findings", "open blocker finding", "open blocker findings", "gate"),
        Metric("go_live_blockers", "open go-live blocker", "open go-live blockers", "gate"),
        Metric(
            "overdue_actions", "overdue mitigation action", "overdue mitigation actions", "gate"
        ),
        Metric("open_actions", "open mitigation action", "open mitigation actions", "actions"),
        Metric("items_not_started", "item not started", "items not started", "items"),
        Metric("items_in_progress", "item in progress", "items in progress", "items"),
        Metric(
            "unsigned_mandatory",
            "mandatory item not done and signed",
            "mandatory items not done and signed",
            "gate",
        ),
        Metric("rejected_items", "rejected item", "rejected items", "gate"),
        Metric(
            "blocking_not_done",
            "item of blocker severity not done",
            "items of blocker severity not done",
            "gate",
        ),
    )
}
METRIC_CHOICES = [(metric.key, metric.plural.capitalize()) for metric in METRICS.values()]


def _gate_counts(facts):
    return {
        "open_blocker_findings": facts["blocker_risks"].count,
        "go_live_blockers": facts["go_live_blockers"].total,
        "overdue_actions": facts["overdue_actions"].count,
        "unsigned_mandatory": facts["unsigned_mandatory"].count,
        "rejected_items": facts["rejected_items"].count,
        "blocking_not_done": facts["blocking_not_done"].count,
    }


def _item_counts(review):
    return review.items.aggregate(
        items_not_started=Count("pk", filter=Q(status=ItemStatus.NOT_STARTED)),
        items_in_progress=Count("pk", filter=Q(status=ItemStatus.IN_PROGRESS)),
    )


def metric_counts(facts, keys):
    """The counts of ``keys`` (metric keys), one query per source they need."""
    sources = {METRICS[key].source for key in keys if key in METRICS}
    counts = {}
    if "gate" in sources:
        counts.update(_gate_counts(facts))
    if "risks" in sources:
        counts.update(open_risk_counts(facts["project"]))
    if "actions" in sources:
        counts["open_actions"] = open_action_count(facts["project"])
    if "items" in sources:
        counts.update(_item_counts(facts["review"]))
    return counts


def compare(value, comparator, target):
    return {
        Comparator.AT_MOST: value <= target,
        Comparator.FEWER_THAN: value < target,
        Comparator.EXACTLY: value == target,
        Comparator.AT_LEAST: value >= target,
    }[comparator]


COMPARATOR_WORDS = {
    Comparator.AT_MOST: "at most",
    Comparator.FEWER_THAN: "fewer than",
    Comparator.EXACTLY: "exactly",
    Comparator.AT_LEAST: "at least",
}


def target_text(criterion):
    """ "at most 2"."""
    return f"{COMPARATOR_WORDS.get(criterion.comparator, criterion.comparator)} {criterion.target}"


def criterion_label(criterion):
    """How a criterion is named on the gate, the settings page and in the snapshot."""
    if criterion.kind == CriterionKind.BUILTIN:
        builtin = BUILTINS.get(criterion.builtin_key)
        return builtin.label if builtin else criterion.builtin_key
    if criterion.kind == CriterionKind.THRESHOLD:
        metric = METRICS.get(criterion.metric)
        noun = metric.plural.capitalize() if metric else criterion.metric
        return f"{noun} {target_text(criterion)}"
    return f"{criterion.label} {target_text(criterion)}"


def _threshold_check(criterion, counts):
    metric = METRICS.get(criterion.metric)
    if metric is None:
        return Check(False, f"Unknown count “{criterion.metric}”.", (criterion.metric,))
    value = counts[metric.key]
    text = f"{value} {metric.noun(value)} ({target_text(criterion)})"
    if compare(value, criterion.comparator, criterion.target):
        return Check(True, f"{text}.")
    return Check(False, f"{text}.", (text,))


def _day(moment):
    return timezone.localtime(moment).strftime("%-d %b %Y")


def attestation_stale(criterion, attestation, now):
    if attestation is None or not criterion.max_age_days:
        return False
    return attestation.attested_at < now - datetime.timedelta(days=criterion.max_age_days)


def _attested_check(criterion, attestation, now):
    """(state, Check): "missing" when nothing is attested or the value is too old."""
    name = criterion.label
    must = f"must be {target_text(criterion)}"
    if attestation is None:
        return "missing", Check(
            False, f"{name}: no value attested yet ({must}).", (f"{name} not attested",)
        )
    who = f"{attestation.value}, attested by {attestation.attested_by} on {_day(attestation.attested_at)}"
    if attestation_stale(criterion, attestation, now):
        return "missing", Check(
            False,
            f"{name}: the last value ({who}) is older than {criterion.max_age_days} "
            f"day{pluralize(criterion.max_age_days)}, so it counts as missing.",
            (
                f"{name} attested more than {criterion.max_age_days} day{pluralize(criterion.max_age_days)} ago",
            ),
        )
    if compare(attestation.value, criterion.comparator, criterion.target):
        return "met", Check(True, f"{name}: {who} ({must}).")
    return "not_met", Check(
        False, f"{name}: {who} ({must}).", (f"{name} at {attestation.value} ({must})",)
    )


# --- Evaluation ---------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    key: str
    kind: str
    label: str
    state: str  # "met", "not_met" or "missing"
    sentence: str
    phrases: tuple = ()
    criterion: object = None  # the GateCriterion row (None for a built-in never configured)
    attestation: object = None

    @property
    def met(self):
        return self.state == "met"

    @property
    def state_label(self):
        return {"met": "Met", "not_met": "Not met", "missing": "Missing"}[self.state]

    def as_dict(self):
        """Frozen in a decision's snapshot."""
        return {
            "key": self.key,
            "kind": self.kind,
            "label": self.label,
            "state": self.state,
            "met": self.met,
            "sentence": self.sentence,
        }


@dataclass
class Criteria:
    """A project's criteria as evaluated for one review: the enabled ones in their order,
    and the labels of the built-ins switched off."""

    results: list = field(default_factory=list)
    switched_off: list = field(default_factory=list)

    @property
    def met(self):
        return all(result.met for result in self.results)

    def unmet(self):
        return [result for result in self.results if not result.met]

    def phrases(self):
        """What a go recorded now would override, in a few words each."""
        return [phrase for result in self.unmet() for phrase in result.phrases]

    def __iter__(self):
        return iter(self.results)

    def as_list(self):
        return [result.as_dict() for result in self.results]


def project_criteria(project):
    """The project's configured criteria, each with its latest attestation as
    ``latest_attestation`` (two queries; one without attested criteria)."""
    latest = Attestation.objects.filter(criterion=OuterRef("pk")).order_by("-attested_at", "-pk")
    rows = list(
        GateCriterion.objects.filter(project=project)
        .annotate(latest_attestation_id=Subquery(latest.values("pk")[:1]))
        .order_by("order", "pk")
    )
    ids = [row.latest_attestation_id for row in rows if row.latest_attestation_id]
    attestations = (
        {a.pk: a for a in Attestation.objects.filter(pk__in=ids).select_related("attested_by")}
        if ids
        else {}
    )
    for row in rows:
        row.latest_attestation = attestations.get(row.latest_attestation_id)
    return rows


def builtin_rows(rows):
    """Every built-in in the registry's order, with its row (or None) and whether it is on."""
    by_key = {row.builtin_key: row for row in rows if row.kind == CriterionKind.BUILTIN}
    return [
        (builtin, by_key.get(key), by_key[key].enabled if key in by_key else True)
        for key, builtin in BUILTINS.items()
    ]


def evaluate(facts, *, rows=None, now=None):
    """Every criterion of the review's project against ``facts`` (the gate's dict, with
    ``project`` and ``review``): the built-ins first, then the team's own in their order."""
    now = now or timezone.now()
    rows = project_criteria(facts["project"]) if rows is None else rows
    criteria = Criteria()
    for builtin, row, enabled in builtin_rows(rows):
        if not enabled:
            criteria.switched_off.append(builtin.label)
            continue
        check = builtin.evaluate(facts)
        criteria.results.append(
            CriterionResult(
                key=builtin.key, kind=CriterionKind.BUILTIN, label=builtin.label,
                state="met" if check.met else "not_met", sentence=check.sentence,
                phrases=check.phrases, criterion=row,
            )
        )  # fmt: skip
    own = [row for row in rows if row.kind != CriterionKind.BUILTIN and row.enabled]
    counts = metric_counts(
        facts, {row.metric for row in own if row.kind == CriterionKind.THRESHOLD}
    )
    for row in own:
        if row.kind == CriterionKind.THRESHOLD:
            check = _threshold_check(row, counts)
            state = "met" if check.met else "not_met"
        else:
            state, check = _attested_check(row, row.latest_attestation, now)
        criteria.results.append(
            CriterionResult(
                key=f"{row.kind}-{row.pk}", kind=row.kind, label=criterion_label(row),
                state=state, sentence=check.sentence, phrases=check.phrases, criterion=row,
                attestation=getattr(row, "latest_attestation", None),
            )
        )  # fmt: skip
    return criteria


# --- The settings page ------------------------------------------------------------------

HISTORY_LENGTH = 30


@dataclass
class CriteriaSettings:
    builtins: list  # (Builtin, row or None, enabled)
    own: list  # GateCriterion rows with latest_attestation, attestation_state, label_text
    history: list


def criteria_settings(access, *, now=None):
    """The project's criteria as its settings page shows them (three or four queries, the
    same whatever their number and their history)."""
    now = now or timezone.now()
    rows = project_criteria(access.project)
    own = [row for row in rows if row.kind != CriterionKind.BUILTIN]
    for row in own:
        row.label_text = criterion_label(row)
        if row.kind == CriterionKind.ATTESTED:
            row.attestation_state, row.check = _attested_check(row, row.latest_attestation, now)
    history = list(
        GateCriterionChange.objects.filter(project=access.project)
        .select_related("user")
        .order_by("-created_at", "-pk")[:HISTORY_LENGTH]
    )
    return CriteriaSettings(builtins=builtin_rows(rows), own=own, history=history)


def criterion_get(access, pk):
    """A threshold or attested criterion of the viewer's project (else 404)."""
    return get_object_or_404(
        GateCriterion.objects.select_related("project").exclude(kind=CriterionKind.BUILTIN),
        project=access.project,
        pk=pk,
    )
