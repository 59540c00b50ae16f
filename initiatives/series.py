"""`valid_until`, the one rule of every dated history series (phase changes, assessments,
measurements): a row holds from its own date until the date of the next row of its series,
ordered by date and id, so on an equal date the later-recorded row wins (the earlier one's
interval is empty), and the latest row's `valid_until` is null. "The state on date E" is then a
range filter: date <= E and (valid_until is null or valid_until > E).

Every writer of such rows — initiatives.phase_log, initiatives.assessments, gevinst.history and
the portfolio import — inserts its rows and calls revalidate_series() for the series it touched,
in the same transaction; nobody computes `valid_until` anywhere else."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

CHUNK = 5000

_REVALIDATE = """
UPDATE {table} SET valid_until = nxt.next_on
FROM (SELECT id, LEAD({date}) OVER (PARTITION BY {series} ORDER BY {date}, id) AS next_on
      FROM {table} WHERE {owner} IN ({ids})) AS nxt
WHERE {table}.id = nxt.id
"""


def revalidate_series(model, owner: str, series: str, date: str, ids: Iterable[int]) -> None:
    """Re-derive `valid_until` of the rows of `model` owned by `ids` (values of the column
    `owner`): per series (`series`, columns), the date (`date`, a column) of the next row."""
    ids = sorted(set(ids))
    table = model._meta.db_table
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        sql = _REVALIDATE.format(table=table, date=date, series=series, owner=owner,
                                 ids=", ".join(["%s"] * len(chunk)))
        with connection.cursor() as cursor:
            cursor.execute(sql, chunk)
