"""gunicorn's settings for Innoportal. gunicorn reads ./gunicorn.conf.py from the working
directory by default, so the Dockerfile's and docker-compose.yml's commands need no flag.

Metrics under several workers (ops/metrics.py): each worker process keeps its own counters, and
a scrape reaches one worker at random. prometheus_client's multiprocess mode fixes that: every
worker writes its values to files in PROMETHEUS_MULTIPROC_DIR and the worker answering a scrape
sums the files of all of them. The variable must be set before a worker imports
prometheus_client, so it is set here, in the master, before the workers are forked.
"""

import os
import tempfile
from pathlib import Path

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # One directory per master: two gunicorns on one machine never add up each other's counts.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(
        tempfile.gettempdir(), f"innoportal-metrics-{os.getpid()}")


def on_starting(server) -> None:
    """Start from zero: files left by a previous master would be summed into this one's."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker) -> None:
    """A worker that exits (restart, timeout, max-requests) stops counting in live gauges; its
    counters and histograms stay in the sums, as Prometheus expects of a counter."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker) -> None:
    """The worker has loaded the application: settle its memory (portal/runtime.py), so the
    garbage collector no longer walks the start-up objects on every full collection."""
    from portal.runtime import settle_worker

    settle_worker()
