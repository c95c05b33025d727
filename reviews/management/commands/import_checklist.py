from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.services.checklists import (
    IMPORT_FORMATS,
    IMPORT_MAX_BYTES,
    ChecklistImportError,
    checklist_import,
    format_from_filename,
    template_key_from_filename,
)


class Command(BaseCommand):
    help = (
        "Import a checklist template from a YAML, CSV or XLSX file (one row per item). Importing a "
        "key that exists creates its next version. A file with any error imports nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="YAML, CSV or XLSX file")
        parser.add_argument(
            "--format", choices=IMPORT_FORMATS, help="default: from the file extension"
        )
        parser.add_argument(
            "--key",
            help="template key (default: the YAML file's key, or the CSV or XLSX file's name)",
        )
        parser.add_argument(
            "--name", help="template name (default: the file's or the last version's)"
        )

    def handle(self, *args, path, **options):
        path = Path(path)
        fmt = options["format"] or format_from_filename(path.name)
        if fmt is None:
            raise CommandError(
                f"Cannot tell the format of {path.name}; pass --format yaml, csv or xlsx."
            )
        try:
            if path.stat().st_size > IMPORT_MAX_BYTES:
                limit = IMPORT_MAX_BYTES // (1024 * 1024)
                raise CommandError(f"{path.name} is larger than {limit} MB; a checklist never is.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        from_name = fmt in ("csv", "xlsx")
        key = options["key"] or (template_key_from_filename(path.name) if from_name else None)
        try:
            template = checklist_import(data=data, fmt=fmt, template_key=key, name=options["name"])
        except ChecklistImportError as exc:
            count = len(exc.errors)
            raise CommandError(
                f"{path.name} was not imported ({count} error{'s' if count != 1 else ''}; "
                f"nothing was changed):\n{exc}"
            ) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {template} as key {template.key} with {template.items.count()} items; "
                "it is now the active version."
            )
        )
