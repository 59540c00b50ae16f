"""Fast bulk inserts for the exchange import. On PostgreSQL rows go through psycopg2's
execute_values (one multi-row INSERT per page), which is several times faster than building a
model instance per row; elsewhere (SQLite in the zero-setup path and its tests) the ORM's
bulk_create does the same job. Columns the caller does not give get the field's default, so a
field added to the model later is filled the way the ORM would fill it."""

from __future__ import annotations

from django.db import connection, models
from django.utils import timezone

PAGE = 1000


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in `columns` order; FK columns by attname, e.g. "benefit_id")."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(columns, row))) for row in rows],
                                  batch_size=PAGE)
        return
    from psycopg2.extras import execute_values

    given = {model._meta.get_field(c).column if not c.endswith("_id")
             else c for c in columns}
    extra_columns, extra_values = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            value = now
        else:
            value = field.get_default()  # the ORM's own rule ("" for text, None if nullable)
            if value is None and not field.null:
                raise ValueError(f"{model.__name__}.{field.name} needs a value")
        extra_columns.append(field.column)
        extra_values.append(field.get_db_prep_save(value, connection))
    db_columns = [model._meta.get_field(c).column if not c.endswith("_id") else c
                  for c in columns] + extra_columns
    sql = (f'INSERT INTO "{model._meta.db_table}" ('
           + ", ".join(f'"{c}"' for c in db_columns) + ") VALUES %s")
    tail = tuple(extra_values)
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, [tuple(row) + tail for row in rows], page_size=PAGE)
