from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reviews.models import ChecklistTemplate
from reviews.services.checklists import DEFAULT_CHECKLIST_KEY, EXPORT_FORMATS, checklist_export


class Command(BaseCommand):
    help = "Export a checklist template as YAML, CSV (one row per item) or XLSX."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version (of the template) replaces Django's --version (of Django).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--key", default=DEFAULT_CHECKLIST_KEY)
        parser.add_argument("--version", type=int, help="default: the latest version")
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="yaml")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, **options):
        key, version, fmt, output = (
            options[name] for name in ("key", "version", "format", "output")
        )
        templates = ChecklistTemplate.objects.filter(key=key).order_by("-version")
        if version is not None:
            templates = templates.filter(version=version)
        template = templates.first()
        if template is None:
            which = f"version {version} of " if version is not None else ""
            raise CommandError(f"There is no {which}checklist template with key {key!r}.")
        if fmt == "xlsx" and not output:
            raise CommandError("XLSX is a binary format; pass --output FILE.")
        data = checklist_export(template=template, fmt=fmt)
        if output:
            Path(output).write_bytes(data)
            self.stderr.write(f"Wrote {template} to {output}.")
        else:
            self.stdout.write(data.decode("utf-8-sig"), ending="")
