"""Run sheet files (CSV and XLSX): read and check them, and write them. No database here.

One row per step, the columns of ``COLUMNS``; dependencies by step number ("3;5"). Reading
collects every problem with its line (a sheet's row), so a file is fixed in one go, and
checks the sheet as a whole: duplicate numbers, predecessors and rollback steps that are
not in the sheet, rollback steps mixed into the forward plan, loops. Owners are given by
e-mail and checked against the project by the importing service. Reading goes through
``core.tabular`` (size, encoding, zip and row limits); a CSV export writes formula-like
text as text and reads it back unchanged (``core.spreadsheets``).
"""

import csv
import datetime
import io
import re
import zoneinfo
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.spreadsheets import neutralise_formula, restore_formula
from core.tabular import csv_rows, decode_text, xlsx_rows
from cutover.models import StepCategory
from cutover.schedule import describe_cycle, find_cycle

COLUMNS = (
    "number", "title", "category", "owner_email", "backup_owner_email", "duration_minutes",
    "predecessors", "fixed_start", "checkpoint", "checkpoint_criteria", "verification",
    "instructions", "rollback_step", "is_rollback",
)  # fmt: skip
REQUIRED_COLUMNS = ("number", "title", "duration_minutes")
SHEET_NAME = "Run sheet"
IMPORT_MAX_BYTES = 2 * 1024 * 1024
MAX_ERRORS = 200
MAX_MESSAGE_LENGTH = 300
MAX_DURATION_MINUTES = 7 * 24 * 60
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LENGTHS = {"title": 200}
CATEGORY_BY_WORD = {
    **{value: value for value in StepCategory.values},
    **{label.lower(): value for value, label in StepCategory.choices},
}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}"


class RunSheetError(Exception):
    """A run sheet that cannot be imported; ``errors`` lists its problems by line (at most
    MAX_ERRORS, each at most MAX_MESSAGE_LENGTH characters)."""

    def __init__(self, errors):
        errors = sorted(errors, key=lambda error: error.line)
        kept = [RowError(e.line, _capped(e.message)) for e in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            kept.append(
                RowError(errors[MAX_ERRORS].line, f"… and {len(errors) - MAX_ERRORS} more problems")
            )
        self.errors = kept
        super().__init__("\n".join(str(error) for error in kept))


def _capped(text, limit=MAX_MESSAGE_LENGTH):
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value):
    return _capped(str(value), 60)


@dataclass
class RunSheetRow:
    line: int
    number: int = 0
    title: str = ""
    category: str = StepCategory.DEPLOYMENT
    owner_email: str = ""
    backup_owner_email: str = ""
    duration_minutes: int = 0
    predecessors: list = field(default_factory=list)
    fixed_start: object = None  # aware datetime
    is_checkpoint: bool = False
    checkpoint_criteria: str = ""
    verification: str = ""
    instructions: str = ""
    rollback_step: int | None = None
    is_rollback: bool = False


def _header_name(cell):
    name = cell.strip().lower().replace("e-mail", "email")
    return re.sub(r"[\s\-]+", "_", name)


