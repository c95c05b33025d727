"""Give every existing action its finding's project."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_project(apps, schema_editor):
    Risk = apps.get_model("risks", "Risk")
    MitigationAction = apps.get_model("risks", "MitigationAction")
    MitigationAction.objects.filter(project__isnull=True).update(
        project=Subquery(Risk.objects.filter(pk=OuterRef("risk_id")).values("project_id")[:1])
    )


def forget_project(apps, schema_editor):
    apps.get_model("risks", "MitigationAction").objects.update(project=None)


class Migration(migrations.Migration):
    dependencies = [("risks", "0007_action_project")]

    operations = [migrations.RunPython(fill_project, forget_project)]
