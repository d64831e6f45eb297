"""Coded values for the care plan, from the PRSB Palliative and End of Life Care standard
v1.1 (../shared/reference/) with their SNOMED CT codes, each shown in plain English.

Where the standard gives no value set (preferred place of care, ReSPECT, awareness,
ceiling of treatment, functional status), the value set here is local: its codes start
with "local:" so that nobody mistakes them for SNOMED CT.
"""

from __future__ import annotations

from core.terminology import Concept, ValueSet
from register.terminology import GSF_STAGE as GSF_STAGE  # the register owns the stages

FOR_CPR = "450475007"
NOT_FOR_CPR = "450476008"
CPR_DECISION = ValueSet(
    "CPR decision",
    [
        Concept(
            FOR_CPR, "For cardiopulmonary resuscitation (finding)", "For CPR: attempt resuscitation"
        ),
        Concept(
            NOT_FOR_CPR,
            "Not for cardiopulmonary resuscitation (finding)",
            "Not for CPR: do not attempt resuscitation",
        ),
    ],
)

# Where there is no CPR decision yet, the plan says why, so that "no decision" is never
# mistaken for "not asked": the one SNOMED CT status the reference confirms, and a local one.
CPR_TO_DISCUSS = "local:cpr-to-discuss"
CPR_DISCUSSION_NOT_APPROPRIATE = "931761000000106"
CPR_NO_DECISION = ValueSet(
    "CPR decision status (no decision)",
    [
        Concept(
            CPR_TO_DISCUSS,
            "Cardiopulmonary resuscitation not yet discussed (local)",
            "No decision yet: CPR has not been discussed yet",
        ),
        Concept(
            CPR_DISCUSSION_NOT_APPROPRIATE,
            "DNACPR discussion not appropriate at this time",
            "No decision: discussing CPR is not appropriate at this time",
        ),
    ],
)
CPR_DECISION_OR_STATUS = ValueSet(
    "CPR decision, or why there is none", [*CPR_DECISION.concepts, *CPR_NO_DECISION.concepts]
)

# Allergy status: "no known allergies" (asked, none), a list, or not asked yet (with why).
NO_KNOWN_ALLERGY = "716186003"
ALLERGIES_LISTED = "local:allergies-listed"
ALLERGIES_NOT_ASKED = "local:allergies-not-asked"
ALLERGY_STATUS = ValueSet(
    "Allergy status",
    [
        Concept(NO_KNOWN_ALLERGY, "No known allergy (situation)", "No known allergies"),
        Concept(
            ALLERGIES_LISTED,
            "Allergies and adverse reactions recorded (local)",
            "Has allergies or adverse reactions, listed below",
        ),
        Concept(
            ALLERGIES_NOT_ASKED,
            "Allergy status not yet asked (local)",
            "Not asked yet: nobody knows whether they have allergies",
        ),
    ],
)

CPR_DISCUSSION = ValueSet(
    "Involvement in CPR decision",
    [
        Concept(
            "713079002",
            "Discussion about cardiopulmonary resuscitation (procedure)",
            "Discussed with the person",
        ),
        Concept(
            "713656002",
            "Discussion about cardiopulmonary resuscitation with family member (situation)",
            "Discussed with a family member",
        ),
        Concept(
            "1403141000000101",
            "Discussion about cardiopulmonary resuscitation with caregiver (situation)",
            "Discussed with a carer",
        ),
    ],
)

PPD_HOME = "110481000000108"
PPD_UNABLE = "517111000000103"
PPD_NOT_APPROPRIATE = "517131000000106"
PPD_DECLINED = "766391000000108"
PPD_UNDECIDED = "517161000000101"
PREFERRED_PLACE_OF_DEATH = ValueSet(
    "Preferred place of death",
    [
        Concept(PPD_HOME, "Preferred place of death: home", "Home"),
        Concept("89761000000106", "Preferred place of death: nursing home", "Nursing home"),
        Concept(
            "512071000000106", "Preferred place of death: residential home", "Residential care home"
        ),
        Concept("108401000000102", "Preferred place of death: hospice", "Hospice"),
        Concept("109401000000108", "Preferred place of death: hospital", "Hospital"),
        Concept(
            "89751000000108", "Preferred place of death: community hospital", "Community hospital"
        ),
        Concept(
            "518741000000100",
            "Preferred place of death: learning disability unit",
            "Learning disability unit",
        ),
        Concept(
            "518771000000106", "Preferred place of death: mental health unit", "Mental health unit"
        ),
        Concept(
            PPD_UNDECIDED,
            "Preferred place of death: patient undecided (finding)",
            "Not decided yet",
        ),
        Concept(
            PPD_NOT_APPROPRIATE,
            "Preferred place of death: discussion not appropriate (finding)",
            "Not discussed: not appropriate now",
        ),
        Concept(
            PPD_DECLINED,
            "Preferred place of death: patient declined discussion (finding)",
            "Declined to discuss",
        ),
        Concept(
            PPD_UNABLE,
            "Preferred place of death: patient unable to express preference (finding)",
            "Unable to express a preference",
        ),
    ],
)
# A preference that is not a place needs a reason written beside it.
PPD_NEEDS_REASON = frozenset({PPD_NOT_APPROPRIATE, PPD_DECLINED, PPD_UNABLE})
PPD_NOT_A_PLACE = PPD_NEEDS_REASON | {PPD_UNDECIDED}

