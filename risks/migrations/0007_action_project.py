"""Mitigation actions carry their finding's project (nullable until 0008 fills it in)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("risks", "0006_action_owner_due_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="mitigationaction",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="projects.project",
            ),
        ),
    ]
