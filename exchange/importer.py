"""Import of the portfolio exchange format (innoportal-portfolio/1).

All or nothing: the whole file is imported in one transaction, and any error (named by its
JSON path, e.g. `initiatives[17].phases[2].on: date before previous change`) rolls it back.
Idempotent: organisations are matched by org number, initiatives and benefits by key; a known
initiative may gain later phases, assessments and measurements, but its recorded history must
agree with the file. The file is streamed (ijson) in two passes, so memory stays flat however
large or deeply nested it is: a first, bounded pass (exchange.reader.scan) checks syntax and
nesting and settles permissions and duplicate keys before anything is written; the second
reads the initiatives, whose rows are written in bulk per batch, after validation by the same
phase rules as the gate decision service. Numbers are stored exactly or refused, never rounded.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, NamedTuple

import ijson
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from exchange.reader import FileRefused, scan, skip_bom
from exchange.rules import ALL_PHASES, history_errors, reached_implementation_on
from gevinst.history import measurements_revalidate
from gevinst.models import Benefit, BenefitType, Direction, Measurement
from ideas.models import Idea
from initiatives.assessments import assessment_series_derive
from initiatives.marks import indicators_mark_dirty
from initiatives.models import BenefitAssessment, Dimension, Initiative, PhaseChange, Track
from initiatives.phase_log import phase_changes_revalidate
from initiatives.timeline import timeline_rebuild
from portal.access import organisations_where
from portal.bulk import insert_rows
from portal.consumers import rows_written
from portal.dates import HAPPENED, PLANNED, DateKind, import_date_error
from portal.errors import DomainError, Forbidden
from portal.events import ORGANISATION_EVENTS, OrganisationEventKind
from portal.limits import MAX_NOK_PER_UNIT, MAX_PERIODS_PER_YEAR
from portal.models import (
    County,
    Organisation,
    OrganisationAttributes,
    OrganisationEvent,
    OrganisationKind,
    official_number_errors,
)
from portal.roles import Capability
from portal.validators import org_number_is_valid
from projects.access import projects_visible_to
from projects.models import Project, Visibility

FORMAT = "innoportal-portfolio/1"
BATCH = 2000
MAX_ERRORS = 100
# Phases that only a project can be in: an initiative that reached one has a Project row.
PHASES_WITH_A_PROJECT = {"concept", "pilot", "implementation", "benefit_realisation",
                         "spread", "stopped"}
IDEA_STATUS_FOR_LAST_PHASE = {"idea": "in_review", "rejected": "rejected", "merged": "merged",
                              "parked": "parked"}


class ImportFailed(DomainError):
    """The file was refused; nothing was written."""

    def __init__(self, errors: list[str]):
        shown = errors[:MAX_ERRORS]
        super().__init__("; ".join(shown[:3]) + (" …" if len(errors) > 3 else ""),
                         code="invalid_portfolio", errors={"file": shown})
        self.messages = shown


@dataclass
class ImportResult:
    organisations_created: int = 0
    organisations_updated: int = 0
    initiatives_created: int = 0
    initiatives_unchanged: int = 0
    initiatives_extended: int = 0
    phase_changes: int = 0
    assessments: int = 0
    benefits: int = 0
    measurements: int = 0
    # What the file asked for and was not done (organisation master data; see import_portfolio).
    warnings: list[str] = field(default_factory=list)
    organisation_ids: set[int] = field(default_factory=set)
    # Per organisation id: initiatives created and extended (for its audit event).
    created_by_org: Counter = field(default_factory=Counter)
    extended_by_org: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        """The counts and warnings, JSON-safe (the API's answer and the job's result)."""
        return {k: v for k, v in vars(self).items() if k != "organisation_ids"}

    def summary(self) -> str:
        return (f"{self.organisations_created} organisations created, "
                f"{self.organisations_updated} updated; {self.initiatives_created} initiatives "
                f"created, {self.initiatives_extended} extended, {self.initiatives_unchanged} "
                f"unchanged; {self.phase_changes} phase changes, {self.assessments} "
                f"assessments, {self.benefits} benefits, {self.measurements} measurements")


class Errors:
    def __init__(self):
        self.items: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(f"{path}: {message}")

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_ERRORS


# --- field readers: each returns the value or records an error at its path ----------------------

def _text(errors, obj, name, path, *, required=True, max_length=None):
    value = obj.get(name)
    if value is None or value == "":
        if required:
            errors.add(f"{path}.{name}", "required")
        return ""
    if not isinstance(value, str):
        errors.add(f"{path}.{name}", "must be a string")
        return ""
    if max_length and len(value) > max_length:
        errors.add(f"{path}.{name}", f"longer than {max_length} characters")
    if "\x00" in value:
        # PostgreSQL text cannot hold NUL; refused here rather than failing at the insert.
        errors.add(f"{path}.{name}", "contains a NUL character")
        return ""
    return value


def _choice(errors, obj, name, path, choices, default=None):
    value = obj.get(name, default)
    if isinstance(value, (dict, list)) or value not in choices:
        errors.add(f"{path}.{name}", f"must be one of {', '.join(map(str, choices))}")
        return default
    return value


def _date(errors, obj, name, path, *, today: datetime.date, kind: DateKind = HAPPENED,
          required=True):
    """A date under the date policy (portal.dates): a fact that happened by default, or a
    planned date."""
    value = obj.get(name)
    if value is None and not required:
        return None
    try:
        if not isinstance(value, str) or len(value) != 10:
            raise ValueError
        day = datetime.date.fromisoformat(value)
    except ValueError:
        errors.add(f"{path}.{name}", "must be a date YYYY-MM-DD")
        return None
    problem = import_date_error(day, kind, today)
    if problem:
        errors.add(f"{path}.{name}", problem)
        return None
    return day


def _number(errors, obj, name, path, *, column, required=True,
            maximum: Decimal | None = None):
    """A number the model's decimal `column` stores exactly: never rounded (a value the store
    cannot hold exactly is refused with its JSON path); with `maximum`, greater than 0 and at
    most that (the valuation's bounds, portal.limits)."""
    value = obj.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        errors.add(f"{path}.{name}", "must be a number")
        return None
    number = Decimal(value)
    if not number.is_finite():
        errors.add(f"{path}.{name}", "must be a number")
        return None
    places, digits = column.decimal_places, column.max_digits
    # Compare the exponent before quantizing: 1E+400 or 1E-400 would overflow the context.
    if number != 0 and number.adjusted() >= digits - places:
        errors.add(f"{path}.{name}", f"out of range (at most {digits - places} digits "
                                     "before the decimal point)")
        return None
    if maximum is not None and not 0 < number <= maximum:
        # The valuation's bounds (portal.limits): no valid benefit overflows the NOK columns.
        errors.add(f"{path}.{name}", f"must be greater than 0 and at most {maximum}")
        return None
    exact = number.as_tuple().exponent >= -places - 40  # 1E-400 would overflow quantize
    stored = number.quantize(Decimal(1).scaleb(-places)) if exact else None
    if stored != number:
        errors.add(f"{path}.{name}", f"{value} has more than {places} decimals and cannot be "
                                     "stored exactly")
        return None
    return stored


def _whole(errors, obj, name, path, *, low, high, required=True):
    value = obj.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        errors.add(f"{path}.{name}", f"must be a whole number {low}–{high}"
                   + ("" if required else " or null"))
        return None
    return value


def _column(model, name):
    return model._meta.get_field(name)


def _list(errors, obj, name, path):
    value = obj.get(name, [])
    if not isinstance(value, list):
        errors.add(f"{path}.{name}", "must be a list")
        return []
    return value


# --- the import ---------------------------------------------------------------------------------

def import_portfolio(source: IO[bytes], *, today: datetime.date | None = None,
                     actor=None, progress: Callable[[int, int], None] | None = None
                     ) -> ImportResult:
    """Import a portfolio file (a binary file object that can be rewound).

    The file is read twice: a first pass (exchange.reader.scan) with size-independent memory
    checks the syntax and nesting and collects the organisations and initiative keys, so that
    permissions and duplicates are settled before anything is written; the second reads the
    initiatives in batches inside one transaction.

    With an `actor` the file may only touch organisations the actor administers (operators,
    i.e. superusers, may import anything); without one (the command line) it is unrestricted.
    Organisation master data (name, kind, county, population) is changed only by operators and
    the command line, and every such change is recorded as an organisation event; for other
    importers a differing value is left as stored and reported in `result.warnings`.
    `progress(done, total)` is called after every batch of initiatives."""
    today = today or timezone.localdate()
    errors = Errors()
    try:
        found = scan(source)
    except FileRefused as refused:
        raise ImportFailed([str(refused)]) from None
    if found.format != FORMAT:
        errors.add("format", f"must be {FORMAT!r}")
    duplicates = [k for k, n in found.keys.items() if n > 1]
    for org_number, key in duplicates[:MAX_ERRORS]:
        errors.add("initiatives", f"key {key!r} appears more than once"
                   + (f" for organisation {org_number}" if org_number else ""))
    allowed = _allowed_org_numbers(actor)
    if allowed is not None:
        named = {r.get("org_number") for r in found.organisations if isinstance(r, dict)}
        named = {n for n in named if isinstance(n, str)} | found.initiative_organisations
        outside = sorted(named - allowed)
        if outside:
            raise Forbidden(f"Du administrerer ikke {', '.join(outside[:5])}; ingenting er "
                            "importert.")
    wanted = _validate_organisations(found.organisations, errors, today)
    if errors:
        raise ImportFailed(errors.items)
    result = ImportResult()
    with transaction.atomic():
        orgs = _import_organisations(wanted, result, actor, today)
        source.seek(0)
        skip_bom(source)
        state = _State(orgs=orgs, today=today, actor=actor if allowed is not None else None)
        batch: list[tuple[int, dict]] = []
        done = 0
        for index, item in enumerate(ijson.items(source, "initiatives.item", use_float=False)):
            batch.append((index, item))
            if len(batch) >= BATCH:
                _import_batch(batch, state, errors, result)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, found.initiatives)
            if errors.full:
                break
        if batch and not errors.full:
            _import_batch(batch, state, errors, result)
        if not errors:
            _link_adoptions(state, errors)
        if errors:
            raise ImportFailed(errors.items)
        # The indicator timeline of every organisation the file touched, in one statement.
        timeline_rebuild(organisation_ids=result.organisation_ids)
        if result.organisation_ids:
            _record_events(result, actor)
            indicators_mark_dirty(organisation_ids=result.organisation_ids,
                                  effective_date=today)
    return result


