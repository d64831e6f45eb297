"""Bad input in a section: a clear message beside the field, and nothing saved."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from careplans import services
from careplans.models import PlanSection
from organisations.models import Membership
from patients.models import Patient
from tests.careplans.conftest import date_fields


@pytest.mark.parametrize(
    ("key", "data", "field", "message"),
    [
        (
            "preferences",
            {"preferred_place_of_death": "999999"},
            "preferred_place_of_death",
            "Choose one of the options",
        ),
        (
            "preferences",
            {"preferred_place_of_death": "517111000000103"},
            "preferred_place_of_death_detail",
            "Say why no preferred place of death",
        ),
        (
            "preferences",
            {"preferred_place_of_care": "local:ppc-declined"},
            "preferred_place_of_care_detail",
            "Say why no preferred place of care",
        ),
        (
            "preferences",
            {"preferred_place_of_death_second": "108401000000102"},
            "preferred_place_of_death_second",
            "first choice",
        ),
        (
            "preferences",
            {
                "preferred_place_of_death": "108401000000102",
                "preferred_place_of_death_second": "108401000000102",
            },
            "preferred_place_of_death_second",
            "must differ",
        ),
        (
            "cpr_decision",
            # Dates are counted from the day the test runs, so these are callables.
            lambda: {
                "cpr_decision": "450476008",
                "mental_capacity": "local:has-capacity",
                **date_fields("date_of_decision", 3),
            },
            "date_of_decision",
            "today or in the past",
        ),
        (
            "cpr_decision",
            {
                "cpr_decision": "450476008",
                "mental_capacity": "local:has-capacity",
                "date_of_decision_0": "31",
                "date_of_decision_1": "2",
                "date_of_decision_2": "2026",
            },
            "date_of_decision",
            "real date",
        ),
        (
            "cpr_decision",
            lambda: {
                "mental_capacity": "local:has-capacity",
                **date_fields("date_of_decision", -1),
            },
            "cpr_decision",
            "Choose the CPR decision",
        ),
        (
            "key_contacts",
            {"contact_0_name": "Ann", "contact_0_phone": "12"},
            "contact_0_phone",
            "Enter a phone number",
        ),
        (
            "key_contacts",
            {"contact_1_phone": "07700 900982"},
            "contact_1_name",
            "Enter the name of contact 2",
        ),
        (
            "legal",
            {"advance_decision_to_refuse_treatment": "local:adrt-refuses-cpr"},
            "adrt_location_of_document",
            "Say where the ADRT is kept",
        ),
        (
            "medications",
            {
                "anticipatory_medicines": ["376201000000102"],
                "anticipatory_medicines_statement": "Morphine",
            },
            "anticipatory_medicines_location",
            "Say where",
        ),
    ],
)
def test_bad_section_input_is_a_field_error_and_nothing_is_saved(
    patient: Patient,
    their_gp: Membership,
    key: str,
    data: dict | Callable[[], dict],
    field: str,
    message: str,
) -> None:
    data = data() if callable(data) else data
    with pytest.raises(services.SectionInvalid) as invalid:
        services.section_save(actor=their_gp, patient=patient, key=key, data=data)
    assert message in " ".join(str(error) for error in invalid.value.form.errors[field])
    assert not PlanSection.objects.exists()


def test_codes_are_stored_and_shown_in_plain_english(
    patient: Patient, their_gp: Membership
) -> None:
    from careplans.sections import SECTION_BY_KEY, describe

    services.section_save(
        actor=their_gp,
        patient=patient,
        key="preferences",
        data={
            "preferred_place_of_death": "517111000000103",
            "preferred_place_of_death_detail": "Too unwell to discuss",
        },
    )
    stored = PlanSection.objects.get(key="preferences").data
    assert stored["preferred_place_of_death"] == "517111000000103"
    shown = dict(describe(SECTION_BY_KEY["preferences"], stored))
    assert shown["Preferred place of death"] == "Unable to express a preference"


def test_the_cpr_decision_shows_who_decided(patient: Patient, their_gp: Membership) -> None:
    from careplans.sections import SECTION_BY_KEY, describe
    from tests.careplans.conftest import complete

    services.section_save(
        actor=their_gp, patient=patient, key="cpr_decision", data=complete()["cpr_decision"]
    )
    shown = dict(
        describe(SECTION_BY_KEY["cpr_decision"], PlanSection.objects.get(key="cpr_decision").data)
    )
    assert shown["Decided by"] == "Test Clinician, Clinician, Highgate Hill Surgery"