# Categories used to match a preferred place with the actual place of death (DESIGN §8).
PPD_CATEGORY = {
    PPD_HOME: "home",
    "89761000000106": "care_home",
    "512071000000106": "care_home",
    "108401000000102": "hospice",
    "109401000000108": "hospital",
    "89751000000108": "hospital",
    "518741000000100": "other",
    "518771000000106": "other",
}

# Where the person died, as on the death certificate: the PRSB "After death" value set
# (Actual place of death findings), each with the category it is matched on against the
# preferred place of death (DESIGN §8) and the NHS Data Dictionary's death location type.
ACTUAL_PLACE_OF_DEATH = ValueSet(
    "Actual place of death",
    [
        Concept("876879006", "Died at home (finding)", "At home"),
        Concept("876884000", "Died in nursing home (finding)", "In a nursing home"),
        Concept("1325731000000106", "Died in a residential home", "In a residential care home"),
        Concept("876882001", "Died in hospice (finding)", "In a hospice"),
        Concept("183676005", "Died in hospital (finding)", "In hospital"),
        Concept("713049009", "Died in a community hospital (finding)", "In a community hospital"),
        Concept("714342001", "Died in ambulance (finding)", "In an ambulance"),
        Concept(
            "713050009",
            "Died in learning disability unit (finding)",
            "In a learning disability unit",
        ),
        Concept("713051008", "Died in mental health unit (finding)", "In a mental health unit"),
        Concept("876881008", "Died in general practice premises (finding)", "At a GP surgery"),
        Concept("876885004", "Died in street (finding)", "In a street or public place"),
    ],
)
DEATH_PLACE_CATEGORY = {
    "876879006": "home",
    "876884000": "care_home",
    "1325731000000106": "care_home",
    "876882001": "hospice",
    "183676005": "hospital",
    "713049009": "hospital",
    "714342001": "other",
    "713050009": "other",
    "713051008": "other",
    "876881008": "other",
    "876885004": "other",
}
# The categories, in the order reports show them.
PLACE_CATEGORIES = {
    "home": "Home",
    "care_home": "Care home",
    "hospice": "Hospice",
    "hospital": "Hospital",
    "other": "Other",
}

# No SNOMED CT value set for preferred place of care in PRSB v1.1: a local one, with the
# same "not a place" answers as for the place of death.
PREFERRED_PLACE_OF_CARE = ValueSet(
    "Preferred place of care (local)",
    [
        Concept("local:ppc-home", "Home", "Home"),
        Concept("local:ppc-care-home", "Care home", "Care home"),
        Concept("local:ppc-hospice", "Hospice", "Hospice"),
        Concept("local:ppc-hospital", "Hospital", "Hospital"),
        Concept("local:ppc-other", "Other place", "Somewhere else (say where)"),
        Concept("local:ppc-undecided", "Undecided", "Not decided yet"),
        Concept("local:ppc-not-discussed", "Not discussed", "Not discussed: not appropriate now"),
        Concept("local:ppc-declined", "Declined to discuss", "Declined to discuss"),
        Concept(
            "local:ppc-unable", "Unable to express a preference", "Unable to express a preference"
        ),
    ],
)
PPC_NEEDS_REASON = frozenset({"local:ppc-not-discussed", "local:ppc-declined", "local:ppc-unable"})
PPC_NOT_A_PLACE = PPC_NEEDS_REASON | {"local:ppc-undecided"}

PROGNOSIS = ValueSet(
    "Estimated prognosis",
    [
        Concept("511401000000102", "Last days of life (finding)", "Last days of life"),
        Concept("955231000000109", "Last weeks of life (finding)", "Last weeks of life"),
        Concept("968211000000101", "Last months of life (finding)", "Last months of life"),
        Concept(
            "767503006",
            "Limited life expectancy of approximately one year (finding)",
            "About a year",
        ),
        Concept(
            "1413121000000106",
            "Limited life expectancy of more than one year (finding)",
            "More than a year",
        ),
    ],
)

ANTICIPATORY_MEDICINES = ValueSet(
    "Anticipatory medicines",
    [
        Concept(
            "871021000000106",
            "Prescription of palliative care anticipatory medication (procedure)",
            "Prescribed",
        ),
        Concept(
            "376201000000102",
            "Issue of palliative care anticipatory medication box (procedure)",
            "Issued to the home (just-in-case box)",
        ),
    ],
)

