"""Random and malformed files fed to the importers: a clear refusal or a whole import.

For every input the checklist importer either creates one complete new template version
or raises ChecklistImportError listing line-numbered problems, with the template, section
and item counts unchanged. Never any other exception. YAML with anchors and aliases is
always refused, and so are zips that are not a sane XLSX file (issue 12).

The risks app has exports (CSV/XLSX) but no importer; when one is added, feed it here too.
"""

import csv
import io
import os
import zipfile

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from projects.models import Scope, SignoffRole
from reviews.models import (
    SCOPE_ALL,
    ChecklistTemplate,
    ItemSeverity,
    TemplateItem,
    TemplateSection,
)
from reviews.services.checklist_formats import (
    CSV_COLUMNS,
    ITEM_FIELDS,
    SECTION_FIELDS,
    parse_checklist,
)
from reviews.services.checklist_writers import to_csv, to_xlsx, to_yaml
from reviews.services.checklists import (
    DEFAULT_CHECKLIST_PATH,
    ChecklistImportError,
    checklist_import,
)

# FUZZ_EXAMPLES=500 for a deeper hunt than the suite's default.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _small_valid_content():
    """Two sections of the shipped checklist with three items each, as the exports shape it."""
    parsed = parse_checklist(data=DEFAULT_CHECKLIST_PATH.read_bytes(), fmt="yaml")
    sections = parsed.sections[:2]
    keys = {section["key"] for section in sections}
    items = []
    for key in keys:
        items += [item for item in parsed.items if item["section"] == key][:3]
    return {
        "schema_version": 1,
        "key": "fuzzed-checklist",
        "name": "Fuzzed checklist",
        "description": "",
        "sections": [{name: section[name] for name in SECTION_FIELDS} for section in sections],
        "items": [{name: item[name] for name in ITEM_FIELDS} for item in items],
    }


VALID = _small_valid_content()
VALID_FILES = {"yaml": to_yaml(VALID), "csv": to_csv(VALID), "xlsx": to_xlsx(VALID)}


def _counts():
    return (
        ChecklistTemplate.objects.count(),
        TemplateSection.objects.count(),
        TemplateItem.objects.count(),
    )


# Found by this file: PyYAML's reader refuses control characters (e.g. b"\x01") when the
# loader is created, which used to happen outside _parse_yaml's try block, so the error
# escaped as a server error in the admin import. The test below pins the fix.


def import_is_all_or_nothing(data, fmt):
    before = _counts()
    # A CSV or XLSX file carries no template key; the admin and the command ask for one.
    key = "fuzzed-checklist" if fmt in ("csv", "xlsx") else None
    try:
        template = checklist_import(data=data, fmt=fmt, template_key=key)
    except ChecklistImportError as refusal:
        errors = refusal.errors
    else:
        errors = None
    if errors is not None:
        assert errors, "a refusal must say what is wrong"
        assert all(error.line >= 1 and error.message for error in errors)
        assert _counts() == before, "a refused file changed the database"
        return None
    templates, sections, items = _counts()
    assert templates == before[0] + 1
    assert sections - before[1] == template.sections.count() > 0
    assert items - before[2] == template.items.count() > 0
    return template


# --- Strategies -----------------------------------------------------------------------

CSV_CHARS = st.sampled_from(list(',;"|\n\r\t -_.:;0123456789abcdefxyzé€\x00\ufeff'))
YAML_CHARS = st.sampled_from(list(":-[]{}&*!|>#'\"?%@`,\n \tabcdkey0123456789é\x00\ufeff"))
PLAUSIBLE = st.one_of(
    st.sampled_from(
        [
            "", " ", "yes", "no", "maybe", "0", "-1", "1e9", "99999999999", SCOPE_ALL,
            *Scope.values, *ItemSeverity.values, *SignoffRole.values[:3],
            *(section["key"] for section in VALID["sections"]),
            "finance_operations;nonsense", "a | b", "x" * 250,
        ]
    ),
    # No NUL: an escaped one ("\0") is its own known bug, pinned below.
    st.text(st.characters(exclude_characters="\x00"), max_size=30),
)  # fmt: skip
YAML_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), PLAUSIBLE
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(PLAUSIBLE, inner, max_size=3),
    max_leaves=8,
)


