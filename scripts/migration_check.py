#!/usr/bin/env python3
"""Prove that the migrations carry a database of an earlier release over intact.

    .venv/bin/python scripts/migration_check.py --database-url postgres://postgres@127.0.0.1:5432/x

On the PostgreSQL server of --database-url (the database name is a prefix for two scratch
databases, dropped at the end unless --keep):

1. `<name>_release` is loaded from tests/fixtures/release-0.1.0.sql.gz: a pg_dump of release
   0.1.0 (commit 208bfda) after `migrate` and `load_demo`, made with that code;
2. it is migrated with this code; `<name>_fresh` is migrated from nothing;
3. their schemas (pg_dump --schema-only, normalised) must be equal. The release went through a
   dump and a restore, and PostgreSQL prints some stored expressions differently after one
   (the generated column PhaseChange.is_forward: `ANY ((ARRAY[...])::text[])` comes back as
   `ANY (ARRAY[(...)::text, ...])`), and so does an index a later migration adds to the
   migrated release, so both schemas take one more round trip (`<name>_roundtrip`,
   `<name>_migrated_trip`) before they are compared;
4. the data must have survived: every table of the release holds the same number of rows
   afterwards (tables that did not exist then are new; django_migrations grows), every content
   type of a model that moved apps is now under its new app and keeps its permissions, the
   indicator timeline rebuilt from the history is the one the release wrote, and the indicator
   snapshots recomputed with this code equal the ones the release computed.

Prints what it checked and exits 1 on any difference. Needs psql and pg_dump on PATH.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DUMP = ROOT / "tests" / "fixtures" / "release-0.1.0.sql.gz"
PY = sys.executable

# Models that changed apps since release 0.1.0: (old app, model) -> new app.
MOVED = {("projects", "initiative"): "initiatives", ("projects", "phasechange"): "initiatives",
         ("gevinst", "benefitassessment"): "initiatives",
         ("gevinst", "indicatortimeline"): "initiatives",
         ("gevinst", "indicatordirty"): "initiatives",
         ("gevinst", "pointscheme"): "indicators", ("gevinst", "indicatorperiod"): "indicators",
         ("gevinst", "indicatorsnapshot"): "indicators", ("gevinst", "indicatorjob"): "indicators"}


class Failed(Exception):
    pass


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def psql_args(url: str) -> list[str]:
    parts = urlsplit(url)
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432),
            "-U", parts.username or "postgres"]
    return args


def psql(url: str, sql: str, *, database: str = "postgres") -> str:
    env = {**os.environ, "PGPASSWORD": urlsplit(url).password or ""}
    result = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", "-At",
                             *psql_args(url), "-d", database, "-c", sql],
                            capture_output=True, text=True, env=env)
    if result.returncode:
        raise Failed(f"psql failed: {result.stderr.strip()}")
    return result.stdout


def recreate(url: str, name: str) -> None:
    psql(url, f'DROP DATABASE IF EXISTS "{name}"')
    psql(url, f'CREATE DATABASE "{name}"')


def drop(url: str, name: str) -> None:
    psql(url, f'DROP DATABASE IF EXISTS "{name}"')


def load_dump(url: str, name: str) -> None:
    env = {**os.environ, "PGPASSWORD": urlsplit(url).password or ""}
    sql = gzip.decompress(DUMP.read_bytes())
    result = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", *psql_args(url),
                             "-d", name], input=sql, capture_output=True, env=env)
    if result.returncode:
        raise Failed(f"loading {DUMP.name} failed: {result.stderr.decode()[-2000:]}")


def manage(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1",
           "DJANGO_SETTINGS_MODULE": "innoportal.settings", "LOG_LEVEL": "WARNING"}
    env.pop("REDIS_URL", None)  # eager tasks: nothing waits for a worker
    result = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                            text=True)
    if result.returncode:
        raise Failed(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def schema(url: str, name: str) -> list[str]:
    """pg_dump --schema-only without what differs between two identical schemas: comments,
    settings, and the random key pg_dump puts in \\restrict lines."""
    env = {**os.environ, "PGPASSWORD": urlsplit(url).password or ""}
    result = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges",
                             *psql_args(url), name], capture_output=True, text=True, env=env)
    if result.returncode:
        raise Failed(f"pg_dump failed: {result.stderr}")
    lines = []
    for line in result.stdout.splitlines():
        if (not line.strip() or line.startswith("--") or line.startswith("SET ")
                or line.startswith("SELECT pg_catalog.set_config")
                or re.match(r"\\(un)?restrict ", line)):
            continue
        lines.append(line)
    return lines


def round_trip(url: str, source: str, target: str) -> None:
    """Restore `source`'s schema into `target`, as the release's went through a restore."""
    env = {**os.environ, "PGPASSWORD": urlsplit(url).password or ""}
    dumped = subprocess.run(["pg_dump", "--schema-only", "--no-owner", "--no-privileges",
                             *psql_args(url), source], capture_output=True, env=env)
    if dumped.returncode:
        raise Failed(f"pg_dump failed: {dumped.stderr.decode()}")
    recreate(url, target)
    restored = subprocess.run(["psql", "-q", "-X", "-v", "ON_ERROR_STOP=1", *psql_args(url),
                               "-d", target], input=dumped.stdout, capture_output=True,
                              env=env)
    if restored.returncode:
        raise Failed(f"restoring the schema of {source} failed: {restored.stderr.decode()[-2000:]}")


def row_counts(url: str, name: str) -> dict[str, int]:
    tables = psql(url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                       "ORDER BY tablename", database=name).split()
    if not tables:
        return {}
    query = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM public.\"{t}\"" for t in tables)
    counts = {}
    for line in psql(url, query, database=name).splitlines():
        table, count = line.split("|")
        counts[table] = int(count)
    return counts


# Run inside the migrated release database (a second process with Django set up on it).
INSPECT = r'''
import json
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F

from ideas.models import Idea
from indicators.models import IndicatorSnapshot, PeriodStatus
from indicators.services import SNAPSHOT_VALUES, indicators_recompute
from initiatives.models import IndicatorTimeline, Initiative, PhaseChange
from projects.models import Project
from initiatives.timeline import timeline_rebuild

moved = json.loads(MOVED_JSON)
content_types = {}
for old_app, model, new_app in moved:
    ct = ContentType.objects.filter(app_label=new_app, model=model).first()
    content_types[f"{old_app}.{model}"] = {
        "new": ct is not None, "old_left": ContentType.objects.filter(
            app_label=old_app, model=model).exists(),
        "permissions": Permission.objects.filter(content_type=ct).count() if ct else 0}

timeline_columns = ["initiative_id", "organisation_id", "origin_organisation_id", "valid_from",
                    "valid_until", "phase", "realised_user", "realised_economic",
                    "realised_organisational", "expected_user", "expected_economic",
                    "expected_organisational"]


def timeline():
    return sorted(tuple(str(v) for v in row)
                  for row in IndicatorTimeline.objects.values_list(*timeline_columns))


def snapshots():
    return {(s["organisation_id"], s["year"], s["quarter"]): [str(s[c]) for c in SNAPSHOT_VALUES]
            for s in IndicatorSnapshot.objects.values("organisation_id", "year", "quarter",
                                                      *SNAPSHOT_VALUES)}


# The facts the spine took over: the adoption lineage (from the projects) and the anonymous
# submissions (from the ideas), as the release had them.
lineage = {(p.initiative_id, p.adopted_from.initiative_id)
           for p in Project.objects.filter(adopted_from__isnull=False).select_related(
               "adopted_from")}
spine_lineage = set(Initiative.objects.filter(adopted_from__isnull=False)
                    .values_list("pk", "adopted_from_id"))
anonymous = set(PhaseChange.objects.filter(
    to_phase="idea", initiative__idea__is_anonymous=True,
    decided_by_id=F("initiative__idea__submitter_id")).values_list("pk", flat=True))
flagged = set(PhaseChange.objects.filter(anonymous_submission=True).values_list("pk",
                                                                                flat=True))
stored_timeline, stored_snapshots = timeline(), snapshots()
# Recompute in a transaction that is rolled back: the check leaves the data as migrated.
with transaction.atomic():
    timeline_rebuild(everything=True)
    rebuilt_timeline = timeline()
    periods = sorted(set(IndicatorSnapshot.objects.exclude(status=PeriodStatus.FINAL)
                         .values_list("year", "quarter")))
    for year, quarter in periods:
        indicators_recompute(year=year, quarter=quarter)
    recomputed = snapshots()
    transaction.set_rollback(True)
print(json.dumps({
    "content_types": content_types,
    "adoptions": len(lineage), "lineage_equal": lineage == spine_lineage,
    "anonymous_ideas": Idea.objects.filter(is_anonymous=True).count(),
    "anonymous_submissions": len(anonymous), "anonymity_equal": anonymous == flagged,
    "timeline_rows": len(stored_timeline),
    "timeline_equal": stored_timeline == rebuilt_timeline,
    "periods": periods,
    "snapshots": len(stored_snapshots),
    "snapshots_differing": sorted(str(k) for k in stored_snapshots
                                  if recomputed.get(k) != stored_snapshots[k]),
}))
'''


def inspect(database_url: str) -> dict:
    moved = json.dumps([[old_app, model, new_app] for (old_app, model), new_app in MOVED.items()])
    code = INSPECT.replace("MOVED_JSON", repr(moved))
    out = manage(database_url, "shell", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


# Tables a data migration since the release adds rows to (the defaults seeded on write).
SEEDED = ("ideas_evaluationcriterion", "projects_gatechecklistitem")


def check(url: str, prefix: str) -> list[str]:
    problems: list[str] = []
    release, fresh, trip = f"{prefix}_release", f"{prefix}_fresh", f"{prefix}_roundtrip"
    migrated_trip = f"{prefix}_migrated_trip"
    release_url, fresh_url = with_database(url, release), with_database(url, fresh)

    say(f"loading release 0.1.0 ({DUMP.name}) into {release}")
    recreate(url, release)
    load_dump(url, release)
    before = row_counts(url, release)
    say(f"release 0.1.0: {len(before)} tables, {sum(before.values())} rows")

    say(f"migrating {release} with this code")
    manage(release_url, "migrate", "--no-input", "-v", "0")
    say(f"migrating a fresh {fresh} with this code")
    recreate(url, fresh)
    manage(fresh_url, "migrate", "--no-input", "-v", "0")

    say("comparing the schemas (pg_dump --schema-only, both after a round trip)")
    round_trip(url, fresh, trip)
    round_trip(url, release, migrated_trip)
    migrated_schema, fresh_schema = schema(url, migrated_trip), schema(url, trip)
    if migrated_schema != fresh_schema:
        import difflib

        diff = list(difflib.unified_diff(fresh_schema, migrated_schema, "fresh", "migrated",
                                         lineterm="", n=1))
        problems.append("schemas differ:\n" + "\n".join(diff[:80]))
    else:
        say(f"schemas equal ({len(fresh_schema)} lines)")

    say("comparing the data")
    after = row_counts(url, release)
    for table, count in sorted(before.items()):
        if table == "django_migrations":
            continue
        if table not in after:
            problems.append(f"table {table} is gone (it held {count} rows)")
        elif table in ("django_content_type", "auth_permission", *SEEDED):
            # New models add content types; ideas 0009 and projects 0012 seed the default
            # criteria and checklists of organisations that had none: these only grow.
            if after[table] < count:
                problems.append(f"{table}: {count} rows before, {after[table]} after")
        elif after[table] != count:
            problems.append(f"{table}: {count} rows before, {after[table]} after")
    new_tables = sorted(set(after) - set(before))
    say(f"row counts: {len(before) - 1} tables compared; new tables {new_tables}")

    result = inspect(release_url)
    for label, ct in sorted(result["content_types"].items()):
        if not ct["new"] or ct["old_left"] or ct["permissions"] < 4:
            problems.append(f"content type of {label}: {ct}")
    say(f"content types and permissions of {len(result['content_types'])} moved models")
    if not result["lineage_equal"]:
        problems.append("Initiative.adopted_from differs from the projects' adoptions")
    if not result["anonymity_equal"]:
        problems.append("PhaseChange.anonymous_submission differs from the anonymous ideas")
    say(f"spine facts: {result['adoptions']} adoptions on the initiatives, "
        f"{result['anonymous_submissions']} anonymous submissions flagged "
        f"({result['anonymous_ideas']} anonymous ideas)")
    if not result["adoptions"] or not result["anonymous_submissions"]:
        problems.append("the release dump holds no adoption or anonymous submission to compare")
    if not result["timeline_equal"]:
        problems.append("the indicator timeline rebuilt from the history differs from the "
                        "release's")
    say(f"indicator timeline: {result['timeline_rows']} rows, rebuilt equal: "
        f"{result['timeline_equal']}")
    if result["snapshots_differing"]:
        problems.append(f"recomputed snapshots differ: {result['snapshots_differing'][:10]}")
    say(f"indicator snapshots: {result['snapshots']} stored, periods recomputed "
        f"{result['periods']}, differing: {len(result['snapshots_differing'])}")
    if not result["snapshots"] or not result["timeline_rows"]:
        problems.append("the release dump holds no indicator data to compare")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True,
                        help="postgres://user@host:port/prefix (prefix_release, prefix_fresh)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    args = parser.parse_args()
    if urlsplit(args.database_url).scheme not in ("postgres", "postgresql"):
        sys.exit("--database-url must be a PostgreSQL URL")
    prefix = urlsplit(args.database_url).path.strip("/") or "innoportal_migration_check"
    try:
        problems = check(args.database_url, prefix)
    except Failed as error:
        problems = [str(error)]
    finally:
        if not args.keep:
            for suffix in ("release", "fresh", "roundtrip", "migrated_trip"):
                try:
                    drop(args.database_url, f"{prefix}_{suffix}")
                except Failed:
                    pass
    if problems:
        print("\nFAILED:", *problems, sep="\n- ")
        sys.exit(1)
    print("\nOK: release 0.1.0 migrates to this code with the schema of a fresh database and "
          "its data intact.")


if __name__ == "__main__":
    main()
