"""Start and stop the real OpenID Connect provider of tests/oidc_provider/ (a Django project on
django-oidc-provider) as a subprocess on a free loopback port, with its own SQLite database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 90


@dataclass
class RunningProvider:
    base_url: str
    process: subprocess.Popen

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/openid"

    def set_mode(self, mode: str) -> None:
        """'normal' or 'tamper-signature' (tests/oidc_provider/faults.py)."""
        response = requests.post(f"{self.base_url}/test-control/", data={"mode": mode},
                                 timeout=10)
        response.raise_for_status()


def start_provider(config: dict) -> tuple[RunningProvider, tempfile.TemporaryDirectory]:
    workdir = tempfile.TemporaryDirectory(prefix="innoportal-op-")
    config_path = Path(workdir.name) / "config.json"
    config_path.write_text(json.dumps(config), encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider.serve", str(config_path),
         str(Path(workdir.name) / "op.sqlite3")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    output = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        output.append(line)
        if line.startswith("READY "):
            # Keep draining the pipe so the provider never blocks on a full buffer.
            import threading

            threading.Thread(target=lambda: [None for _ in process.stdout],
                             daemon=True).start()
            return RunningProvider(line.split()[1], process), workdir
    process.kill()
    process.wait(timeout=10)
    workdir.cleanup()
    raise RuntimeError("The test identity provider did not start:\n" + "".join(output))


def stop_provider(provider: RunningProvider, workdir: tempfile.TemporaryDirectory) -> None:
    provider.process.terminate()
    try:
        provider.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        provider.process.kill()
        provider.process.wait(timeout=10)
    workdir.cleanup()
