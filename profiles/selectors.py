"""Reading care profiles: the published version of a region (what everyone sees), the part
of it for a person's stage now, and the versions for those who keep it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from organisations.models import Membership
from patients.models import Patient
from profiles.models import (
    BereavementFollowUp,
    ProfileService,
    ProfileVersion,
    StageText,
    VersionStatus,
)
from profiles.terminology import STAGE_OF_CODE, TO_DISCUSS, Stage
from register.selectors import stage_codes_now


@dataclass(frozen=True)
class StagePart:
    """One stage of one version: the same text whoever reads it."""

    version: ProfileVersion
    stage: Stage
    information: str
    to_discuss: list[str]  # in plain words
    services: list[ProfileService]


@dataclass(frozen=True)
class Profile:
    version: ProfileVersion
    parts: list[StagePart]

    def part(self, stage: str) -> StagePart | None:
        return next((part for part in self.parts if part.stage == stage), None)


def _profile(version: ProfileVersion) -> Profile:
    texts = {text.stage: text for text in version.stages.all()}
    services: dict[str, list[ProfileService]] = {}
    for service in version.services.select_related("provider"):
        services.setdefault(service.stage, []).append(service)
    parts = []
    for stage in Stage:
        text = texts.get(stage.value)
        parts.append(
            StagePart(
                version=version,
                stage=stage,
                information=text.information if text else "",
                to_discuss=[TO_DISCUSS[key] for key in (text.to_discuss if text else [])],
                services=services.get(stage.value, []),
            )
        )
    return Profile(version=version, parts=parts)


def published_profile(region_id: int) -> Profile | None:
    """What everyone in the region sees (no patient data)."""
    version = (
        ProfileVersion.objects.filter(profile__region_id=region_id, status=VersionStatus.PUBLISHED)
        .select_related("published_by")
        .first()
    )
    return _profile(version) if version is not None else None


def stage_now(patient: Patient) -> Stage | None:
    """The person's stage: after death once a death is recorded, else the Gold Standards
    Framework stage of their place on their practice's register (None if not staged)."""
    return stages_now([patient])[patient.pk]


def part_for(patient: Patient, stage: Stage | None) -> StagePart | None:
    """Precondition: the caller may see `patient` (the page that asks has checked and
    audited). The published part of their home region's profile for `stage`, their stage
    now (stage_now)."""
    if stage is None:
        return None
    profile = published_profile(patient.home_region_id)
    return profile.part(stage) if profile is not None else None


@dataclass(frozen=True)
class Keeping:
    """For those who keep the profile: the published version, the draft, all versions."""

    published: Profile | None
    draft: Profile | None
    versions: list[ProfileVersion]


def keeping(viewer: Membership) -> Keeping:
    """Precondition: can_keep_care_profile(viewer) (the page's decorator)."""
    versions = list(
        ProfileVersion.objects.filter(profile__region_id=viewer.organisation.region_id)
        .exclude(status=VersionStatus.DISCARDED)
        .select_related("created_by", "changed_by", "published_by")
    )
    published = next((v for v in versions if v.status == VersionStatus.PUBLISHED), None)
    draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)
    return Keeping(
        published=_profile(published) if published else None,
        draft=_profile(draft) if draft else None,
        versions=versions,
    )


def version_for_keeper(viewer: Membership, number: int) -> Profile | None:
    version = ProfileVersion.objects.filter(
        profile__region_id=viewer.organisation.region_id, number=number
    ).first()
    return _profile(version) if version is not None else None


def draft_service(viewer: Membership, service_id: UUID) -> ProfileService | None:
    return ProfileService.objects.filter(
        public_id=service_id,
        version__status=VersionStatus.DRAFT,
        version__profile__region_id=viewer.organisation.region_id,
    ).first()


def stage_text(version: ProfileVersion, stage: str) -> StageText | None:
    return version.stages.filter(stage=stage).first()


def follow_up_of(patient: Patient) -> BereavementFollowUp | None:
    """The family's follow-up after the person's death (not one withdrawn because the
    death was recorded in error). Precondition: the caller may see `patient`."""
    return (
        BereavementFollowUp.objects.filter(patient=patient, cancelled_at__isnull=True)
        .select_related("owner__user", "owner__organisation", "done_by")
        .first()
    )


def stages_now(patients: list[Patient]) -> dict[int, Stage | None]:
    """stage_now for many people in one query, by patient id."""
    stages: dict[int, Stage | None] = {
        p.pk: Stage.AFTER_DEATH if p.date_of_death else None for p in patients
    }
    living = [p.pk for p in patients if p.date_of_death is None]
    for patient_id, code in stage_codes_now(living).items():
        stages[patient_id] = STAGE_OF_CODE.get(code)
    return stages
