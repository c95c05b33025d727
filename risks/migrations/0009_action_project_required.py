"""Every action has its project; indexes for Actions by owner."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
        ("risks", "0008_fill_action_project"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="mitigationaction",
            name="project",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="projects.project",
            ),
        ),
        migrations.AddIndex(
            model_name="mitigationaction",
            index=models.Index(
                fields=["project", "owner", "status", "due_date"],
                name="action_project_owner_status",
            ),
        ),
        migrations.AddIndex(
            model_name="mitigationaction",
            index=models.Index(
                fields=["project", "owner", "due_date", "id"], name="action_project_owner_due"
            ),
        ),
    ]
