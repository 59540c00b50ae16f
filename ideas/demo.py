"""Demo ideas for `manage.py load_demo`: a few years of idea capture in the home municipality
(some ideas became projects, some were rejected, parked or merged), a campaign, supports,
comments and scores, and two ideas in the neighbour municipality. Everything goes through the
services, so events and phase changes are written; dates are back-dated.

Idempotent: an idea is created only if its organisation has no idea with that title."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ideas import services
from ideas.models import Campaign, Idea, IdeaStatus
from portal.models import Organisation, Unit, User

d = datetime.date

# key, title, need, solution, unit, final status, dates (submitted, decided), extra fields
HOME_IDEAS = [
    ("nattilsyn", "Digitalt tilsyn om natten med sensorer",
     "Nattpatruljen gjør mange faste tilsynsbesøk som vekker brukere som sover godt, og "
     "rekker ikke alltid fram når noen faktisk trenger hjelp.",
     "Bevegelses- og sengesensorer som varsler nattpatruljen ved avvik, i stedet for faste "
     "runder.", "Hjemmetjenesten", "approved", (d(2023, 2, 14), d(2023, 5, 3)),
     {"welfare_area": "digital_supervision", "target_group": "home_dwelling_elderly",
      "innovation_type": "service", "origin": "employee", "novelty": "adapted",
      "visibility": "network", "expected_user": 3, "expected_organisational": 2,
      "expected_motivation": "Bedre søvn for brukerne og færre unødvendige besøk.",
      "tags": ["nattilsyn", "sensor"]}),
    ("dispenser", "Medisindispensere for hjemmeboende",
     "Mange hjemmebesøk handler bare om å levere medisiner til riktig tid, og feilmedisinering "
     "skjer når brukere glemmer doser.",
     "Automatiske medisindispensere med varsling til hjemmetjenesten ved glemt dose.",
     "Hjemmetjenesten", "approved", (d(2023, 3, 1), d(2023, 4, 18)),
     {"welfare_area": "medication", "target_group": "home_dwelling_elderly",
      "innovation_type": "product", "novelty": "copied", "track": "fast_track",
      "visibility": "public", "expected_user": 2, "expected_economic": 2,
      "expected_organisational": 3, "tags": ["medisin"]}),
    ("dorlas", "Elektroniske dørlåser i hjemmetjenesten",
     "Nøkkelhåndtering tar tid hver dag, og tapte nøkler er en sikkerhetsrisiko for brukerne.",
     "Elektroniske dørlåser som ansatte åpner med mobil og tjenestekort, med logg.",
     "Hjemmetjenesten", "approved", (d(2024, 1, 9), d(2024, 3, 5)),
     {"welfare_area": "door_locks", "innovation_type": "product", "novelty": "copied",
      "visibility": "network", "expected_economic": 1, "expected_organisational": 2,
      "tags": ["dørlås", "nøkler"]}),
    ("rute", "Ruteoptimalisering for hjemmesykepleien",
     "Kjørelistene lages for hånd hver morgen og gir lange kjøreavstander i en spredt kommune.",
     "", "Hjemmetjenesten", "approved", (d(2024, 6, 3), d(2024, 9, 16)),
     {"welfare_area": "route_logistics", "innovation_type": "process", "origin": "employee",
      "expected_economic": 2, "expected_organisational": 2}),
    ("gps", "Mobil trygghetsalarm med GPS for personer med demens",
     "Personer med demens som går seg bort blir lette etter av pårørende og politi; mange "
     "flytter tidligere på sykehjem enn nødvendig.",
     "GPS-lokalisering med geogjerde, avtalt med bruker og pårørende.", "Sykehjem",
     "approved", (d(2024, 11, 12), d(2025, 2, 10)),
     {"welfare_area": "mobile_safety_alarm", "target_group": "home_dwelling_elderly",
      "origin": "relative", "visibility": "network", "expected_user": 3}),
    ("vaktskifte", "Digital tavle for vaktskifte på sykehjemmet",
     "Muntlig rapport ved vaktskifte tar lang tid og informasjon går tapt mellom skiftene.",
     "", "Sykehjem", "approved", (d(2025, 3, 20), d(2025, 6, 2)),
     {"innovation_type": "organisational", "target_group": "staff", "expected_organisational": 2}),
    ("kalender", "Felles kalender for pårørende",
     "Pårørende vet ikke når hjemmetjenesten kommer og ringer ofte for å spørre.", "",
     "Hjemmetjenesten", "rejected", (d(2024, 2, 1), d(2024, 4, 2)),
     {"target_group": "home_dwelling_elderly", "origin": "relative",
      "reason": "Dekkes av innbyggerportalen som innføres i 2025. Vi tar behovet med dit."}),
    ("strompebukse", "Smarte strømpebukser som varsler fall",
     "Fall om natten oppdages for sent hos beboere som ikke selv kan utløse alarmen.", "",
     "Sykehjem", "rejected", (d(2024, 8, 19), d(2024, 10, 7)),
     {"welfare_area": "alarm_location",
      "reason": "Produktet er ikke CE-merket ennå. Sensorløsningen i nattilsyn-prosjektet "
                "dekker behovet."}),
    ("elsykkel", "Varme måltider levert med el-sykkel",
     "Middag til hjemmeboende leveres kald og med bil, også i sentrum.", "", "Hjemmetjenesten",
     "parked", (d(2025, 4, 7), d(2025, 6, 16)),
     {"innovation_type": "service", "target_group": "home_dwelling_elderly"}),
    ("skjermbesok", "Skjermbesøk fra hjemmetjenesten",
     "Noen besøk er bare for å se at alt er i orden og kunne vært tatt på skjerm, slik at "
     "tiden brukes der hjelp trengs.", "Nettbrett med enkel videosamtale for utvalgte brukere.",
     "Hjemmetjenesten", "in_review", (d(2026, 9, 10), None),
     {"welfare_area": "digital_supervision", "target_group": "home_dwelling_elderly",
      "innovation_type": "service", "expected_user": 2, "expected_organisational": 2,
      "tags": ["video"]}),
    ("vaske", "Automatisk påminnelse om å drikke nok",
     "Eldre hjemmeboende drikker for lite og blir innlagt med dehydrering om sommeren.", "",
     "Hjemmetjenesten", "merged", (d(2026, 8, 24), d(2026, 10, 1)), {"into": "skjermbesok"}),
    ("opplaering", "Digital opplæring i velferdsteknologi for nyansatte",
     "Nyansatte og vikarer kan ikke teknologien brukerne har, og må ringe kolleger.", "",
     "Helse og omsorg", "submitted", (d(2026, 10, 5), None),
     {"target_group": "staff", "is_anonymous": True, "tags": ["opplæring"]}),
    ("dosett", "Ny løsning for smart dosett med låsbar lomme",
     "Dosettene som brukes i dag kan åpnes for tidlig av personer med kognitiv svikt.",
     "En egenutviklet mekanisme vi vurderer å søke patent på.", "Hjemmetjenesten",
     "in_review", (d(2026, 9, 28), None),
     {"welfare_area": "medication", "track": "commercial", "is_confidential": True}),
    ("fallsensor", "Fallsensor i taket på sykehjemsrom",
     "Beboere som faller om natten blir liggende til neste runde.",
     "Radarbaserte sensorer som ikke krever at beboeren bærer noe.", "Sykehjem", "submitted",
     (None, None), {"welfare_area": "alarm_location", "campaign": True}),
    ("video-lege", "Videokonsultasjon med fastlege fra sykehjemmet",
     "Beboere sendes til legevakt med drosje og ledsager for enkle vurderinger.", "",
     "Sykehjem", "submitted", (None, None), {"campaign": True, "origin": "employee"}),
    ("robotstovsuger", "Robotstøvsuger i omsorgsboliger",
     "Renhold tar tid fra omsorgen i omsorgsboligene.", "", "Tjenester for funksjonshemmede",
     "draft", (None, None), {}),
]

NEIGHBOUR_IDEAS = [
    ("roros-nattilsyn", "Nattlig digitalt tilsyn med sensorer i Røros",
     "Nattevaktene har mange faste tilsyn som vekker brukere; vi vil vite hva andre i "
     "regionen har prøvd.", "network"),
    ("roros-veiviser", "Velferdsteknologisk veiviser for innbyggere",
     "Innbyggere og pårørende vet ikke hvilke hjelpemidler som finnes før behovet er akutt.",
     "public"),
]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _unit(organisation: Organisation, name: str) -> Unit | None:
    return Unit.objects.filter(organisation=organisation, name=name).first()


def _campaign(home: Organisation, coordinator: User) -> Campaign:
    existing = Campaign.objects.filter(organisation=home, title="Trygg natt").first()
    if existing:
        return existing
    today = timezone.localdate()
    return services.campaign_create(
        actor=coordinator, organisation=home, title="Trygg natt",
        description="Hvordan kan beboere og hjemmeboende være trygge om natten uten at vi "
                    "vekker dem? Vi ønsker idéer fra alle ansatte, brukere og pårørende.",
        opens_on=today - datetime.timedelta(days=45), closes_on=today + datetime.timedelta(days=40))


def _make(home, row, people, ideas, campaign):
    key, title, need, solution, unit_name, status, (submitted, decided), extra = row
    extra = dict(extra)
    reason, into = extra.pop("reason", ""), extra.pop("into", None)
    if extra.pop("campaign", False):
        extra["campaign"] = campaign
    author = people["ansatt"] if key != "vaktskifte" else people["prosjektleder"]
    coordinator = people["koordinator"]
    idea = services.idea_create(actor=author, organisation=home, title=title, need=need,
                                solution=solution, unit=_unit(home, unit_name), **extra)
    ideas[key] = idea
    if status == IdeaStatus.DRAFT:
        return
    services.idea_submit(actor=author, idea=idea, effective_date=submitted,
                         registering_history=True)
    if status == IdeaStatus.SUBMITTED:
        return
    services.idea_start_review(actor=coordinator, idea=idea)
    if status == IdeaStatus.APPROVED:
        services.idea_approve(actor=coordinator, idea=idea, effective_date=decided)
    elif status == IdeaStatus.REJECTED:
        services.idea_reject(actor=coordinator, idea=idea, reason=reason, effective_date=decided)
    elif status == IdeaStatus.PARKED:
        services.idea_park(actor=coordinator, idea=idea, effective_date=decided)
    elif status == IdeaStatus.MERGED:
        # Engagement before the merge moves to the surviving idea.
        services.idea_support(actor=people["admin"], idea=idea)
        services.comment_add(actor=people["admin"], idea=idea,
                             body="Kan dette kombineres med skjermbesøk?")
        services.idea_merge(actor=coordinator, idea=idea, into=ideas[into],
                            effective_date=decided)


def _engage(ideas, people) -> None:
    leder, koordinator, admin = people["leder"], people["koordinator"], people["admin"]
    for key, user in [("nattilsyn", leder), ("nattilsyn", admin), ("skjermbesok", leder),
                      ("skjermbesok", people["prosjektleder"]), ("fallsensor", leder),
                      ("fallsensor", koordinator), ("opplaering", leder)]:
        services.idea_support(actor=user, idea=ideas[key])
    services.comment_add(actor=people["prosjektleder"], idea=ideas["skjermbesok"],
                         body="Vi prøvde noe lignende i psykisk helse, og det fungerte godt "
                              "for oppfølgingssamtaler. Snakk gjerne med oss.")
    services.comment_add(actor=leder, idea=ideas["fallsensor"],
                         body="Dette passer rett inn i kampanjen. Hva koster sensorene?")
    skjerm = ideas["skjermbesok"]
    services.reviewer_assign(actor=koordinator, idea=skjerm, reviewer=leder)
    services.reviewer_assign(actor=koordinator, idea=skjerm, reviewer=koordinator)
    services.reviewer_assign(actor=koordinator, idea=ideas["dosett"], reviewer=leder)
    criteria = services.criteria_ensure_defaults(skjerm.organisation_id)
    for reviewer, values in ((leder, (4, 3, 3)), (koordinator, (5, 4, 2))):
        services.scores_set(actor=reviewer, idea=skjerm,
                            values={c.pk: v for c, v in zip(criteria, values)})


def load(*, home: Organisation, neighbour: Organisation, stdout) -> None:
    usernames = ("ansatt", "koordinator", "prosjektleder", "leder", "admin", "nabo")
    people = {name: _user(name) for name in usernames}
    if any(user is None for user in people.values()):
        stdout.write("ideas: demo users missing, skipping.")
        return
    if Idea.objects.filter(organisation=home, title=HOME_IDEAS[0][1]).exists():
        stdout.write("ideas: demo ideas already loaded.")
        return
    with transaction.atomic():
        campaign = _campaign(home, people["koordinator"])
        ideas: dict[str, Idea] = {}
        for row in HOME_IDEAS:
            _make(home, row, people, ideas, campaign)
        _engage(ideas, people)
        for key, title, need, visibility in NEIGHBOUR_IDEAS:
            idea = services.idea_create(actor=people["nabo"], organisation=neighbour,
                                        title=title, need=need, visibility=visibility,
                                        unit=_unit(neighbour, "Hjemmetjenesten"))
            services.idea_submit(actor=people["nabo"], idea=idea,
                                 effective_date=d(2026, 10, 20), registering_history=True)
    stdout.write(f"ideas: {len(HOME_IDEAS) + len(NEIGHBOUR_IDEAS)} demo ideas, 1 campaign.")
