from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("decisions", "0003_supersede_replaced_votes")]

    operations = [
        migrations.AddConstraint(
            model_name="vote",
            constraint=models.UniqueConstraint(
                condition=models.Q(("superseded_at__isnull", True)),
                fields=("decision", "voter"),
                name="vote_one_current_per_voter",
            ),
        ),
    ]
