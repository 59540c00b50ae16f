"""Demo portfolio: a realistic multi-year history of welfare-technology and service
innovations in the demo municipalities, loaded through the portfolio exchange import (so it
goes through the same validation and writers as any import). The benefit work on it
(gevinst.demo) and the indicators (indicators.demo) follow."""

from __future__ import annotations

import io
import json

from exchange.importer import import_portfolio
from portal import demo_data

HOME, NEIGHBOUR = demo_data.DEMO_HOME, demo_data.DEMO_NEIGHBOUR
TOLGA, OS, ALVDAL = "940192404", "943464723", "939984194"
TRONDHEIM, BERGEN = "942110464", "964338531"


def _i(key, org, title, need, phases, *, track="full", visibility="network", adopted_from=None,
       assessments=(), benefits=()):
    return {"key": f"demo-{key}", "organisation": org, "title": title, "need": need,
            "track": track, "visibility": visibility,
            "adopted_from": f"demo-{adopted_from}" if adopted_from else None,
            "phases": [{"phase": p, "on": on} for p, on in phases],
            "assessments": [{"dimension": d, "kind": k, "score": s, "on": on}
                            for d, k, s, on in assessments],
            "benefits": list(benefits)}


def _benefit(key, title, btype, dim, unit, direction, base, base_on, target, target_on,
             measurements, nok=None, periods=None):
    item = {"key": f"demo-{key}", "title": title, "type": btype, "dimension": dim,
            "unit": unit, "direction": direction, "baseline": base, "baseline_on": base_on,
            "target": target, "target_on": target_on,
            "measurements": [{"on": on, "value": v} for on, v in measurements]}
    if nok is not None:
        item.update(nok_per_unit=nok, periods_per_year=periods)
    return item


