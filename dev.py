#!/usr/bin/env python3
"""Set-up and run Innoportal with nothing but Python 3.11.

    python3 dev.py run     # venv, install, migrate, demo data, start http://127.0.0.1:8000
    python3 dev.py test    # venv, install (with test tools), run the whole test suite

Dependencies come from the lock files (requirements/base.txt for run, requirements/dev.txt for
test; scripts/lock.sh makes them from pyproject.toml), installed with pip --require-hashes.

DATABASE_URL and REDIS_URL are passed through: unset, the site uses SQLite and runs Celery
tasks eagerly; set, it uses PostgreSQL and Redis (and `run` starts a Celery worker and beat).
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("INNOPORTAL_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def lock_file(extras: list[str]) -> Path:
    """The lock (scripts/lock.sh): every dependency, transitive ones too, pinned with hashes."""
    return ROOT / "requirements" / ("dev.txt" if "dev" in extras else "base.txt")


def ensure_venv(extras: list[str]) -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"Innoportal needs Python 3.11; this is {sys.version.split()[0]}.")
    if not PY.exists():
        say(f"Creating virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = lock_file(extras)
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = VENV / ".innoportal-requirements"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"Installing the locked dependencies ({lock.relative_to(ROOT)})")
    # --require-hashes: a package whose file differs from the one locked is refused.
    subprocess.run([PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "--require-hashes", "-r", lock], check=True)
    stamp.write_text(digest)


CREATE_DATABASE = """
import sys, psycopg2
from psycopg2 import sql
url = sys.argv[1]
try:
    psycopg2.connect(url).close()
except psycopg2.OperationalError as error:
    if "does not exist" not in str(error):
        sys.exit(f"Cannot reach PostgreSQL: {error}")
    name = url.rsplit("/", 1)[-1].split("?")[0]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    admin.cursor().execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    print(f"Created database {name}")
"""


def ensure_postgres_database(url: str) -> None:
    """Create the database named in DATABASE_URL if the server does not have it yet."""
    subprocess.run([PY, "-c", CREATE_DATABASE, url], check=True)


def manage(*args: str, env: dict | None = None) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=True, env=env)


def run(argv: list[str]) -> int:
    ensure_venv([])
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")
    say("Database: " + ("PostgreSQL/" + env["DATABASE_URL"].rsplit("/", 1)[-1]
                        if env.get("DATABASE_URL") else "SQLite (db.sqlite3)")
        + " · Tasks: " + ("Celery via Redis" if env.get("REDIS_URL") else "run eagerly"))
    if env.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        ensure_postgres_database(env["DATABASE_URL"])
    manage("migrate", "--noinput", env=env)
    manage("load_demo", env=env)
    children: list[subprocess.Popen] = []
    if env.get("REDIS_URL"):
        say("Starting Celery worker and beat")
        children.append(subprocess.Popen(
            [BIN / "celery", "-A", "innoportal", "worker", "--beat", "--loglevel=INFO",
             "--concurrency=2", "--schedule", str(VENV / "celerybeat-schedule")],
            cwd=ROOT, env=env))
    # Stop the worker too when we are terminated (not only on Ctrl+C).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    addr = argv[0] if argv else "127.0.0.1:8000"
    say(f"Innoportal runs at http://{addr}/  (Ctrl+C stops it)")
    try:
        return subprocess.run([PY, "manage.py", "runserver", addr], cwd=ROOT, env=env).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            child.send_signal(signal.SIGTERM)
            child.wait(timeout=20)


def test(argv: list[str]) -> int:
    ensure_venv(["dev"])
    say("Tests on " + ("PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite")
        + (" with Redis" if os.environ.get("REDIS_URL") else " without Redis"))
    # A worker per core and one more (pytest-xdist, one test database per worker). `loadscope`
    # is the suite's own scheduling (tests/scheduling.py): a file's consecutive tests on one
    # worker, so a module's world is built once, in collection order, so on every worker the
    # transactional tests (whose flush empties the database) still run after the others; the
    # extra worker runs the browser tests, which mostly wait, beside the others from the start.
    if not any(a == "-n" or a.startswith(("-n", "--numprocesses")) for a in argv):
        # The extra worker is the browser lane: a run that leaves the browser tests out
        # (`--ignore=tests/browser`, as CI's zero-setup run does) gets one worker per core.
        browser = not any(a.rstrip("/") == "--ignore=tests/browser" for a in argv)
        workers = os.environ.get("INNOPORTAL_TEST_WORKERS",
                                 str((os.cpu_count() or 1) + (1 if browser else 0)))
        argv = ["-n", workers, "--dist", "loadscope", *argv]
    env = dict(os.environ)
    if env.pop("PYTHONDONTWRITEBYTECODE", None):
        # Without bytecode every worker compiles, and pytest assertion-rewrites, every module
        # anew (~10 s CPU per worker); kept out of the sources, as the setting intends.
        env["PYTHONPYCACHEPREFIX"] = str(ROOT / ".pytest_cache" / "pycache")
    return subprocess.run([PY, "-m", "pytest", *argv], cwd=ROOT, env=env).returncode


def main() -> int:
    commands = {"run": run, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
