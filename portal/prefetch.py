"""Several row sets of one page, read in one round trip.

A page that shows many small tables of one parent (the project page: eight kinds of content,
the benefit map, the timeline, the benefits with their latest measurements …) would send a
query per table. Two helpers fold them into one statement on PostgreSQL:

- `read_together(querysets)` evaluates querysets at once and leaves each one's rows in its
  result cache, so iterating it (or `len`, `exists`, `first` of it) sends no query. Each
  queryset's own SQL, compiled by Django (filters, select_related joins, annotations and
  subqueries, ordering, slicing), becomes a `json_agg` subquery of one SELECT with every
  column as text; the text is turned back into the value the database driver gives for the
  column's type, and the rows go through Django's own iterable and the fields' converters:
  model instances with their select_related objects and annotations, values(), values_list()
  — the objects the queryset's own query would give.
- `prefetch_together(instance, names, ...)` fills `instance`'s prefetch cache for reverse
  foreign keys with it, so `project.costs.all()` — in the view, a panel or a template — finds
  its rows without a query, exactly as after `prefetch_related`.

A queryset whose columns include a type the text form does not cover here (arrays,
intervals, binary) or whose shape the wrapper does not (a union, DISTINCT with an ordering
outside the columns) is left out of the statement and read as usual, when used. Elsewhere
(SQLite) `read_together` does nothing — each queryset is read when used, as without it — and
`prefetch_together` is Django's `prefetch_related_objects`: the same rows, a query per table.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import EmptyResultSet, FieldError
from django.db import connections
from django.db.models import Model, Prefetch, QuerySet, prefetch_related_objects


def _boolean(text: str) -> bool:
    return text == "true"


def _text(text: str) -> str:
    return text


# The driver's value of a column from PostgreSQL's text form of it, by the column's field type.
_DECODERS: dict[str, Callable[[str], object]] = {
    **dict.fromkeys(("AutoField", "BigAutoField", "SmallAutoField", "IntegerField",
                     "BigIntegerField", "SmallIntegerField", "PositiveIntegerField",
                     "PositiveSmallIntegerField", "PositiveBigIntegerField"), int),
    # jsonb and inet reach Django as text (django.db.backends.postgresql.psycopg_any), and
    # the fields' converters decode them.
    **dict.fromkeys(("CharField", "TextField", "SlugField", "EmailField", "URLField",
                     "FilePathField", "FileField", "ImageField", "JSONField",
                     "GenericIPAddressField"), _text),
    "BooleanField": _boolean, "DecimalField": Decimal, "FloatField": float,
    "DateField": datetime.date.fromisoformat, "TimeField": datetime.time.fromisoformat,
    "UUIDField": uuid.UUID,
}


def _decoder(expression, connection) -> Callable[[str], object] | None:
    """How to read a select column's text, or None when this module does not know."""
    try:
        field = expression.output_field
    except (AttributeError, FieldError):
        return None
    while field.get_internal_type() in ("ForeignKey", "OneToOneField"):
        field = field.target_field
    if field.get_internal_type() != "DateTimeField":
        return _DECODERS.get(field.get_internal_type())
    zone = connection.timezone  # None without USE_TZ: timestamp without time zone, naive

    def moment(text: str) -> datetime.datetime:
        # psycopg reads timestamptz in the session's zone and Django labels it with this one.
        value = datetime.datetime.fromisoformat(text)
        return value.astimezone(zone) if zone and value.tzinfo is not None else value
    return moment


class _Part:
    """One queryset's share of the statement: its compiled SQL wrapped as a subquery that
    aggregates its rows, in order, to a JSON array of arrays of text."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset
        self.connection = connections[queryset.db]
        self.compiler = queryset.query.get_compiler(using=queryset.db)
        self.sql, self.params, self.decoders = None, (), []
        try:
            sql, params = self.compiler.as_sql(with_col_aliases=True)
        except EmptyResultSet:  # e.g. pk__in=[]: no rows, and Django sends no query either
            self.empty = True
            return
        self.empty = False
        columns = self.compiler.select
        decoders = [_decoder(expression, self.connection) for expression, _sql, _a in columns]
        query = self.queryset.query
        if (self.compiler.has_extra_select or query.combinator or query.select_for_update
                or None in decoders or any(alias is None for _e, _s, alias in columns)):
            return  # not folded: read as usual
        quote = self.connection.ops.quote_name
        texts = ", ".join(f"t.{quote(alias)}::text" for _e, _s, alias in columns)
        self.sql = (f"(SELECT COALESCE(json_agg(ARRAY[{texts}]::text[]), '[]')::text "
                    f"FROM ({sql}) t)")
        self.params, self.decoders = params, decoders

    @property
    def folded(self) -> bool:
        return self.empty or self.sql is not None

    def fill(self, text: str | None) -> None:
        """Give the queryset its rows through its own iterable class, as if its query had
        run (the compiler is the one that compiled it; it answers with these rows)."""
        if self.empty:
            self.queryset._result_cache = []
            return
        rows = [[None if value is None else decode(value)
                 for decode, value in zip(self.decoders, row, strict=True)]
                for row in json.loads(text)]
        self.compiler.execute_sql = lambda *args, **kwargs: [rows]
        query = self.queryset.query
        query.get_compiler = lambda *args, **kwargs: self.compiler
        try:
            self.queryset._result_cache = list(self.queryset._iterable_class(self.queryset))
        finally:
            del query.get_compiler
        if self.queryset._prefetch_related_lookups and not self.queryset._prefetch_done:
            self.queryset._prefetch_related_objects()


def read_together(querysets: Iterable[QuerySet]) -> None:
    """Evaluate `querysets` in one round trip on PostgreSQL (see the module's docstring);
    each keeps its rows in its result cache. Querysets read already are left as they are.
    Elsewhere nothing is read here: each queryset is read when it is used."""
    parts = [_Part(qs) for qs in querysets if qs._result_cache is None
             and connections[qs.db].vendor == "postgresql"]
    parts = [part for part in parts if part.folded]
    by_database: dict[str, list[_Part]] = {}
    for part in parts:
        by_database.setdefault(part.queryset.db, []).append(part)
    for alias, together in by_database.items():
        sent = [part for part in together if not part.empty]
        texts: tuple = ()
        if sent:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT " + ", ".join(p.sql for p in sent),
                               [arg for p in sent for arg in p.params])
                texts = cursor.fetchone()
        answers = dict(zip(map(id, sent), texts, strict=True))
        for part in together:
            part.fill(answers.get(id(part)))


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
                      follow: Mapping[str, str] | None = None,
                      also: Iterable[QuerySet] = ()) -> None:
    """Fill `instance`'s prefetch cache for the reverse foreign keys `names` (related manager
    names). `follow` maps a relation to one foreign key of its rows that is read with them
    (e.g. {"participants": "organisation"}), as select_related would. `also`: more querysets
    the caller reads next, evaluated in the same round trip (read_together)."""
    names, follow = list(names), dict(follow or {})
    alias = instance._state.db or "default"
    if connections[alias].vendor != "postgresql":
        prefetch_related_objects([instance], *(
            Prefetch(name, queryset=getattr(instance, name).model._default_manager
                     .select_related(follow[name])) if name in follow else name
            for name in names))
        return
    relations = {}
    for name in names:
        queryset = getattr(instance, name).all()
        relations[name] = queryset.select_related(follow[name]) if name in follow else queryset
    read_together([*relations.values(), *also])
    for name, queryset in relations.items():
        _cache(instance, name, list(queryset))
