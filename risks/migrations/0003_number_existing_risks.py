"""Number the findings of each project R-1, R-2, ... in the order they were raised."""

from django.db import migrations


def number_risks(apps, schema_editor):
    Risk = apps.get_model("risks", "Risk")
    counters = {}
    for risk in Risk.objects.order_by("project_id", "created_at", "pk").only("pk", "project_id"):
        counters[risk.project_id] = counters.get(risk.project_id, 0) + 1
        Risk.objects.filter(pk=risk.pk).update(number=counters[risk.project_id])


def forget_numbers(apps, schema_editor):
    apps.get_model("risks", "Risk").objects.update(number=None)


class Migration(migrations.Migration):
    dependencies = [("risks", "0002_risk_number")]

    operations = [migrations.RunPython(number_risks, forget_numbers)]
