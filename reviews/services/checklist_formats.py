"""Checklist template files: read and check a YAML, CSV or XLSX file.

Nothing here touches the database. Reading returns a ``ParsedChecklist`` of plain
dicts shaped like the models, or raises ``ChecklistImportError`` with every problem
found, each with the line (a sheet's row) it is on, so a user can fix a file in one go.

The files come from people, so nothing in them may cost more than its size: a file over
``IMPORT_MAX_BYTES`` is refused unread, YAML anchors and aliases (a few hundred bytes of
them stand for gigabytes) are refused with their line before anything is built, an XLSX
file (a zip) is refused when it would unpack beyond ``XLSX_MAX_UNCOMPRESSED_BYTES`` or
holds more rows or columns than a checklist has, and error messages are capped in length
and number.
"""

import re
from dataclasses import dataclass, field

import yaml

from core.spreadsheets import restore_formula
from core.tabular import csv_rows, decode_text
from projects.models import Scope, SignoffRole
from reviews.models import SCOPE_ALL, ItemSeverity

from .checklist_xlsx import xlsx_rows

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SCOPES = (SCOPE_ALL, *Scope.values)
SECTION_FIELDS = (
    "key", "title", "order", "purpose", "expected_outcome", "key_questions", "red_flags",
    "default_signoff_role",
)  # fmt: skip
ITEM_FIELDS = (
    "key", "section", "title", "description", "severity", "mandatory", "signoff_roles", "scopes",
    "order",
)  # fmt: skip
TOP_FIELDS = ("schema_version", "key", "name", "description", "sections", "items")
# CSV: one row per item; the section's own fields repeat on each row so CSV loses nothing.
CSV_REQUIRED_COLUMNS = (
    "section_key", "section_title", "section_order", "item_key", "title", "description",
    "severity", "mandatory", "signoff_roles", "scopes", "order",
)  # fmt: skip
CSV_SECTION_DETAIL_COLUMNS = (
    "section_purpose", "section_expected_outcome", "section_key_questions", "section_red_flags",
    "section_default_signoff_role",
)  # fmt: skip
CSV_COLUMNS = CSV_REQUIRED_COLUMNS + CSV_SECTION_DETAIL_COLUMNS
CSV_ITEM_NAMES = {"key": "item_key", "section": "section_key"}
CSV_SECTION_NAMES = {name: f"section_{name}" for name in SECTION_FIELDS}
LIST_SEPARATOR = ";"  # roles and scopes
TEXT_LIST_SEPARATOR = " | "  # key questions and red flags (sentences may contain ';')
MAX_ORDER = 1_000_000
# The shipped checklist is 60 KB as YAML and 105 items; these leave room for any real one.
IMPORT_MAX_BYTES = 2 * 1024 * 1024
MAX_ERRORS = 200
MAX_MESSAGE_LENGTH = 300
MAX_SHOWN_VALUE = 60
TRUE_WORDS = {"yes", "y", "true", "1"}
FALSE_WORDS = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class ImportRowError:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


def _capped(message, limit=MAX_MESSAGE_LENGTH):
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _shown(value):
    """A value quoted in an error message: its first characters only."""
    return _capped(str(value), MAX_SHOWN_VALUE)


