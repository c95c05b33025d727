"""Before one current vote per voter is enforced: supersede each voter's earlier votes."""

from django.db import migrations


def supersede_replaced(apps, schema_editor):
    Vote = apps.get_model("decisions", "Vote")
    latest = {}
    for vote in (
        Vote.objects.filter(superseded_at__isnull=True)
        .order_by("decision_id", "voter_id", "created_at", "pk")
        .only("pk", "decision_id", "voter_id", "created_at")
    ):
        key = (vote.decision_id, vote.voter_id)
        if key in latest:
            Vote.objects.filter(pk=latest[key].pk).update(superseded_at=vote.created_at)
        latest[key] = vote


class Migration(migrations.Migration):
    dependencies = [("decisions", "0002_decision_override_replan_and_vote_superseded")]

    operations = [migrations.RunPython(supersede_replaced, migrations.RunPython.noop)]
