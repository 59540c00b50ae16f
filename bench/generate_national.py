#!/usr/bin/env python3
"""Write a deterministic portfolio exchange file (innoportal-portfolio/1) at national scale.

    python bench/generate_national.py --seed 1 [--out bench/out/national-1.json] [--scale 1.0]

357 municipalities with a realistic spread of populations (all three size classes), 20 health
trusts, about 120 000 initiatives over ten years (2016–2025) with about 450 000 phase changes
(a share rejected, parked and resumed, stopped, stepped back, fast-tracked and adopted),
about 200 000 assessments and 40 000 benefits with 240 000 measurements. Every phase list
follows docs/domain.md's rules, so the file imports cleanly. Needs only the standard library.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import random
import sys
from collections.abc import Iterator
from pathlib import Path

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
COUNTIES = ["Østfold", "Akershus", "Buskerud", "Innlandet", "Vestfold", "Telemark", "Agder",
            "Rogaland", "Vestland", "Møre og Romsdal", "Trøndelag", "Nordland", "Troms",
            "Finnmark"]
ORDER = ["idea", "concept", "pilot", "implementation", "benefit_realisation", "spread"]
START, END = datetime.date(2016, 1, 1), datetime.date(2025, 12, 31)
# Measurements are facts: none after this day (the date policy refuses the future). A fixed day
# rather than today, so that a seed always gives the same file.
MEASURED_UNTIL = datetime.date(2026, 11, 30)
DIMENSIONS = ["user", "economic", "organisational"]
BENEFIT_TEMPLATES = [
    ("Spart tid på nattlig tilsyn", "time_saved", "organisational", "timer/uke", "decrease",
     40, 28, 620, 52),
    ("Færre reiser i hjemmetjenesten", "time_saved", "organisational", "kjøretimer/uke",
     "decrease", 60, 45, 450, 52),
    ("Unngåtte sykehjemsplasser", "avoided_costs", "economic", "plasser", "decrease",
     12, 9, 1_300_000, 1),
    ("Færre feilmedisineringer", "quality", "user", "avvik/måned", "decrease", 14, 5, None, None),
    ("Økt opplevd trygghet", "quality", "user", "score 1–5", "increase", 3, 4, None, None),
]


# Titles and needs read like real intake (the similar-ideas suggestion searches them): a
# welfare technology or service change, a place or group, and a need. Drawn from a random
# generator of their own, so the portfolio's numbers are the same as without texts.
TITLE_WHAT = ["Digitalt nattilsyn", "Medisindispenser", "Elektroniske dørlåser",
              "Mobil trygghetsalarm", "GPS-lokalisering", "Ruteplanlegging",
              "Sensorbasert fallvarsling", "Videokonsultasjon", "Digital hjemmeoppfølging",
              "Responssenter for velferdsteknologi", "Kameratilsyn", "Smarte sengesensorer",
              "Robotstøvsuger", "Skjermbesøk", "Digital tilsynsplan", "Felles kjøkken",
              "Hverdagsrehabilitering", "Læringsnettverk", "Digitale søknadsskjemaer",
              "Selvbetjent timebestilling", "Varslingsløsning for pårørende",
              "Automatisk vaktplan", "Elektronisk medisinrom",
              "Kunstig intelligens i saksbehandling"]
TITLE_WHERE = ["i hjemmetjenesten", "på sykehjem", "i omsorgsboliger", "for personer med demens",
               "i psykisk helse og rus", "for barn og unge", "i barnevernet", "i NAV-kontoret",
               "i helsestasjonen", "for hjemmeboende eldre", "i bofellesskap",
               "for personer med funksjonsnedsettelse", "i legevakten", "i skolehelsetjenesten"]
NEEDS = ["Nattlige tilsynsbesøk vekker brukerne og tar mye tid for nattpatruljen.",
         "Feilmedisinering skjer når mange ansatte deler ansvaret for dosene.",
         "Ansatte bruker mye tid på å lete etter nøkler til boligene.",
         "Brukere som går seg vill blir funnet for sent.",
         "Lange kjøreruter gir lite tid hos brukerne.",
         "Fall om natten blir oppdaget først ved neste tilsyn.",
         "Pårørende ringer ofte for å høre hvordan det går.",
         "Søknader kommer inn på papir og må tastes inn på nytt.",
         "Ventetiden på time er lang og mange møter ikke opp.",
         "Vaktplanen lages for hånd hver uke og endres ofte.",
         "Mange brukere er ensomme og har få besøk i hverdagen.",
         "Saksbehandlingen tar lang tid fordi opplysninger mangler."]


def texts(rng: random.Random, n: int) -> tuple[str, str]:
    title = f"{rng.choice(TITLE_WHAT)} {rng.choice(TITLE_WHERE)}"
    if rng.random() < 0.5:
        title += f" ({n + 1})"
    need = " ".join(rng.sample(NEEDS, k=rng.choice([1, 1, 2])))
    return title, need


def org_number(rng: random.Random, used: set[str]) -> str:
    while True:
        digits = [9] + [rng.randrange(10) for _ in range(7)]
        remainder = sum(d * w for d, w in zip(digits, WEIGHTS)) % 11
        check = 0 if remainder == 0 else 11 - remainder
        if check == 10:
            continue
        number = "".join(map(str, digits)) + str(check)
        if number not in used:
            used.add(number)
            return number


def population(rng: random.Random) -> int:
    # Log-normal around Norway's median municipality (~5 000), clamped to the real range.
    return max(200, min(720_000, int(math.exp(rng.gauss(math.log(5_200), 1.15)))))


def day(rng: random.Random, lo: int, hi: int) -> int:
    return rng.randint(lo, hi)


def walk(rng: random.Random, start: datetime.date, first: str, track: str):
    """A phase history that follows the rules: one step forward, fast-track skip, one step
    back, park and resume where it stopped, stop; ideas may be rejected, merged or parked."""
    phases = [(first, start)]
    current, on = first, start
    parked_from = None
    while True:
        on = on + datetime.timedelta(days=day(rng, 20, 420))
        if on > END:
            break
        if current == "idea":
            r = rng.random()
            if r < 0.22:
                phases.append(("rejected", on))
                break
            if r < 0.25:
                phases.append(("merged", on))
                break
            if r < 0.29:
                parked_from, current = "idea", "parked"
            else:
                current = "pilot" if track == "fast_track" else "concept"
        elif current == "parked":
            if rng.random() < 0.45:
                break
            current, parked_from = parked_from, None
        elif current == "spread":
            break
        else:
            r = rng.random()
            index = ORDER.index(current)
            if r < 0.06:
                phases.append(("stopped", on))
                break
            if r < 0.10:
                parked_from, current = current, "parked"
            elif r < 0.13 and index > 1:
                current = ORDER[index - 1]
            elif r < 0.22:
                break  # still there today
            elif current == "concept" and track == "fast_track" and rng.random() < 0.5:
                current = "implementation"
            else:
                current = ORDER[index + 1]
        phases.append((current, on))
    return phases


def generate(seed: int, scale: float = 1.0) -> tuple[list[dict], Iterator[dict]]:
    """The organisations, and the initiatives one at a time (ten times the national volume
    does not fit in memory as one document)."""
    rng = random.Random(seed)
    text_rng = random.Random(f"texts-{seed}")
    used: set[str] = set()
    organisations = []
    for i in range(357):
        organisations.append({"org_number": org_number(rng, used),
                              "name": f"Benchkommune {i + 1:03d}", "kind": "municipality",
                              "county": COUNTIES[i % len(COUNTIES)],
                              "population": population(rng)})
    organisations[0].update(name="Benchkommune Oslo", county="Oslo", population=717_710)
    for i in range(20):
        organisations.append({"org_number": org_number(rng, used),
                              "name": f"Benchhelseforetak {i + 1:02d}", "kind": "health_trust",
                              "county": COUNTIES[i % len(COUNTIES)], "population": None})
    weights = [(o["population"] or 300_000) ** 0.55 for o in organisations]
    total_initiatives = int(120_000 * scale)
    owners = rng.choices(range(len(organisations)), weights=weights, k=total_initiatives)
    return organisations, _initiatives(rng, text_rng, seed, organisations, owners)


def _initiatives(rng, text_rng, seed, organisations, owners):
    span = (END - START).days
    shareable: list[tuple[str, int, datetime.date]] = []  # key, org index, reached impl
    for n, owner in enumerate(owners):
        key = f"b{seed}-{n:06d}"
        start = START + datetime.timedelta(days=rng.randrange(span))
        track = rng.choices(["full", "fast_track", "commercial"], [0.78, 0.17, 0.05])[0]
        adopted_from = None
        first = "idea"
        if shareable and rng.random() < 0.06:
            origin_key, origin_owner, reached = shareable[rng.randrange(len(shareable))]
            if origin_owner != owner:
                adopted_from = origin_key
                first = rng.choice(["concept", "pilot"])
                start = max(start, reached)
        phases = walk(rng, start, first, track)
        title, need = texts(text_rng, n)
        visibility = rng.choices(["organisation", "network", "public"], [0.5, 0.2, 0.3])[0]
        initiative = {
            "key": key, "organisation": organisations[owner]["org_number"],
            "title": title, "need": need,
            "track": track, "visibility": visibility, "adopted_from": adopted_from,
            "phases": [{"phase": p, "on": d.isoformat()} for p, d in phases],
            "assessments": [], "benefits": [],
        }
        reached = {p: d for p, d in phases}
        if "concept" in reached or "pilot" in reached:
            on = reached.get("concept") or reached["pilot"]
            for dim in rng.sample(DIMENSIONS, k=rng.choice([1, 2, 2, 3])):
                initiative["assessments"].append(
                    {"dimension": dim, "kind": "expected", "score": rng.randint(1, 3),
                     "on": on.isoformat()})
        if "implementation" in reached:
            impl = reached["implementation"]
            if visibility != "organisation":
                shareable.append((key, owner, impl))
            initiative["assessments"].append(
                {"dimension": rng.choice(DIMENSIONS), "kind": "realised",
                 "score": rng.randint(0, 3), "on": impl.isoformat()})
            n_benefits = 0 if rng.random() < 0.28 else (1 if rng.random() < 0.9 else 2)
            for b in range(n_benefits):
                template = BENEFIT_TEMPLATES[rng.randrange(len(BENEFIT_TEMPLATES))]
                title, btype, dim, unit, direction, base, target, nok, periods = template
                baseline_on = impl - datetime.timedelta(days=30)
                measurements = []
                value = base
                for m in range(6):
                    m_on = impl + datetime.timedelta(days=60 * (m + 1))
                    if m_on > MEASURED_UNTIL:
                        break
                    value = value + rng.uniform(-0.35, 0.2) * (base - target)
                    measurements.append({"on": m_on.isoformat(), "value": round(value, 1)})
                benefit = {"key": f"{key}-g{b}", "title": title, "type": btype,
                           "dimension": dim, "unit": unit, "direction": direction,
                           "baseline": base, "baseline_on": baseline_on.isoformat(),
                           "target": target,
                           "target_on": (impl + datetime.timedelta(days=365)).isoformat(),
                           "measurements": measurements}
                if nok is not None:
                    benefit.update(nok_per_unit=nok, periods_per_year=periods)
                initiative["benefits"].append(benefit)
        yield initiative


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="times the national volume: 0.02 for a smoke run, 10 for growth")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    if args.scale <= 0:
        parser.error("--scale must be positive")
    organisations, initiatives = generate(args.seed, args.scale)
    out = args.out or Path(__file__).parent / "out" / f"national-{args.seed}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    stats = dict.fromkeys(["initiatives", "phase_changes", "assessments", "benefits",
                           "measurements", "adopted"], 0)
    # Streamed, one initiative at a time: memory stays flat at any scale.
    with out.open("w", encoding="utf-8") as f:
        f.write('{"format":"innoportal-portfolio/1","organisations":')
        json.dump(organisations, f, ensure_ascii=False, separators=(",", ":"))
        f.write(',"initiatives":[')
        for n, initiative in enumerate(initiatives):
            if n:
                f.write(",")
            json.dump(initiative, f, ensure_ascii=False, separators=(",", ":"))
            stats["initiatives"] += 1
            stats["phase_changes"] += len(initiative["phases"])
            stats["assessments"] += len(initiative["assessments"])
            stats["benefits"] += len(initiative["benefits"])
            stats["measurements"] += sum(len(b["measurements"])
                                         for b in initiative["benefits"])
            stats["adopted"] += bool(initiative["adopted_from"])
        f.write("]}")
    print(json.dumps({"file": str(out), "organisations": len(organisations), **stats,
                      "size_MB": round(out.stat().st_size / 1e6, 1)}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
