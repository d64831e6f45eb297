from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction

from audit.models import AccessEvent, Action
from careplans import services
from careplans.compare import compare
from careplans.models import (
    CarePlan,
    ImmutableError,
    PlanSection,
    PublishedVersion,
    Status,
    WorkingCopy,
)
from careplans.selectors import sharable_version_of
from consent.services import consent_withdraw
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import basis, complete, fill
from tests.conftest import Place
from tests.factories import make_member


def test_draft_to_awaiting_approval_to_published(
    consented: Patient, their_gp: Membership, team_nurse: Membership
) -> None:
    fill(their_gp, consented)
    working_copy = WorkingCopy.objects.get(plan__patient=consented)
    assert working_copy.status == Status.DRAFT
    services.careplan_submit(actor=team_nurse, patient=consented)
    working_copy.refresh_from_db()
    assert working_copy.status == Status.AWAITING_APPROVAL
    version = services.careplan_publish(actor=their_gp, patient=consented, basis=basis())
    working_copy.refresh_from_db()
    assert working_copy.status == Status.PUBLISHED
    assert version.number == 1
    assert version.approved_by == their_gp.user
    assert version.consent_basis.with_whom == "Winifred Attwater"
    assert version.cpr_decision == "450476008"
    assert version.snapshot["sections"]["cpr_decision"]["recorded_by_senior_clinician"] is True
    assert version.snapshot["patient"]["nhs_number"] == consented.nhs_number
    actions = list(
        AccessEvent.objects.filter(patient_public_id=consented.public_id).values_list(
            "action", flat=True
        )
    )
    assert Action.EDIT in actions
    assert Action.SUBMIT in actions
    assert Action.PUBLISH in actions


def test_editing_after_publication_starts_a_new_revision_and_publishing_supersedes(
    published: PublishedVersion, their_gp: Membership
) -> None:
    patient = published.plan.patient
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="preferences",
        data={**complete()["preferences"], "preferred_place_of_death": "108401000000102"},
    )
    working_copy = WorkingCopy.objects.get(plan=published.plan)
    assert (working_copy.status, working_copy.revision) == (Status.DRAFT, 2)
    assert sharable_version_of(patient) == published  # the draft is not shared
    second = services.careplan_publish(
        actor=their_gp, patient=patient, basis=basis(), acknowledged=[]
    )
    assert second.number == 2
    assert sharable_version_of(patient) == second
    assert CarePlan.objects.get(patient=patient).current_version == second
    changes = compare(published.snapshot, second.snapshot)
    assert [(c.section, c.item, c.old, c.new) for c in changes] == [
        ("Preferences", "Preferred place of death", "Home", "Hospice")
    ]


def test_saving_the_same_content_changes_nothing(
    published: PublishedVersion, their_gp: Membership
) -> None:
    patient = published.plan.patient
    before = AccessEvent.objects.count()
    services.section_save(
        actor=their_gp, patient=patient, key="about_me", data=complete()["about_me"]
    )
    assert WorkingCopy.objects.get(plan=published.plan).status == Status.PUBLISHED
    assert AccessEvent.objects.count() == before


def test_nothing_to_publish_twice(published: PublishedVersion, their_gp: Membership) -> None:
    with pytest.raises(ValidationError, match="Nothing has changed"):
        services.careplan_publish(actor=their_gp, patient=published.plan.patient, basis=basis())


def test_a_failed_publish_leaves_everything_as_it_was(
    published: PublishedVersion, their_gp: Membership
) -> None:
    patient = published.plan.patient
    services.section_save(
        actor=their_gp,
        patient=patient,
        key="about_me",
        data={"what_is_most_important_to_me": "My garden"},
    )
    consent_withdraw(
        actor=their_gp, patient=patient, reason="Told Dr Okafor she no longer wants it shared"
    )
    with pytest.raises(services.PublishRefused) as refused:
        services.careplan_publish(actor=their_gp, patient=patient, basis=basis())
    assert [p.rule for p in refused.value.problems] == ["no_active_consent"]
    assert "no active consent to share" in refused.value.problems[0].message
    assert list(PublishedVersion.objects.filter(plan=published.plan)) == [published]
    assert WorkingCopy.objects.get(plan=published.plan).status == Status.DRAFT
    assert sharable_version_of(patient) is None  # withdrawn consent stops sharing at once


