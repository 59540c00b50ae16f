"""A request id on every log line of a request and of the background work it starts.

- `RequestIdMiddleware` takes `X-Request-ID` from the proxy (when it looks like an id) or
  makes one, keeps it in a context variable for the request, returns it in the response
  header and writes one log line per request (`LOG_REQUESTS`).
- `RequestIdFilter` puts it on every log record (`request_id`; `-` outside a request), so the
  JSON and the text formats both show it.
- Celery: `before_task_publish` stamps the current id into the message headers and
  `task_prerun` binds it in the worker (`task_postrun` restores the previous value). Tasks
  published later by the outbox flush get the id the PendingTask row kept (portal.outbox).
  Eager tasks (no Redis) run inside the request and simply keep its id.

A context variable, not a thread-local: it is right under gunicorn's threads, Celery's prefork
pool and ASGI alike. Connecting Celery's signals here is infrastructure (docs/architecture.md
"Celery and after-commit work" allows it), not a domain reaction.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import re
import time
import uuid
from collections.abc import Iterator

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.utils.functional import empty

HEADER = "X-Request-ID"
# The Celery message header that carries it.
TASK_HEADER = "request_id"
# What proxies send (nginx's $request_id is 32 hex digits, others send UUIDs or trace ids).
# Anything else — too long, spaces, control characters that could forge log lines — is
# replaced by a fresh id rather than trusted.
_ACCEPTED = re.compile(r"[A-Za-z0-9._:+=/@-]{8,128}")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_task: contextvars.ContextVar[str] = contextvars.ContextVar("task", default="")
# Context tokens of the running tasks, to restore the previous id at postrun.
_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}

request_log = logging.getLogger("innoportal.requests")


def get_request_id() -> str:
    """The id of the request (or task) this code runs for; "" outside both."""
    return _current.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """The proxy's id if it looks like one, otherwise a new one."""
    if value and _ACCEPTED.fullmatch(value):
        return value
    return new_request_id()


@contextlib.contextmanager
def request_id_bound(value: str) -> Iterator[None]:
    """Run a block as part of the request `value` (e.g. publishing a message it left)."""
    token = _current.set(value)
    try:
        yield
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    """Outermost middleware: every other middleware's log lines carry the id too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = accept_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        # Not reset when the middleware returns: Django logs a 4xx/5xx ("Not Found: …") after
        # the middleware chain, and that line belongs to the request too. request_finished
        # (below) clears it once the response is closed.
        _current.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[HEADER] = request_id
        if settings.LOG_REQUESTS:
            _log_request(request, response.status_code, time.perf_counter() - started)
        return response


@receiver(request_started, dispatch_uid="innoportal-request-id-started")
@receiver(request_finished, dispatch_uid="innoportal-request-id-finished")
def _clear(**kwargs) -> None:
    """No id leaks from one request into whatever the thread does next."""
    _current.set("")


# Load balancers and Prometheus hit these every few seconds: their log lines would drown the
# rest, and they must answer without loading the user (portal.middleware).
PROBE_PATHS = ("/healthz", "/metrics")


def _log_request(request, status: int, seconds: float) -> None:
    level = logging.DEBUG if request.path.startswith(PROBE_PATHS) else logging.INFO
    if status >= 500:
        level = logging.ERROR
    if not request_log.isEnabledFor(level):
        return
    request_log.log(level, "%s %s %s", request.method, request.path, status, extra={
        "method": request.method, "path": request.path, "status": status,
        "duration_ms": round(seconds * 1000, 1), "user_id": _loaded_user_id(request),
    })


def _loaded_user_id(request) -> int | None:
    """The user's id if the request already loaded the user. A log line never loads it: that
    would cost a query, and with the database away (a 503 answer) it would raise."""
    user = getattr(request, "user", None)
    user = getattr(user, "_wrapped", user)
    if user is None or user is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` (and `task`, in a worker) to every record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get() or "-"
        record.task = _task.get() or "-"
        return True


# --- Celery ---------------------------------------------------------------------------------

@before_task_publish.connect(dispatch_uid="innoportal-request-id-publish")
def _stamp_message(headers: dict | None = None, **kwargs) -> None:
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


@task_prerun.connect(dispatch_uid="innoportal-request-id-prerun")
def _bind_in_worker(task_id: str | None = None, task=None, **kwargs) -> None:
    # An eager task has no such header and keeps the id of the request it runs in.
    request_id = task.request.get(TASK_HEADER) if task is not None else None
    tokens = (_current.set(request_id or _current.get()),
              _task.set(f"{getattr(task, 'name', '?')}[{task_id}]"))
    if task_id:
        _task_tokens[task_id] = tokens


@task_postrun.connect(dispatch_uid="innoportal-request-id-postrun")
def _unbind_in_worker(task_id: str | None = None, **kwargs) -> None:
    tokens = _task_tokens.pop(task_id, None) if task_id else None
    if tokens is None:
        return
    current, task = tokens
    with contextlib.suppress(ValueError):  # reset from another context: nothing to restore
        _task.reset(task)
        _current.reset(current)