def _entries(fields):
    keys = st.sampled_from(fields) | PLAUSIBLE
    return st.lists(st.dictionaries(keys, YAML_VALUES, max_size=len(fields) + 1), max_size=4)


@st.composite
def structured_yaml(draw):
    """YAML documents with the right shape and random field values (and stray fields)."""
    document = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "schema_version": YAML_VALUES,
                "key": st.sampled_from(["fuzzed-checklist", "", "bad key!"]) | YAML_SCALARS,
                "name": YAML_SCALARS,
                "description": YAML_SCALARS,
                "sections": _entries(SECTION_FIELDS) | YAML_VALUES,
                "items": _entries(ITEM_FIELDS) | YAML_VALUES,
            },
        )
    )
    document.update(draw(st.dictionaries(PLAUSIBLE, YAML_VALUES, max_size=2)))
    return yaml.safe_dump(document, allow_unicode=True).encode()


@st.composite
def structured_csv(draw):
    """A header of known (or unknown) columns and rows of plausible or random cells."""
    header = draw(
        st.one_of(
            st.just(list(CSV_COLUMNS)),
            st.permutations(CSV_COLUMNS),
            st.lists(st.sampled_from(CSV_COLUMNS) | PLAUSIBLE, max_size=len(CSV_COLUMNS) + 2),
        )
    )
    width = st.integers(0, len(header) + 2)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(PLAUSIBLE, min_size=n, max_size=n))))
    buffer = io.StringIO()
    csv.writer(buffer).writerows([list(header), *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return buffer.getvalue().encode(encoding, errors="replace")


@st.composite
def mutated(draw, fmt):
    """A valid export with a random slice replaced by random bytes."""
    data = VALID_FILES[fmt]
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 200)))
    return data[:start] + draw(st.binary(max_size=40)) + data[end:]


@st.composite
def aliased_yaml(draw):
    """A valid checklist in which some part is written once and reused through an alias."""
    content = yaml.safe_load(VALID_FILES["yaml"])
    items = content["items"]
    source = draw(st.sampled_from(items))
    shared = draw(st.sampled_from(["scopes", "signoff_roles", "whole item"]))
    target = draw(st.integers(0, len(items) - 1))
    if shared == "whole item":
        items.append(source)  # the same dict twice: dumped as an anchor and an alias
    else:
        items[target][shared] = source[shared]
        if items[target] is source:
            items.append({**source, "key": "copy", shared: source[shared]})
    return yaml.safe_dump(content, allow_unicode=True).encode()


def _workbook(rows):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Items"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


XLSX_PARTS = [
    "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml", "docProps/app.xml",
]  # fmt: skip