def _record_events(result: ImportResult, actor) -> None:
    """One audit event per organisation the file changed: who imported, and how much."""
    OrganisationEvent.objects.bulk_create(
        OrganisationEvent(organisation_id=org_id, actor=actor,
                          kind=OrganisationEventKind.PORTFOLIO_IMPORTED,
                          data={"initiatives_created": result.created_by_org[org_id],
                                "initiatives_extended": result.extended_by_org[org_id]})
        for org_id in sorted(result.organisation_ids))


def _allowed_org_numbers(actor) -> set[str] | None:
    if actor is None or actor.is_superuser:
        return None
    return set(organisations_where(actor, Capability.MANAGE_ORGANISATION)
               .values_list("org_number", flat=True))


def may_change_master_data(actor) -> bool:
    """Organisation master data moves an organisation between counties and size classes in the
    national statistics: only operators (superusers) and the command line change it."""
    return actor is None or actor.is_superuser


MASTER_DATA = ("name", "kind", "county", "population", "municipality_number", "county_number")
# The organisation's population column (PositiveIntegerField): what every database stores.
POPULATION_MAX = 2_147_483_647


def _validate_organisations(rows, errors, today: datetime.date) -> dict[str, tuple[str, dict]]:
    wanted = {}
    for i, row in enumerate(rows):
        path = f"organisations[{i}]"
        if not isinstance(row, dict):
            errors.add(path, "must be an object")
            continue
        number = _text(errors, row, "org_number", path)
        if number and not org_number_is_valid(number):
            errors.add(f"{path}.org_number", "not a valid organisation number (mod-11)")
        values = {
            "name": _text(errors, row, "name", path, max_length=200),
            "kind": _choice(errors, row, "kind", path, OrganisationKind.values, "municipality"),
            "county": _choice(errors, row, "county", path, ["", *County.values], ""),
            "population": _whole(errors, row, "population", path, low=0, high=POPULATION_MAX,
                                 required=False),
        }
        values.update(_official_numbers(errors, row, path, values))
        # "history" is the format's key (docs/domain.md); "attributes" is read the same way.
        given = [k for k in ("history", "attributes") if row.get(k) is not None]
        if len(given) > 1:
            errors.add(f"{path}.attributes", 'give the dated attributes once, as "history"')
        elif given:
            values["attributes"] = _attributes(errors, row, path, values, today, given[0])
        if number in wanted:
            errors.add(f"{path}.org_number", "appears more than once")
        wanted[number] = (path, values)
    _official_numbers_unique(errors, {n: v for n, (_p, v) in wanted.items()},
                             {n: p for n, (p, _v) in wanted.items()})
    return wanted


