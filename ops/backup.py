"""Backup and restore of a whole site: the database and the uploaded attachments in one archive.

The archive (`innoportal-backup/1`) is a tar file holding

- `manifest.json`: format, release, when, the database vendor and server version, the
  migrations applied, and the size and SHA-256 of every other member;
- `database.pgdump` (PostgreSQL: `pg_dump --format=custom`, one consistent snapshot — pg_dump
  reads everything in one repeatable-read transaction while the site keeps running) or
  `database.sqlite3` (SQLite: the sqlite3 online backup API, equally consistent);
- `media/…`: every file under MEDIA_ROOT.

The database is dumped first and the attachments copied after it: an attachment row is
committed only after its file is written, so every attachment the dumped rows name is already
on disk when the files are copied (files uploaded during the backup may come along without a
row; they are harmless).

Restoring checks every checksum before it writes anything, refuses a database that already
has tables and a MEDIA_ROOT that already has files unless `force` is given, refuses a backup
whose migrations this code does not know (it comes from a newer release), and restores the
PostgreSQL dump into an empty database in one transaction (`pg_restore --single-transaction
--exit-on-error`; with `force` the database is emptied first), so a failed restore leaves no
half-restored tables behind.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from portal.version import app_version

FORMAT = "innoportal-backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"
MEDIA = "media"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    seconds: float

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass
class RestoreResult:
    manifest: dict
    seconds: float
    media_files: int
    unapplied_migrations: list[str] = field(default_factory=list)


# --- database connection details -------------------------------------------------------------

def _vendor(db: dict) -> str:
    engine = db["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"Backup of the database engine {engine} is not supported.")


def _pg_env(db: dict) -> dict:
    """libpq's variables for the pg_* tools: no password on a command line (ps shows it)."""
    env = dict(os.environ)
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                          ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if db.get(key):
            env[variable] = str(db[key])
    env["PGCONNECT_TIMEOUT"] = str(db.get("OPTIONS", {}).get("connect_timeout", 10))
    return env


def _pg_connect(db: dict, name: str | None = None):
    import psycopg2

    return psycopg2.connect(dbname=name or db["NAME"], user=db.get("USER") or None,
                            password=db.get("PASSWORD") or None, host=db.get("HOST") or None,
                            port=db.get("PORT") or None, connect_timeout=10)


def _run(command: list[str], env: dict) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(f"{command[0]} was not found: install the PostgreSQL client "
                          "(Debian: apt-get install postgresql-client).")
    result = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _tool_version(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        return ""
    return subprocess.run([path, "--version"], capture_output=True, text=True).stdout.strip()


def _applied_migrations(conn) -> dict[str, list[str]]:
    """Per app, the migrations recorded in the database's django_migrations table."""
    applied: dict[str, list[str]] = {}
    with conn.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            applied.setdefault(app, []).append(name)
    return applied


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, path.relative_to(root).as_posix()


# --- backup ---------------------------------------------------------------------------------

def default_backup_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.BACKUP_DIR) / f"innoportal-{app_version()}-{stamp}.tar"


def create_backup(path: Path | None = None) -> BackupResult:
    """Write the archive to `path` (a new file; never overwrites one)."""
    started = time.perf_counter()
    path = Path(path or default_backup_path())
    if path.exists():
        raise BackupError(f"{path} exists already; choose another name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    vendor = _vendor(db)
    members: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="innoportal-backup-") as scratch:
        scratch_dir = Path(scratch)
        if vendor == "postgresql":
            dump_name = PG_DUMP
            # Custom format: compressed, and pg_restore can restore it in one transaction.
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  "--file", str(scratch_dir / dump_name)], _pg_env(db))
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                server_version = cursor.fetchone()[0]
            tool = _tool_version("pg_dump")
        else:
            dump_name = SQLITE_DUMP
            # Through Django's own connection: also right for the test suite's in-memory
            # database, which another connection would not see.
            connection.ensure_connection()
            target = sqlite3.connect(str(scratch_dir / dump_name))
            try:
                connection.connection.backup(target)
            finally:
                target.close()
            server_version, tool = sqlite3.sqlite_version, "sqlite3 backup API"
        dump = scratch_dir / dump_name
        members[dump_name] = {"size": dump.stat().st_size, "sha256": _sha256(dump)}
        # After the dump (see the module docstring): every file the rows name is on disk.
        media_root = Path(settings.MEDIA_ROOT)
        media = list(_media_files(media_root))
        for file, relative in media:
            members[f"{MEDIA}/{relative}"] = {"size": file.stat().st_size,
                                               "sha256": _sha256(file)}
        connection.ensure_connection()
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "app_version": app_version(),
            "django_version": django.get_version(),
            "database": {"vendor": vendor, "file": dump_name, "server_version": server_version,
                         "tool": tool},
            "migrations": _applied_migrations(connection),
            "media_files": len(media),
            "members": members,
        }
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(body), int(time.time())
            archive.addfile(info, io.BytesIO(body))
            archive.add(dump, arcname=dump_name)
            for file, relative in media:
                archive.add(file, arcname=f"{MEDIA}/{relative}")
        partial.rename(path)  # a finished archive or none: never a half-written one
    return BackupResult(path=path, manifest=manifest, seconds=time.perf_counter() - started)


# --- restore --------------------------------------------------------------------------------

def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        member = archive.getmember(MANIFEST)
    except KeyError:
        raise BackupError("This is not an Innoportal backup: it has no manifest.json.") from None
    manifest = json.load(archive.extractfile(member))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest


