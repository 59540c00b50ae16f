#!/usr/bin/env python3
"""Start the production shape on this machine and prove it serves.

    .venv/bin/python scripts/production_smoke.py [--database-url URL] [--redis-url URL]

Production settings (DEBUG off, a SECRET_KEY, PostgreSQL, Redis, behind a TLS proxy) run exactly
the steps and processes of docker-compose.yml: `check --deploy --fail-level WARNING`, the
`migrate` service's command, `collectstatic` (the Dockerfile's), and the `web`, `worker` and
`beat` services' commands, read from docker-compose.yml so the two cannot drift apart. Then it
loads the demo, asks for `/healthz`, signs in through the login form, reads signed-in pages,
starts an indicator recompute through the API and waits until the worker has finished it, and
waits until beat has sent a task. Exits 1 with the failing step and the processes' logs.

The database named in --database-url is dropped and created afresh, so never point it at data
you keep. `.ci/run` runs this on every submission.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)
BIN = PY.parent


class SmokeFailure(Exception):
    pass


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compose_commands() -> dict[str, list[str]]:
    """The services' commands as docker-compose.yml gives them."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    commands = {}
    for name, service in compose["services"].items():
        command = service.get("command")
        if command:
            commands[name] = shlex.split(command) if isinstance(command, str) else list(command)
    missing = {"migrate", "web", "worker", "beat"} - commands.keys()
    if missing:
        raise SmokeFailure(f"docker-compose.yml has no command for {sorted(missing)}")
    return commands


def local(command: list[str], *, port: int, workdir: Path) -> list[str]:
    """A compose command run from this venv, on loopback, with scratch files in workdir."""
    out = []
    for arg in command:
        if arg in ("python", "gunicorn", "celery"):
            arg = str(PY) if arg == "python" else str(BIN / arg)
        arg = arg.replace("0.0.0.0:8000", f"127.0.0.1:{port}")
        arg = arg.replace("/tmp/celerybeat-schedule", str(workdir / "celerybeat-schedule"))
        out.append(arg)
    return out