def _attributes(errors, row, path, values, today: datetime.date, key: str) -> list[dict]:
    """The organisation's dated history of county and population (optional in the file):
    a list of {"from", "county", "population"}, one entry per date, the one in force today
    equal to the organisation's own county and population."""
    entries = _list(errors, row, key, path)
    history, seen = [], set()
    for i, entry in enumerate(entries):
        at = f"{path}.{key}[{i}]"
        if not isinstance(entry, dict):
            errors.add(at, "must be an object")
            continue
        valid_from = _date(errors, entry, "from", at, today=today)
        item = {"from": valid_from,
                "county": _choice(errors, entry, "county", at, ["", *County.values], ""),
                "population": _whole(errors, entry, "population", at, low=0,
                                     high=POPULATION_MAX, required=False)}
        if valid_from in seen:
            errors.add(f"{at}.from", "appears more than once")
        if valid_from:
            seen.add(valid_from)
            history.append(item)
    history.sort(key=lambda h: h["from"])
    in_force = [h for h in history if h["from"] <= today]
    if in_force and (in_force[-1]["county"], in_force[-1]["population"]) != (
            values["county"], values["population"]):
        errors.add(f"{path}.{key}",
                   f"the entry in force today ({in_force[-1]['from'].isoformat()}) must have "
                   "the organisation's county and population")
    return history


