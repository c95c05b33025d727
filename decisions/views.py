"""The go / no-go gate, votes and the recorded decision with its snapshot."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import add_service_errors
from core.lists import page_of
from decisions.forms import DecisionForm, VoteForm, condition_formset
from decisions.selectors import (
    condition_get,
    decision_get,
    decision_members,
    decisions_of_project_query,
    decisions_of_review,
    gate,
    open_decision,
    overrides,
    vote_tally,
)
from decisions.services import decision_condition_met, decision_open, decision_record, vote_cast
from projects import permissions
from projects.decorators import project_view
from reviews.selectors.reviews import review_get


def _decision_context(request, access, review, gate_state=None):
    decision, past = decisions_of_review(review)
    # Members (the conditions' owners) and approvers (the tally) in one query, when open.
    members, approvers = decision_members(access.project) if decision else ([], [])
    tally = vote_tally(decision, approvers=approvers) if decision else None
    my_vote = None
    if tally:
        my_vote = next((v for v in tally["votes"] if v.voter_id == request.user.pk), None)
    gate_state = gate_state or gate(review)
    return {
        "review": review,
        "gate": gate_state,
        "decision": decision,
        "tally": tally,
        "my_vote": my_vote,
        "overridden": overrides(gate_state, tally) if tally else [],
        "may_record": permissions.can_record_decision(access),
        "may_override": permissions.can_override_decision(access),
        "may_vote": permissions.can_vote(access),
        "past": past,
        "members": members,
    }


def _decision_page(request, access, review, *, vote_form=None, status=200):
    context = _decision_context(request, access, review)
    my_vote = context["my_vote"]
    context["vote_form"] = vote_form or VoteForm(
        initial={"choice": my_vote.choice, "comment": my_vote.comment} if my_vote else None
    )
    return render(request, "decisions/decision.html", context, status=status)


@require_http_methods(["GET"])
@project_view
def decision_page(request, access, review_pk):
    """The gate, the votes, and (loaded on demand) the form to record the decision."""
    return _decision_page(request, access, review_get(access, review_pk))


@require_POST
@project_view
def decision_open_view(request, access, review_pk):
    review = review_get(access, review_pk)
    decision_open(review=review, acting_user=request.user)
    messages.success(
        request, "The go / no-go vote is open. The approvers are told by e-mail and can vote now."
    )
    return redirect("decisions:decision", project_pk=access.project.pk, review_pk=review.pk)


@require_POST
@project_view
def decision_vote(request, access, review_pk):
    review = review_get(access, review_pk)
    decision = open_decision(review)
    if decision is None:
        messages.error(request, "There is no open vote on this review.")
        return redirect("decisions:decision", project_pk=access.project.pk, review_pk=review.pk)
    form = VoteForm(request.POST)
    if form.is_valid():
        try:
            vote_cast(decision=decision, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Your vote is recorded. You can change it until the decision is recorded."
            )
            return redirect("decisions:decision", project_pk=access.project.pk, review_pk=review.pk)
    return _decision_page(request, access, review, vote_form=form, status=422)


RECORD_FORM = "decisions/decision_record.html"


@require_http_methods(["GET", "POST"])
@project_view
def decision_record_view(request, access, review_pk):
    """The form to record the decision: a fragment the decision page loads (htmx), or a page
    of its own without JavaScript; its post records the decision."""
    review = review_get(access, review_pk)
    if not permissions.can_record_decision(access):
        raise PermissionDenied
    context = _decision_context(request, access, review)
    decision = context["decision"]
    if decision is None:
        messages.error(request, "Open the vote first.")
        return redirect("decisions:decision", project_pk=access.project.pk, review_pk=review.pk)
    members = context["members"]
    form_options = {"overridden": context["overridden"], "may_override": context["may_override"]}
    if request.method == "GET":
        context["decision_form"] = DecisionForm(**form_options)
        context["conditions"] = condition_formset(members=members)
        template = RECORD_FORM + "#record-form" if request.htmx else RECORD_FORM
        return render(request, template, context)
    form = DecisionForm(request.POST, **form_options)
    conditions = condition_formset(request.POST, members=members)
    if form.is_valid() and conditions.is_valid():
        filled = [c for c in conditions.cleaned_data if c]
        try:
            decision = decision_record(
                decision=decision, acting_user=request.user, conditions=filled, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
            return redirect(
                "decisions:decision_detail", project_pk=access.project.pk, decision_pk=decision.pk
            )
    context.update(decision_form=form, conditions=conditions)
    return render(request, RECORD_FORM, context, status=422)


DECISIONS_PER_PAGE = 25


@require_http_methods(["GET"])
@project_view
def decision_list(request, access):
    """All the project's recorded decisions, newest first, a page at a time."""
    decisions = decisions_of_project_query(access.project, votes=False, conditions=False)
    page = page_of(decisions, request, DECISIONS_PER_PAGE)
    return render(request, "decisions/decision_list.html", {"decisions": page, "page": page})


@require_http_methods(["GET"])
@project_view
def decision_detail(request, access, decision_pk):
    decision = decision_get(access, decision_pk)
    context = {
        "review": decision.review,
        "decision": decision,
        "snapshot": decision.snapshot or {},
        "conditions": list(decision.conditions.select_related("owner", "met_by")),
        "may_record": permissions.can_record_decision(access),
    }
    return render(request, "decisions/decision_detail.html", context)


@require_POST
@project_view
def condition_met(request, access, condition_pk):
    condition = condition_get(access, condition_pk)
    try:
        decision_condition_met(condition=condition, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Condition marked as met.")
    return redirect(
        "decisions:decision_detail", project_pk=access.project.pk, decision_pk=condition.decision_id
    )