def _safe_member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"The backup holds an unsafe path: {name}")
    return path


def _extract_verified(archive: tarfile.TarFile, manifest: dict, into: Path) -> None:
    """Every member the manifest lists, with its checksum; nothing else."""
    listed = manifest["members"]
    present = {m.name for m in archive.getmembers() if m.isfile()} - {MANIFEST}
    missing, extra = sorted(set(listed) - present), sorted(present - set(listed))
    if missing or extra:
        raise BackupError(f"The backup does not match its manifest (missing {missing[:5]}, "
                          f"not listed {extra[:5]}).")
    for name, expected in listed.items():
        relative = _safe_member_path(name)
        target = into / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        with archive.extractfile(name) as source, target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected["sha256"]:
            raise BackupError(f"Checksum mismatch for {name}: the backup is damaged.")


def _unknown_migrations(manifest: dict) -> list[str]:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return sorted(f"{app}.{name}" for app, names in manifest["migrations"].items()
                  for name in names if (app, name) not in known)


def _unapplied_after_restore(manifest: dict) -> list[str]:
    applied = {(app, name) for app, names in manifest["migrations"].items() for name in names}
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    return sorted(f"{app}.{name}" for app, name in known if (app, name) not in applied)


def _pg_has_tables(db: dict) -> bool:
    import psycopg2

    try:
        conn = _pg_connect(db)
    except psycopg2.OperationalError as error:
        if "does not exist" in str(error):
            return False
        raise BackupError(f"Cannot reach PostgreSQL: {error}") from None
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN "
                           "('pg_catalog', 'information_schema')")
            return cursor.fetchone()[0] > 0
    finally:
        conn.close()


def _pg_prepare(db: dict, *, wipe: bool) -> None:
    """Create the database if the server does not have it; with `wipe`, empty it."""
    import psycopg2
    from psycopg2 import sql

    try:
        _pg_connect(db).close()
    except psycopg2.OperationalError as error:
        if "does not exist" not in str(error):
            raise BackupError(f"Cannot reach PostgreSQL: {error}") from None
        admin = _pg_connect(db, "postgres")
        admin.autocommit = True
        try:
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        finally:
            admin.close()
        return
    if wipe:
        conn = _pg_connect(db)
        try:
            with conn, conn.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        finally:
            conn.close()


def _sqlite_has_tables(path: Path) -> bool:
    if not path.exists():
        return False
    conn = sqlite3.connect(str(path))
    try:
        return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                            ).fetchone()[0] > 0
    finally:
        conn.close()


def restore_backup(archive_path: Path, *, database: dict | None = None,
                   media_root: Path | None = None, force: bool = False) -> RestoreResult:
    """Restore into `database` (a settings.DATABASES entry; default: this site's) and
    `media_root` (default MEDIA_ROOT)."""
    started = time.perf_counter()
    db = database or settings.DATABASES["default"]
    media_root = Path(media_root or settings.MEDIA_ROOT)
    vendor = _vendor(db)
    if not Path(archive_path).is_file():
        raise BackupError(f"No such backup: {archive_path}")
    with tarfile.open(archive_path, "r") as archive, \
            tempfile.TemporaryDirectory(prefix="innoportal-restore-") as scratch:
        manifest = read_manifest(archive)
        if manifest["database"]["vendor"] != vendor:
            raise BackupError(f"The backup is of a {manifest['database']['vendor']} database; "
                              f"the target is {vendor}.")
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                f"The backup comes from a newer release ({manifest['app_version']}): this code "
                f"does not know its migrations {unknown[:5]}. Restore it with that release.")
        # Refuse before anything is written.
        if vendor == "postgresql":
            occupied = _pg_has_tables(db)
        else:
            occupied = _sqlite_has_tables(Path(db["NAME"]))
        if occupied and not force:
            raise BackupError(f"The database {db['NAME']} is not empty; restoring would "
                              "replace it. Use --force to replace it.")
        existing_media = next(_media_files(media_root), None)
        if existing_media and not force:
            raise BackupError(f"{media_root} already holds files; use --force to replace "
                              "them.")
        scratch_dir = Path(scratch)
        _extract_verified(archive, manifest, scratch_dir)

        # Everything is verified: now write. The database first.
        dump = scratch_dir / manifest["database"]["file"]
        if vendor == "postgresql":
            _pg_prepare(db, wipe=occupied)
            _run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction",
                  "--exit-on-error", "--dbname", db["NAME"], str(dump)], _pg_env(db))
        else:
            target_path = Path(db["NAME"])
            target_path.parent.mkdir(parents=True, exist_ok=True)
            source = sqlite3.connect(str(dump))
            target = sqlite3.connect(str(target_path))
            try:
                source.backup(target)  # replaces the whole target database
            finally:
                target.close()
                source.close()
        if existing_media:
            shutil.rmtree(media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        restored_media = scratch_dir / MEDIA
        count = 0
        if restored_media.is_dir():
            for file in sorted(restored_media.rglob("*")):
                if file.is_file():
                    destination = media_root / file.relative_to(restored_media)
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(file), destination)
                    count += 1
    return RestoreResult(manifest=manifest, seconds=time.perf_counter() - started,
                         media_files=count,
                         unapplied_migrations=_unapplied_after_restore(manifest))


def describe(manifest: dict) -> str:
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    return (f"Innoportal {manifest['app_version']}, {manifest['database']['vendor']} "
            f"{manifest['database']['server_version']}, {manifest['media_files']} attachments, "
            f"made {timezone.localtime(created):%Y-%m-%d %H:%M}")