def _history_document(history) -> list[dict]:
    """Dated attributes as the file writes them (and as an organisation event stores them)."""
    return [{"from": h["from"].isoformat(), "county": h["county"],
             "population": h["population"]} for h in history]


def _stored_attributes(organisation_ids) -> dict[int, list[dict]]:
    stored: dict[int, list[dict]] = {pk: [] for pk in organisation_ids}
    for row in (OrganisationAttributes.objects.filter(organisation__in=organisation_ids)
                .order_by("valid_from").values("organisation_id", "valid_from", "county",
                                                "population")):
        stored[row["organisation_id"]].append(
            {"from": row["valid_from"], "county": row["county"],
             "population": row["population"]})
    return stored


def _import_organisations(wanted: dict[str, tuple[str, dict]], result: ImportResult, actor,
                          today: datetime.date) -> dict[str, int]:
    existing = {o.org_number: o for o in Organisation.objects.filter(org_number__in=wanted)}
    stored_history = _stored_attributes([o.pk for o in existing.values()])
    trusted = may_change_master_data(actor)
    to_create, to_update, changes = [], [], {}
    # The dated attributes to write: the file's history replaces the stored one; without one,
    # a new organisation's values and a change of county or population are dated today.
    histories: dict[str, list[dict]] = {}
    dated_today: list[str] = []
    for number, (path, values) in wanted.items():
        history = values.pop("attributes", None)
        org = existing.get(number)
        if org is None:
            # Only operators reach here with an unknown organisation: others may import only
            # organisations they administer (checked before).
            to_create.append(Organisation(org_number=number, **values))
            if history is not None:
                histories[number] = history
            else:
                dated_today.append(number)
            continue
        changed = {k: [getattr(org, k), v] for k, v in values.items() if getattr(org, k) != v}
        if history is not None and history != stored_history[org.pk]:
            changed["attributes"] = [_history_document(stored_history[org.pk]),
                                     _history_document(history)]
        if not changed:
            continue
        if not trusted:
            result.warnings += [f"{path}.{k}: differs from the stored value"
                                + ("" if k == "attributes" else f" ({old!r})")
                                + "; not changed — organisation master data is changed by "
                                "the operators" for k, (old, _new) in changed.items()]
            continue
        for k, v in values.items():
            setattr(org, k, v)
        if set(changed) - {"attributes"}:
            to_update.append(org)
        changes[org.pk] = changed
        if "attributes" in changed:
            histories[number] = history
        elif "county" in changed or "population" in changed:
            dated_today.append(number)
    Organisation.objects.bulk_create(to_create)
    Organisation.objects.bulk_update(to_update, list(MASTER_DATA))
    organisation_ids = dict(Organisation.objects.filter(org_number__in=wanted)
                            .values_list("org_number", "pk"))
    OrganisationAttributes.objects.filter(
        organisation__in=[organisation_ids[n] for n in histories]).delete()
    OrganisationAttributes.objects.bulk_create(
        [OrganisationAttributes(organisation_id=organisation_ids[n], valid_from=h["from"],
                                county=h["county"], population=h["population"])
         for n, history in histories.items() for h in history])
    for org in Organisation.objects.filter(org_number__in=dated_today):
        org.record_attributes(today)
    # Every change of master data is recorded, with the values before and after.
    recorded = OrganisationEvent.objects.bulk_create(
        [OrganisationEvent(organisation=org, actor=actor,
                           kind=OrganisationEventKind.ORGANISATION_CREATED,
                           data={"source": "portfolio_import",
                                 "values": {k: getattr(org, k) for k in MASTER_DATA}})
         for org in to_create]
        + [OrganisationEvent(organisation_id=pk, actor=actor,
                             kind=OrganisationEventKind.ORGANISATION_CHANGED,
                             data={"source": "portfolio_import", "changes": changed})
           for pk, changed in changes.items()])
    # The new organisations' defaults (criteria, checklists) come from the consumers.
    rows_written(ORGANISATION_EVENTS, [e.pk for e in recorded
                                       if e.kind == OrganisationEventKind.ORGANISATION_CREATED],
                 kind=OrganisationEventKind.ORGANISATION_CREATED)
    result.organisations_created = len(to_create)
    result.organisations_updated = len(to_update) + len(
        [pk for pk, changed in changes.items() if set(changed) == {"attributes"}])
    return organisation_ids


# Optional in the file: absent keeps what is stored
# (docs/domain.md "Portfolio exchange format (app `exchange`)").
OFFICIAL_NUMBERS = {"municipality_number": 4, "county_number": 2}


