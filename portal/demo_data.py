"""Demo organisations for `manage.py load_demo`: real Norwegian municipalities (2024 municipal
structure, counties after the 2024 split) and two real health trusts.

Organisation numbers are the real ones from Enhetsregisteret (Brønnøysundregistrene), taken from
Statistics Norway's own list of municipal reporting units (organisation number, municipality
number, name) and, for the health trusts, from several independent public lists; every number
passes the mod-11 check and none is synthetic. Municipalities that were merged in 2020 have the
number of the new legal entity (e.g. Kristiansand 820852982, Drammen 921234554, Tønsberg
921383681). The 2024 county split changed municipality numbers, not organisation numbers.

Populations are approximate figures for 1 January 2024 (SSB, rounded to the nearest 10); they
only need to put each municipality in the right size class (small < 5 000, medium
5 000–19 999, large >= 20 000).
"""

MUNICIPALITIES = [
    # --- small (< 5 000) ---
    # Fjellregionen (Nord-Østerdal, Innlandet, and the Gauldal/Røros area, Trøndelag)
    {"name": "Tolga kommune", "org_number": "940192404", "kind": "municipality",
     "county": "Innlandet", "population": 1_540},
    {"name": "Os kommune", "org_number": "943464723", "kind": "municipality",
     "county": "Innlandet", "population": 1_870},
    {"name": "Alvdal kommune", "org_number": "939984194", "kind": "municipality",
     "county": "Innlandet", "population": 2_420},
    {"name": "Folldal kommune", "org_number": "939885684", "kind": "municipality",
     "county": "Innlandet", "population": 1_540},
    {"name": "Rendalen kommune", "org_number": "940028515", "kind": "municipality",
     "county": "Innlandet", "population": 1_760},
    {"name": "Holtålen kommune", "org_number": "937697767", "kind": "municipality",
     "county": "Trøndelag", "population": 2_000},
    # island municipalities
    {"name": "Værøy kommune", "org_number": "964994307", "kind": "municipality",
     "county": "Nordland", "population": 700},
    {"name": "Utsira kommune", "org_number": "964979901", "kind": "municipality",
     "county": "Rogaland", "population": 200},
    {"name": "Fedje kommune", "org_number": "944041036", "kind": "municipality",
     "county": "Vestland", "population": 540},

    # --- medium (5 000–19 999) ---
    {"name": "Tynset kommune", "org_number": "940837685", "kind": "municipality",
     "county": "Innlandet", "population": 5_590},
    {"name": "Røros kommune", "org_number": "939898743", "kind": "municipality",
     "county": "Trøndelag", "population": 5_540},
    {"name": "Skaun kommune", "org_number": "939865942", "kind": "municipality",
     "county": "Trøndelag", "population": 8_730},
    {"name": "Malvik kommune", "org_number": "971035560", "kind": "municipality",
     "county": "Trøndelag", "population": 14_940},
    {"name": "Melhus kommune", "org_number": "938726027", "kind": "municipality",
     "county": "Trøndelag", "population": 17_240},
    {"name": "Ørsta kommune", "org_number": "939461450", "kind": "municipality",
     "county": "Møre og Romsdal", "population": 10_920},

    # --- large (>= 20 000) ---
    {"name": "Oslo kommune", "org_number": "958935420", "kind": "municipality",
     "county": "Oslo", "population": 717_710},
    {"name": "Bergen kommune", "org_number": "964338531", "kind": "municipality",
     "county": "Vestland", "population": 291_190},
    {"name": "Trondheim kommune", "org_number": "942110464", "kind": "municipality",
     "county": "Trøndelag", "population": 214_570},
    {"name": "Stavanger kommune", "org_number": "964965226", "kind": "municipality",
     "county": "Rogaland", "population": 148_680},
    {"name": "Bærum kommune", "org_number": "935478715", "kind": "municipality",
     "county": "Akershus", "population": 130_770},
    {"name": "Kristiansand kommune", "org_number": "820852982", "kind": "municipality",
     "county": "Agder", "population": 116_990},
    {"name": "Drammen kommune", "org_number": "921234554", "kind": "municipality",
     "county": "Buskerud", "population": 103_290},
    {"name": "Fredrikstad kommune", "org_number": "940039541", "kind": "municipality",
     "county": "Østfold", "population": 85_140},
    {"name": "Tromsø kommune", "org_number": "940101808", "kind": "municipality",
     "county": "Troms", "population": 78_750},
    {"name": "Tønsberg kommune", "org_number": "921383681", "kind": "municipality",
     "county": "Vestfold", "population": 58_180},
    {"name": "Skien kommune", "org_number": "938759839", "kind": "municipality",
     "county": "Telemark", "population": 56_000},
    {"name": "Bodø kommune", "org_number": "972418013", "kind": "municipality",
     "county": "Nordland", "population": 53_710},
    {"name": "Stjørdal kommune", "org_number": "939958851", "kind": "municipality",
     "county": "Trøndelag", "population": 24_850},
    {"name": "Alta kommune", "org_number": "944588132", "kind": "municipality",
     "county": "Finnmark", "population": 21_790},
]

HEALTH_TRUSTS = [
    {"name": "St. Olavs hospital HF", "org_number": "883974832", "kind": "health_trust",
     "county": "Trøndelag", "population": None},
    {"name": "Sykehuset Innlandet HF", "org_number": "983971709", "kind": "health_trust",
     "county": "Innlandet", "population": None},
]

# The demo users belong to Tynset; the "other municipality" user to Røros.
DEMO_HOME = "940837685"  # Tynset kommune
DEMO_NEIGHBOUR = "939898743"  # Røros kommune

NETWORKS = [
    # The first network is the one the demo network analyst follows.
    {"name": "Fjellregionen velferdsteknologi",
     "description": "Samarbeid om velferdsteknologi og tjenesteinnovasjon i Fjellregionen.",
     "members": [
         "940837685",  # Tynset
         "940192404",  # Tolga
         "943464723",  # Os
         "939984194",  # Alvdal
         "939885684",  # Folldal
         "940028515",  # Rendalen
         "939898743",  # Røros
         "937697767",  # Holtålen
     ]},
    {"name": "Trondheimsregionen velferdsteknologi",
     "description": "Kommunene i Trondheimsregionen deler erfaringer og løsninger.",
     "members": [
         "942110464",  # Trondheim
         "971035560",  # Malvik
         "938726027",  # Melhus
         "939865942",  # Skaun
         "939958851",  # Stjørdal
     ]},
]

UNITS = [
    ("Helse og omsorg", ["Hjemmetjenesten", "Sykehjem", "Psykisk helse og rus",
                         "Tjenester for funksjonshemmede"]),
    ("Oppvekst", ["Barnehage", "Skole", "Barnevern"]),
    ("Teknisk drift", []),
    ("Stab og støtte", ["IKT", "Økonomi"]),
]
