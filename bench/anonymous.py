#!/usr/bin/env python3
"""What a request costs that anybody can send without logging in, at national scale.

    python bench/indicators.py --seed 1 --keep     # once: the national data
    python bench/anonymous.py [--database NAME] [--runs 3] [--limit-ms 100] [--smoke]

An attacker needs no account to make the server work: every page and API route is found by
walking the URLconf (the URL's arguments filled from the data: the largest municipality's
number, a shared project's id) and asked anonymously. What answers with a page is asked
plainly and with crafted query strings — a page far past the end, the largest page size, a
long search text, a language and an API version nobody serves, an unknown format, a far
year — alone and all at once; what refuses (a login redirect, 401, 404) plainly and with all
of them at once. Per request: the status and the median server time through Django's test
client with production settings (DEBUG off). Prints every route found, the slowest requests
and how many took longer than `--limit-ms` (default 100 ms): each one is work an anonymous
client can ask for again and again. Against the code before 07.12.2026's fixes it flags
the schema generated anew for every `?lang=` and `?version=` and the catalogue's deep pages
read twice (5 requests over 200 ms). Exit status 1 on a 5xx, else 0 (a figure over the
limit is printed, not fatal: the machine is shared). `--smoke`: one run per request, for CI
against a small database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import add_database_argument, database_url  # noqa: E402
from serving import app_env, machine_reference, setup_django  # noqa: E402

LONG_TEXT = " ".join(f"ord{i} nattilsyn" for i in range(300))
CRAFTED = {
    "page far past the end": {"page": "99999"},
    "page below 1": {"page": "-1"},
    "largest page size": {"page_size": "500"},
    "long search text": {"q": LONG_TEXT},
    "short search words": {"q": "qx zq"},  # under three letters: no trigram index helps
    "unknown language": {"lang": "xx"},
    "unknown API version": {"version": "9"},
    "unknown format": {"format": "xml"},
    "far year": {"year": "2099", "quarter": "4"},
}
CRAFTED["all at once"] = {k: v for params in CRAFTED.values() for k, v in params.items()
                          if k != "format" and params is not CRAFTED["short search words"]}
SKIPPED_PREFIXES = ("django-admin/", "static/", "media/", "__debug__/")


def _walk(patterns, prefix=""):
    from django.urls import URLPattern, URLResolver

    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def sample_arguments() -> dict[str, str]:
    """A value for each URL argument an anonymous reader may meet: the largest municipality,
    and the newest project it shares with everybody."""
    from portal.models import Organisation
    from projects.models import Project

    organisation = Organisation.objects.order_by("-population", "pk").first()
    shared = Project.objects.filter(visibility="public").order_by("-updated_at", "-pk").first()
    values = {}
    if organisation is not None:
        values["org_number"] = organisation.org_number
    if shared is not None:
        values["pk"] = values["project_pk"] = str(shared.pk)
    return values


def anonymous_routes(values: dict[str, str]) -> list[str]:
    """The paths of every route whose arguments can be filled, without the admin and files."""
    import re

    from django.urls import get_resolver

    paths = set()
    for pattern in _walk(get_resolver().url_patterns):
        plain = pattern.replace("^", "").replace("$", "").replace("\\Z", "")
        if plain.startswith(SKIPPED_PREFIXES) or "(?P<format>" in plain or "\\." in plain:
            continue
        names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", plain)
        if any((a or b) not in values for a, b in names):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], plain)
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values[m.group(1)], path)
        if re.search(r"[\\()\[\]*+?]", path):
            continue  # a regex pattern this walk cannot fill
        paths.add("/" + path)
    return sorted(paths)


def timed(client, path: str, params: dict, runs: int) -> tuple[int, float]:
    times, status = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path, params)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return status, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_argument(parser)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--limit-ms", type=float, default=100.0)
    parser.add_argument("--show", type=int, default=15, help="how many of the slowest to list")
    parser.add_argument("--smoke", action="store_true", help="one run per request (CI)")
    args = parser.parse_args()
    runs = 1 if args.smoke else args.runs
    if runs < 1:
        parser.error("--runs must be positive")

    import os

    setup_django(app_env(database_url(args), os.environ.get("REDIS_URL")))
    from django.test import Client

    from portal.runtime import settle_worker

    client = Client()
    values = sample_arguments()
    settle_worker()
    print(f"anonymous GETs, {runs} run(s) each; limit {args.limit_ms:.0f} ms; URL arguments "
          f"{values}", flush=True)
    print(f"machine reference: {machine_reference():.2f} s for 5 M steps of Python "
          f"(bench/serving.py)", flush=True)

    routes, readable = anonymous_routes(values), []
    for path in routes:
        status, _ms = timed(client, path, {}, 1)  # warms the route up, too
        if status == 200:
            readable.append(path)
    print(f"{len(routes)} routes; {len(readable)} answer an anonymous GET with a page: "
          f"{', '.join(readable)}", flush=True)

    results, errors = [], []
    for path in routes:
        # Every crafted query on what an anonymous reader gets; on a refusal (a login
        # redirect, 401, 404) the plain request and all the crafted parameters at once.
        variants = CRAFTED if path in readable else {"all at once": CRAFTED["all at once"]}
        for label, params in {"plain": {}, **variants}.items():
            status, ms = timed(client, path, params, runs)
            results.append((ms, status, path, label))
            if status >= 500:
                errors.append(f"{status} {path} ({label})")
    results.sort(reverse=True)
    print(f"\n{'median':>8}  status  request")
    for ms, status, path, label in results[:args.show]:
        print(f"{ms:6.1f}ms  {status:>6}  {path} ({label})")
    over = [r for r in results if r[0] > args.limit_ms]
    print(f"\nSUMMARY: {len(results)} anonymous requests on {len(routes)} routes; slowest "
          f"{results[0][0]:.1f} ms; {len(over)} over {args.limit_ms:.0f} ms "
          f"({'met' if not over else 'NOT MET'})" if results else "SUMMARY: no routes")
    for line in errors:
        print(f"ERROR {line}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