def _official_numbers(errors, row, path, values) -> dict[str, str]:
    """The organisation's kommunenummer / fylkesnummer, as far as the file gives them: digits
    of the right length, and consistent with its kind and county."""
    found = {}
    for name, digits in OFFICIAL_NUMBERS.items():
        if name not in row:
            continue
        value = row[name]
        if value is None:
            value = ""
        if not isinstance(value, str) or (value and not (
                len(value) == digits and value.isascii() and value.isdigit())):
            errors.add(f"{path}.{name}", f"must be a string of {digits} digits, or null")
            continue
        found[name] = value
    if found:
        for name, message in official_number_errors(
                kind=values["kind"], county=values["county"] or "",
                municipality_number=found.get("municipality_number", ""),
                county_number=found.get("county_number", "")).items():
            errors.add(f"{path}.{name}", str(message))
    return found


def _official_numbers_unique(errors, wanted: dict[str, dict], paths: dict[str, str]) -> None:
    """One organisation per official number, in the file and with those already stored."""
    for name in OFFICIAL_NUMBERS:
        owners: dict[str, str] = {}
        for number, values in wanted.items():
            value = values.get(name)
            if not value:
                continue
            if value in owners:
                errors.add(f"{paths[number]}.{name}",
                           f"{value} is also given to {owners[value]}")
            owners[value] = number
        taken = (Organisation.objects.filter(**{f"{name}__in": list(owners)})
                 .values_list(name, "org_number"))
        for value, holder in taken:
            if owners[value] != holder:
                errors.add(f"{paths[owners[value]]}.{name}",
                           f"{value} belongs to organisation {holder}")


@dataclass(frozen=True)
class Adoption:
    """An initiative of the file that names the project it adopts (`adopted_from`)."""

    path: str
    organisation_id: int
    key: str
    origin_key: str
    # The origin's organisation number (`adopted_from_organisation`): optional, needed only
    # when the key alone names shared projects of several organisations.
    origin_org_number: str | None


@dataclass
class _State:
    orgs: dict[str, int]
    today: datetime.date
    adoptions: list[Adoption] = field(default_factory=list)
    # Whose import this is (None: the command line, unrestricted). The stored rows outside
    # the actor's organisations are never named or described in an error (issue 13).
    actor: object = None


def _parse_initiative(index: int, item, state: _State, errors: Errors):
    path = f"initiatives[{index}]"
    if not isinstance(item, dict):
        errors.add(path, "must be an object")
        return None
    key = _text(errors, item, "key", path, max_length=200)
    org_number = _text(errors, item, "organisation", path)
    org_id = state.orgs.get(org_number)
    if org_number and org_id is None:
        org_id = Organisation.objects.filter(org_number=org_number).values_list(
            "pk", flat=True).first()
        if org_id is None:
            errors.add(f"{path}.organisation", f"unknown organisation {org_number}")
        state.orgs[org_number] = org_id
    track = _choice(errors, item, "track", path, Track.values, "full")
    parsed = {
        "path": path, "key": key, "organisation_id": org_id, "track": track,
        "title": _text(errors, item, "title", path, max_length=200),
        "need": _text(errors, item, "need", path),
        "visibility": _choice(errors, item, "visibility", path, Visibility.values,
                              "organisation"),
        "adopted_from": item.get("adopted_from"),
    }
    parsed["adopted_from_organisation"] = None
    if parsed["adopted_from"] is not None:
        parsed["adopted_from"] = _text(errors, item, "adopted_from", path, max_length=200)
        # Optional: the key alone names the origin unless several organisations use it.
        parsed["adopted_from_organisation"] = _text(
            errors, item, "adopted_from_organisation", path, required=False) or None
    phases = []
    phase_entries = _list(errors, item, "phases", path)
    for j, entry in enumerate(phase_entries):
        p_path = f"{path}.phases[{j}]"
        if not isinstance(entry, dict):
            errors.add(p_path, "must be an object")
            continue
        phase = _choice(errors, entry, "phase", p_path, ALL_PHASES)
        on = _date(errors, entry, "on", p_path, today=state.today)
        if phase and on:
            phases.append((phase, on))
    if len(phases) == len(phase_entries):
        for j, field_name, message in history_errors(phases, track, state.today):
            errors.add(f"{path}.phases" + (f"[{j}].{field_name}" if j >= 0 else ""), message)
    if parsed["adopted_from"] and phases and phases[0][0] not in ("concept", "pilot"):
        errors.add(f"{path}.phases[0].phase", "an adopted project starts in concept or pilot")
    parsed["phases"] = phases
    implemented_on = reached_implementation_on(phases)
    assessments = []
    for j, entry in enumerate(_list(errors, item, "assessments", path)):
        a_path = f"{path}.assessments[{j}]"
        if not isinstance(entry, dict):
            errors.add(a_path, "must be an object")
            continue
        score = _whole(errors, entry, "score", a_path, low=0, high=3)
        kind = _choice(errors, entry, "kind", a_path, ["expected", "realised"])
        on = _date(errors, entry, "on", a_path, today=state.today)
        if kind == "realised" and on and (implemented_on is None or on < implemented_on):
            errors.add(f"{a_path}.on", "realised assessments are allowed from implementation on")
        assessments.append((_choice(errors, entry, "dimension", a_path,
                                    ["user", "economic", "organisational"]), kind, score, on))
    parsed["assessments"] = assessments
    benefits = []
    for j, entry in enumerate(_list(errors, item, "benefits", path)):
        benefits.append(_parse_benefit(f"{path}.benefits[{j}]", entry, errors, state.today))
    parsed["benefits"] = [b for b in benefits if b]
    # Benefit keys are unique per project (gevinst.models.Benefit).
    seen = Counter(b["key"] for b in parsed["benefits"] if b["key"])
    for j, b in enumerate(benefits):
        if b and seen[b["key"]] > 1:
            errors.add(f"{path}.benefits[{j}].key", "appears more than once in this initiative")
    if benefits and implemented_on is None and not any(p in PHASES_WITH_A_PROJECT
                                                       for p, _on in phases):
        errors.add(f"{path}.benefits", "benefits belong to projects; this initiative is an idea")
    return parsed


