"""Shared by bench/load.py and bench/faults.py: gunicorn on a free loopback port, the bench
users (a manager of the largest municipalities, with an API token), a small HTTP client and
latency statistics. Loopback only; every process started here is stopped by its caller."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "bench-load-Passord-2025"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, redis_url: str | None = None, **extra: str) -> dict:
    """Production settings (DEBUG off) for a loopback server without TLS."""
    env = dict(os.environ)
    env.update(DATABASE_URL=database_url, DEBUG="false", SECRET_KEY="bench-only-secret-key-0123",
               SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false", STATIC_MANIFEST="false",
               ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
               DJANGO_SETTINGS_MODULE="innoportal.settings",
               LOG_LEVEL="WARNING",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")])))
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def setup_django(env: dict) -> None:
    """Configure Django in this process with the same settings the server gets."""
    for key in ("DATABASE_URL", "DEBUG", "SECRET_KEY", "SECURE_SSL_REDIRECT", "SECURE_COOKIES",
                "STATIC_MANIFEST", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE", "LOG_LEVEL",
                "REDIS_URL"):
        if key in env:
            os.environ[key] = env[key]
        else:
            os.environ.pop(key, None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Gunicorn:
    env: dict
    workers: int = 2 * (os.cpu_count() or 1) + 1
    port: int = field(default_factory=free_port)
    timeout: int = 60
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, log_path: Path) -> None:
        self.log_path = log_path
        log = open(log_path, "w")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "innoportal.wsgi:application",
             "--bind", self.base, "--workers", str(self.workers),
             "--timeout", str(self.timeout), "--graceful-timeout", "5",
             "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {log_path}")
            try:
                status, _body, _h = request(self.base, "GET", "/healthz", timeout=5)
                if status in (200, 503):
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 60 s; see {log_path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def worker_pids(self) -> set[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True,
                             text=True).stdout
        return {int(p) for p in out.split()}


def request(base: str, method: str, path: str, *, headers: dict | None = None,
            body: dict | None = None, timeout: float = 30) -> tuple[int, bytes, dict]:
    """One request on a fresh connection (gunicorn's sync workers close after each)."""
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        data = None
        headers = dict(headers or {})
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        return response.status, content, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def cookies_from(headers_list: list[tuple[str, str]]) -> dict:
    jar = {}
    for name, value in headers_list:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key.strip()] = val.strip()
    return jar


def login(base: str, username: str, password: str = BENCH_PASSWORD) -> dict:
    """Log in through the real login form; returns the Cookie header for the session."""
    host, port = base.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    response.read()
    jar = cookies_from(response.getheaders())
    conn.close()
    token = jar["csrftoken"]
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.request("POST", "/accounts/login/", body=urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Cookie": f"csrftoken={token}", "Referer": f"http://{base}/accounts/login/"})
    response = conn.getresponse()
    response.read()
    jar.update(cookies_from(response.getheaders()))
    conn.close()
    if response.status != 302 or "sessionid" not in jar:
        raise RuntimeError(f"login of {username} failed: HTTP {response.status}")
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())}


def bench_users(*, organisations: int = 5, username: str = "bench-load-manager") -> dict:
    """(Django must be set up.) A manager of the largest municipalities with a password and a
    fresh API token; returns username, token, organisation numbers, project and idea ids."""
    from portal.models import Membership, Organisation, User
    from portal.roles import Role
    from portal.services import api_token_create
    from projects.models import Project

    user, _created = User.objects.get_or_create(username=username,
                                                defaults={"email": f"{username}@example.no"})
    user.set_password(BENCH_PASSWORD)
    user.save(update_fields=["password"])
    largest = list(Organisation.objects.filter(kind="municipality")
                   .order_by("-population")[:organisations])
    for org in largest:
        Membership.objects.get_or_create(user=user, organisation=org,
                                         defaults={"role": Role.MANAGER})
    _token, key = api_token_create(user=user, name="bench")
    projects = list(Project.objects.filter(organisation__in=largest)
                    .order_by("pk").values_list("pk", flat=True)[:500])
    return {"username": username, "token": key,
            "org_numbers": [o.org_number for o in largest], "projects": projects}


def machine_reference() -> float:
    """Seconds this machine takes for a fixed piece of pure Python (the median of three
    runs of a 5-million-step loop): printed beside the figures, so those of two hosts (the
    shared machine varies, and sessions run on different ones) can be told apart from a
    change of the code (the shared machine on 07.12.2026: 0.49 s)."""
    times = []
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(5_000_000):
            total += i
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]
