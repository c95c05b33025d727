"""Before one standing sign-off per signer is enforced: supersede each signer's older records.

Until now a signer's later record replaced an earlier one only when scores were computed;
the earlier rows stayed unsuperseded. They are marked superseded at the moment the later
record was made, which is what the scores already read.
"""

from django.db import migrations


def supersede_replaced(apps, schema_editor):
    SignOff = apps.get_model("reviews", "SignOff")
    latest = {}
    for record in (
        SignOff.objects.filter(superseded_at__isnull=True)
        .order_by("item_id", "signer_id", "created_at", "pk")
        .only("pk", "item_id", "signer_id", "created_at")
    ):
        key = (record.item_id, record.signer_id)
        if key in latest:
            SignOff.objects.filter(pk=latest[key].pk).update(superseded_at=record.created_at)
        latest[key] = record


class Migration(migrations.Migration):
    dependencies = [("reviews", "0002_signoff_superseded_by_own_records")]

    operations = [migrations.RunPython(supersede_replaced, migrations.RunPython.noop)]
