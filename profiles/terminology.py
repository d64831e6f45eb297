"""The stages of a care profile and the choices it asks people to talk about, in plain
English (../shared/reference/case-finding-notes.md, sections 1, 6 and 7)."""

from __future__ import annotations

from django.db import models

from register.terminology import GSF_STAGE, STAGES


class Stage(models.TextChoices):
    """The Gold Standards Framework prognostic stages, then the time after a death."""

    A = "A", "Stage A (blue): a year or more"
    B = "B", "Stage B (green): months"
    C = "C", "Stage C (yellow): weeks"
    D = "D", "Stage D (red): days"
    AFTER_DEATH = "after_death", "After death"


# The register records a stage by its SNOMED CT code; a profile by its letter.
STAGE_OF_CODE = dict(zip(STAGES, (Stage.A, Stage.B, Stage.C, Stage.D), strict=True))
CODE_OF_STAGE = {stage: code for code, stage in STAGE_OF_CODE.items()}

# What the person, their family and the team may talk about at a stage, in plain words.
TO_DISCUSS = {
    "preferred_place": "Where you would like to be cared for, and to die",
    "respect": "A ReSPECT form: what treatment you would and would not want in an emergency",
    "cpr": "Whether to try to restart your heart (CPR) if it stops",
    "anticipatory_medicines": "Just-in-case medicines kept at home for pain, sickness, "
    "agitation and breathing",
    "equipment": "Equipment at home, such as a special bed, mattress or commode",
    "carer_support": "Help and breaks for the people who look after you",
    "lasting_power_of_attorney": "Choosing someone to make decisions for you "
    "(lasting power of attorney)",
    "who_to_call": "Who to call, day and night",
    "what_to_expect": "What to expect as the illness changes",
    "after_death": "What happens after a death: verifying it, registering it, and help with grief",
}

# When the key worker contacts the family after a death (no UK national window: a
# setting of each region's profile; 3 to 6 weeks by default).
BEREAVEMENT_FROM_DAYS, BEREAVEMENT_TO_DAYS = 21, 42


def stage_words(code: str) -> str:
    return GSF_STAGE.plain(code)
