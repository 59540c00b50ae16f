"""Several related row sets of one object, read in one round trip.

A page that shows many small tables of one parent (the project page: eight kinds of content
and the benefit map) would send a query per table. `prefetch_together` reads them at once and
puts them in the parent's prefetch cache, so `project.costs.all()` — in the view, a panel or a
template — finds its rows without a query, exactly as after `prefetch_related`.

On PostgreSQL each relation's own query (its related manager's: the model's ordering and the
parent filter, compiled by Django) becomes a `json_agg` subquery of one SELECT, and the rows
come back as model instances built from the JSON through each field's type. Elsewhere (SQLite)
it is Django's `prefetch_related_objects`: a query per relation, the same rows.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import connections
from django.db.models import Model, Prefetch, prefetch_related_objects
from django.utils.dateparse import parse_datetime

# Field types whose JSON form (PostgreSQL's row_to_json) maps back to the value the ORM reads.
_PLAIN = {
    "AutoField", "BigAutoField", "SmallAutoField", "CharField", "TextField", "SlugField",
    "EmailField", "URLField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    "BooleanField", "DecimalField", "DateField", "DateTimeField", "ForeignKey",
    "OneToOneField", "JSONField", "UUIDField",
}


def _from_json(field, raw):
    if raw is None:
        return None
    kind = field.get_internal_type()
    if kind == "DateTimeField":
        return parse_datetime(raw)
    if kind == "DateField":
        return datetime.date.fromisoformat(raw)
    if kind == "DecimalField":
        return raw if isinstance(raw, Decimal) else Decimal(raw)
    if kind == "UUIDField":
        return uuid.UUID(raw)
    return raw  # numbers, text, booleans, foreign keys' ids; JSON arrives decoded


def _packable(model: type[Model]) -> bool:
    return all(f.get_internal_type() in _PLAIN for f in model._meta.concrete_fields)


def _instances(model: type[Model], rows: list[dict], alias: str) -> list[Model]:
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    return [model.from_db(alias, names, [_from_json(f, row[f.column]) for f in fields])
            for row in rows]


def _cache(instance: Model, name: str, rows: list[Model]) -> None:
    """What prefetch_related leaves behind for a reverse foreign key: the manager's queryset
    with its result, and each row's link back to the parent."""
    manager = getattr(instance, name)
    for row in rows:
        manager.field.set_cached_value(row, instance)
    queryset = manager.get_queryset()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[manager.field.remote_field.cache_name] = queryset


def prefetch_together(instance: Model, names: Iterable[str], *,
                      follow: Mapping[str, str] | None = None) -> None:
    """Fill `instance`'s prefetch cache for the reverse foreign keys `names` (related manager
    names). `follow` maps a relation to one foreign key of its rows that is read with them
    (e.g. {"participants": "organisation"}), as select_related would."""
    names, follow = list(names), dict(follow or {})
    alias = instance._state.db or "default"
    connection = connections[alias]
    managers = {name: getattr(instance, name) for name in names}
    links = {name: managers[name].model._meta.get_field(fk) for name, fk in follow.items()}
    targets = {name: field.related_model for name, field in links.items()}
    if connection.vendor != "postgresql" or not all(
            _packable(m.model) for m in managers.values()) or not all(
            _packable(m) for m in targets.values()):
        prefetch_related_objects([instance], *(
            Prefetch(name, queryset=managers[name].model._default_manager.select_related(
                follow[name])) if name in follow else name for name in names))
        return
    parts, params = [], []
    for name in names:
        sql, args = managers[name].all().query.sql_with_params()
        parts.append(f"(SELECT COALESCE(json_agg(t), '[]')::text FROM ({sql}) t)")
        params.extend(args)
    for name, field in links.items():
        ids = managers[name].all().values(field.attname)
        sql, args = (targets[name]._base_manager.filter(pk__in=ids).order_by()
                     .query.sql_with_params())
        parts.append(f"(SELECT COALESCE(json_agg(t), '[]')::text FROM ({sql}) t)")
        params.extend(args)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        texts = cursor.fetchone()
    # Decimals exactly as written by PostgreSQL (json's default would make them floats).
    decoded = [json.loads(text, parse_float=Decimal) for text in texts]
    rows = {name: _instances(managers[name].model, decoded[i], alias)
            for i, name in enumerate(names)}
    for offset, (name, field) in enumerate(links.items(), start=len(names)):
        by_pk = {obj.pk: obj for obj in _instances(targets[name], decoded[offset], alias)}
        for row in rows[name]:
            field.set_cached_value(row, by_pk.get(getattr(row, field.attname)))
    for name in names:
        _cache(instance, name, rows[name])