def _parse_benefit(path, entry, errors, today: datetime.date):
    if not isinstance(entry, dict):
        errors.add(path, "must be an object")
        return None
    benefit = {
        "key": _text(errors, entry, "key", path, max_length=200),
        "title": _text(errors, entry, "title", path, max_length=200),
        "type": _choice(errors, entry, "type", path, BenefitType.values),
        "dimension": _choice(errors, entry, "dimension", path, Dimension.values),
        "unit": _text(errors, entry, "unit", path, max_length=50),
        "direction": _choice(errors, entry, "direction", path, Direction.values),
        "baseline_value": _number(errors, entry, "baseline", path,
                                  column=_column(Benefit, "baseline_value")),
        "baseline_on": _date(errors, entry, "baseline_on", path, today=today),
        "target_value": _number(errors, entry, "target", path,
                                column=_column(Benefit, "target_value")),
        "target_on": _date(errors, entry, "target_on", path, today=today, kind=PLANNED),
        "nok_per_unit": _number(errors, entry, "nok_per_unit", path, required=False,
                                column=_column(Benefit, "nok_per_unit"),
                                maximum=MAX_NOK_PER_UNIT),
        "periods_per_year": _number(errors, entry, "periods_per_year", path, required=False,
                                    column=_column(Benefit, "periods_per_year"),
                                    maximum=MAX_PERIODS_PER_YEAR),
    }
    if (benefit["nok_per_unit"] is None) != (benefit["periods_per_year"] is None):
        errors.add(path, "nok_per_unit and periods_per_year go together")
    measurements = []
    for k, m in enumerate(_list(errors, entry, "measurements", path)):
        m_path = f"{path}.measurements[{k}]"
        if not isinstance(m, dict):
            errors.add(m_path, "must be an object")
            continue
        on = _date(errors, m, "on", m_path, today=today)
        value = _number(errors, m, "value", m_path, column=_column(Measurement, "value"))
        if on and benefit["baseline_on"] and on < benefit["baseline_on"]:
            errors.add(f"{m_path}.on", "date before the baseline")
        measurements.append((on, value))
    benefit["measurements"] = measurements
    return benefit


def _import_batch(batch, state: _State, errors: Errors, result: ImportResult) -> None:
    parsed = [p for p in (_parse_initiative(i, item, state, errors) for i, item in batch) if p]
    if errors:
        return  # validate the rest of the file, but write nothing more
    existing = _stored_initiatives(parsed)
    history = _stored_history(existing.values())
    new_initiatives, new_projects, new_ideas, changes, assessments = [], [], [], [], []
    benefit_rows = []
    for p in parsed:
        stored = existing.get((p["organisation_id"], p["key"]))
        if stored is None:
            initiative = Initiative(key=p["key"], organisation_id=p["organisation_id"],
                                    title=p["title"], track=p["track"],
                                    phase=p["phases"][-1][0])
            new_initiatives.append((p, initiative))
            continue
        old = history[stored.pk]
        if p["phases"][:len(old["phases"])] != old["phases"]:
            errors.add(f"{p['path']}.phases", "conflicts with the stored history")
            continue
        extra = p["phases"][len(old["phases"]):]
        new_assessments = _missing(p["assessments"], old["assessments"])
        if not extra and not new_assessments and not p["benefits"]:
            result.initiatives_unchanged += 1
            continue
        result.organisation_ids.add(p["organisation_id"])
        if extra:
            result.initiatives_extended += 1
            result.extended_by_org[p["organisation_id"]] += 1
            changes.append((stored, extra, old["phases"]))
            Initiative.objects.filter(pk=stored.pk).update(phase=extra[-1][0])
        else:
            result.initiatives_unchanged += 1
        assessments += [(stored.pk, a) for a in new_assessments]
        benefit_rows.append((p, stored.pk))
    if errors:
        return
    Initiative.objects.bulk_create([i for _p, i in new_initiatives], batch_size=BATCH)
    for p, initiative in new_initiatives:
        result.organisation_ids.add(p["organisation_id"])
        result.created_by_org[p["organisation_id"]] += 1
        phases = [phase for phase, _on in p["phases"]]
        if p["phases"][0][0] == "idea":
            new_ideas.append((p, initiative))
        if any(phase in PHASES_WITH_A_PROJECT for phase in phases):
            new_projects.append((initiative.pk, p["organisation_id"], p["title"], p["need"],
                                 p["track"], p["visibility"]))
        if p["adopted_from"]:
            state.adoptions.append(Adoption(p["path"], p["organisation_id"], p["key"],
                                            p["adopted_from"], p["adopted_from_organisation"]))
        changes.append((initiative, p["phases"], []))
        assessments += [(initiative.pk, a) for a in p["assessments"]]
        benefit_rows.append((p, initiative.pk))
    result.initiatives_created += len(new_initiatives)
    insert_rows(Project, ["initiative_id", "organisation_id", "title", "need", "track",
                          "visibility"], new_projects)
    _create_ideas(new_ideas)
    _write_phase_changes(changes, result)
    insert_rows(BenefitAssessment,
                ["initiative_id", "dimension", "kind", "score", "assessed_on"],
                [(pk, d, k, s, on) for pk, (d, k, s, on) in assessments])
    # valid_until and realised_from of every series the file touched, by the writer's own rule
    # (the timeline is rebuilt for the whole file at the end).
    assessment_series_derive({pk for pk, _a in assessments})
    result.assessments += len(assessments)
    _write_benefits(benefit_rows, result)


