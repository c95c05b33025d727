"""Set-based writes the ORM has no method for."""

from django.db import connections
from django.db.models.constants import OnConflict


def insert_from_select(model, queryset, fields, *, ignore_conflicts=False):
    """``INSERT INTO <model's table> (<fields>) SELECT ... FROM <queryset>``, in one
    statement whatever the number of rows: the rows never pass through Python.

    ``fields`` maps ``model``'s field names to expressions over ``queryset``'s rows
    (``F("owner_id")``, ``Value(today)``). Fields it leaves out get NULL, not their Python
    default. ``ignore_conflicts`` skips rows a unique constraint refuses, as
    ``bulk_create(ignore_conflicts=True)`` does. Returns the number of rows inserted.
    """
    db = queryset.db
    connection = connections[db]
    aliases = {f"insert_{index}": expression for index, expression in enumerate(fields.values())}
    # Django 5.2 selects values() in the order given: the columns below match.
    select, params = (
        queryset.annotate(**aliases).values(*aliases).query.get_compiler(using=db).as_sql()
    )
    columns = [model._meta.get_field(name).column for name in fields]
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    suffix = connection.ops.on_conflict_suffix_sql([], on_conflict, None, None)
    sql = " ".join(
        part
        for part in (
            connection.ops.insert_statement(on_conflict=on_conflict),
            f"{connection.ops.quote_name(model._meta.db_table)} ({quoted})",
            select,
            suffix,
        )
        if part
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
