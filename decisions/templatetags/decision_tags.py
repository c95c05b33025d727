"""Colours of go / no-go outcomes and votes."""

from django import template

from decisions.models import Outcome, Vote

register = template.Library()

OUTCOME_TEXT = {
    Outcome.GO: "text-success",
    Outcome.CONDITIONAL_GO: "text-warning-emphasis",
    Outcome.NO_GO: "text-danger",
}
VOTE_BADGES = {Vote.Choice.GO: "text-bg-success", Vote.Choice.NO_GO: "text-bg-danger"}


@register.filter
def outcome_text_class(outcome):
    return OUTCOME_TEXT.get(outcome, "")


@register.filter
def vote_badge(choice):
    return VOTE_BADGES.get(choice, "text-bg-secondary")


VOTE_LABELS = dict(Vote.Choice.choices)


@register.filter
def vote_label(choice):
    """ "No-go", "Go", "Abstain": how a vote reads (snapshots keep the value)."""
    return VOTE_LABELS.get(choice, choice)
