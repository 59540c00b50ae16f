"""A serving process settles its memory once it is ready (portal.runtime, issue 18)."""

import gc
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal.runtime import settle_worker

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process goes on as it was


def test_settling_freezes_the_start_up_objects_out_of_full_collections(unfrozen):
    assert gc.get_freeze_count() == 0
    frozen = settle_worker()
    # A frozen object that is freed leaves the permanent generation (another thread of the
    # worker, say a finished live server's, may drop one just now): at most a few fewer.
    assert 0 <= frozen - gc.get_freeze_count() <= 100 and frozen > 10_000


def test_settling_loads_the_url_resolver_first(unfrozen):
    """reverse() on every page reads the resolver's lookups: built before the freeze, they
    are frozen with the rest instead of walked by every full collection."""
    from django.urls import clear_url_caches, get_resolver

    clear_url_caches()
    assert not get_resolver()._populated
    settle_worker()
    assert get_resolver()._populated


def test_each_gunicorn_worker_settles_after_loading_the_application(monkeypatch):
    """gunicorn.conf.py's post_worker_init hook (gunicorn calls it once the worker has loaded
    the application) is settle_worker; tests/ops/test_metrics.py boots real workers with it."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    called = []
    monkeypatch.setattr("portal.runtime.settle_worker", lambda: called.append(True) or 1)
    conf.post_worker_init(worker=None)
    assert called == [True]


def test_settling_makes_the_cache_backends_before_the_freeze():
    """The first page a worker serves used to import the Redis client when it first touched
    the cache (50-90 ms). A fresh process: after django.setup() the cache module is not loaded;
    after settle_worker() it is, without a connection (the Redis here is never reached)."""
    script = ("import django, json, sys; django.setup(); before = 'portal.cache' in sys.modules; "
              "from portal.runtime import settle_worker; settle_worker(); "
              "print(json.dumps([before, 'portal.cache' in sys.modules]))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "innoportal.test_settings",
           "REDIS_URL": "redis://127.0.0.1:1/0"}
    env.pop("CACHE_URL", None)
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [False, True]
