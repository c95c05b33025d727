from django.core.management.base import BaseCommand, CommandError

from reviews.services.checklists import (
    ChecklistImportError,
    checklist_is_default,
    checklist_load_default,
)


class Command(BaseCommand):
    help = "Load the shipped Success by Design go-live checklist as a template, once."

    def handle(self, *args, **options):
        try:
            template, created = checklist_load_default()
        except ChecklistImportError as exc:  # only if someone broke the shipped file
            raise CommandError(f"The shipped checklist file is invalid:\n{exc}") from exc
        items = template.items.count()
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded checklist template {template} with {items} items.")
            )
        elif checklist_is_default(template):
            self.stdout.write(f"Checklist template {template} is already loaded; nothing to do.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    f"Checklist template {template} differs from the shipped file; left as it is. "
                    "Import the shipped file with import_checklist to make it the next version."
                )
            )
