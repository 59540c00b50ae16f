#!/usr/bin/env python3
"""Growth: the same figures at 1 and 10 times the national data, side by side (issue 18).

    python bench/growth.py [--scales 1,10] [--database NAME] [--reuse] [--runs 15]
                           [--json FILE]

For each scale, a database <NAME>_s<scale> (NAME default innoportal_bench; `--reuse` keeps
one that exists instead of importing again) built by bench/indicators.py --scale S --keep
(the national generator streams its file, so ten times the data — 1.2 million initiatives —
needs no more memory than once), then bench/pages.py against it. Prints one table: the list
pages and the dashboard as rendered and, for two of them, as served from the cache (targets:
within 2 x their scale-1 time), the one-organisation
recompute (2 x) and the full recompute (10 x), with the import time and peak memory beside.
`--scales 0.02,0.2` is a smoke run of a minute.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from benchdb import LOCAL_SERVER  # noqa: E402

# (figure, where it comes from, growth target as a multiple of the smallest scale's figure)
ROWS = [
    ("GET /ideas/ median ms", ("pages", "ideas", "median_ms"), 2),
    ("GET /projects/ median ms", ("pages", "projects", "median_ms"), 2),
    ("GET /projects/catalogue/ median ms", ("pages", "catalogue", "median_ms"), 2),
    ("GET /benefits/ median ms", ("pages", "benefits", "median_ms"), 2),
    ("GET /dashboard/ median ms", ("pages", "dashboard", "median_ms"), 2),
    ("similar-ideas suggestion median ms", ("pages", "similar", "median_ms"), 2),
    # The same pages served from the cache of rendered pages (bench/pages.py, "cached").
    ("GET /ideas/ from the cache median ms", ("pages", "ideas cached", "median_ms"), 2),
    ("GET /dashboard/ from the cache median ms", ("pages", "dashboard cached", "median_ms"), 2),
    ("one-organisation recompute median ms", ("indicators", "one_org_recompute_ms_median"), 2),
    ("full recompute s", ("indicators", "full_recompute_s"), 10),
    ("import s", ("indicators", "import_s"), None),
    ("import peak MB", ("indicators", "import_peak_MB"), None),
]


def exists(name: str) -> bool:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc",
                          f"SELECT 1 FROM pg_database WHERE datname = '{name}'", "postgres"],
                         capture_output=True, text=True).stdout.strip()
    return out == "1"


def run(args: list[str]) -> None:
    print("$", " ".join(args), flush=True)
    subprocess.run([sys.executable, *args], check=True, cwd=HERE.parent)


def measure(scale: float, base: str, runs: int, reuse: bool) -> dict:
    tag = f"{scale:g}".replace(".", "_")
    name = f"{base}_s{tag}"
    out = HERE / "out"
    indicators_json = out / f"growth-{name}-indicators.json"
    pages_json = out / f"growth-{name}-pages.json"
    if not (reuse and exists(name) and indicators_json.exists()):
        run([str(HERE / "indicators.py"), "--scale", str(scale), "--keep", "--database", name,
             "--runs", str(runs), "--json", str(indicators_json)])
    run([str(HERE / "pages.py"), "--database", name, "--runs", str(runs),
         "--json", str(pages_json)])
    return {"indicators": json.loads(indicators_json.read_text()),
            "pages": json.loads(pages_json.read_text())["pages"]}


def pick(figures: dict, path: tuple) -> float | None:
    value = figures
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10")
    parser.add_argument("--database", default="innoportal_bench", metavar="NAME",
                        help="prefix of the databases on the local PostgreSQL")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",")]
    if len(scales) < 2 or any(s <= 0 for s in scales):
        parser.error("--scales: at least two positive scales, the first the reference")
    if not args.database.replace("_", "").isalnum():
        parser.error("--database must be a plain database name")
    print(f"databases {args.database}_s<scale> on {LOCAL_SERVER}", flush=True)
    results = {s: measure(s, args.database, args.runs, args.reuse) for s in scales}
    first = scales[0]
    head = "".join(f"{'x' + format(s, 'g'):>12}" for s in scales)
    print(f"\n{'figure':<40}{head}{'ratio':>9}  target")
    failed = False
    for label, path, target in ROWS:
        values = [pick(results[s], path) for s in scales]
        cells = "".join(f"{v:>12.1f}" if isinstance(v, (int, float)) else f"{'–':>12}"
                        for v in values)
        ratio = (values[-1] / values[0] if isinstance(values[0], (int, float)) and values[0]
                 and isinstance(values[-1], (int, float)) else None)
        verdict = ""
        if target is not None and ratio is not None:
            ok = ratio <= target
            failed |= not ok
            verdict = f"<= {target} x {'met' if ok else 'NOT MET'}"
        print(f"{label:<40}{cells}{(f'{ratio:.2f}x' if ratio else '–'):>9}  {verdict}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({str(s): r for s, r in results.items()}, indent=2))
    print(f"\n(reference: x{first:g}; timings on a shared machine are indicative)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
