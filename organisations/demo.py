"""The demo regions, organisations and people: shared by load_demo and the test suite."""

from __future__ import annotations

from dataclasses import dataclass

from organisations.models import OrganisationKind as Kind
from organisations.models import Role

NORTH = "North Central London"
CORNWALL = "Cornwall and the Isles of Scilly"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    ods_code: str
    kind: str
    region: str
    also_serves: tuple[str, ...] = ()
    team_email: str = ""


ORGANISATIONS = [
    DemoOrganisation(
        "highgate",
        "Highgate Hill Surgery",
        "Z90001",
        Kind.GP_PRACTICE,
        NORTH,
        team_email="highgate.surgery@example.nhs.uk",
    ),
    DemoOrganisation("archway", "Archway Medical Centre", "Z90002", Kind.GP_PRACTICE, NORTH),
    DemoOrganisation(
        "nursing", "Islington Community Nursing", "ZCN01", Kind.COMMUNITY_NURSING, NORTH
    ),
    DemoOrganisation("hospice", "Heathside Hospice", "ZHS01", Kind.HOSPICE, NORTH),
    DemoOrganisation("hospital", "Whittington Park Hospital", "ZHO01", Kind.HOSPITAL, NORTH),
    DemoOrganisation(
        "specialist",
        "North London Specialist Palliative Care",
        "ZSP01",
        Kind.SPECIALIST_PALLIATIVE_CARE,
        NORTH,
    ),
    DemoOrganisation("social", "Islington Adult Social Care", "ZSC01", Kind.SOCIAL_CARE, NORTH),
    DemoOrganisation("carehome", "Holloway Gardens Care Home", "ZCH01", Kind.CARE_HOME, NORTH),
    DemoOrganisation(
        "ambulance",
        "Capital Ambulance Service",
        "ZAM01",
        Kind.AMBULANCE_SERVICE,
        NORTH,
        also_serves=(CORNWALL,),
    ),
    DemoOrganisation(
        "nhs111", "NHS 111 South and London", "Z1111", Kind.NHS111, NORTH, also_serves=(CORNWALL,)
    ),
    DemoOrganisation("ooh", "North London Out of Hours", "ZOH01", Kind.OUT_OF_HOURS, NORTH),
    DemoOrganisation(
        "coordination",
        "North Central London Co-ordination Centre",
        "ZCC01",
        Kind.COORDINATION_CENTRE,
        NORTH,
    ),
    DemoOrganisation("truro", "Truro Riverside Surgery", "Z90101", Kind.GP_PRACTICE, CORNWALL),
    DemoOrganisation(
        "cornwall-nursing", "Cornwall Community Nursing", "ZCN02", Kind.COMMUNITY_NURSING, CORNWALL
    ),
    DemoOrganisation("cornwall-hospice", "Tamar Valley Hospice", "ZHS02", Kind.HOSPICE, CORNWALL),
    DemoOrganisation(
        "cornwall-coordination",
        "Cornwall Care Co-ordination Centre",
        "ZCC02",
        Kind.COORDINATION_CENTRE,
        CORNWALL,
    ),
    # Serves Cornwall only: its crews need emergency access (break glass) for London patients.
    DemoOrganisation(
        "kernow-ambulance", "Kernow Ambulance Service", "ZAM02", Kind.AMBULANCE_SERVICE, CORNWALL
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    organisation: str
    role: str
    senior: bool = False
    lead: bool = False
    also: tuple[tuple[str, str], ...] = ()  # further (organisation key, role) memberships


PEOPLE = [
    DemoPerson("gp", "Amara", "Okafor", "highgate", Role.CLINICIAN, senior=True, lead=True),
    DemoPerson("nurse", "Sam", "Price", "nursing", Role.CLINICIAN),
    DemoPerson(
        "hospice",
        "Priya",
        "Shah",
        "hospice",
        Role.CLINICIAN,
        senior=True,
        also=(("specialist", Role.CLINICIAN),),
    ),
    DemoPerson("hospital", "Tom", "Hughes", "hospital", Role.CLINICIAN, senior=True),
    DemoPerson("socialworker", "Grace", "Adeyemi", "social", Role.SOCIAL_WORKER),
    DemoPerson("carehome", "Maria", "Santos", "carehome", Role.CARE_HOME_STAFF),
    DemoPerson("paramedic", "Jack", "Turner", "ambulance", Role.URGENT_CARE),
    DemoPerson("callhandler", "Aisha", "Rahman", "nhs111", Role.URGENT_CARE),
    # The centre's clinical lead (organisation lead), and a case manager.
    DemoPerson("coordinator", "Helen", "Clarke", "coordination", Role.COORDINATOR, lead=True),
    DemoPerson("casemanager", "Ben", "Osei-Bonsu", "coordination", Role.COORDINATOR),
    DemoPerson("admin", "David", "Evans", "coordination", Role.REGIONAL_ADMIN, lead=True),
    # The region's Caldicott guardian: approves access to patient records an admin asks for.
    DemoPerson("privacy", "Nadia", "Haddad", "coordination", Role.PRIVACY_OFFICER),
    # Keeps the region's care profile with the admin; sees no patient data.
    DemoPerson("commissioner", "Olu", "Bankole", "coordination", Role.COMMISSIONER),
    DemoPerson("gp-other-region", "Kerensa", "Trelawny", "truro", Role.CLINICIAN, senior=True),
    DemoPerson("paramedic-cornwall", "Tamsin", "Pascoe", "kernow-ambulance", Role.URGENT_CARE),
    DemoPerson(
        "admin-cornwall", "Morwenna", "Trevithick", "cornwall-coordination", Role.REGIONAL_ADMIN
    ),
]

GIVEN_NAMES = [
    "Margaret",
    "Peter",
    "Joan",
    "Arthur",
    "Doreen",
    "Kwame",
    "Aileen",
    "Harold",
    "Nasreen",
    "Stanley",
    "Beryl",
    "Rajesh",
    "Edith",
    "Winston",
    "Irene",
    "Desmond",
    "Maureen",
    "Chen",
    "Dorothy",
    "Leonard",
    "Siobhan",
    "Albert",
    "Hyacinth",
    "Ronald",
    "Fatima",
    "Gerald",
    "Pauline",
    "Wilfred",
    "Ngozi",
    "Clifford",
]
FAMILY_NAMES = [
    "Whitfield",
    "Osei",
    "Gallagher",
    "Brennan",
    "Patel",
    "Mensah",
    "Fletcher",
    "Kowalski",
    "Begum",
    "Hargreaves",
    "Ellison",
    "Chaudhry",
    "Pemberton",
    "Campbell",
    "Doyle",
    "Okonkwo",
    "Sutton",
    "Li",
    "Marsh",
    "Holloway",
    "Quinn",
    "Ashworth",
    "Baptiste",
    "Tennant",
    "Hussain",
    "Crowther",
    "Lindqvist",
    "Penrose",
    "Eze",
    "Polglase",
]
NORTH_POSTCODES = ["N6 5AA", "N19 3UA", "N7 6LB", "NW5 1TL", "N4 3HF", "N1 9GU"]
CORNWALL_POSTCODES = ["TR1 3LJ", "TR2 4SA", "PL12 6QB"]
NORTH_STREETS = [
    "Hornsey Lane",
    "Junction Road",
    "Holloway Road",
    "Highgate Road",
    "Stroud Green Road",
]
CORNWALL_STREETS = ["Lemon Street", "Kenwyn Road", "Fore Street"]