class ChecklistImportError(Exception):
    """A file that cannot be imported; ``errors`` lists its problems, by line.

    At most MAX_ERRORS problems are kept (then one saying how many more there are), each
    message at most MAX_MESSAGE_LENGTH characters: a hostile file cannot make a huge page.
    """

    def __init__(self, errors):
        errors = sorted(errors, key=lambda error: error.line)
        kept = [ImportRowError(error.line, _capped(error.message)) for error in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            more = len(errors) - MAX_ERRORS
            kept.append(
                ImportRowError(
                    errors[MAX_ERRORS].line,
                    f"… and {more} more problems from this line on; fix these first",
                )
            )
        self.errors = kept
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class ParsedChecklist:
    key: str = ""
    name: str = ""
    description: str = ""
    sections: list = field(default_factory=list)
    items: list = field(default_factory=list)


# Tab, newline and carriage return are text; other C0 control characters are not, and
# PostgreSQL refuses NUL outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _Checker:
    """Collects the errors of one row (or node) under its line number."""

    def __init__(self, errors, line, names=None):
        self.errors, self.line, self.names = errors, line, names or {}

    def error(self, name, problem):
        self.errors.append(ImportRowError(self.line, f"{self.names.get(name, name)}: {problem}"))

    def text(self, raw, name, *, required=False, max_length=None):
        value = raw.get(name)
        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(name, "must be text")
            return ""
        value = str(value).strip()
        if CONTROL_CHARACTERS.search(value):
            self.error(name, "contains control characters (such as NUL); remove them")
            return ""
        if required and not value:
            self.error(name, "is empty")
        if max_length and len(value) > max_length:
            self.error(name, f"is longer than {max_length} characters")
        return value

    def slug(self, raw, name):
        value = self.text(raw, name, required=True, max_length=100)
        if value and not SLUG.fullmatch(value):
            self.error(name, f"'{_shown(value)}' may only contain letters, digits, '-' and '_'")
        return value

    def number(self, raw, name, default):
        value = raw.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, str) and re.fullmatch(r"[0-9]{1,9}", value.strip()):
            value = int(value.strip())
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ORDER:
            return value
        self.error(name, f"'{_shown(value)}' is not a whole number from 0 to {MAX_ORDER}")
        return default

    def flag(self, raw, name):
        value = raw.get(name)
        if isinstance(value, bool):
            return value
        word = str("" if value is None else value).strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        self.error(name, f"'{_shown(value)}' is not yes/no, true/false or 1/0")
        return False

    def choice(self, raw, name, allowed, default):
        value = self.text(raw, name) or default
        if value and value not in allowed:
            self.error(name, f"unknown value '{_shown(value)}'; use one of {', '.join(allowed)}")
        return value

    def strings(self, raw, name):
        value = raw.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
            self.error(name, "must be a list of texts")
            return []
        texts = [str(v).strip() for v in value if str(v).strip()]
        if any(CONTROL_CHARACTERS.search(text) for text in texts):
            self.error(name, "contains control characters (such as NUL); remove them")
            return []
        return texts

    def choices(self, raw, name, allowed, what):
        values = list(dict.fromkeys(self.strings(raw, name)))  # de-duplicated, in order
        for value in values:
            if value not in allowed:
                self.error(
                    name, f"unknown {what} '{_shown(value)}'; use one of {', '.join(allowed)}"
                )
        return values


def _clean_section(raw, checker, position):
    return {
        "key": checker.slug(raw, "key"),
        "title": checker.text(raw, "title", required=True, max_length=200),
        "order": checker.number(raw, "order", position),
        "purpose": checker.text(raw, "purpose"),
        "expected_outcome": checker.text(raw, "expected_outcome"),
        "key_questions": checker.strings(raw, "key_questions"),
        "red_flags": checker.strings(raw, "red_flags"),
        "default_signoff_role": checker.choice(raw, "default_signoff_role", SignoffRole.values, ""),
    }


def _clean_item(raw, checker, position):
    return {
        "key": checker.slug(raw, "key"),
        "section": checker.text(raw, "section", required=True),
        "title": checker.text(raw, "title", required=True, max_length=300),
        "description": checker.text(raw, "description"),
        "severity": checker.choice(raw, "severity", ItemSeverity.values, ItemSeverity.MEDIUM.value),
        "mandatory": checker.flag(raw, "mandatory"),
        "signoff_roles": checker.choices(raw, "signoff_roles", SignoffRole.values, "sign-off role"),
        # No scopes means every project; an item that applies to nothing would be a trap.
        "scopes": checker.choices(raw, "scopes", SCOPES, "scope") or [SCOPE_ALL],
        "order": checker.number(raw, "order", position),
    }


def _check_whole(sections, items, errors, item_names):
    """Checks across rows: duplicate keys, items in unknown sections, an empty file."""
    section_lines, item_lines = {}, {}
    for line, section in sections:
        if section["key"] in section_lines:
            first = section_lines[section["key"]]
            errors.append(
                ImportRowError(
                    line, f"duplicate section key '{section['key']}' (also on line {first})"
                )
            )
        section_lines.setdefault(section["key"], line)
    for line, item in items:
        key_name = item_names.get("key", "key")
        if item["key"] and item["key"] in item_lines:
            first = item_lines[item["key"]]
            message = f"{key_name}: duplicate item key '{item['key']}' (also on line {first})"
            errors.append(ImportRowError(line, message))
        item_lines.setdefault(item["key"], line)
        if item["section"] and item["section"] not in section_lines:
            known = ", ".join(section_lines) or "none"
            message = f"unknown section '{item['section']}'; sections in the file: {known}"
            errors.append(
                ImportRowError(line, f"{item_names.get('section', 'section')}: {message}")
            )
    if not items:
        errors.append(ImportRowError(1, "the file has no checklist items"))


def decode(data, errors):
    """UTF-8 text of ``data`` (a BOM is fine), or None with an error per undecodable line."""
    return decode_text(data, errors, ImportRowError)


