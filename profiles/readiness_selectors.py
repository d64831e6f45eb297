"""Reading a person's readiness for home: every item now, with its colour and why, from the
latest record of each, their stage, the key worker and the needs assessment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coordination.models import NeedsAssessment
from patients.models import KeyContactKind, Patient
from patients.selectors import current_key_contacts
from profiles.models import ReadinessKind, ReadinessRecord
from profiles.readiness import Assessed, Rag, assess
from profiles.selectors import stage_now
from profiles.terminology import Stage


@dataclass(frozen=True)
class Item:
    kind: ReadinessKind
    label: str
    rag: Rag
    why: str
    record: ReadinessRecord | None  # None: never recorded (or the key worker, read elsewhere)


@dataclass(frozen=True)
class Readiness:
    stage: Stage | None
    items: list[Item]

    def item(self, kind: ReadinessKind) -> Item:
        return next(item for item in self.items if item.kind == kind)

    @property
    def applies(self) -> bool:
        """Staged on the register, or checked at least once: a list shows it."""
        return self.stage is not None or any(item.record for item in self.items)

    @property
    def red(self) -> int:
        return sum(item.rag == Rag.RED for item in self.items)

    @property
    def amber(self) -> int:
        return sum(item.rag == Rag.AMBER for item in self.items)


def readiness_of(patient: Patient, today: dt.date) -> Readiness:
    """Precondition: the caller may see `patient` (and has audited the read)."""
    return readiness_of_many([patient], today, stages={patient.pk: stage_now(patient)})[patient.pk]


def readiness_of_many(
    patients: list[Patient],
    today: dt.date,
    *,
    stages: dict[int, Stage | None],
    workers: dict[int, str] | None = None,
    for_list: bool = False,
) -> dict[int, Readiness]:
    """Each person's readiness, by patient id, in three queries whatever their number (the
    records, the key workers, the needs assessments; for a list, only the first when it
    applies to nobody). `stages`: each person's stage now, which the caller has read;
    `workers`: the name of each one's key worker in force by patient id, if the caller has
    read them too (a list has). `for_list`: for a list, which shows nothing for a person
    readiness does not apply to (no stage, never checked): they are given no items, rather
    than each judged grey. Precondition as readiness_of."""
    ids = [patient.pk for patient in patients]
    records = ReadinessRecord.objects.filter(patient_id__in=ids)
    if not for_list:  # a list never says who recorded an item
        records = records.select_related("recorded_by", "recorded_by_organisation")
    latest: dict[tuple[int, str], ReadinessRecord] = {}
    for made in records:
        latest.setdefault((made.patient_id, made.kind), made)  # newest first
    checked = {patient_id for patient_id, _ in latest}
    judged = [pk for pk in ids if not for_list or stages.get(pk) is not None or pk in checked]
    found_all = {pk: Readiness(stage=None, items=[]) for pk in ids}  # until judged below
    if not judged:  # a page of people readiness does not apply to: nothing more to read
        return found_all
    if workers is None:
        workers = {
            contact.patient_id: contact.name
            for contact in current_key_contacts(KeyContactKind.KEY_WORKER)
            .filter(patient_id__in=judged)
            .select_related("membership__user")
        }
    carers: dict[int, str] = {}
    for patient_id, carer in (
        NeedsAssessment.objects.filter(referral__patient_id__in=judged)
        .order_by("-assessed_at")
        .values_list("referral__patient_id", "carer")
    ):
        carers.setdefault(patient_id, carer)
    for pk in judged:
        items = []
        for kind in ReadinessKind:
            found = latest.get((pk, kind.value))
            assessed: Assessed = assess(
                kind,
                found.data if found else None,
                stage=stages.get(pk),
                today=today,
                key_worker=workers.get(pk, ""),
                carer_from_assessment=carers.get(pk, ""),
            )
            items.append(
                Item(kind=kind, label=kind.label, rag=assessed.rag, why=assessed.why, record=found)
            )
        found_all[pk] = Readiness(stage=stages.get(pk), items=items)
    return found_all
