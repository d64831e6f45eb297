"""The parts of the plan a person can write themselves, online, in plain language (issue 6):
each fills some items of one section of the working copy. Everything else, and the CPR
decision above all, is written by clinicians."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from careplans import terminology as t
from careplans.sections import HomeAccessForm, KeyContactsForm, SectionForm, text_field

RATHER_NOT_SAY = "I'd rather not say now"
SAID_ONLINE = "They would rather not say for now (from their own draft)"


class WhatMattersForm(SectionForm):
    what_is_most_important_to_me = text_field(
        "What matters most to me",
        "For example, being at home with my dog, seeing my grandchildren, being free of pain",
        lines=4,
    )
    people_who_are_important_to_me = text_field(
        "People who are important to me", "Family, friends, neighbours, carers, pets"
    )
    how_i_communicate_and_how_to_communicate_with_me = text_field(
        "How to communicate with me",
        "For example, I wear a hearing aid; speak slowly; my daughter translates for me",
    )
    please_do_and_please_dont = text_field(
        "Please do, and please don't", "Anything people caring for you should know"
    )


def _places(
    value_set: t.ValueSet, not_a_place: frozenset[str], *, undecided: str, declined: str
) -> list[tuple[str, str]]:
    """The places, then "not decided" and "rather not say" in the person's own words."""
    places = [c for c in value_set.choices if c[0] not in not_a_place]
    return [
        ("", "Not answered yet"),
        *places,
        (undecided, "I have not decided yet"),
        (declined, RATHER_NOT_SAY),
    ]


class WhereForm(SectionForm):
    preferred_place_of_care = forms.ChoiceField(
        label="Where would you like to be cared for?",
        choices=_places(
            t.PREFERRED_PLACE_OF_CARE,
            t.PPC_NOT_A_PLACE,
            undecided="local:ppc-undecided",
            declined="local:ppc-declined",
        ),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    preferred_place_of_care_detail = text_field(
        "Anything more about where you would like to be cared for",
        "If you chose somewhere else, say where",
        lines=2,
    )
    preferred_place_of_death = forms.ChoiceField(
        label="If you could choose, where would you like to be when you die?",
        help_text="You can change your mind at any time. It is fine not to answer now.",
        choices=_places(
            t.PREFERRED_PLACE_OF_DEATH,
            t.PPD_NOT_A_PLACE,
            undecided=t.PPD_UNDECIDED,
            declined=t.PPD_DECLINED,
        ),
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the options listed"},
    )
    preferred_place_of_death_detail = text_field(
        "Anything more about where you would like to be",
        "For example, the name of a hospice",
        lines=2,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("preferred_place_of_care") == "local:ppc-other" and not data.get(
            "preferred_place_of_care_detail"
        ):
            self.add_error(
                "preferred_place_of_care_detail", "Say where you would like to be cared for"
            )
        # "Rather not say" is a coded answer the standard asks a reason for: the reason is
        # that the person chose not to say, in their own draft.
        for name, declined in (
            ("preferred_place_of_care", "local:ppc-declined"),
            ("preferred_place_of_death", t.PPD_DECLINED),
        ):
            if data.get(name) == declined and not data.get(f"{name}_detail"):
                data[f"{name}_detail"] = SAID_ONLINE
        return data


def _drop_stale_second_choices(merged: dict[str, Any]) -> dict[str, Any]:
    """A clinician's second choice that no longer fits the person's first is dropped rather
    than left contradicting it; the clinician sees the change before approving."""
    for prefix, not_a_place in (
        ("preferred_place_of_care", t.PPC_NOT_A_PLACE),
        ("preferred_place_of_death", t.PPD_NOT_A_PLACE),
    ):
        first, second = merged.get(prefix), merged.get(f"{prefix}_second")
        if second and (not first or first in not_a_place or first == second):
            merged.pop(f"{prefix}_second")
    return merged


class MedicinesKeptForm(SectionForm):
    anticipatory_medicines_location = forms.CharField(
        label="Where are your 'just in case' medicines kept?",
        help_text="For example, in a box on top of the fridge. Leave blank if you have none yet.",
        max_length=300,
        required=False,
    )


class PeopleToContactForm(KeyContactsForm):
    """The same contacts as the clinicians' form: the whole list, so nobody is lost."""


class HomeForm(HomeAccessForm):
    """Only the person's own items: who lives with them is the care team's to record
    (asked in the third person), so it is not on this form and saving keeps it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("living_arrangement", "household"):
            del self.fields[name]


@dataclass(frozen=True)
class OwnPart:
    slug: str
    title: str
    summary: str
    section_key: str
    form: type[SectionForm]
    # The items of the section this part writes; the section's other items are kept.
    owned: tuple[str, ...]
    tidy: Callable[[dict[str, Any]], dict[str, Any]] = lambda merged: merged


OWN_PARTS: tuple[OwnPart, ...] = (
    OwnPart(
        "what-matters",
        "What matters to me",
        "What matters most, the people important to you, how to communicate with you",
        "about_me",
        WhatMattersForm,
        tuple(WhatMattersForm.base_fields.keys() - {"based_on"}),
    ),
    OwnPart(
        "where",
        "Where I would like to be",
        "Where you would like to be cared for, and to die",
        "preferences",
        WhereForm,
        tuple(WhereForm.base_fields.keys() - {"based_on"}),
        _drop_stale_second_choices,
    ),
    OwnPart(
        "people-to-contact",
        "People to contact",
        "Family, friends and carers, with their phone numbers",
        "key_contacts",
        PeopleToContactForm,
        ("contacts",),
    ),
    OwnPart(
        "medicines",
        "Where my medicines are kept",
        "So that a nurse or paramedic can find your 'just in case' medicines",
        "medications",
        MedicinesKeptForm,
        ("anticipatory_medicines_location",),
    ),
    OwnPart(
        "home",
        "Getting into my home",
        "A key safe, and how to get in",
        "home_access",
        HomeForm,
        ("key_safe", "key_safe_code", "access_instructions"),
    ),
)
OWN_PART_BY_SLUG = {part.slug: part for part in OWN_PARTS}
