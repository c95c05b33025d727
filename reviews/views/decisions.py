"""The go / no-go gate, votes and the recorded decision with its snapshot."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import permissions
from accounts.selectors import member_users
from reviews.forms import DecisionForm, VoteForm, condition_formset
from reviews.models import Decision, DecisionCondition
from reviews.selectors.decisions import gate, open_decision
from reviews.selectors.projects import project_get_for_user
from reviews.selectors.reviews import review_get_for_user
from reviews.services.decisions import (
    decision_condition_met,
    decision_open,
    decision_record,
    vote_cast,
    vote_tally,
)


def _decision_page(
    request, review, *, decision_form=None, conditions=None, vote_form=None, status=200
):
    decision = open_decision(review)
    members = member_users(review.project)
    tally = vote_tally(decision) if decision else None
    my_vote = None
    if tally:
        my_vote = next((v for v in tally["votes"] if v.voter_id == request.user.pk), None)
    context = {
        "project": review.project,
        "review": review,
        "gate": gate(review),
        "decision": decision,
        "tally": tally,
        "my_vote": my_vote,
        "vote_form": vote_form
        or VoteForm(
            initial={"choice": my_vote.choice, "comment": my_vote.comment} if my_vote else None
        ),
        "decision_form": decision_form or DecisionForm(),
        "conditions": conditions or condition_formset(members=members),
        "may_record": permissions.can_record_decision(request.user, review),
        "may_vote": permissions.can_vote(request.user, review),
        "past": list(
            Decision.objects.filter(review=review, status=Decision.Status.RECORDED).order_by(
                "-recorded_at"
            )
        ),
    }
    return render(request, "reviews/decision.html", context, status=status)


@require_http_methods(["GET"])
def decision_page(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    return _decision_page(request, review)


@require_POST
def decision_open_view(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    decision_open(review=review, acting_user=request.user)
    messages.success(request, "The go / no-go vote is open. Approvers can now vote.")
    return redirect("reviews:decision", project_pk=project_pk, review_pk=review_pk)


@require_POST
def decision_vote(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    decision = open_decision(review)
    form = VoteForm(request.POST)
    if decision is None:
        messages.error(request, "There is no open vote on this review.")
        return redirect("reviews:decision", project_pk=project_pk, review_pk=review_pk)
    if form.is_valid():
        try:
            vote_cast(decision=decision, acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request, "Your vote is recorded. You can change it until the decision is recorded."
            )
            return redirect("reviews:decision", project_pk=project_pk, review_pk=review_pk)
    return _decision_page(request, review, vote_form=form, status=422)


@require_POST
def decision_record_view(request, project_pk, review_pk):
    review = review_get_for_user(request.user, project_pk, review_pk)
    if not permissions.can_record_decision(request.user, review):
        raise PermissionDenied
    decision = open_decision(review)
    form = DecisionForm(request.POST)
    conditions = condition_formset(request.POST, members=member_users(review.project))
    if decision is None:
        messages.error(request, "Open the vote first.")
        return redirect("reviews:decision", project_pk=project_pk, review_pk=review_pk)
    if form.is_valid() and conditions.is_valid():
        filled = [c for c in conditions.cleaned_data if c]
        try:
            decision = decision_record(
                decision=decision, acting_user=request.user, conditions=filled, **form.cleaned_data
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, f"Decision recorded: {decision.get_outcome_display()}.")
            return redirect(
                "reviews:decision_detail", project_pk=project_pk, decision_pk=decision.pk
            )
    return _decision_page(request, review, decision_form=form, conditions=conditions, status=422)


@require_http_methods(["GET"])
def decision_detail(request, project_pk, decision_pk):
    project = project_get_for_user(request.user, project_pk)
    decision = get_object_or_404(
        Decision.objects.select_related("review", "recorded_by"),
        review__project=project,
        pk=decision_pk,
        status=Decision.Status.RECORDED,
    )
    context = {
        "project": project,
        "review": decision.review,
        "decision": decision,
        "snapshot": decision.snapshot or {},
        "conditions": list(decision.conditions.select_related("owner", "met_by")),
        "may_record": permissions.can_record_decision(request.user, decision.review),
    }
    return render(request, "reviews/decision_detail.html", context)


@require_POST
def condition_met(request, project_pk, condition_pk):
    project = project_get_for_user(request.user, project_pk)
    condition = get_object_or_404(
        DecisionCondition.objects.select_related("decision__review"),
        decision__review__project=project,
        pk=condition_pk,
    )
    try:
        decision_condition_met(condition=condition, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Condition marked as met.")
    return redirect(
        "reviews:decision_detail", project_pk=project_pk, decision_pk=condition.decision_id
    )