# PRSB "Social context" (the standard gives accommodation status; the household is what a
# crew at the door needs): whether the person lives alone. SNOMED CT where it has the
# finding, local otherwise.
LIVES_ALONE = "105529008"
LIVING_ARRANGEMENT = ValueSet(
    "Living arrangement",
    [
        Concept(LIVES_ALONE, "Lives alone (finding)", "Lives alone"),
        Concept("local:lives-with-others", "Lives with others", "Lives with other people"),
        Concept("local:living-arrangement-not-known", "Not known", "Not known"),
    ],
)

AWARENESS = ValueSet(
    "Awareness (local)",
    [
        Concept("local:aware", "Aware", "Fully aware"),
        Concept("local:partly-aware", "Partly aware", "Partly aware"),
        Concept("local:not-aware", "Not aware", "Not aware"),
        Concept("local:not-discussed", "Not discussed", "Not discussed yet"),
    ],
)

CEILING_OF_TREATMENT = ValueSet(
    "Ceiling of treatment (local, after ReSPECT)",
    [
        Concept(
            "local:ceiling-full",
            "Full escalation",
            "All treatment that may help, including intensive care",
        ),
        Concept(
            "local:ceiling-ward",
            "Ward-based care",
            "Hospital treatment on a ward, not intensive care",
        ),
        Concept(
            "local:ceiling-comfort",
            "Comfort care",
            "Symptom control and comfort where the person is; hospital only if comfort cannot be given there",
        ),
    ],
)

# ReSPECT's scale: where the person's priorities lie between sustaining life and comfort.
RESPECT_PREFERENCE = ValueSet(
    "ReSPECT preference (local)",
    [
        Concept(
            "local:respect-life",
            "Prioritise sustaining life",
            "Prioritise sustaining life, even at the expense of some comfort",
        ),
        Concept(
            "local:respect-balanced", "Balance", "A balance between sustaining life and comfort"
        ),
        Concept(
            "local:respect-comfort",
            "Prioritise comfort",
            "Prioritise comfort, even at the expense of sustaining life",
        ),
    ],
)

# Australia-modified Karnofsky Performance Status, 0 to 100 in tens.
AKPS = ValueSet(
    "Australia-modified Karnofsky Performance Status",
    [
        Concept(str(score), f"AKPS {score}", text)
        for score, text in [
            (100, "100: normal; no complaints"),
            (90, "90: able to carry on normal activity; minor signs"),
            (80, "80: normal activity with effort; some signs"),
            (70, "70: cares for self; unable to carry on normal activity"),
            (60, "60: occasional help needed"),
            (50, "50: considerable help and frequent medical care"),
            (40, "40: in bed more than 50% of the time"),
            (30, "30: almost completely bedfast"),
            (20, "20: totally bedfast, needing extensive nursing care"),
            (10, "10: comatose or barely rousable"),
        ]
    ],
)

CAPACITY = ValueSet(
    "Capacity for this decision (local)",
    [
        Concept("local:has-capacity", "Has capacity", "Has capacity to make this decision"),
        Concept(
            "local:lacks-capacity",
            "Lacks capacity",
            "Lacks capacity: decided in their best interests",
        ),
    ],
)

ADRT = ValueSet(
    "Advance decision to refuse treatment (local)",
    [
        Concept("local:adrt-none", "No ADRT", "No advance decision"),
        Concept(
            "local:adrt-refuses-cpr",
            "ADRT refusing CPR",
            "Has an advance decision that refuses CPR",
        ),
        Concept(
            "local:adrt-other",
            "ADRT refusing other treatment",
            "Has an advance decision refusing other treatment (no mention of CPR)",
        ),
    ],
)


# Diagnosis groups for reports, from the primary palliative care diagnosis as written: the
# usual trajectories of illness at the end of life (cancer, organ failure, frailty and
# dementia, neurological conditions). First match wins; anything else is "other".
DIAGNOSIS_GROUPS = {
    "cancer": "Cancer",
    "organ_failure": "Organ failure (heart, lung, kidney, liver)",
    "dementia_frailty": "Dementia and frailty",
    "neurological": "Neurological conditions",
    "other": "Other or not recorded",
}
_DIAGNOSIS_WORDS = (
    (
        "cancer",
        (
            "cancer",
            "carcinoma",
            "malignan",
            "tumour",
            "tumor",
            "metasta",
            "lymphoma",
            "leukaemia",
            "leukemia",
            "myeloma",
            "sarcoma",
            "glioma",
            "mesothelioma",
        ),
    ),
    ("dementia_frailty", ("dementia", "alzheimer", "frailty")),
    (
        "neurological",
        ("motor neurone", "parkinson", "multiple sclerosis", "huntington", "supranuclear"),
    ),
    (
        "organ_failure",
        (
            "heart failure",
            "cardiac failure",
            "obstructive pulmonary",
            "copd",
            "pulmonary fibrosis",
            "lung disease",
            "renal failure",
            "kidney disease",
            "liver",
            "cirrhosis",
        ),
    ),
)


def diagnosis_group(diagnosis: str) -> str:
    text = diagnosis.lower()
    for group, words in _DIAGNOSIS_WORDS:
        if any(word in text for word in words):
            return group
    return "other"
