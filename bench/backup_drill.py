#!/usr/bin/env python3
"""Backup drill: back up the national data set, restore it into a fresh database, prove it equal.

    python bench/backup_drill.py [--build] [--scale 1.0] [--seed 1] [--year 2025]
                                 [--attachments 200] [--keep]

The source is the national bench database (`innoportal_bench` on the local PostgreSQL, or
BENCH_DATABASE_URL); `--build` (re)creates it first with `bench/indicators.py --keep` at the
given --scale (0.05 for a quick run). The drill then

1. gives the source `--attachments` uploaded attachments (random content, on random ideas) in a
   scratch MEDIA_ROOT and computes the year's indicator snapshots;
2. takes `manage.py backup` of the running source (timed; archive and dump sizes);
3. `manage.py restore`s it into a fresh database `<source>_restored` and a second MEDIA_ROOT
   (timed);
4. proves, on the restored copy: the indicator snapshot tables equal the source's, a recompute
   of the year equals the stored snapshots, the portfolio export is byte-equal to the source's
   (or, failing that, canonical-JSON-equal, reported as such), and the attachments — rows and
   file contents — are equal.

Prints PASS/FAIL per proof with timings and sizes and exits 1 on any FAIL. The restored
database and the scratch files are removed unless --keep.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/innoportal_bench"

ATTACH = """
import random, sys
from django.core.files.base import ContentFile
from ideas.models import Attachment, Idea
count, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
ids = list(Idea.objects.order_by("pk").values_list("pk", flat=True))
if not ids:
    sys.exit("the source has no ideas to attach files to")
Attachment.objects.all().delete()
for n in range(count):
    size = rng.randint(1_000, 400_000)
    content = rng.randbytes(size)
    a = Attachment(idea_id=rng.choice(ids), original_name=f"vedlegg-{n}.pdf",
                   content_type="application/pdf", size=size)
    a.file.save(f"vedlegg-{n}.pdf", ContentFile(content), save=True)
