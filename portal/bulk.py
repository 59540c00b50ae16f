"""Fast bulk writes for the exchange import and the indicator snapshots. On PostgreSQL, inserts
go through COPY (one stream per call), which is many times faster than building a model
instance per row; elsewhere (SQLite in the zero-setup path and its
tests) the ORM's bulk_create does the same job. Columns the caller does not give get the field's
default, so a field added to the model later is filled the way the ORM would fill it."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

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
    given = {model._meta.get_field(c).column if not c.endswith("_id")
             else c for c in columns}
    extra_columns, extra_values = [], []
    now = timezone.now()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given or field.generated:
            continue  # generated columns are the database's to fill
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            value = now
        else:
            value = field.get_default()  # the ORM's own rule ("" for text, None if nullable)
            if value is None and not field.null:
                raise ValueError(f"{model.__name__}.{field.name} needs a value")
        extra_columns.append(field.column)
        extra_values.append(_copy_text(json.dumps(value) if isinstance(value, (dict, list))
                                       else value))
    db_columns = [model._meta.get_field(c).column if not c.endswith("_id") else c
                  for c in columns] + extra_columns
    # COPY … FROM STDIN in text format: several times faster than multi-row INSERTs, both in
    # Python (no per-value quoting through the driver) and in the server.
    tail = "\t".join(extra_values)
    buffer = io.StringIO()
    for row in rows:
        line = "\t".join(map(_copy_text, row))
        buffer.write(f"{line}\t{tail}\n" if tail else f"{line}\n")
    buffer.seek(0)
    sql = (f'COPY "{model._meta.db_table}" (' + ", ".join(f'"{c}"' for c in db_columns)
           + ") FROM STDIN")
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # dates and datetimes
        return value.isoformat()
    return value


def upsert_rows(model, columns: list[str], rows: list[tuple], *, unique: list[str],
                constants: dict | None = None) -> None:
    """Insert `rows` (tuples in `columns` order, attnames), or update the stored row with the
    same `unique` columns; `constants` are columns with the same value in every row.
    On PostgreSQL the rows travel as one JSON parameter, unpacked by json_populate_recordset:
    one statement, and no per-row parameter quoting in Python."""
    if not rows:
        return
    constants = constants or {}
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**constants, **dict(zip(columns, row))) for row in rows], batch_size=PAGE,
            update_conflicts=True, unique_fields=unique,
            update_fields=[c for c in [*columns, *constants] if c not in unique])
        return
    table = model._meta.db_table
    db_columns = [model._meta.get_field(c).column for c in columns]
    fixed = [model._meta.get_field(c).column for c in constants]
    conflict = [model._meta.get_field(c).column for c in unique]
    updates = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in [*db_columns, *fixed]
                        if c not in conflict)
    payload = json.dumps([dict(zip(db_columns, map(_json_value, row))) for row in rows])
    names = ", ".join(f'"{c}"' for c in [*db_columns, *fixed])
    values = ", ".join([*(f'"{c}"' for c in db_columns), *(["%s"] * len(fixed))])
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {values} FROM '
            f'json_populate_recordset(NULL::"{table}", %s) ON CONFLICT ('
            + ", ".join(f'"{c}"' for c in conflict) + f") DO UPDATE SET {updates}",
            [*constants.values(), payload])