def _stored_initiatives(parsed) -> dict[tuple[int, str], Initiative]:
    """The stored initiatives of the batch, by (organisation, key): keys are unique per
    organisation, so another organisation's initiative with the same key is never seen."""
    by_org: dict[int, list[str]] = {}
    for p in parsed:
        by_org.setdefault(p["organisation_id"], []).append(p["key"])
    condition = Q(pk__in=[])
    for org_id, keys in by_org.items():
        condition |= Q(organisation_id=org_id, key__in=keys)
    return {(i.organisation_id, i.key): i for i in Initiative.objects.filter(condition)}


def _missing(wanted: list, stored: list) -> list:
    """The items of `wanted` not already stored (as multisets)."""
    remaining = Counter(stored)
    missing = []
    for item in wanted:
        if remaining[item]:
            remaining[item] -= 1
        else:
            missing.append(item)
    return missing


def _stored_history(initiatives) -> dict[int, dict]:
    ids = [i.pk for i in initiatives]
    history = {pk: {"phases": [], "assessments": []} for pk in ids}
    for pk, phase, on in (PhaseChange.objects.filter(initiative_id__in=ids)
                          .order_by("effective_date", "id")
                          .values_list("initiative_id", "to_phase", "effective_date")):
        history[pk]["phases"].append((phase, on))
    for pk, d, k, s, on in (BenefitAssessment.objects.filter(initiative_id__in=ids)
                            .values_list("initiative_id", "dimension", "kind", "score",
                                         "assessed_on")):
        history[pk]["assessments"].append((d, k, s, on))
    return history


def _write_phase_changes(changes, result: ImportResult) -> None:
    rows = []
    for initiative, phases, previous in changes:
        prior = previous[-1][0] if previous else ""
        for phase, on in phases:
            rows.append((initiative.pk, initiative.organisation_id, prior, phase, on,
                         "Importert"))
            prior = phase
    insert_rows(PhaseChange, ["initiative_id", "organisation_id", "from_phase", "to_phase",
                              "effective_date", "rationale"], rows)
    # valid_until by the phase log's own rule; it also closes a stored current phase where the
    # first new change starts.
    phase_changes_revalidate({initiative.pk for initiative, _p, _prev in changes})
    result.phase_changes += len(rows)


def _write_benefits(benefit_rows, result: ImportResult) -> None:
    wanted = [(p, initiative_id, b) for p, initiative_id in benefit_rows for b in p["benefits"]]
    if not wanted:
        return
    projects = dict(Project.objects.filter(
        initiative_id__in={i for _p, i, _b in wanted}).values_list("initiative_id", "pk"))
    # Benefit keys are unique per project: only the file's projects are looked in.
    stored = {(b.project_id, b.key): b for b in Benefit.objects.filter(
        project_id__in=projects.values(), key__in={b["key"] for _p, _i, b in wanted})}
    stored_measurements: dict[int, list] = {}
    for benefit_id, on, value in Measurement.objects.filter(
            benefit__in=stored.values()).values_list("benefit_id", "measured_on", "value"):
        stored_measurements.setdefault(benefit_id, []).append((on, value))
    new_benefits, new_measurements = [], []
    for p, initiative_id, b in wanted:
        measurements = b.pop("measurements")
        existing = stored.get((projects[initiative_id], b["key"]))
        if existing is None:
            benefit = Benefit(project_id=projects[initiative_id], **b)
            new_benefits.append((benefit, measurements))
            continue
        for on, value in _missing(measurements, stored_measurements.get(existing.pk, [])):
            new_measurements.append((existing.pk, on, value))
    Benefit.objects.bulk_create([b for b, _m in new_benefits], batch_size=BATCH)
    for benefit, measurements in new_benefits:
        new_measurements += [(benefit.pk, on, value) for on, value in measurements]
    insert_rows(Measurement, ["benefit_id", "measured_on", "value"], new_measurements)
    # valid_until, the organisation and the NOK value (rule 8) of every series the file
    # touched, by gevinst.history's own rules.
    measurements_revalidate({b_id for b_id, _on, _value in new_measurements})
    result.benefits += len(new_benefits)
    result.measurements += len(new_measurements)