def test_version_numbers_are_unique_per_plan_in_the_database(published: PublishedVersion) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        PublishedVersion.objects.create(
            plan=published.plan,
            number=1,
            snapshot={},
            published_at=published.published_at,
            approved_by=published.approved_by,
            approved_by_name="x",
            approved_by_organisation="x",
            consent_basis=published.consent_basis,
        )


def test_one_working_copy_per_plan_in_the_database(published: PublishedVersion) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        WorkingCopy.objects.create(plan=published.plan)


def test_published_versions_are_never_changed(published: PublishedVersion) -> None:
    published.snapshot = {}
    with pytest.raises(ImmutableError):
        published.save()
    with pytest.raises(ImmutableError):
        published.delete()
    with pytest.raises(ImmutableError):
        PublishedVersion.objects.filter(pk=published.pk).update(number=9)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE careplans_publishedversion SET snapshot = '{}'",
        "DELETE FROM careplans_publishedversion",
    ],
)
def test_the_database_refuses_to_change_a_published_version(
    published: PublishedVersion, statement: str
) -> None:
    assert connection.vendor == "postgresql"
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_history_names_who_and_the_consent_basis(
    published: PublishedVersion, their_gp: Membership
) -> None:
    section = PlanSection.objects.get(working_copy__plan=published.plan, key="about_me")
    record = section.history.latest()
    assert record.history_user == their_gp.user
    assert "consent to share given by the person" in record.history_change_reason
    working_copy_record = WorkingCopy.objects.get(plan=published.plan).history.latest()
    assert "published as version 1" in working_copy_record.history_change_reason
    assert (
        "Discussed and agreed with the person: Winifred Attwater"
        in working_copy_record.history_change_reason
    )


def test_outsiders_cannot_edit_or_publish(
    consented: Patient, outsider_clinician: Membership
) -> None:
    with pytest.raises(PermissionDenied):
        services.section_save(actor=outsider_clinician, patient=consented, key="about_me", data={})
    with pytest.raises(PermissionDenied):
        services.careplan_publish(actor=outsider_clinician, patient=consented, basis=basis())
    assert not WorkingCopy.objects.exists()


def test_the_key_safe_code_is_write_only(consented: Patient, their_gp: Membership) -> None:
    services.section_save(
        actor=their_gp,
        patient=consented,
        key="home_access",
        data={"key_safe": "on", "key_safe_code": "1945"},
    )
    services.section_save(
        actor=their_gp,
        patient=consented,
        key="home_access",
        data={"key_safe": "on", "access_instructions": "Side gate"},
    )
    data = PlanSection.objects.get(key="home_access").data
    assert data == {"key_safe": True, "key_safe_code": "1945", "access_instructions": "Side gate"}


def test_saving_the_same_cpr_decision_again_keeps_who_decided(
    place: Place, patient: Patient, their_gp: Membership
) -> None:
    nurse_consultant = make_member(place.nursing, senior=True)
    decision = complete()["cpr_decision"]
    services.section_save(actor=their_gp, patient=patient, key="cpr_decision", data=decision)
    services.section_save(
        actor=nurse_consultant, patient=patient, key="cpr_decision", data=decision
    )
    stored = PlanSection.objects.get(key="cpr_decision").data
    assert stored["recorded_by_role"].endswith(place.practice.name)

    changed = {**decision, "location_of_document": "Blue folder, hall table"}
    services.section_save(actor=nurse_consultant, patient=patient, key="cpr_decision", data=changed)
    stored = PlanSection.objects.get(key="cpr_decision").data
    assert stored["recorded_by_role"].endswith(place.nursing.name)
