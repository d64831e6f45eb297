"""North Central London's care profile: a published version with services at every stage,
from the demo's own organisations and named services, and a draft edit not yet published."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from organisations.models import Membership, Organisation
from patients.models import Patient
from profiles.models import ProfileVersion, ReadinessKind, ReadinessRecord, VersionStatus
from profiles.readiness_services import readiness_record
from profiles.services import ServiceDetails, draft_start, profile_publish, service_save, stage_save
from profiles.terminology import Stage

SPA = "020 7946 0999"

INFORMATION = {
    Stage.A: (
        "Your illness may shorten your life, but you may have a year or more. This is a good "
        "time to think about what matters to you and to write it down, so that everyone who "
        "cares for you knows."
    ),
    Stage.B: (
        "You may have months rather than years. Your GP practice reviews your care at its "
        "monthly meeting. Tell your key worker what you would like to happen if you become "
        "more unwell, and where you would like to be cared for."
    ),
    Stage.C: (
        "You may have weeks. Help at home can increase now: nurses, the hospice team, care "
        "and equipment. Medicines can be kept at home in case they are needed at night. Call "
        "the co-ordination centre at any time if things change."
    ),
    Stage.D: (
        "Death may be days away. Nurses and the hospice team can visit day and night. "
        "Someone can sit with you overnight so that your family can rest. You do not need to "
        "call 999 for an expected death: call the co-ordination centre."
    ),
    Stage.AFTER_DEATH: (
        "When someone dies at home, call the co-ordination centre or the GP practice: a nurse "
        "or doctor will come to confirm the death. There is no rush. The key worker will "
        "contact the family in the weeks after, and bereavement support is there for anyone "
        "who needs it."
    ),
}
TO_DISCUSS = {
    Stage.A: ["preferred_place", "lasting_power_of_attorney", "what_to_expect"],
    Stage.B: ["preferred_place", "respect", "cpr", "carer_support", "who_to_call"],
    Stage.C: [
        "preferred_place",
        "respect",
        "anticipatory_medicines",
        "equipment",
        "carer_support",
        "who_to_call",
    ],
    Stage.D: ["anticipatory_medicines", "equipment", "carer_support", "who_to_call"],
    Stage.AFTER_DEATH: ["after_death"],
}


def _services(organisations: dict[str, Organisation]) -> list[tuple[Stage, ServiceDetails]]:
    hospice, nursing = organisations["hospice"], organisations["nursing"]
    specialist, social = organisations["specialist"], organisations["social"]
    community = ServiceDetails(
        name="District nursing",
        provider=nursing,
        what_it_does="Nursing care at home: symptoms, medicines, pressure care and equipment.",
        who_for="Adults at home registered with an Islington or Camden GP",
        hours="8am to 8pm, 7 days a week",
        out_of_hours=False,
        phone="020 7946 0450",
        how_to_reach="The GP or the co-ordination centre refers",
        centre_service="",
        response_time="Within 24 hours; within 2 hours if urgent",
    )
    return [
        (
            Stage.A,
            ServiceDetails(
                name="Advance care planning clinic",
                provider=hospice,
                what_it_does="Time with a nurse to talk through wishes and write the plan.",
                who_for="Anyone with a life-limiting illness, and their family",
                hours="Monday to Friday, 9am to 5pm",
                out_of_hours=False,
                phone="020 7946 0300",
                how_to_reach="Ask your GP, or call the hospice",
                centre_service="",
                response_time="An appointment within 2 weeks",
            ),
        ),
        (Stage.B, community),
        (
            Stage.B,
            ServiceDetails(
                name="Specialist palliative care review",
                provider=specialist,
                what_it_does="Advice and visits for symptoms that are hard to control.",
                who_for="People with complex needs, referred by a professional",
                hours="Monday to Friday, 9am to 5pm; advice line at all times",
                out_of_hours=True,
                phone="020 7946 0310",
                how_to_reach="",
                centre_service="specialist_review",
                response_time="Within 2 working days",
            ),
        ),
        (Stage.C, community),
        (
            Stage.C,
            ServiceDetails(
                name="Hospice at home",
                provider=hospice,
                what_it_does="Nurses and care assistants from the hospice, at home.",
                who_for="People in the last weeks of life who want to be cared for at home",
                hours="24 hours a day, 7 days a week",
                out_of_hours=True,
                phone="",
                how_to_reach="",
                centre_service="hospice_at_home",
                response_time="Within 4 hours",
            ),
        ),
        (
            Stage.C,
            ServiceDetails(
                name="Community equipment service",
                provider=social,
                what_it_does="Beds, mattresses, commodes and hoists, delivered and collected.",
                who_for="Anyone at home, on a nurse's or therapist's request",
                hours="Deliveries 8am to 8pm, 7 days a week",
                out_of_hours=False,
                phone="020 7946 0520",
                how_to_reach="District nurses or therapists order it",
                centre_service="equipment",
                response_time="Same day for people in their last weeks",
            ),
        ),
        (
            Stage.D,
            ServiceDetails(
                name="Rapid response nursing",
                provider=nursing,
                what_it_does="A nurse at home quickly, day or night, for sudden changes.",
                who_for="People in the last days of life and their carers",
                hours="24 hours a day, 7 days a week",
                out_of_hours=True,
                phone=SPA,
                how_to_reach="Call the co-ordination centre",
                centre_service="rapid_response",
                response_time="Within 2 hours",
            ),
        ),
        (
            Stage.D,
            ServiceDetails(
                name="Night sitting",
                provider=hospice,
                what_it_does="A care assistant sits overnight so that the family can sleep.",
                who_for="People in the last days of life at home",
                hours="10pm to 7am, 7 nights a week",
                out_of_hours=True,
                phone="",
                how_to_reach="",
                centre_service="night_sitting",
                response_time="The same night if asked before 4pm",
            ),
        ),
        (
            Stage.AFTER_DEATH,
            ServiceDetails(
                name="Bereavement support",
                provider=hospice,
                what_it_does="Someone to talk to, one to one or in a group, for as long as needed.",
                who_for="Family, friends and carers of anyone who died in the region",
                hours="Monday to Friday, 9am to 5pm",
                out_of_hours=False,
                phone="020 7946 0330",
                how_to_reach="Call, or ask the GP or key worker",
                centre_service="",
                response_time="A first call within a week",
            ),
        ),
    ]


def load_care_profile(*, admin: Membership, organisations: dict[str, Organisation]) -> None:
    """Safe to run again: once the profile has a published version, nothing is added."""
    region = admin.organisation.region
    if ProfileVersion.objects.filter(
        profile__region=region, status=VersionStatus.PUBLISHED
    ).exists():
        return
    draft = draft_start(actor=admin)
    for stage in Stage:
        draft = stage_save(
            actor=admin,
            revision=draft.revision,
            stage=stage,
            information=INFORMATION[stage],
            to_discuss=TO_DISCUSS[stage],
            bereavement_from_days=21,
            bereavement_to_days=42,
        )
    for stage, details in _services(organisations):
        service_save(actor=admin, revision=draft.revision, stage=stage, details=details)
        draft.refresh_from_db()
    profile_publish(actor=admin, revision=draft.revision)
    # A change in progress: a second bereavement service, not yet published.
    draft = draft_start(actor=admin)
    service_save(
        actor=admin,
        revision=draft.revision,
        stage=Stage.AFTER_DEATH,
        details=ServiceDetails(
            name="Children's bereavement group",
            provider=organisations["hospice"],
            what_it_does="Groups for children and young people after the death of someone close.",
            who_for="Children aged 5 to 17 in the region",
            hours="Saturday mornings",
            out_of_hours=False,
            phone="020 7946 0331",
            how_to_reach="Parents or schools call the hospice",
            centre_service="",
            response_time="A call back within a week",
        ),
    )


def load_readiness(*, gp: Membership, patients: list[Patient]) -> None:
    """Readiness for home across the staged people of the practice: all in place for
    Margaret Whitfield (stage D); a bed not delivered for Peter Osei (stage C: red, and the
    key worker told); medicines prescribed, not issued, and a carer struggling for Joan
    Gallagher (stage C). Safe to run again."""
    if ReadinessRecord.objects.filter(patient__in=patients).exists():
        return
    today = timezone.localdate()
    days = dt.timedelta
    whitfield, osei, gallagher = patients[0], patients[1], patients[2]
    plans: list[tuple[Patient, ReadinessKind, dict[str, Any], str]] = [
        (
            whitfield,
            ReadinessKind.MEDICINES,
            {
                "prescribed_on": today - days(12),
                "issued_on": today - days(10),
                "kept_at": "Kitchen, top cupboard, in the labelled box",
                "expires_on": today + days(160),
            },
            "",
        ),
        (
            whitfield,
            ReadinessKind.EQUIPMENT,
            {
                "needed": ["profiling_bed", "pressure_mattress"],
                "delivered": ["profiling_bed", "pressure_mattress"],
            },
            "",
        ),
        (whitfield, ReadinessKind.FORM_AT_HOME, {"at_home": "yes"}, "On the fridge"),
        (whitfield, ReadinessKind.SPA_GIVEN, {"given": "yes"}, "Card by the phone"),
        (whitfield, ReadinessKind.CARER, {"situation": "coping"}, "Daughter staying"),
        (whitfield, ReadinessKind.PREFERRED_PLACE, {"achievable": "yes"}, ""),
        (osei, ReadinessKind.FORM_AT_HOME, {"at_home": "yes"}, ""),
        (osei, ReadinessKind.SPA_GIVEN, {"given": "yes"}, ""),
        (
            osei,
            ReadinessKind.EQUIPMENT,
            {"needed": ["profiling_bed", "commode"], "delivered": ["commode"]},
            "Bed ordered from the equipment service",
        ),
        (
            osei,
            ReadinessKind.PREFERRED_PLACE,
            {"achievable": "at_risk"},
            "Needs the bed and night sitting to stay at home",
        ),
        (
            gallagher,
            ReadinessKind.MEDICINES,
            {
                "prescribed_on": today - days(2),
                "issued_on": None,
                "kept_at": "",
                "expires_on": None,
            },
            "Pharmacy to deliver",
        ),
        (gallagher, ReadinessKind.CARER, {"situation": "struggling"}, "Husband up every night"),
    ]
    for patient, kind, data, note in plans:
        readiness_record(actor=gp, patient=patient, kind=kind, data=data, note=note)
