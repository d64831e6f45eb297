from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F

from careplans.models import CarePlan, PlanSection, PublishedVersion, Status, WorkingCopy
from careplans.selectors import sharable_versions
from careplans.synthetic import generate
from organisations.models import Membership
from patients.models import Patient
from patients.permissions import visible_patients


def _signature() -> list[Any]:
    statuses = dict(WorkingCopy.objects.values_list("plan__patient_id", "status"))
    versions = PublishedVersion.objects.values_list(
        "plan__patient__public_id", "number", "cpr_decision"
    )
    people = [
        (str(p.public_id), p.nhs_number, p.family_name, str(p.date_of_birth), statuses.get(p.pk))
        for p in Patient.objects.all()
    ]
    return [sorted(people), sorted((str(pid), n, code) for pid, n, code in versions)]


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_region() -> None:
    signatures = []
    for _ in range(2):
        with transaction.atomic():
            generate(patients=120, seed=5, batch_size=50)
            signatures.append(_signature())
            transaction.set_rollback(True)
    assert signatures[0] == signatures[1]
    assert len(signatures[0][0]) == 120


@pytest.mark.django_db
def test_plans_at_every_stage_readable_through_the_ordinary_selectors() -> None:
    summary = generate(patients=200, seed=6, batch_size=64)
    assert summary.patients == 200
    statuses = set(WorkingCopy.objects.values_list("status", flat=True))
    assert statuses == {Status.DRAFT, Status.AWAITING_APPROVAL, Status.PUBLISHED}
    assert Patient.objects.filter(care_plan__isnull=True).exists()  # no plan yet
    assert PublishedVersion.objects.filter(number=2).exists()
    assert 0 < sharable_versions().count() < PublishedVersion.objects.filter(number=1).count()
    version = PublishedVersion.objects.first()
    assert version is not None
    assert version.snapshot["sections"]["cpr_decision"]["cpr_decision"] in {
        "450475007",
        "450476008",
    }
    # As careplan_publish keeps them: each plan carries its current version's CPR decision.
    plans = CarePlan.objects.filter(current_version__isnull=False)
    assert plans.exists()
    assert not plans.exclude(cpr_decision=F("current_version__cpr_decision")).exists()
    contacts = PlanSection.objects.filter(key="key_contacts").first()
    assert contacts is not None
    assert contacts.data["contacts"][0]["phone"]
    gp = Membership.objects.filter(
        organisation__kind="gp_practice", organisation__region__name="Synthetic region 6"
    ).first()
    assert gp is not None
    assert visible_patients(gp).exists()  # care team grants work like any other


@pytest.mark.django_db
def test_a_used_seed_is_refused_clearly() -> None:
    call_command("generate_synthetic", "--patients", "3", "--seed", "9", verbosity=0)
    with pytest.raises(CommandError, match="already exists"):
        call_command("generate_synthetic", "--patients", "3", "--seed", "9")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_synthetic", "--patients", "0", "--seed", "10")
