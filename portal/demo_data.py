"""Demo organisations: real Norwegian municipalities (2024 structure and counties) with their
organisation numbers from Brønnøysundregistrene (each passes the mod-11 check) and populations
as of 1 January 2024, rounded. Used by `manage.py load_demo`."""


def _m(name, org_number, county, population):
    return {"name": name, "org_number": org_number, "kind": "municipality", "county": county,
            "population": population}


MUNICIPALITIES = [
    # small (< 5 000)
    _m("Tolga kommune", "939984194", "Innlandet", 1_560),
    _m("Os kommune", "940152496", "Innlandet", 1_850),
    _m("Alvdal kommune", "939849831", "Innlandet", 2_420),
    _m("Folldal kommune", "964948798", "Innlandet", 1_540),
    _m("Rendalen kommune", "940028515", "Innlandet", 1_750),
    _m("Holtålen kommune", "939865942", "Trøndelag", 2_010),
    _m("Utsira kommune", "964979219", "Rogaland", 200),
    # medium (5 000–19 999)
    _m("Tynset kommune", "864949762", "Innlandet", 5_620),
    _m("Røros kommune", "940083672", "Trøndelag", 5_550),
    _m("Nord-Fron kommune", "961381185", "Innlandet", 5_700),
    _m("Kongsvinger kommune", "944117784", "Innlandet", 18_050),
    # large (>= 20 000)
    _m("Oslo kommune", "958935420", "Oslo", 717_710),
    _m("Bergen kommune", "964338531", "Vestland", 291_940),
    _m("Trondheim kommune", "942110464", "Trøndelag", 214_570),
    _m("Stavanger kommune", "964965226", "Rogaland", 149_050),
    _m("Bærum kommune", "935478715", "Akershus", 131_200),
    _m("Kristiansand kommune", "963296746", "Agder", 116_690),
    _m("Drammen kommune", "921234554", "Buskerud", 103_290),
    _m("Tromsø kommune", "940101808", "Troms", 78_750),
    _m("Bodø kommune", "972418013", "Nordland", 53_710),
    _m("Hamar kommune", "970540008", "Innlandet", 32_540),
    _m("Lillehammer kommune", "945578564", "Innlandet", 28_930),
    _m("Levanger kommune", "938587418", "Trøndelag", 20_420),
]

HEALTH_TRUSTS = [
    {"name": "St. Olavs hospital HF", "org_number": "883974832", "kind": "health_trust",
     "county": "Trøndelag", "population": None},
    {"name": "Helse Bergen HF", "org_number": "983974724", "kind": "health_trust",
     "county": "Vestland", "population": None},
]

# The demo users belong to Tynset; the "other municipality" user to Røros.
DEMO_HOME = "864949762"
DEMO_NEIGHBOUR = "940083672"

NETWORKS = [
    {"name": "Fjellregionen velferdsteknologi",
     "description": "Samarbeid om velferdsteknologi og tjenesteinnovasjon i Fjellregionen.",
     "members": ["864949762", "939984194", "940152496", "939849831", "964948798", "940028515",
                 "940083672", "939865942"]},
    {"name": "Storbynettverket for velferdsteknologi",
     "description": "De største kommunene deler erfaringer og løsninger.",
     "members": ["958935420", "964338531", "942110464", "964965226", "935478715",
                 "963296746", "921234554", "940101808"]},
]

UNITS = [
    ("Helse og omsorg", ["Hjemmetjenesten", "Sykehjem", "Psykisk helse og rus",
                         "Tjenester for funksjonshemmede"]),
    ("Oppvekst", ["Barnehage", "Skole", "Barnevern"]),
    ("Teknisk drift", []),
    ("Stab og støtte", ["IKT", "Økonomi"]),
]
