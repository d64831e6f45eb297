from __future__ import annotations

import pytest

from organisations.models import Membership, Role
from profiles.models import ProfileVersion
from profiles.services import (
    ServiceDetails,
    draft_start,
    profile_publish,
    service_save,
    stage_save,
)
from profiles.terminology import Stage
from tests.careplans.conftest import consented, published
from tests.conftest import Place
from tests.factories import make_member

__all__ = ["consented", "published"]

STAGE_C_WORDS = "You may have weeks. Call the co-ordination centre at any time."


def service(name: str = "Hospice at home", **changes: object) -> ServiceDetails:
    values: dict[str, object] = {
        "name": name,
        "what_it_does": "Nurses from the hospice, at home.",
        "who_for": "People in their last weeks at home",
        "hours": "24 hours a day, 7 days a week",
        "out_of_hours": True,
        "phone": "020 7946 0300",
        "how_to_reach": "",
        "centre_service": "",
        "response_time": "Within 4 hours",
        **changes,
    }
    return ServiceDetails(**values)  # type: ignore[arg-type]


def fill_profile(admin: Membership) -> ProfileVersion:
    """A draft with information and one service at every stage."""
    draft = draft_start(actor=admin)
    for stage in Stage:
        words = STAGE_C_WORDS if stage == Stage.C else f"What to know at {stage.label}."
        draft = stage_save(
            actor=admin,
            revision=draft.revision,
            stage=stage,
            information=words,
            to_discuss=["preferred_place", "equipment"],
            bereavement_from_days=21,
            bereavement_to_days=42,
        )
        service_save(
            actor=admin, revision=draft.revision, stage=stage, details=service(f"{stage} help")
        )
        draft.refresh_from_db()
    return draft


def publish_profile(admin: Membership) -> ProfileVersion:
    draft = fill_profile(admin)
    return profile_publish(actor=admin, revision=draft.revision)


@pytest.fixture
def commissioner(place: Place) -> Membership:
    return make_member(place.coordination, Role.COMMISSIONER, username="commissioner")
