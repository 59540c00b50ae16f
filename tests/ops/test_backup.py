"""manage.py backup / restore at a small scale, on the database the suite runs on (PostgreSQL
with pg_dump/pg_restore, or SQLite with the backup API): everything comes back equal, and a
restore refuses to overwrite or to use a damaged archive, writing nothing."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ideas.models import Attachment
from ops.backup import BackupError, create_backup, restore_backup
from tests.ideas.factories import make_idea

# pg_dump sees committed rows only. serialized_rollback, as every transactional test here: the
# flush afterwards would drop the rows data migrations made (point scheme standard-1).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def site(media, employee, home_org):
    idea = make_idea(employee, home_org)
    for name, content in (("plan.pdf", b"%PDF-1.4 plan"), ("bilde.png", b"\x89PNG bilde")):
        attachment = Attachment(idea=idea, original_name=name, content_type="x", size=len(content),
                                uploaded_by=employee)
        attachment.file.save(name, ContentFile(content), save=True)
    return idea


@pytest.fixture
def target(tmp_path):
    """A database to restore into: a fresh PostgreSQL database or SQLite file."""
    if not settings.IS_POSTGRES:
        yield {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "restored.db")}
        return
    db = dict(settings.DATABASES["default"])
    db["NAME"] = f"{connection.settings_dict['NAME']}_restored"
    _drop(db)
    yield db
    _drop(db)


def _drop(db: dict) -> None:
    from ops.backup import _pg_connect

    admin = _pg_connect(db, "postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db["NAME"]}"')
    admin.close()


def _connect(db: dict | None):
    """A plain DB-API connection (no Django type converters, so both sides read alike) to a
    restored database, or to the suite's own (None)."""
    if db is None:
        db = {**settings.DATABASES["default"], "NAME": connection.settings_dict["NAME"]}
        if not settings.IS_POSTGRES:  # the suite's in-memory database, shared in-process
            return sqlite3.connect(db["NAME"], uri=True)
    if db["ENGINE"].endswith("sqlite3"):
        return sqlite3.connect(db["NAME"])
    from ops.backup import _pg_connect

    return _pg_connect(db)


