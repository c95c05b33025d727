"""Before one report per review may be queued or rendering: the older of two in flight fail.

Two concurrent requests could make two reports of a review, both in flight. The newest
stays; the older are marked failed with a message saying why. Reversing changes nothing
(the reports stay failed; the constraint is gone again by then).
"""

from django.db import migrations
from django.utils import timezone

IN_FLIGHT = ["queued", "rendering"]


def fail_older_duplicates(apps, schema_editor):
    SummaryReport = apps.get_model("summaries", "SummaryReport")
    newest = {}
    for report_id, review_id in (
        SummaryReport.objects.filter(status__in=IN_FLIGHT)
        .order_by("review_id", "-created_at", "-pk")
        .values_list("pk", "review_id")
    ):
        newest.setdefault(review_id, report_id)
    SummaryReport.objects.filter(status__in=IN_FLIGHT).exclude(pk__in=newest.values()).update(
        status="failed",
        error="Superseded by a newer request for the same review.",
        finished_at=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("summaries", "0001_initial")]

    operations = [migrations.RunPython(fail_older_duplicates, migrations.RunPython.noop)]