@st.composite
def random_zips(draw):
    """Zip archives whose members are an XLSX file's parts (or others) with random content,
    sometimes the parts of a valid export with one replaced."""
    members = {}
    if draw(st.booleans()):
        with zipfile.ZipFile(io.BytesIO(VALID_FILES["xlsx"])) as archive:
            members = {info.filename: archive.read(info) for info in archive.infolist()}
    # zipfile cuts a member's name at its first NUL; a name that starts with one would be
    # empty, which zipfile itself cannot write (an IndexError in the generator, not the app).
    names = st.sampled_from(XLSX_PARTS) | st.text(min_size=1, max_size=20).filter(
        lambda name: name.split("\x00", 1)[0]
    )
    members.update(draw(st.dictionaries(names, st.binary(max_size=300), max_size=4)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@st.composite
def structured_xlsx(draw):
    """A workbook with a header of known (or unknown) columns and plausible or typed cells."""
    header = draw(
        st.one_of(
            st.just(list(CSV_COLUMNS)),
            st.lists(st.sampled_from(CSV_COLUMNS) | PLAUSIBLE, max_size=len(CSV_COLUMNS) + 2),
        )
    )
    cell = PLAUSIBLE | st.none() | st.booleans() | st.integers(-5, 10**6) | st.floats(0, 1e6)
    width = st.integers(0, len(header) + 2)
    rows = draw(st.lists(width.flatmap(lambda n: st.lists(cell, min_size=n, max_size=n))))
    # A sheet refuses control characters in text; those are the CSV's and YAML's concern.
    clean = [
        [value if not isinstance(value, str) else "".join(c for c in value if c >= " ")
         for value in row]
        for row in [header, *rows]
    ]  # fmt: skip
    return _workbook(clean)


def _text(chars):
    return st.text(chars, max_size=400).map(lambda text: text.encode("utf-8"))


# --- Tests -----------------------------------------------------------------------------


def test_the_valid_seed_files_import(db):
    """The fuzzing starts from files that do import, so mutations test real parsing paths."""
    for fmt, data in VALID_FILES.items():
        assert import_is_all_or_nothing(data, fmt) is not None, fmt


@pytest.mark.parametrize("data", [b"\x01", b"key: a\x07b\n", b"name: \xc2\x85\x1b[0m\n"])
def test_yaml_with_control_characters_is_refused_cleanly(db, data):
    before = _counts()
    with pytest.raises(ChecklistImportError):
        checklist_import(data=data, fmt="yaml")
    assert _counts() == before


# Found by this file: YAML can carry a NUL as an escape ("a\0b"); the checks let it through,
# SQLite stored it and PostgreSQL refused it (a server error there). The importer now
# refuses control characters in every text field.
def test_yaml_with_an_escaped_nul_is_refused_cleanly(db):
    item = {**VALID["items"][0], "title": "Cutover\x00plan"}
    data = yaml.safe_dump({**VALID, "items": [item, *VALID["items"][1:]]}).encode()
    assert b"\\0" in data
    before = _counts()
    with pytest.raises(ChecklistImportError):
        checklist_import(data=data, fmt="yaml")
    assert _counts() == before


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from(["yaml", "csv", "xlsx", "", "YAML"]))
@example(data=b"", fmt="csv")
@example(data=b"\xff\xfe" + "key: x".encode("utf-16-le"), fmt="yaml")
def test_random_bytes_are_refused_cleanly(db, data, fmt):
    import_is_all_or_nothing(data, fmt)


@FUZZ
@given(data=_text(CSV_CHARS) | structured_csv())
def test_random_csv_is_refused_or_imported_whole(db, data):
    import_is_all_or_nothing(data, "csv")


@FUZZ
@given(data=_text(YAML_CHARS) | structured_yaml())
@example(data=b"a: &a [*a]\n")  # a recursive alias
@example(data=b"x: &x ['" + b"lol" * 50 + b"']\ny: &y [*x, *x, *x, *x, *x, *x, *x, *x, *x]\n")
@example(data=b"!!python/object/apply:os.system ['echo pwned']\n")
@example(  # the alias bomb of issue 12: 9 levels of 9 aliases
    data=b'l0: &l0 "lol"\n'
    + b"".join(f"l{n}: &l{n} [{','.join([f'*l{n - 1}'] * 9)}]\n".encode() for n in range(1, 10))
    + b"items: [{key: k, section: s, title: t, order: *l9}]\n"
)
def test_random_yaml_is_refused_or_imported_whole(db, data):
    import_is_all_or_nothing(data, "yaml")


@FUZZ
@given(data=aliased_yaml())
def test_yaml_with_anchors_and_aliases_is_always_refused(db, data):
    assert b"&" in data
    assert b"*" in data
    before = _counts()
    with pytest.raises(ChecklistImportError) as refused:
        checklist_import(data=data, fmt="yaml")
    assert all("anchors and aliases" in error.message for error in refused.value.errors)
    assert _counts() == before


@FUZZ
@given(data=random_zips() | structured_xlsx())
def test_random_zips_and_workbooks_are_refused_or_imported_whole(db, data):
    import_is_all_or_nothing(data, "xlsx")


@FUZZ
@given(data=st.data(), fmt=st.sampled_from(["yaml", "csv", "xlsx"]))
def test_mutated_exports_are_refused_or_imported_whole(db, data, fmt):
    file = data.draw(mutated(fmt))
    import_is_all_or_nothing(file, fmt)


@pytest.mark.parametrize("fmt", ["yaml", "csv", "xlsx"])
def test_a_file_with_one_bad_row_imports_nothing(db, fmt):
    content = {**VALID, "items": [*VALID["items"], {**VALID["items"][0], "title": ""}]}
    data = {"yaml": to_yaml, "csv": to_csv, "xlsx": to_xlsx}[fmt](content)
    before = _counts()
    with pytest.raises(ChecklistImportError) as refusal:
        checklist_import(data=data, fmt=fmt)
    assert _counts() == before
    assert any("title" in error.message for error in refusal.value.errors)
