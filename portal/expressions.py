"""Query expressions the ORM lacks, each with its SQLite form."""

from __future__ import annotations

from django.db.models import BooleanField, F, Func, QuerySet, Subquery


class InArray(Func):
    """`column IN (subquery)`, on PostgreSQL as `column = ANY(ARRAY(subquery))`: the same rows.
    The planner turns IN into a semi-join and may, costing cached pages as disk reads, hash a
    scan of the whole table (the dashboard's benefits: every benefit in the country, 11 ms)
    or re-check a list's whole filter (a page of ideas); the array is computed first and
    probes the column's index once per element."""

    output_field = BooleanField()

    def __init__(self, column: str, queryset: QuerySet):
        super().__init__(F(column), Subquery(queryset))

    def _parts(self, compiler) -> tuple[str, str, list]:
        (column, column_params), (subquery, subquery_params) = (
            compiler.compile(e) for e in self.get_source_expressions())
        return column, subquery, [*column_params, *subquery_params]

    def as_sql(self, compiler, connection, **extra_context):
        column, subquery, params = self._parts(compiler)
        return f"{column} IN {subquery}", params

    def as_postgresql(self, compiler, connection, **extra_context):
        column, subquery, params = self._parts(compiler)
        return f"{column} = ANY(ARRAY{subquery})", params