def recreate_database(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SmokeFailure(f"refusing to recreate database {name!r}")
    import psycopg2

    admin = psycopg2.connect(urllib.parse.urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


class Client:
    """A browser's worth of HTTP: cookies, CSRF, and the X-Forwarded-Proto a TLS proxy sets."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, method: str, path: str, *, data: dict | None = None,
                json_body: dict | None = None,
                extra_headers: dict | None = None) -> tuple[int, dict, bytes]:
        headers = {"X-Forwarded-Proto": "https",
                   "Referer": self.base.replace("http://", "https://", 1) + path,
                   **(extra_headers or {})}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        csrf = self.cookie("csrftoken")
        if csrf and method != "GET":
            headers["X-CSRFToken"] = csrf
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=30) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def cookie(self, name: str) -> str | None:
        # Secure cookies: the jar keeps them, but only sends them over https, so read them here.
        return next((c.value for c in self.jar if c.name == name), None)

    def sign_in(self, username: str, password: str) -> None:
        status, _, page = self.request("GET", "/accounts/login/")
        expect(status == 200, f"GET /accounts/login/ answered {status}")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        expect(token is not None, "the login form has no CSRF token")
        status, headers, _ = self.request("POST", "/accounts/login/", data={
            "csrfmiddlewaretoken": token.group(1).decode(), "username": username,
            "password": password})
        expect(status == 302, f"signing in as {username} answered {status}, not a redirect")
        expect(self.cookie("sessionid") is not None, "no session cookie after signing in")
        for cookie in self.jar:
            if cookie.name in ("sessionid", "csrftoken"):
                expect(cookie.secure, f"the {cookie.name} cookie is not Secure")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class PlainHttpCookiePolicy(http.cookiejar.DefaultCookiePolicy):
    """The smoke speaks plain HTTP to gunicorn, as a TLS-terminating proxy does, so the jar must
    keep and send the Secure cookies that urllib would otherwise keep for https only."""

    def set_ok(self, cookie, request):
        return True

    def return_ok(self, cookie, request):
        return True


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def wait_for(check, *, seconds: float, what: str, procs: dict) -> object:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for name, proc in procs.items():
            if proc.poll() is not None:
                raise SmokeFailure(f"{name} exited with {proc.returncode} while waiting for {what}")
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise SmokeFailure(f"timed out after {seconds:.0f} s waiting for {what}")


def run_step(title: str, command: list[str], env: dict) -> None:
    say(title + ": " + " ".join(Path(c).name if c.startswith("/") else c for c in command))
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode:
        raise SmokeFailure(
            f"{title} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url",
                        default="postgres://postgres@127.0.0.1:5432/innoportal_production_smoke")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="innoportal-smoke-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL", "DATABASE_URL")}
    env.update({
        "DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url, "SITE_URL": f"https://127.0.0.1:{port}",
        "BEHIND_TLS_PROXY": "true", "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"), "PYTHONUNBUFFERED": "1",
        "METRICS_TOKEN": secrets.token_urlsafe(32),
    })
    procs: dict[str, subprocess.Popen] = {}
    logs: dict[str, Path] = {}
    try:
        commands = compose_commands()
        recreate_database(args.database_url)
        subprocess.run([str(PY), "-c", "import redis, sys; redis.Redis.from_url(sys.argv[1])"
                        ".flushdb()", args.redis_url], check=True)
        manage = [str(PY), "manage.py"]
        run_step("deploy checks", [*manage, "check", "--deploy", "--fail-level", "WARNING"], env)
        run_step("migrate (compose service `migrate`)",
                 local(commands["migrate"], port=port, workdir=workdir), env)
        run_step("collectstatic", [*manage, "collectstatic", "--noinput", "-v0"], env)
        for name in ("web", "worker", "beat"):
            command = local(commands[name], port=port, workdir=workdir)
            say(f"starting {name}: " + " ".join(Path(c).name if c.startswith("/") else c
                                                 for c in command))
            logs[name] = workdir / f"{name}.log"
            procs[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=logs[name].open("w"),
                                           stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        client = Client(base)
        client.jar.set_policy(PlainHttpCookiePolicy())

        def healthy():
            try:
                status, _, body = client.request("GET", "/healthz")
            except OSError:
                return False
            return status == 200 and json.loads(body)
        health = wait_for(healthy, seconds=60, what="GET /healthz → 200", procs=procs)
        say(f"/healthz: {health}")
        expect(health.get("checks", {}).get("redis") == "ok", f"/healthz sees no Redis: {health}")

        run_step("load the demo", [*manage, "load_demo"], env)
        client.sign_in("leder", "innoportal-demo")
        for path in ("/", "/ideas/", "/projects/", "/dashboard/", "/indicators/"):
            status, headers, _ = client.request("GET", path)
            expect(status == 200, f"GET {path} signed in as leder answered {status}")
            expect("Strict-Transport-Security" in headers, f"GET {path} has no HSTS header")
        say("signed-in pages: 200")

        client = Client(base)
        client.jar.set_policy(PlainHttpCookiePolicy())
        client.sign_in("admin", "innoportal-demo")
        status, _, body = client.request("GET", "/api/v1/me/")  # also sets the CSRF cookie
        expect(status == 200, f"GET /api/v1/me/ answered {status}")
        org_number = json.loads(body)["memberships"][0]["organisation"]["org_number"]
        status, _, body = client.request("POST", "/api/v1/indicators/jobs/", json_body={
            "year": time.localtime().tm_year, "organisation": org_number})
        expect(status == 202, f"POST /api/v1/indicators/jobs/ answered {status}: {body[:300]!r}")
        job = json.loads(body)

        def finished():
            status, _, body = client.request("GET", f"/api/v1/indicators/jobs/{job['id']}/")
            state = json.loads(body).get("state") if status == 200 else None
            if state == "failed":
                raise SmokeFailure(f"the recompute job failed: {body[:300]!r}")
            return state == "succeeded"
        wait_for(finished, seconds=90, what="the worker to finish the recompute job", procs=procs)
        say("the worker ran the recompute job to the end")

        # The consumers of written rows run on the worker: an idea's status change, committed
        # by the web process, becomes a notice there (portal.consumers).
        client = Client(base)
        client.jar.set_policy(PlainHttpCookiePolicy())
        client.sign_in("koordinator", "innoportal-demo")
        status, _, body = client.request("GET", "/api/v1/me/")
        expect(status == 200, f"GET /api/v1/me/ answered {status}")
        own = json.loads(body)["memberships"][0]["organisation"]["org_number"]
        status, _, body = client.request("GET", "/api/v1/ideas/?page_size=200")
        expect(status == 200, f"GET /api/v1/ideas/ answered {status}")
        submitted = [i["id"] for i in json.loads(body)["results"]
                     if i["status"] == "submitted" and i["organisation"] == own]
        expect(bool(submitted), "the demo has no submitted idea to review")
        status, _, body = client.request("POST", f"/api/v1/ideas/{submitted[0]}/review/",
                                         json_body={})
        expect(status == 200, f"POST …/review/ answered {status}: {body[:300]!r}")
        count = ("from notifications.models import Notification; print(Notification.objects"
                 f".filter(idea_id={submitted[0]}, idea_event__data__new='in_review').count())")

        def noticed():
            out = subprocess.run([*manage, "shell", "-c", count], cwd=ROOT, env=env,
                                 capture_output=True, text=True)
            return out.stdout.strip() not in ("", "0")
        wait_for(noticed, seconds=90, what="the worker to write the status change's notice",
                 procs=procs)
        say("the worker turned an event into its notice")

        wait_for(lambda: "Sending due task" in logs["beat"].read_text(), seconds=90,
                 what="beat to send a task", procs=procs)
        say("beat sends its tasks")

        operator = {"Authorization": f"Bearer {env['METRICS_TOKEN']}"}

        def whole_system_ok():
            status, _, body = client.request("GET", "/healthz/full", extra_headers=operator)
            return status == 200 and json.loads(body)["status"] == "ok" and json.loads(body)
        full = wait_for(whole_system_ok, seconds=90, procs=procs,
                        what="/healthz/full → ok (worker answers, beat's heartbeat)")
        say(f"/healthz/full: ok, worker answered in {full['checks']['worker']['ms']} ms")
        status, headers, body = client.request("GET", "/metrics", extra_headers=operator)
        expect(status == 200 and b'innoportal_build_info{version=' in body
               and b"django_http_requests_latency_seconds_by_view_method" in body,
               f"GET /metrics answered {status}: {body[:300]!r}")
        status, headers, _ = client.request("GET", "/healthz",
                                            extra_headers={"X-Request-ID": "smoke-request-1"})
        expect(headers.get("X-Request-ID") == "smoke-request-1",
               f"/healthz did not return the request id: {headers}")
        web_log = [json.loads(line) for line in logs["web"].read_text().splitlines()
                   if line.startswith("{")]
        expect(any(r.get("logger") == "innoportal.requests" and r.get("request_id")
                   for r in web_log), "the web process wrote no JSON request lines")
        say("/metrics, X-Request-ID and JSON request logs: ok")
        say("PRODUCTION SHAPE OK")
        return 0
    except SmokeFailure as failure:
        print(f"PRODUCTION SHAPE FAILED: {failure}", file=sys.stderr)
        for name, path in logs.items():
            print(f"\n----- {name} log (last 40 lines) -----", file=sys.stderr)
            print("\n".join(path.read_text(errors="replace").splitlines()[-40:]), file=sys.stderr)
        return 1
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
