"""The demo's named people and one number: North Central London's single point of access,
a named GP for each living patient of Highgate Hill Surgery, and the community nurse as key
worker of most of them (every fourth has none yet, to name one as a new user would)."""

from __future__ import annotations

from organisations.models import Membership
from organisations.services import region_access_set
from patients.models import KeyContact, KeyContactKind, Patient
from patients.services import key_contact_set

ACCESS = {
    "name": "North Central London Palliative Care Co-ordination Centre",
    "phone": "020 7946 0999",
    "hours": "24 hours a day, 7 days a week",
    "what_for": (
        "Call if things change or you are worried, day or night: symptoms that are hard to "
        "control, a carer who cannot cope, equipment or medicines needed now. They know "
        "the plan and reach the key worker, district nurses and the hospice."
    ),
}
NURSE_PHONE = "020 7946 0450"
GP_PHONE = "020 7946 0100"


def load_key_contacts(
    *, admin: Membership, gp: Membership, nurse: Membership, patients: list[Patient]
) -> None:
    """Safe to run again: the region keeps its number and nobody is named twice."""
    if not admin.organisation.region.access_phone:
        region_access_set(actor=admin, **ACCESS)
    named = set(
        KeyContact.objects.filter(patient__in=patients, ended_at__isnull=True).values_list(
            "patient_id", "kind"
        )
    )
    for index, patient in enumerate(patients):
        if patient.date_of_death or patient.registered_gp_practice_id != gp.organisation_id:
            continue
        wanted = [(KeyContactKind.NAMED_GP, gp, GP_PHONE, "Registered with Dr Okafor")]
        if index % 4 != 3:
            wanted.append(
                (KeyContactKind.KEY_WORKER, nurse, NURSE_PHONE, "Agreed at the practice meeting")
            )
        for kind, person, phone, reason in wanted:
            if (patient.pk, kind) not in named:
                key_contact_set(
                    actor=gp,
                    patient=patient,
                    kind=kind,
                    membership=person,
                    phone=phone,
                    reason=reason,
                )