def parse_checklist(*, data, fmt):
    """Read and check a whole file; raise ChecklistImportError listing every problem."""
    errors = []
    parsed = None
    if len(data) > IMPORT_MAX_BYTES:
        limit = IMPORT_MAX_BYTES // (1024 * 1024)
        errors.append(
            ImportRowError(1, f"the file is larger than {limit} MB; a checklist never is")
        )
    elif fmt == "xlsx":
        parsed = _parse_xlsx(data, errors)
    else:
        text = decode(data, errors)
        if text is not None:
            parsed = _parse_yaml(text, errors) if fmt == "yaml" else _parse_csv(text, errors)
    if errors or parsed is None:
        raise ChecklistImportError(errors)
    return parsed


# --- YAML --------------------------------------------------------------------


def _node_lines(root, name):
    """Line of each entry of the top-level sequence ``name``, from the composed node tree."""
    for key_node, value_node in getattr(root, "value", []):
        if getattr(key_node, "value", None) == name and isinstance(value_node, yaml.SequenceNode):
            return [entry.start_mark.line + 1 for entry in value_node.value]
    return []


def _line_of_field(root, name):
    for key_node, _ in getattr(root, "value", []):
        if getattr(key_node, "value", None) == name:
            return key_node.start_mark.line + 1
    return 1


def _refuse_anchors_and_aliases(text, errors):
    """An error on each line holding a YAML anchor (&name) or alias (*name), found in the
    event stream before anything is built: aliases let a few hundred bytes stand for
    gigabytes (an "alias bomb"), and a checklist never needs them. True when there was one."""
    found = {}
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                mark = f"alias '*{_shown(event.anchor)}'"
            elif getattr(event, "anchor", None):
                mark = f"anchor '&{_shown(event.anchor)}'"
            else:
                continue
            marks = found.setdefault(event.start_mark.line + 1, [])
            if mark not in marks:
                marks.append(mark)
            if len(found) > MAX_ERRORS:
                break
    except yaml.YAMLError:
        pass  # a syntax error: the parse reports it with its line
    for line, marks in found.items():
        what = (
            "YAML "
            + ", ".join(marks[:3])
            + (f" and {len(marks) - 3} more" if len(marks) > 3 else "")
        )
        errors.append(
            ImportRowError(
                line, f"{what}: anchors and aliases are not accepted; write each value out in full"
            )
        )
    return bool(found)


