"""Reads of summary reports, scoped to the viewer's project."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from accounts.models import User
from summaries.models import SummaryReport


def summaries_of_review(review):
    """The review's summaries, newest first, with who asked and who receives (3 queries)."""
    return list(
        SummaryReport.objects.filter(review=review)
        .select_related("requested_by")
        .prefetch_related(
            Prefetch(
                "recipients", queryset=User.objects.order_by("full_name"), to_attr="recipient_list"
            )
        )
        .order_by("-created_at", "-pk")
    )


def report_get(access, summary_pk):
    """A summary report of a review of the viewer's project (else 404)."""
    return get_object_or_404(
        SummaryReport.objects.select_related("review__project"),
        review__project=access.project,
        pk=summary_pk,
    )