print(count)
"""

SNAPSHOTS = """
import json, sys
from indicators.models import IndicatorSnapshot
skip = {"id", "computed_at"}
fields = [f.attname for f in IndicatorSnapshot._meta.concrete_fields if f.attname not in skip]
rows = sorted(IndicatorSnapshot.objects.filter(year=int(sys.argv[1])).values_list(*fields))
print(json.dumps([[str(v) for v in row] for row in rows]))
"""

ATTACHMENTS = """
import hashlib, json
from ideas.models import Attachment
out = []
for a in Attachment.objects.order_by("pk"):
    with a.file.open("rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    out.append([a.pk, a.idea_id, a.file.name, a.original_name, a.size, digest])
print(json.dumps(out))
"""


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def child_env(database_url: str, media_root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), DEBUG="false",
               SECRET_KEY="backup-drill-only-secret-key", SECURE_SSL_REDIRECT="false",
               DJANGO_SETTINGS_MODULE="innoportal.settings", LOG_LEVEL="WARNING",
               LOG_FORMAT="text")
    return env


def manage(args: list[str], env: dict, *, stdout=None) -> tuple[float, str, str]:
    """(seconds, standard output, standard error) of a manage.py command."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                            stdout=stdout or subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return seconds, result.stdout or "", result.stderr or ""


def snippet(code: str, env: dict, *args: str) -> str:
    script = f"import sys; sys.argv = ['x', *{list(args)!r}]\n{code}"
    return manage(["shell", "--no-imports", "-c", script], env)[1].strip()


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def drop_database(url: str) -> None:
    import psycopg2

    name = url.rsplit("/", 1)[-1]
    conn = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true",
                        help="(re)build the source with bench/indicators.py --keep first")
    parser.add_argument("--scale", type=float, default=1.0, help="with --build")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--attachments", type=int, default=200)
    parser.add_argument("--keep", action="store_true",
                        help="keep the restored database and the scratch files")
    args = parser.parse_args()

    source_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    restored_url = f"{source_url}_restored"
    if args.build:
        say(f"building the source {source_url.rsplit('/', 1)[-1]} (scale {args.scale}) …")
        subprocess.run([sys.executable, str(ROOT / "bench" / "indicators.py"), "--keep",
                        "--scale", str(args.scale), "--seed", str(args.seed),
                        "--year", str(args.year), "--runs", "3"],
                       cwd=ROOT, env={**os.environ, "BENCH_DATABASE_URL": source_url},
                       check=True, stdout=subprocess.DEVNULL)
    scratch = Path(tempfile.mkdtemp(prefix="innoportal-drill-"))
    source = child_env(source_url, scratch / "media-source")
    restored = child_env(restored_url, scratch / "media-restored")
    results: list[tuple[str, bool, str]] = []
    try:
        say(f"source: {source_url.rsplit('/', 1)[-1]}; {args.attachments} attachments …")
        snippet(ATTACH, source, str(args.attachments), str(args.seed))
        seconds, _, _ = manage(["indicators", "compute", "--year", str(args.year)], source)
        say(f"source snapshots of {args.year} computed in {seconds:.1f} s")

        archive = scratch / "drill.tar"
        backup_s, _, log = manage(["backup", "--output", str(archive)], source)
        say(f"backup: {backup_s:.1f} s, archive {archive.stat().st_size / 1e6:.1f} MB "
            f"({log.strip().splitlines()[-1]})")

        drop_database(restored_url)
        restore_s, _, log = manage(["restore", str(archive), "--database-url", restored_url,
                                 "--media-root", str(scratch / "media-restored")], source)
        say(f"restore into {restored_url.rsplit('/', 1)[-1]}: {restore_s:.1f} s "
            f"({log.strip().splitlines()[-1]})")

        year = str(args.year)
        source_snapshots = snippet(SNAPSHOTS, source, year)
        restored_snapshots = snippet(SNAPSHOTS, restored, year)
        count = len(json.loads(source_snapshots))
        results.append(("snapshot tables equal", source_snapshots == restored_snapshots and
                        count > 0, f"{count} snapshots of {args.year}"))
        recompute_s, _, _ = manage(["indicators", "compute", "--year", year], restored)
        recomputed = snippet(SNAPSHOTS, restored, year)
        results.append(("recompute on the restored copy equals the stored snapshots",
                         recomputed == source_snapshots, f"recompute {recompute_s:.1f} s"))

        exports = {}
        for label, env in (("source", source), ("restored", restored)):
            path = scratch / f"export-{label}.json"
            with path.open("w") as out:
                seconds, _, _ = manage(["portfolio", "export"], env, stdout=out)
            exports[label] = (path, seconds)
        (a, a_s), (b, b_s) = exports["source"], exports["restored"]
        if sha256(a) == sha256(b):
            results.append(("portfolio export byte-equal", True,
                            f"{a.stat().st_size / 1e6:.1f} MB, export {a_s:.1f} s / {b_s:.1f} s"))
        else:
            canonical = [json.dumps(json.loads(p.read_text()), sort_keys=True) for p in (a, b)]
            results.append(("portfolio export canonical-JSON-equal (not byte-equal)",
                            canonical[0] == canonical[1], f"{a.stat().st_size / 1e6:.1f} MB"))

        source_files = snippet(ATTACHMENTS, source)
        restored_files = snippet(ATTACHMENTS, restored)
        results.append(("attachments equal (rows and file contents)",
                         source_files == restored_files and
                         len(json.loads(source_files)) == args.attachments,
                         f"{len(json.loads(source_files))} files"))
    finally:
        if not args.keep:
            drop_database(restored_url)
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            say(f"kept {restored_url.rsplit('/', 1)[-1]} and {scratch}")
    for name, passed, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {name}  ({detail})")
    print(json.dumps({"backup_s": round(backup_s, 1), "restore_s": round(restore_s, 1)}))
    return 0 if results and all(passed for _, passed, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
