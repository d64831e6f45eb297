"""load_demo gives a new user something real to try, and is safe to run twice."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from audit.verification import verify_all
from careplans.models import Death, PublishedVersion, Status, WorkingCopy
from careplans.selectors import sharable_versions
from consent.models import ConsentToShare
from organisations.demo import PEOPLE
from organisations.models import Membership, OrganisationKind
from patients.models import Patient
from portal.models import PatientAccount
from practice.casefinding import Reason
from practice.models import Meeting, MeetingAction
from practice.selectors import case_finding
from register.models import RegisterEntry, SurpriseQuestion
from register.terminology import STAGE_A, STAGE_B, STAGE_C, STAGE_D


@pytest.mark.django_db
def test_load_demo_twice_builds_the_same_region_people_patients_and_plans() -> None:
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert set(User.objects.values_list("username", flat=True)) == {
        *(p.username for p in PEOPLE),
        "patient",
        "lpa",
    }
    assert Membership.objects.get(user__username="admin-cornwall").organisation.region.name == (
        "Cornwall and the Isles of Scilly"
    )
    patient = PatientAccount.objects.get(user__username="patient")
    assert patient.role == "patient"
    assert patient.is_active
    assert patient.patient.registered_gp_practice.ods_code == "Z90001"
    assert not WorkingCopy.objects.filter(plan__patient=patient.patient).exists()
    attorney = PatientAccount.objects.get(user__username="lpa")
    assert attorney.role == "lpa_proxy"
    assert attorney.is_active
    assert attorney.patient.care_plan.current_version is not None
    kinds = set(Membership.objects.values_list("organisation__kind", flat=True))
    assert {
        OrganisationKind.GP_PRACTICE,
        OrganisationKind.AMBULANCE_SERVICE,
        OrganisationKind.NHS111,
    } <= kinds
    # 30 living people, and 48 of the practice who died in the past months (5 with no plan).
    assert Patient.objects.count() == 30 + 48
    assert Patient.objects.filter(date_of_death__isnull=True).count() == 30
    assert Patient.objects.filter(registered_gp_practice__ods_code="Z90001").count() == 24 + 48
    assert Death.objects.count() == 48
    assert Death.objects.filter(version_at_death__isnull=True).count() == 5
    assert Membership.objects.get(user__username="gp").is_senior_clinician
    assert PublishedVersion.objects.count() == 22 + 43
    assert set(PublishedVersion.objects.values_list("cpr_decision", flat=True)) == {
        "450475007",
        "450476008",
    }
    assert PublishedVersion.objects.filter(
        cpr_decision="450476008", preferred_place_of_death="110481000000108"
    ).exists()
    statuses = list(WorkingCopy.objects.values_list("status", flat=True))
    assert statuses.count(Status.DRAFT) == 2
    assert statuses.count(Status.AWAITING_APPROVAL) == 1
    withdrawn = ConsentToShare.objects.get(withdrawn_at__isnull=False)
    assert not sharable_versions().filter(plan__patient=withdrawn.patient).exists()
    assert sharable_versions().count() == 21 + 43
    # The practice's palliative care register: every GSF stage, people identified but not
    # yet on it, none of the dead left on it.
    on_register = RegisterEntry.objects.filter(removed_on__isnull=True)
    assert on_register.count() == 12
    assert set(on_register.values_list("stage", flat=True)) == {
        STAGE_A,
        STAGE_B,
        STAGE_C,
        STAGE_D,
    }
    assert set(on_register.values_list("practice__ods_code", flat=True)) == {"Z90001"}
    assert SurpriseQuestion.objects.filter(would_be_surprised=False).count() == 5
    # Case finding has someone for every reason, each of the practice.
    gp = Membership.objects.get(user__username="gp", organisation__ods_code="Z90001")
    found = case_finding(gp).candidates
    assert {term.reason for c in found for term in c.finding.terms} == set(Reason)
    # One practice meeting held, with three people reviewed and actions, and one to come.
    held, upcoming = Meeting.objects.order_by("held_on")
    assert held.held_on < upcoming.held_on
    assert held.outcomes.count() == 3
    assert MeetingAction.objects.filter(outcome__meeting=held).count() == 3
    assert not upcoming.outcomes.exists()
    assert verify_all().intact
