"""The palliative care register's codes (../shared/reference/case-finding-notes.md): the
register itself, the Gold Standards Framework prognostic stages, the surprise question,
the SPICT indicators and the Phase of Illness, each in plain English.

SPICT is stored item by item and never scored: it informs, the clinician decides."""

from __future__ import annotations

from enum import StrEnum

from core.terminology import Concept, ValueSet

# SNOMED CT 1403151000000103 |On palliative care register (finding)| (PCD refset PALCARE_COD).
ON_REGISTER = Concept(
    "1403151000000103",
    "On palliative care register (finding)",
    "On the palliative care register",
)

GSF_STAGE = ValueSet(
    "Gold Standards Framework prognostic indicator stage",
    [
        Concept(
            "845701000000104",
            "Gold standards framework prognostic indicator stage A (blue) - year plus prognosis (finding)",
            "A (blue): a year or more",
        ),
        Concept(
            "845721000000108",
            "Gold standards framework prognostic indicator stage B (green) - months prognosis (finding)",
            "B (green): months",
        ),
        Concept(
            "845751000000103",
            "Gold standards framework prognostic indicator stage C (yellow) – weeks prognosis (finding)",
            "C (yellow): weeks",
        ),
        Concept(
            "845771000000107",
            "Gold standards framework prognostic indicator stage D (red) - days prognosis (finding)",
            "D (red): days",
        ),
    ],
)

STAGES = tuple(c.code for c in GSF_STAGE.concepts)
STAGE_A, STAGE_B, STAGE_C, STAGE_D = STAGES

SURPRISE_QUESTION = "Would you be surprised if this person died in the next 12 months?"


class Phase(StrEnum):
    """Phase of Illness (OACC). Not sequential; assessed at every contact. The register,
    the practice meeting and the co-ordination centre's needs assessment share it."""

    STABLE = "stable"
    UNSTABLE = "unstable"
    DETERIORATING = "deteriorating"
    DYING = "dying"


PHASE_PLAIN = {
    Phase.STABLE: "Stable: symptoms controlled by the current plan",
    Phase.UNSTABLE: "Unstable: a new or sharply worse problem needs an urgent change of plan",
    Phase.DETERIORATING: "Deteriorating: gradual, expected decline",
    Phase.DYING: "Dying: death likely within days",
}

# SPICT general indicators (any one prompts a look for clinical indicators).
SPICT_GENERAL = {
    "unplanned_admissions": "Unplanned hospital admission(s)",
    "performance_status": (
        "Performance status is poor or getting worse (in bed or a chair more than half the day)"
    ),
    "depends_on_others": "Depends on others for care, or the carer needs more help",
    "weight_loss": "Has lost weight, or stays underweight",
    "persistent_symptoms": "Symptoms persist despite the best treatment of the conditions",
    "asks_for_palliative_care": (
        "The person or family ask for palliative care, or choose to stop or limit treatment"
    ),
}

# SPICT clinical indicators, by condition.
SPICT_CLINICAL: dict[str, tuple[str, dict[str, str]]] = {
    "cancer": (
        "Cancer",
        {
            "function_falling": "Function is falling as the cancer progresses",
            "too_frail": "Too frail for cancer treatment, or treatment is for symptoms only",
        },
    ),
    "dementia_frailty": (
        "Dementia or frailty",
        {
            "needs_help": "Needs help to dress, walk or eat",
            "eating_less": "Eating and drinking less, or problems swallowing",
            "incontinence": "Incontinence of urine or faeces",
            "little_interaction": "Little speech or social interaction",
            "falls": "Falls, or a fractured femur",
            "infections": "Recurrent fevers or infections, or aspiration pneumonia",
        },
    ),
    "neurological": (
        "Neurological disease",
        {
            "decline": "Progressive physical or cognitive decline despite the best therapy",
            "speech_swallowing": "Speech or swallowing getting worse",
            "aspiration": "Aspiration pneumonia, or breathlessness or respiratory failure",
            "stroke": "Severe disability after a stroke",
        },
    ),
    "heart": (
        "Heart or vascular disease",
        {
            "breathless": (
                "Heart failure or untreatable coronary disease, with breathlessness or chest "
                "pain at rest or on minimal effort"
            ),
            "vascular": "Severe, inoperable peripheral vascular disease",
        },
    ),
    "respiratory": (
        "Respiratory disease",
        {
            "breathless": "Severe lung disease, breathless at rest or on minimal effort",
            "oxygen": "Needs long-term oxygen",
            "ventilation": "Has needed ventilation, or ventilation is judged not appropriate",
        },
    ),
    "kidney": (
        "Kidney disease",
        {
            "ckd": "Chronic kidney disease stage 4 or 5 (eGFR below 30) with worsening health",
            "dialysis": "Stopping, or choosing not to start, dialysis",
        },
    ),
    "liver": (
        "Liver disease",
        {
            "cirrhosis": (
                "Cirrhosis with complications in the past year (ascites, encephalopathy, "
                "hepatorenal syndrome, peritonitis or variceal bleeds)"
            ),
            "no_transplant": "A liver transplant is not possible",
        },
    ),
    "other": (
        "Other conditions",
        {"irreversible": "Deteriorating and at risk of dying from another, irreversible condition"},
    ),
}

SPICT_CLINICAL_ITEMS = {
    f"{group}.{item}": f"{title}: {text}"
    for group, (title, items) in SPICT_CLINICAL.items()
    for item, text in items.items()
}