def _parse_yaml(text, errors):
    try:
        # The reader checks the characters when the loader is made (control characters fail).
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:
        errors.append(ImportRowError(1, f"invalid YAML: {exc}"))
        return None
    if _refuse_anchors_and_aliases(text, errors):
        loader.dispose()
        return None
    try:
        root = loader.get_single_node()
        document = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        errors.append(ImportRowError(mark.line + 1 if mark else 1, f"invalid YAML: {exc.problem}"))
        return None
    except yaml.YAMLError as exc:
        errors.append(ImportRowError(1, f"invalid YAML: {exc}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(document, dict):
        errors.append(ImportRowError(1, "expected a mapping with key, name, sections and items"))
        return None
    for name in document:
        if name not in TOP_FIELDS:
            line = _line_of_field(root, name)
            errors.append(ImportRowError(line, f"unknown field '{_shown(name)}'"))
    top = _Checker(errors, 1)
    parsed = ParsedChecklist(
        key=top.text(document, "key"),
        name=top.text(document, "name", max_length=200),
        description=top.text(document, "description"),
    )
    sections = _yaml_entries(root, document, "sections", SECTION_FIELDS, _clean_section, errors)
    items = _yaml_entries(root, document, "items", ITEM_FIELDS, _clean_item, errors)
    _check_whole(sections, items, errors, {})
    parsed.sections = [entry for _, entry in sections]
    parsed.items = [entry for _, entry in items]
    return parsed


def _yaml_entries(root, document, name, fields, clean, errors):
    """Cleaned entries of the list ``name`` as (line, dict); items number within a section."""
    entries = document.get(name) or []
    if not isinstance(entries, list):
        errors.append(ImportRowError(_line_of_field(root, name), f"{name}: must be a list"))
        return []
    lines = _node_lines(root, name)
    if len(lines) != len(entries):  # only with YAML aliases; fall back to the list's line
        lines = [_line_of_field(root, name)] * len(entries)
    cleaned, positions = [], {}
    for line, raw in zip(lines, entries, strict=True):
        if not isinstance(raw, dict):
            errors.append(ImportRowError(line, f"{name}: each entry must be a mapping"))
            continue
        for unknown in sorted(set(raw) - set(fields), key=str):
            errors.append(ImportRowError(line, f"unknown field '{_shown(unknown)}'"))
        group = str(raw.get("section")) if name == "items" else None
        positions[group] = positions.get(group, 0) + 1
        cleaned.append((line, clean(raw, _Checker(errors, line), positions[group])))
    return cleaned


# --- CSV ---------------------------------------------------------------------


def _csv_rows(text, errors):
    """(first physical line, row) for each non-blank record; quoted fields may span lines."""
    return csv_rows(text, errors, ImportRowError)


def _check_header(header, errors, *, csv_hint=True):
    problems = []
    duplicates = sorted({_shown(name) for name in header if header.count(name) > 1})
    unknown = [_shown(name) for name in header if name not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED_COLUMNS if name not in header]
    if duplicates:
        problems.append(f"duplicate columns: {', '.join(duplicates)}")
    if unknown:
        problems.append(f"unknown columns: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if problems:
        hint = ""
        if csv_hint and len(header) == 1:
            hint = " (the file seems to use ';' between columns; use ',')"
        expected = f"; expected columns: {', '.join(CSV_COLUMNS)}"
        errors.append(ImportRowError(1, "; ".join(problems) + hint + expected))
    return not problems


def _split(value, separator):
    return [part.strip() for part in value.split(separator.strip()) if part.strip()]


def _parse_csv(text, errors):
    # An export neutralises formula-like text ('=...); read it back as it was.
    rows = [
        (line, [restore_formula(cell) for cell in row]) for line, row in _csv_rows(text, errors)
    ]
    return _parse_table(rows, errors, csv_hint=True)


def _parse_table(rows, errors, *, csv_hint=False):
    """A header row of CSV_COLUMNS then one row per item: the rows of a CSV file or of the
    Items sheet of an XLSX file, as (line, cells)."""
    if not rows:
        errors.append(ImportRowError(1, "the file is empty; the first line must be the header"))
        return None
    header_line, header = rows[0]
    header = [name.strip().lower() for name in header]
    if header_line != 1 or not _check_header(header, errors, csv_hint=csv_hint):
        if header_line != 1:
            errors.append(ImportRowError(1, "the first line must be the header"))
        return None
    sections, section_lines, items, positions = {}, {}, [], {}
    for line, row in rows[1:]:
        if len(row) != len(header):
            message = f"has {len(row)} values but the header has {len(header)} columns"
            errors.append(ImportRowError(line, message))
            continue
        raw = dict(zip(header, (cell.strip() for cell in row), strict=True))
        section_key = raw["section_key"]
        if section_key:
            _merge_section(sections, section_lines, section_key, raw, line, errors)
        positions[section_key] = positions.get(section_key, 0) + 1
        item = {name: raw.get(CSV_ITEM_NAMES.get(name, name), "") for name in ITEM_FIELDS}
        item["signoff_roles"] = _split(item["signoff_roles"], LIST_SEPARATOR)
        item["scopes"] = _split(item["scopes"], LIST_SEPARATOR)
        checker = _Checker(errors, line, CSV_ITEM_NAMES)
        items.append((line, _clean_item(item, checker, positions[section_key])))
    cleaned_sections = []
    for position, (key, raw) in enumerate(sections.items(), start=1):
        line = section_lines[key]
        raw["key_questions"] = _split(raw.get("key_questions", ""), TEXT_LIST_SEPARATOR)
        raw["red_flags"] = _split(raw.get("red_flags", ""), TEXT_LIST_SEPARATOR)
        checker = _Checker(errors, line, CSV_SECTION_NAMES)
        cleaned_sections.append((line, _clean_section(raw, checker, position)))
    _check_whole(cleaned_sections, items, errors, CSV_ITEM_NAMES)
    return ParsedChecklist(
        sections=[entry for _, entry in cleaned_sections], items=[entry for _, entry in items]
    )


def _merge_section(sections, section_lines, key, raw, line, errors):
    """A section's fields may be blank on later rows; a different value is an error."""
    section = sections.setdefault(key, {"key": key})
    section_lines.setdefault(key, line)
    for name in SECTION_FIELDS[1:]:
        value = raw.get(f"section_{name}", "")
        if not value:
            continue
        if section.get(name, value) != value:
            message = (
                f"section_{name}: '{_shown(value)}' differs from '{_shown(section[name])}' given "
                f"for section '{_shown(key)}' on an earlier row"
            )
            errors.append(ImportRowError(line, message))
        section.setdefault(name, value)


# --- XLSX (read by checklist_xlsx.py) ------------------------------------------


def _parse_xlsx(data, errors):
    rows = xlsx_rows(data, errors, ImportRowError, expected_columns=len(CSV_COLUMNS))
    if rows is None:
        return None
    if rows:
        width = len(rows[0][1])
        # Rows shorter than the header only lack empty cells at their end.
        rows = [(line, cells + [""] * (width - len(cells))) for line, cells in rows]
    return _parse_table(rows, errors)