def _create_ideas(new_ideas) -> None:
    """Initiatives that began as ideas get their Idea row (status from the history)."""
    if not new_ideas:
        return
    rows = []
    for p, initiative in new_ideas:
        last_idea_phase = next((phase for phase, _on in reversed(p["phases"])
                                if phase in IDEA_STATUS_FOR_LAST_PHASE), "idea")
        becomes_project = any(phase in PHASES_WITH_A_PROJECT for phase, _on in p["phases"])
        status = "approved" if becomes_project else IDEA_STATUS_FOR_LAST_PHASE[last_idea_phase]
        rows.append((initiative.pk, p["organisation_id"], p["title"], p["need"], p["track"],
                     p["visibility"], status))
    insert_rows(Idea, ["initiative_id", "organisation_id", "title", "need", "track",
                       "visibility", "status"], rows)


def _link_adoptions(state: _State, errors: Errors) -> None:
    if not state.adoptions:
        return
    adopters = _stored_initiatives([{"organisation_id": a.organisation_id, "key": a.key}
                                    for a in state.adoptions])
    adopter_projects = dict(Project.objects.filter(
        initiative__in=adopters.values()).values_list("initiative_id", "pk"))
    candidates = _origin_candidates(state)
    updates, lineage = [], []
    for adoption in state.adoptions:
        origin = _origin(adoption, candidates, errors)
        if origin is None:
            continue
        adopter_initiative = adopters[(adoption.organisation_id, adoption.key)].pk
        updates.append(Project(pk=adopter_projects[adopter_initiative],
                               adopted_from_id=origin.pk))
        # The lineage on the spine too (Initiative.adopted_from): the timeline reads it.
        lineage.append(Initiative(pk=adopter_initiative, adopted_from_id=origin.initiative_id))
    Project.objects.bulk_update(updates, ["adopted_from"], batch_size=BATCH)
    Initiative.objects.bulk_update(lineage, ["adopted_from"], batch_size=BATCH)


class Origin(NamedTuple):
    pk: int
    organisation_id: int
    org_number: str
    visibility: str
    initiative_id: int


def _origin_candidates(state: _State) -> dict[str, list[Origin]]:
    """The projects the file's `adopted_from` keys may name, by key.

    For an actor only the projects the actor may see (projects_visible_to, the rule of adopting
    on the site): an origin the importer may not see is as unknown as one that does not
    exist, so no error tells that another organisation has the key or whether its project is
    shared."""
    keys = {a.origin_key for a in state.adoptions}
    projects = Project.objects.filter(initiative__key__in=keys)
    if state.actor is not None:
        projects = projects.filter(pk__in=projects_visible_to(state.actor).values("pk"))
    candidates: dict[str, list[Origin]] = {}
    for key, *row in projects.values_list("initiative__key", "pk", "organisation_id",
                                          "organisation__org_number", "visibility",
                                          "initiative_id"):
        candidates.setdefault(key, []).append(Origin(*row))
    return candidates


def _origin(adoption: Adoption, candidates: dict[str, list[Origin]],
            errors: Errors) -> Origin | None:
    """The one project `adoption` names, or None with the error recorded."""
    at = f"{adoption.path}.adopted_from"
    named = [c for c in candidates.get(adoption.origin_key, [])
             if adoption.origin_org_number in (None, c.org_number)]
    if not named:
        errors.add(at, f"no project with key {adoption.origin_key!r}"
                   + (f" in organisation {adoption.origin_org_number}"
                      if adoption.origin_org_number else ""))
        return None
    others = [c for c in named if c.organisation_id != adoption.organisation_id]
    if not others:
        errors.add(at, "an organisation adopts another's project")
        return None
    if len(others) > 1:
        # Only projects the importer may see are counted, so this tells nothing new.
        errors.add(at, f"key {adoption.origin_key!r} names projects of several organisations; "
                   "name the origin's in adopted_from_organisation")
        return None
    origin = others[0]
    if origin.visibility == Visibility.ORGANISATION:
        errors.add(at, "only shared projects can be adopted")
        return None
    return origin
