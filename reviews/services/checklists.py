"""Checklist templates: import a file as a new version, export one, load the shipped default.

Views, the admin and the management commands all call these functions.
"""

import logging
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from reviews.models import ChecklistTemplate, TemplateItem, TemplateSection

from .checklist_formats import (
    IMPORT_MAX_BYTES,
    ITEM_FIELDS,
    SECTION_FIELDS,
    SLUG,
    ChecklistImportError,
    ImportRowError,
    ParsedChecklist,
    parse_checklist,
)
from .checklist_writers import to_csv, to_xlsx, to_yaml

__all__ = [
    "DEFAULT_CHECKLIST_KEY",
    "DEFAULT_CHECKLIST_PATH",
    "EXPORT_CONTENT_TYPES",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "IMPORT_MAX_BYTES",
    "ChecklistImportError",
    "ImportRowError",
    "checklist_export",
    "checklist_import",
    "checklist_is_default",
    "checklist_load_default",
    "format_from_filename",
    "template_content",
    "template_key_from_filename",
]

logger = logging.getLogger(__name__)

DEFAULT_CHECKLIST_PATH = Path(__file__).resolve().parent.parent / "data" / "go-live-checklist.yaml"
DEFAULT_CHECKLIST_KEY = "success-by-design-go-live"
IMPORT_FORMATS = ("yaml", "csv", "xlsx")
EXPORT_FORMATS = ("yaml", "csv", "xlsx")
EXPORT_CONTENT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def format_from_filename(filename):
    """'yaml', 'csv' or 'xlsx' from a file name's extension, or None."""
    suffix = Path(filename or "").suffix.lower()
    return {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}.get(suffix)


def template_key_from_filename(filename):
    return slugify(Path(filename or "").stem)[:100]


def _content(*, key, name, description, sections, items):
    """The one shape that exports write and that comparisons use: sorted, plain data."""
    sections = sorted(sections, key=lambda section: (section["order"], section["key"]))
    rank = {section["key"]: index for index, section in enumerate(sections)}
    items = sorted(
        items, key=lambda item: (rank.get(item["section"], 0), item["order"], item["key"])
    )
    return {
        "schema_version": 1,
        "key": key,
        "name": name,
        "description": description,
        "sections": [{field: section[field] for field in SECTION_FIELDS} for section in sections],
        "items": [{field: item[field] for field in ITEM_FIELDS} for item in items],
    }


def template_content(template):
    """The template as plain data, in file order (two queries)."""
    sections = list(template.sections.all())
    section_keys = {section.pk: section.key for section in sections}
    items = [
        {**{field: getattr(item, field) for field in ITEM_FIELDS if field != "section"},
         "section": section_keys[item.section_id]}
        for item in template.items.all()
    ]  # fmt: skip
    return _content(
        key=template.key,
        name=template.name,
        description=template.description,
        sections=[
            {field: getattr(section, field) for field in SECTION_FIELDS} for section in sections
        ],
        items=items,
    )


def checklist_export(*, template, fmt):
    """The template as a YAML, CSV or XLSX file (bytes); YAML and CSV import back unchanged."""
    content = template_content(template)
    if fmt == "yaml":
        header = (
            f"# Checklist template {template.key}, version {template.version}, exported from"
            " readiness.\n# Import it with `manage.py import_checklist` or the admin; importing"
            " creates the next version.\n"
        )
        return to_yaml(content, header=header)
    if fmt == "csv":
        return to_csv(content)
    if fmt == "xlsx":
        return to_xlsx(content)
    raise ValueError(f"Unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}.")


def _resolve_identity(parsed, *, template_key, name):
    """Key, name and description of the new version; a list of errors if the key is bad."""
    key = (template_key or parsed.key or "").strip()
    if not key:
        return None, [ImportRowError(1, "no template key: give one (--key, or Key in the admin)")]
    if not SLUG.fullmatch(key) or len(key) > 100:
        return None, [ImportRowError(1, f"template key '{key}' must be a slug of 100 characters")]
    # A CSV carries no name or description: keep those of the version it replaces.
    latest = ChecklistTemplate.objects.filter(key=key).order_by("-version").first()
    name = name or parsed.name or (latest.name if latest else "") or key.replace("-", " ")
    description = parsed.description or (latest.description if latest else "")
    return (key, name.strip()[:200], description), []


def checklist_import(*, data, fmt, acting_user=None, template_key=None, name=None):
    """Import a YAML, CSV or XLSX file as the next version of its template; all or nothing.

    Every problem in the file is collected first and raised together as a
    ChecklistImportError; the database is written only when there is none. The new
    version becomes the active one; reviews already created keep their own copy.
    """
    if fmt not in IMPORT_FORMATS:
        message = f"unknown format '{str(fmt)[:20]}'; use {', '.join(IMPORT_FORMATS)}"
        raise ChecklistImportError([ImportRowError(1, message)])
    parsed = parse_checklist(data=data, fmt=fmt)
    identity, errors = _resolve_identity(parsed, template_key=template_key, name=name)
    if errors:
        raise ChecklistImportError(errors)
    key, name, description = identity
    try:
        template = _create_version(parsed, key=key, name=name, description=description)
    except IntegrityError as exc:
        # Two imports of the same key at once: the unique (key, version) stops the second.
        message = f"another import of '{key}' finished at the same moment; import again"
        raise ChecklistImportError([ImportRowError(1, message)]) from exc
    logger.info(
        "Checklist %s v%s imported (%s items) by user %s",
        key, template.version, len(parsed.items), getattr(acting_user, "pk", None),
    )  # fmt: skip
    return template


@transaction.atomic
def _create_version(parsed: ParsedChecklist, *, key, name, description):
    previous = ChecklistTemplate.objects.select_for_update().filter(key=key)
    version = max((template.version for template in previous), default=0) + 1
    previous.update(active=False)
    template = ChecklistTemplate.objects.create(
        key=key, name=name, description=description, version=version, active=True
    )
    sections = TemplateSection.objects.bulk_create(
        TemplateSection(template=template, **section) for section in parsed.sections
    )
    by_key = {section.key: section for section in sections}
    TemplateItem.objects.bulk_create(
        TemplateItem(template=template, **{**item, "section": by_key[item["section"]]})
        for item in parsed.items
    )
    return template


def _default_content():
    parsed = parse_checklist(data=DEFAULT_CHECKLIST_PATH.read_bytes(), fmt="yaml")
    return _content(
        key=parsed.key, name=parsed.name, description=parsed.description,
        sections=parsed.sections, items=parsed.items,
    )  # fmt: skip


def checklist_is_default(template):
    """Whether the template holds exactly what the shipped checklist file says."""
    return template_content(template) == _default_content()


def checklist_load_default(*, acting_user=None):
    """Load the shipped checklist once; return (template, created).

    Running it again changes nothing: when a version of the shipped key exists it is
    returned as it is, even if staff imported their own edit of it since.
    """
    existing = (
        ChecklistTemplate.objects.filter(key=DEFAULT_CHECKLIST_KEY)
        .order_by("-active", "-version")
        .first()
    )
    if existing is not None:
        return existing, False
    template = checklist_import(
        data=DEFAULT_CHECKLIST_PATH.read_bytes(), fmt="yaml", acting_user=acting_user
    )
    return template, True
