"""Export of the portfolio exchange format, streamed: initiatives are read in chunks with their
phases, assessments, benefits and measurements, and written as they come, so an export of the
whole country needs little memory. Export of an import gives the same document (order aside)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal

from django.apps import apps

from exchange.importer import FORMAT
from gevinst.models import Benefit, Measurement
from initiatives.models import BenefitAssessment, Initiative, PhaseChange
from portal.models import Organisation
from projects.models import Project

CHUNK = 2000
CONFIDENTIAL_TITLE = "Konfidensielt initiativ"


def _number(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def export_portfolio(*, organisations=None) -> Iterator[str]:
    """Yield the JSON document in pieces. `organisations`: a queryset to limit the export."""
    orgs = (organisations if organisations is not None else Organisation.objects.all())
    orgs = orgs.order_by("org_number")
    yield '{"format":' + _dump(FORMAT) + ',"organisations":['
    for n, org in enumerate(orgs.prefetch_related("attribute_history").iterator(chunk_size=CHUNK)):
        row = {"org_number": org.org_number, "name": org.name, "kind": org.kind,
               "county": org.county, "population": org.population}
        # Optional in the format: written when known, so a file without them round-trips.
        for name in ("municipality_number", "county_number"):
            if getattr(org, name):
                row[name] = getattr(org, name)
        history = sorted(org.attribute_history.all(), key=lambda a: a.valid_from)
        # Optional too: left out when it says nothing beyond the current values (one row with
        # them), so a file without it round-trips; the import dates such values on its day.
        if len(history) > 1 or (history and (history[0].county, history[0].population)
                                != (org.county, org.population)):
            row["history"] = [{"from": a.valid_from.isoformat(), "county": a.county,
                                  "population": a.population} for a in history]
        yield ("," if n else "") + _dump(row)
    yield '],"initiatives":['
    initiatives = (Initiative.objects.filter(organisation__in=orgs)
                   .exclude(phase="draft").order_by("pk")
                   .values_list("pk", "key", "organisation__org_number", "title", "track"))
    first = True
    chunk: list[tuple] = []
    for row in initiatives.iterator(chunk_size=CHUNK):
        chunk.append(row)
        if len(chunk) >= CHUNK:
            for item in _items(chunk):
                yield ("" if first else ",") + _dump(item)
                first = False
            chunk = []
    for item in _items(chunk):
        yield ("" if first else ",") + _dump(item)
        first = False
    yield "]}"


def _items(rows: list[tuple]) -> Iterator[dict]:
    if not rows:
        return
    ids = [r[0] for r in rows]
    phases = defaultdict(list)
    for pk, phase, on in (PhaseChange.objects.filter(initiative_id__in=ids)
                          .order_by("effective_date", "id")
                          .values_list("initiative_id", "to_phase", "effective_date")):
        phases[pk].append({"phase": phase, "on": on.isoformat()})
    assessments = defaultdict(list)
    for pk, d, k, s, on in (BenefitAssessment.objects.filter(initiative_id__in=ids)
                            .order_by("assessed_on", "id")
                            .values_list("initiative_id", "dimension", "kind", "score",
                                         "assessed_on")):
        assessments[pk].append({"dimension": d, "kind": k, "score": s, "on": on.isoformat()})
    projects = {p["initiative_id"]: p for p in Project.objects.filter(initiative_id__in=ids)
                .values("pk", "initiative_id", "need", "visibility",
                        "adopted_from__initiative__key",
                        "adopted_from__organisation__org_number")}
    needs, idea_visibility, confidential = {}, {}, set()
    try:
        Idea = apps.get_model("ideas", "Idea")
    except LookupError:
        Idea = None
    if Idea is not None:
        for pk, need, visibility, secret in (Idea.objects.filter(initiative_id__in=ids)
                                             .values_list("initiative_id", "need", "visibility",
                                                          "is_confidential")):
            needs[pk], idea_visibility[pk] = need, visibility
            if secret:
                confidential.add(pk)
    benefits = defaultdict(list)
    project_ids = [p["pk"] for p in projects.values()]
    benefit_rows = list(Benefit.objects.filter(project_id__in=project_ids).order_by("pk")
                        .values("pk", "project__initiative_id", "key", "title", "type",
                                "dimension", "unit", "direction", "baseline_value",
                                "baseline_on", "target_value", "target_on", "nok_per_unit",
                                "periods_per_year"))
    measurements = defaultdict(list)
    for benefit_id, on, value in (Measurement.objects
                                  .filter(benefit_id__in=[b["pk"] for b in benefit_rows])
                                  .order_by("measured_on", "id")
                                  .values_list("benefit_id", "measured_on", "value")):
        measurements[benefit_id].append({"on": on.isoformat(), "value": _number(value)})
    for b in benefit_rows:
        item = {"key": b["key"], "title": b["title"], "type": b["type"],
                "dimension": b["dimension"], "unit": b["unit"], "direction": b["direction"],
                "baseline": _number(b["baseline_value"]),
                "baseline_on": b["baseline_on"].isoformat(),
                "target": _number(b["target_value"]), "target_on": b["target_on"].isoformat(),
                "measurements": measurements[b["pk"]]}
        if b["nok_per_unit"] is not None:
            item["nok_per_unit"] = _number(b["nok_per_unit"])
            item["periods_per_year"] = _number(b["periods_per_year"])
        benefits[b["project__initiative_id"]].append(item)
    for pk, key, org_number, title, track in rows:
        project = projects.get(pk)
        need = project["need"] if project else needs.get(pk, "")
        if pk in confidential:
            # Confidential ideas never leave the organisation: the file keeps their dated
            # history (the indicators reproduce) but not what they are about.
            title, need = CONFIDENTIAL_TITLE, ""
        item = {
            "key": key, "organisation": org_number, "title": title,
            "need": need,
            "track": track,
            "visibility": project["visibility"] if project else idea_visibility.get(
                pk, "organisation"),
            "adopted_from": project["adopted_from__initiative__key"] if project else None,
            "phases": phases[pk], "assessments": assessments[pk], "benefits": benefits[pk],
        }
        if item["adopted_from"] is not None:
            # Keys are unique per organisation: the origin is the key in its organisation.
            item["adopted_from_organisation"] = project["adopted_from__organisation__org_number"]
        yield item
