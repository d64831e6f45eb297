"""What a carer reads: the parts of the person's published plan the person shares with them
(never a clinical part), whom to call, and the messages they have sent. Every read is
recorded in the person's stream, so that the person sees it in "Who looked at my record"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from audit.models import Action
from audit.services import record
from careplans.models import PublishedVersion
from careplans.sections import describe_all
from careplans.selectors import versions_of
from carers.models import CarerMessage
from organisations.permissions import Capability, has_capability
from patients.models import Patient
from patients.selectors import WhoToCall, who_to_call
from portal.models import PatientAccount
from portal.services import CARER_SHAREABLE


@dataclass(frozen=True)
class SharedView:
    patient: Patient
    version: PublishedVersion | None
    sections: list[dict[str, Any]]
    who: WhoToCall
    sent: list[CarerMessage]


def shared_view(carer: PatientAccount) -> SharedView:
    """Only the sections the person shares with this carer, of the version in force, and
    only of the non-clinical ones whatever was stored."""
    if not has_capability(carer, Capability.VIEW_SHARED_PARTS):
        raise Http404
    patient = carer.patient
    version = versions_of(patient).first()
    shared = [key for key in carer.shared_sections if key in CARER_SHAREABLE]
    sections = []
    if version is not None and shared:
        snapshot = version.snapshot.get("sections", {})
        sections = [
            entry
            for entry in describe_all({key: snapshot.get(key, {}) for key in shared})
            if entry["section"].key in shared
        ]
    record(
        actor=carer,
        action=Action.VIEW_PLAN,
        patient=patient,
        detail={
            "page": "carer_home",
            "version": version.number if version else None,
            "sections": [entry["section"].key for entry in sections],
        },
    )
    return SharedView(
        patient=patient,
        version=version,
        sections=sections,
        who=who_to_call(patient),
        sent=list(CarerMessage.objects.filter(account=carer)[:5]),
    )


def telling_page(carer: PatientAccount) -> WhoToCall:
    """The "tell the team" page: whom to call now, its opening recorded."""
    if not has_capability(carer, Capability.TELL_THE_TEAM):
        raise Http404
    record(actor=carer, action=Action.VIEW, patient=carer.patient, detail={"page": "carer_tell"})
    return who_to_call(carer.patient)
