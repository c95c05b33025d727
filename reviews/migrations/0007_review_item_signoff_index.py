"""An index for home's "Awaiting my sign-off": the items put up for sign-off (done or risk
accepted) that name no sign-off role, found without reading the others (issue 13)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_workshop_invitations"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reviewitem",
            index=models.Index(fields=["status", "signoff_roles"], name="review_item_signoff_idx"),
        ),
    ]