INITIATIVES = [
    _i("tilsyn", HOME, "Digitalt nattilsyn i hjemmetjenesten",
       "Nattpatruljen bruker mye tid på tilsynsbesøk som forstyrrer søvnen til brukerne.",
       [("idea", "2023-01-16"), ("concept", "2023-03-01"), ("pilot", "2023-06-12"),
        ("implementation", "2024-02-05"), ("benefit_realisation", "2025-01-13"),
        ("spread", "2025-09-01")], visibility="public",
       assessments=[("user", "expected", 2, "2023-03-01"), ("organisational", "expected", 3,
                                                            "2023-03-01"),
                    ("user", "realised", 3, "2024-06-01"),
                    ("organisational", "realised", 2, "2024-06-01")],
       benefits=[_benefit("tilsyn-tid", "Færre nattlige tilsynsbesøk", "time_saved",
                          "organisational", "timer/uke", "decrease", 40, "2023-06-01", 25,
                          "2025-06-01", [("2024-03-01", 36), ("2024-09-01", 31),
                                         ("2025-03-01", 27), ("2025-09-01", 26)],
                          nok=620, periods=52),
                 _benefit("tilsyn-sovn", "Bedre nattesøvn for brukerne", "quality", "user",
                          "andel som sover godt (%)", "increase", 55, "2023-06-01", 80,
                          "2025-06-01", [("2024-06-01", 68), ("2025-06-01", 77)])]),
    _i("dosett", HOME, "Medisindispensere for hjemmeboende",
       "Mange hjemmebesøk går bare til å gi medisiner til faste tider.",
       [("idea", "2023-09-04"), ("concept", "2023-10-02"), ("pilot", "2024-03-04"),
        ("implementation", "2025-02-03")], visibility="network",
       assessments=[("economic", "expected", 2, "2023-10-02"), ("user", "expected", 2,
                                                                 "2023-10-02"),
                    ("economic", "realised", 2, "2025-05-01")],
       benefits=[_benefit("dosett-besok", "Færre medisinbesøk", "time_saved", "organisational",
                          "besøk/uke", "decrease", 120, "2024-02-01", 70, "2025-12-31",
                          [("2025-04-01", 95), ("2025-10-01", 82)], nok=310, periods=52)]),
    _i("ruter", HOME, "Digital ruteplanlegging i hjemmetjenesten",
       "Kjørelister lages for hånd hver morgen og gir lange kjøreruter.",
       [("idea", "2024-01-08"), ("concept", "2024-02-12"), ("implementation", "2024-09-02")],
       track="fast_track", visibility="public",
       assessments=[("organisational", "expected", 2, "2024-02-12"),
                    ("organisational", "realised", 1, "2025-03-01")],
       benefits=[_benefit("ruter-km", "Kortere kjøring", "avoided_costs", "economic",
                          "km/uke", "decrease", 2100, "2024-08-01", 1800, "2025-08-01",
                          [("2025-02-01", 2180)], nok=5, periods=52)]),
    _i("laas", HOME, "Elektroniske dørlåser", "Nøkkelbokser er tungvinte og usikre.",
       [("idea", "2023-05-02"), ("concept", "2023-08-21"), ("pilot", "2024-01-15"),
        ("stopped", "2024-11-04")], visibility="network",
       assessments=[("organisational", "expected", 1, "2023-08-21")]),
    _i("skjerm", HOME, "Skjermbesøk for psykisk helse",
       "Brukere i psykisk helsetjeneste ønsker hyppigere, kortere kontakt.",
       [("idea", "2024-04-02"), ("concept", "2024-05-06"), ("parked", "2024-10-07"),
        ("concept", "2025-04-07"), ("pilot", "2025-09-15")],
       assessments=[("user", "expected", 3, "2024-05-06")]),
    _i("sensor", HOME, "Fallsensorer på sykehjemmet", "Fall om natten oppdages for sent.",
       [("idea", "2025-03-10"), ("concept", "2025-05-12")],
       assessments=[("user", "expected", 2, "2025-05-12")]),
    _i("robot", HOME, "Robotstøvsuger i barnehagene", "Renhold tar tid fra barna.",
       [("idea", "2025-06-02"), ("rejected", "2025-08-18")], visibility="organisation"),
    _i("vikar", HOME, "Felles vikarpool i helse og omsorg", "Vikarinnleie tar tid hver dag.",
       [("idea", "2026-03-09")], visibility="organisation"),
    _i("sms", HOME, "SMS-varsling før hjemmebesøk", "Brukere vet ikke når tjenesten kommer.",
       [("idea", "2026-05-04")], visibility="organisation"),
    # Neighbours adopt Tynset's solutions (network and public sharing).
    _i("roros-tilsyn", NEIGHBOUR, "Digitalt nattilsyn (etter Tynset)",
       "Samme behov som i Tynset: mange nattlige tilsyn.",
       [("pilot", "2025-02-03"), ("implementation", "2025-10-06")], adopted_from="tilsyn",
       assessments=[("user", "expected", 2, "2025-02-03")]),
    _i("tolga-tilsyn", TOLGA, "Digitalt nattilsyn – Tolga", "Få ansatte på natt.",
       [("concept", "2025-11-03")], adopted_from="tilsyn"),
    _i("os-ruter", OS, "Ruteplanlegging – Os", "Lange avstander i hjemmetjenesten.",
       [("pilot", "2025-01-13"), ("implementation", "2025-06-02")], adopted_from="ruter"),
    _i("alvdal-dosett", ALVDAL, "Medisindispensere – Alvdal", "Mange medisinbesøk.",
       [("idea", "2024-10-01"), ("concept", "2024-11-04"), ("pilot", "2025-05-05")],
       assessments=[("economic", "expected", 2, "2024-11-04")]),
    _i("roros-kafe", NEIGHBOUR, "Dagtilbud med frivillige", "Ensomhet blant eldre.",
       [("idea", "2024-02-05"), ("concept", "2024-04-02"), ("pilot", "2024-09-02")]),
    _i("trd-varsling", TRONDHEIM, "Lokaliseringsteknologi for personer med demens",
       "Personer med demens går seg bort.",
       [("idea", "2022-03-01"), ("concept", "2022-05-02"), ("pilot", "2022-10-03"),
        ("implementation", "2023-06-05"), ("benefit_realisation", "2024-06-03")],
       visibility="public", assessments=[("user", "realised", 3, "2023-09-01")]),
    _i("bgo-chat", BERGEN, "Chat med hjemmetjenesten", "Telefonkøen er lang.",
       [("idea", "2023-02-01"), ("concept", "2023-04-03"), ("pilot", "2023-09-04")],
       visibility="public"),
]


def document() -> dict:
    orgs = {o["org_number"]: o for o in demo_data.MUNICIPALITIES + demo_data.HEALTH_TRUSTS}
    used = sorted({i["organisation"] for i in INITIATIVES})
    return {"format": "innoportal-portfolio/1",
            "organisations": [{k: orgs[n][k] for k in ("org_number", "name", "kind", "county",
                                                        "population")} for n in used],
            "initiatives": INITIATIVES}


def load(*, home, neighbour, stdout) -> None:
    result = import_portfolio(io.BytesIO(json.dumps(document()).encode()))
    stdout.write(f"Demo portfolio: {result.summary()}.")