def table_digests(db: dict | None) -> dict[str, str]:
    """Per table, a digest of all its rows in a stable order: equal digests, equal data."""
    conn = _connect(db)
    cursor = conn.cursor()
    if settings.IS_POSTGRES:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                       "AND name NOT LIKE 'sqlite_%'")
    digests = {}
    for (table,) in sorted(cursor.fetchall()):
        cursor.execute(f'SELECT * FROM "{table}"')
        rows = sorted(repr(row) for row in cursor.fetchall())
        digests[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    conn.close()
    return digests


def target_is_empty(db: dict) -> bool:
    from ops.backup import _pg_has_tables, _sqlite_has_tables

    if db["ENGINE"].endswith("sqlite3"):
        return not _sqlite_has_tables(Path(db["NAME"]))
    return not _pg_has_tables(db)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_backup_restores_into_a_fresh_database_with_everything_equal(site, media, target,
                                                                       tmp_path):
    before = table_digests(None)
    attachments = files(media)
    assert len(attachments) == 2
    result = create_backup(tmp_path / "site.tar")

    manifest = result.manifest
    assert manifest["format"] == "innoportal-backup/1" and manifest["media_files"] == 2
    assert manifest["database"]["vendor"] == ("postgresql" if settings.IS_POSTGRES else "sqlite")
    assert "0001_heartbeat" in manifest["migrations"]["ops"]
    assert all(len(m["sha256"]) == 64 for m in manifest["members"].values())

    restored_media = tmp_path / "restored-media"
    restored = restore_backup(result.path, database=target, media_root=restored_media)
    assert restored.media_files == 2 and restored.unapplied_migrations == []
    assert table_digests(target) == before
    assert "ideas_attachment" in before and "portal_organisation" in before
    assert files(restored_media) == attachments


def test_restore_refuses_a_database_that_has_tables_and_changes_nothing(site, target, tmp_path):
    archive = create_backup(tmp_path / "site.tar").path
    restore_backup(archive, database=target, media_root=tmp_path / "m1")
    restored = table_digests(target)
    with pytest.raises(BackupError, match="not empty.*--force"):
        restore_backup(archive, database=target, media_root=tmp_path / "m2")
    assert table_digests(target) == restored
    assert not (tmp_path / "m2").exists()
    # Told to, it replaces the database.
    restore_backup(archive, database=target, media_root=tmp_path / "m2", force=True)
    assert table_digests(target) == restored


def test_restore_refuses_attachments_that_exist(site, target, tmp_path):
    archive = create_backup(tmp_path / "site.tar").path
    occupied = tmp_path / "occupied"
    (occupied / "ideas").mkdir(parents=True)
    (occupied / "ideas" / "keep.pdf").write_bytes(b"mine")
    with pytest.raises(BackupError, match="already holds files"):
        restore_backup(archive, database=target, media_root=occupied)
    assert files(occupied) == {"ideas/keep.pdf": b"mine"}
    assert target_is_empty(target)


def _rewrite(archive: Path, out: Path, change) -> Path:
    """A copy of the archive with change(name, data) -> data applied to every member."""
    with tarfile.open(archive) as source, tarfile.open(out, "w") as copy:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return out


def test_a_damaged_archive_is_refused_before_anything_is_written(site, target, tmp_path):
    archive = create_backup(tmp_path / "site.tar").path
    damaged = _rewrite(archive, tmp_path / "damaged.tar",
                       lambda name, data: data + b"!" if name.startswith("media/") else data)
    with pytest.raises(BackupError, match="Checksum mismatch.*damaged"):
        restore_backup(damaged, database=target, media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists()
    assert target_is_empty(target)


def test_a_backup_from_a_newer_release_is_refused(site, target, tmp_path):
    archive = create_backup(tmp_path / "site.tar").path

    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["ideas"].append("9999_from_the_future")
        manifest["app_version"] = "9.9.9"
        return json.dumps(manifest).encode()

    with pytest.raises(BackupError, match=r"newer release \(9\.9\.9\).*9999_from_the_future"):
        restore_backup(_rewrite(archive, tmp_path / "newer.tar", newer), database=target,
                       media_root=tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, db):
    plain = tmp_path / "plain.tar"
    with tarfile.open(plain, "w") as archive:
        archive.addfile(tarfile.TarInfo("hello.txt"), io.BytesIO(b""))
    with pytest.raises(BackupError, match="no manifest"):
        restore_backup(plain, media_root=tmp_path / "m")
    with pytest.raises(BackupError, match="No such backup"):
        restore_backup(tmp_path / "missing.tar", media_root=tmp_path / "m")


def test_the_commands_back_up_and_restore(site, media, target, tmp_path, capsys):
    call_command("backup", "--output", str(tmp_path / "cmd.tar"))
    out, err = capsys.readouterr()
    assert out.strip() == str(tmp_path / "cmd.tar")
    assert "2 attachments" in err and "archive" in err
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(tmp_path / "cmd.tar"))
    url = (f"sqlite:///{target['NAME']}" if not settings.IS_POSTGRES else
           f"postgres://{target.get('USER') or ''}@{target.get('HOST') or '127.0.0.1'}:"
           f"{target.get('PORT') or 5432}/{target['NAME']}")
    call_command("restore", str(tmp_path / "cmd.tar"), "--database-url", url,
                 "--media-root", str(tmp_path / "cmd-media"))
    assert "Restored" in capsys.readouterr().err
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(tmp_path / "cmd.tar"), "--database-url", url,
                     "--media-root", str(tmp_path / "cmd-media-2"))
    with pytest.raises(CommandError, match="engine nonsense is not supported"):
        call_command("restore", str(tmp_path / "cmd.tar"), "--database-url", "nonsense://x")