class _Row:
    def __init__(self, line, raw, errors):
        self.line, self.raw, self.errors = line, raw, errors

    def error(self, name, message):
        self.errors.append(RowError(self.line, f"{name}: {message}"))

    def text(self, name, *, required=False):
        value = (self.raw.get(name) or "").strip()
        if CONTROL_CHARACTERS.search(value):
            self.error(name, "contains control characters (such as NUL); remove them")
            return ""
        if required and not value:
            self.error(name, "is empty")
        if name in LENGTHS and len(value) > LENGTHS[name]:
            self.error(name, f"is longer than {LENGTHS[name]} characters")
        return value

    def whole(self, name, *, low, high, required=False):
        value = self.text(name)
        if not value:
            if required:
                self.error(name, "is empty")
            return None
        if re.fullmatch(r"[0-9]{1,7}", value) and low <= int(value) <= high:
            return int(value)
        self.error(name, f"'{_shown(value)}' is not a whole number from {low} to {high}")
        return None

    def flag(self, name):
        word = self.text(name).lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        self.error(name, f"'{_shown(word)}' is not yes or no")
        return False

    def numbers(self, name):
        value = self.text(name)
        parts = [part for part in re.split(r"[;,\s]+", value) if part]
        bad = [part for part in parts if not re.fullmatch(r"[0-9]{1,7}", part)]
        if bad:
            self.error(name, f"'{_shown(bad[0])}' is not a step number (write them as 3;5)")
            return []
        return sorted({int(part) for part in parts})

    def moment(self, name, tz):
        value = self.text(name)
        if not value:
            return None
        try:
            moment = datetime.datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            self.error(name, f"'{_shown(value)}' is not a date and time like 2026-03-06 18:00")
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _clean(line, raw, errors, tz):
    row = _Row(line, raw, errors)
    category_word = row.text("category").lower()
    category = CATEGORY_BY_WORD.get(category_word) if category_word else "deployment"
    if category is None:
        row.error(
            "category",
            f"unknown category '{_shown(category_word)}'; use one of "
            + ", ".join(StepCategory.values),
        )
    return RunSheetRow(
        line=line,
        number=row.whole("number", low=1, high=100_000, required=True) or 0,
        title=row.text("title", required=True),
        category=category or "deployment",
        owner_email=row.text("owner_email").lower(),
        backup_owner_email=row.text("backup_owner_email").lower(),
        duration_minutes=row.whole(
            "duration_minutes", low=0, high=MAX_DURATION_MINUTES, required=True
        )
        or 0,
        predecessors=row.numbers("predecessors"),
        fixed_start=row.moment("fixed_start", tz),
        is_checkpoint=row.flag("checkpoint"),
        checkpoint_criteria=row.text("checkpoint_criteria"),
        verification=row.text("verification"),
        instructions=row.text("instructions"),
        rollback_step=row.whole("rollback_step", low=1, high=100_000),
        is_rollback=row.flag("is_rollback"),
    )


def _check_whole(rows, errors):
    """What only the whole sheet tells: numbers, references, loops."""
    by_number = {}
    for row in rows:
        if row.number in by_number:
            errors.append(
                RowError(
                    row.line,
                    f"number: step {row.number} is already on line {by_number[row.number].line}",
                )
            )
        elif row.number:
            by_number[row.number] = row
    for row in rows:
        for number in row.predecessors:
            before = by_number.get(number)
            if number == row.number:
                errors.append(RowError(row.line, "predecessors: a step cannot wait for itself"))
            elif before is None:
                errors.append(RowError(row.line, f"predecessors: there is no step {number}"))
            elif before.is_rollback != row.is_rollback:
                errors.append(
                    RowError(row.line, f"predecessors: step {number} is "
                             + ("in the forward plan; a rollback step waits only for rollback "
                                "steps" if row.is_rollback else
                                "a rollback step; a forward step cannot wait for it"))
                )  # fmt: skip
        if row.rollback_step is not None:
            target = by_number.get(row.rollback_step)
            if target is None:
                errors.append(
                    RowError(row.line, f"rollback_step: there is no step {row.rollback_step}")
                )
            elif target is row:
                errors.append(RowError(row.line, "rollback_step: a step is not its own rollback"))
            elif row.is_rollback:
                errors.append(
                    RowError(row.line, "rollback_step: a rollback step has no rollback step")
                )
            elif not target.is_rollback:
                errors.append(
                    RowError(
                        row.line,
                        f"rollback_step: step {row.rollback_step} is not marked is_rollback",
                    )
                )
        if row.is_checkpoint and not row.checkpoint_criteria:
            errors.append(
                RowError(row.line, "checkpoint_criteria: a checkpoint needs its criteria")
            )
    edges = [(before, row.number) for row in rows for before in row.predecessors
             if before in by_number and before != row.number]  # fmt: skip
    cycle = find_cycle(list(by_number), edges)
    if cycle:
        line = by_number[cycle[0]].line
        errors.append(
            RowError(
                line,
                f"predecessors: the steps wait for each other in a loop: "
                f"{describe_cycle(cycle, label=lambda n: n)}",
            )
        )
    if not rows:
        errors.append(RowError(1, "the file has no steps"))


