"""``migrate``, refusing with a clear message a database made by an older layout of the apps.

The apps' migrations were regenerated when they were cut into layers (there was no
installed base to carry along). A database made before that has migrations applied
that no longer exist; migrating it would fail half way with a traceback. This says
what to do instead.
"""

from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections
from django.db.migrations.loader import MigrationLoader

PROJECT_APPS = ("accounts", "projects", "reviews", "risks", "decisions", "summaries", "reminders")


def unknown_applied_migrations(connection):
    """Migrations recorded as applied in the database that the code no longer has."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    return sorted(
        (app, name)
        for app, name in loader.applied_migrations
        if app in PROJECT_APPS and (app, name) not in loader.disk_migrations
    )


class Command(MigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        unknown = unknown_applied_migrations(connection)
        if unknown:
            name = connection.settings_dict["NAME"]
            listed = ", ".join(f"{app}.{migration}" for app, migration in unknown[:4])
            raise CommandError(
                f"The database {name} was made by an older version of readiness: it has "
                f"migrations this version does not know ({listed}"
                f"{', ...' if len(unknown) > 4 else ''}). There is no upgrade path from that "
                "layout. Remove the database (for the embedded default: rm var/db.sqlite3) and "
                "run `make run` again; it is created afresh with the demo data."
            )
        return super().handle(*args, **options)
