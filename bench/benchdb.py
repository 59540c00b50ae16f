"""Which database a bench runs against: one `--database` option for every bench.

`--database NAME` is a database on the local PostgreSQL (postgres@127.0.0.1:5432); a full
`postgres://` URL is taken as it is. Without the option: BENCH_DATABASE_URL if set, else the
bench's default (innoportal_bench, as before the option existed)."""

from __future__ import annotations

import argparse
import os

LOCAL_SERVER = "postgres://postgres@127.0.0.1:5432"
DEFAULT_NAME = "innoportal_bench"


def add_database_argument(parser: argparse.ArgumentParser, *,
                          default: str = DEFAULT_NAME, env: str = "BENCH_DATABASE_URL") -> None:
    parser.add_argument(
        "--database", default=None, metavar="NAME_OR_URL",
        help=f"database name on the local PostgreSQL, or a postgres:// URL (default: ${env} "
             f"or {default})")
    parser.set_defaults(_database_default=default, _database_env=env)


def database_url(args: argparse.Namespace) -> str:
    chosen = getattr(args, "database", None) or os.environ.get(args._database_env)
    chosen = chosen or args._database_default
    if "://" in chosen:
        return chosen
    if not chosen.replace("_", "").isalnum():
        raise SystemExit(f"--database: {chosen!r} is not a plain database name or a URL")
    return f"{LOCAL_SERVER}/{chosen}"


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[-1].split("?", 1)[0]


def admin_url(url: str) -> str:
    """The same server's maintenance database (to create or drop `url`'s database)."""
    return url.rsplit("/", 1)[0] + "/postgres"