def _table(rows, errors, tz):
    if not rows:
        errors.append(RowError(1, "the file is empty; the first line must be the header"))
        return []
    header_line, header = rows[0]
    names = [_header_name(cell) for cell in header]
    unknown = [cell for cell, name in zip(header, names, strict=True) if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    duplicate = sorted({name for name in names if names.count(name) > 1})
    if header_line != 1 or unknown or missing or duplicate:
        problems = []
        if unknown:
            problems.append("unknown columns: " + ", ".join(_shown(c) for c in unknown))
        if missing:
            problems.append("missing columns: " + ", ".join(missing))
        if duplicate:
            problems.append("duplicate columns: " + ", ".join(duplicate))
        if header_line != 1:
            problems.append("the first line must be the header")
        errors.append(RowError(1, "; ".join(problems) + "; the columns are " + ", ".join(COLUMNS)))
        return []
    cleaned = []
    for line, cells in rows[1:]:
        if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
            errors.append(
                RowError(line, f"has {len(cells)} values but the header has {len(names)} columns")
            )
            continue
        cells = cells + [""] * (len(names) - len(cells))
        raw = dict(zip(names, cells, strict=False))
        cleaned.append(_clean(line, raw, errors, tz))
    _check_whole(cleaned, errors)
    return cleaned


def parse_run_sheet(*, data, fmt, time_zone):
    """The rows of a CSV or XLSX run sheet; raise RunSheetError listing every problem.

    Times without an offset are read in ``time_zone`` (the plan's)."""
    errors = []
    tz = zoneinfo.ZoneInfo(time_zone)
    rows = None
    if len(data) > IMPORT_MAX_BYTES:
        limit = IMPORT_MAX_BYTES // (1024 * 1024)
        errors.append(RowError(1, f"the file is larger than {limit} MB; a run sheet never is"))
    elif fmt == "xlsx":
        rows = xlsx_rows(
            data, errors, RowError, sheet_name=SHEET_NAME, expected_columns=len(COLUMNS),
            what="run sheet",
        )  # fmt: skip
    elif fmt == "csv":
        text = decode_text(data, errors, RowError)
        if text is not None:
            rows = [
                (line, [restore_formula(cell) for cell in row])
                for line, row in csv_rows(text, errors, RowError)
            ]
    else:
        errors.append(RowError(1, "choose a CSV or XLSX file"))
    parsed = _table(rows, errors, tz) if rows is not None and not errors else []
    if errors:
        raise RunSheetError(errors)
    return parsed


# --- Writing ----------------------------------------------------------------------


def _local_text(moment, tz):
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def export_rows(steps, *, predecessors, time_zone):
    """Header then one row of text per step. ``steps`` have owner/backup_owner/rollback_step
    loaded; ``predecessors`` maps a step's pk to its predecessors' numbers."""
    tz = zoneinfo.ZoneInfo(time_zone)
    rows = [list(COLUMNS)]
    for step in steps:
        rows.append([
            str(step.number), step.title, step.category,
            step.owner.email if step.owner_id else "",
            step.backup_owner.email if step.backup_owner_id else "",
            str(step.duration_minutes),
            ";".join(str(n) for n in sorted(predecessors.get(step.pk, ()))),
            _local_text(step.fixed_start, tz),
            "yes" if step.is_checkpoint else "no",
            step.checkpoint_criteria, step.verification, step.instructions,
            str(step.rollback_step.number) if step.rollback_step_id else "",
            "yes" if step.is_rollback else "no",
        ])  # fmt: skip
    return rows


def to_csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [rows[0], *([neutralise_formula(v, reversible=True) for v in row] for row in rows[1:])]
    )
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def to_xlsx(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    for row in rows:
        sheet.append(row)
    wide = {"title": 44, "instructions": 60, "verification": 40, "checkpoint_criteria": 40,
            "owner_email": 28, "backup_owner_email": 28, "fixed_start": 18}  # fmt: skip
    for index, name in enumerate(rows[0], start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = wide.get(
            name, 12
        )
        sheet.cell(row=1, column=index).font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula stays text
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
