"""Every change to a plan: edit a section, submit for approval, publish. Acting user first,
permission, validation, write, audit, all in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, prefetch_related_objects
from django.utils import timezone

from audit.models import Action
from audit.services import record
from careplans import safety
from careplans.compare import Change, compare
from careplans.models import (
    CarePlan,
    Death,
    PlanSection,
    PublishedVersion,
    Status,
    WorkingCopy,
)
from careplans.own_parts import OwnPart
from careplans.permissions import (
    can_edit_plan,
    can_edit_section,
    can_publish_plan,
    can_write_own_draft,
)
from careplans.sections import (
    LEGACY_LPA_ITEMS,
    SECTION_BY_KEY,
    SERVER_ITEMS,
    Section,
    SectionForm,
    content_fingerprint,
    describe,
    form_initial,
    mandatory_missing,
)
from careplans.selectors import versions_of, working_copy_of
from careplans.snapshot import snapshot_of
from consent.selectors import active_consent
from consent.services import BasisDetails, OnlineActor, basis_record, basis_validate
from core.tasks import queue_after_commit
from organisations.models import Membership
from patients.models import Patient


class SectionInvalid(ValidationError):
    """The section's form, bound and with its errors, for the page to show again."""

    def __init__(self, form: SectionForm) -> None:
        super().__init__(form.errors.as_data())
        self.form = form


@dataclass(frozen=True)
class ConflictItem:
    """One item someone else saved differently while this person was editing."""

    item: str
    theirs: str
    mine: str
    kept: str  # "mine" (only I changed it), "theirs" (only they did) or "both" (we both did)


class SectionConflict(SectionInvalid):
    """Someone else saved the section since this form was shown. Nothing is saved; `form`
    is a new form holding both people's changes (theirs where both changed an item), based
    on what is saved now; `items` lists every item where theirs and mine differ, so that
    what this person typed is shown beside theirs and never lost."""

    def __init__(
        self,
        form: SectionForm,
        *,
        items: list[ConflictItem],
        saved_by: str,
        saved_at: dt.datetime | None,
    ) -> None:
        super().__init__(form)
        self.items = items
        self.saved_by = saved_by
        self.saved_at = saved_at


class PublishRefused(Exception):
    def __init__(self, problems: list[safety.Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


class AcknowledgementNeeded(Exception):
    def __init__(self, warnings: list[safety.Problem]) -> None:
        super().__init__("; ".join(w.message for w in warnings))
        self.warnings = warnings


class PlanClosed(PermissionDenied):
    """The person has died: their plan is closed to every change."""


def _locked_working_copy(patient: Patient) -> WorkingCopy | None:
    """The working copy, locked with its plan, as it is now; PlanClosed once the person
    has died (whatever an instance loaded earlier in the request says)."""
    working_copy = (
        WorkingCopy.objects.select_for_update()
        .select_related("plan")
        .filter(plan__patient=patient)
        .first()
    )
    if working_copy is not None and working_copy.plan.closed_at is not None:
        raise PlanClosed("The person has died: their plan is closed")
    return working_copy


def _locked_or_new_working_copy(patient: Patient, actor: Membership | OnlineActor) -> WorkingCopy:
    """The plan starts with its first edit."""
    working_copy = _locked_working_copy(patient)
    if working_copy is None:
        if Death.objects.filter(patient=patient, entered_in_error=False).exists():
            raise PlanClosed("The person has died: no plan is started for them")
        try:
            with transaction.atomic():
                plan, _ = CarePlan.objects.get_or_create(patient=patient)
                working_copy = WorkingCopy(plan=plan)
                working_copy._history_user = actor.user  # type: ignore[attr-defined]
                working_copy._change_reason = "plan started"  # type: ignore[attr-defined]
                working_copy.save()
        except IntegrityError:
            # Someone else started the plan a moment ago: edit theirs.
            working_copy = _locked_working_copy(patient)
            if working_copy is None:
                raise
    return working_copy


SECTION_CHANGED = (
    "Someone else saved {title} while you were editing it. Nothing of yours is saved yet. "
    "The form now holds both your changes, and theirs where you both changed an item: check "
    "each item listed, then save."
)
PLAN_CHANGED = (
    "Someone changed the plan while you were reviewing it. Check the changes listed below, "
    "then publish again."
)


class PlanChanged(ValidationError):
    """The working copy changed after the approving clinician last saw it."""


def plan_fingerprint(working_copy: WorkingCopy) -> str:
    """Identifies exactly what a clinician is shown for approval: the revision and every
    section's content. The publish page carries it, so that a change made meanwhile by
    someone else is never published under the approver's name unseen."""
    return content_fingerprint(
        {
            "revision": working_copy.revision,
            # .all(), not ordered: a prefetched list serves it; the digest sorts the keys.
            "sections": {s.key: s.data for s in working_copy.sections.all()},
        }
    )


def _consent_words(patient: Patient) -> str:
    consent = active_consent(patient)
    return consent.describe() if consent else "no consent to share recorded yet (draft only)"


CPR_RECORDED_BY = tuple(sorted(SERVER_ITEMS))


def _server_items(
    key: str, actor: Membership | OnlineActor, stored: dict[str, Any], previous: dict[str, Any]
) -> dict[str, Any]:
    """Items the service adds or keeps, never taken from the form."""
    if key == "cpr_decision":
        if not isinstance(actor, Membership):
            raise PermissionDenied  # only a senior clinician records a CPR decision
        unchanged = {k: v for k, v in previous.items() if k not in CPR_RECORDED_BY} == stored
        if unchanged and previous:
            # Saving the same decision again does not make someone else its decider.
            return {**stored, **{k: previous[k] for k in CPR_RECORDED_BY if k in previous}}
        stored["recorded_by"] = actor.user.get_full_name() or actor.user.get_username()
        stored["recorded_by_role"] = f"{actor.get_role_display()}, {actor.organisation.name}"
        stored["recorded_by_senior_clinician"] = actor.is_senior_clinician
    if key == "legal":
        # An LPA typed in the plan before LPA records existed is kept, never dropped by a
        # form that no longer has those fields.
        stored.update({k: v for k, v in previous.items() if k in LEGACY_LPA_ITEMS})
    if key == "home_access":
        # The code is write-only: a blank field keeps the code already recorded.
        if (
            stored.get("key_safe")
            and not stored.get("key_safe_code")
            and previous.get("key_safe_code")
        ):
            stored["key_safe_code"] = previous["key_safe_code"]
        if not stored.get("key_safe"):
            stored.pop("key_safe_code", None)
    return stored


@transaction.atomic
def section_save(
    *, actor: Membership, patient: Patient, key: str, data: Mapping[str, Any]
) -> PlanSection | None:
    """Validate and store one section. Editing a published plan starts a new revision as a
    draft. Returns None when nothing changed. Raises SectionInvalid with the bound form,
    also when the form was based on content someone else has saved over since."""
    section = SECTION_BY_KEY[key]
    if not can_edit_section(actor, patient, section):
        raise PermissionDenied
    return _store(actor, patient, section, section.form(data))


@transaction.atomic
def own_part_save(
    *, actor: OnlineActor, part: OwnPart, data: Mapping[str, Any]
) -> PlanSection | None:
    """A person (or their attorney) writes one part of their own draft: the part's items of
    its section; the section's other items stay as clinicians wrote them. Only while the
    plan is a draft that has never been published: after that, they ask for a change."""
    patient = actor.patient
    if not can_write_own_draft(actor, patient, _locked_working_copy(patient)):
        raise PermissionDenied
    return _store(actor, patient, SECTION_BY_KEY[part.section_key], part.form(data), part=part)


def _content_at(existing: PlanSection, fingerprint: str) -> dict[str, Any] | None:
    """What the section held when a form showed content with this fingerprint: one of its
    recent saves (the history keeps them all), or None if it is too old to find."""
    for past in existing.history.order_by("-history_date", "-history_id")[:50]:
        if content_fingerprint(past.data) == fingerprint:
            return dict(past.data)
    if fingerprint == content_fingerprint({}):
        return {}
    return None


def _conflict(
    section: Section,
    existing: PlanSection | None,
    based_on: str,
    mine: dict[str, Any],
    form_class: type[SectionForm],
) -> SectionConflict:
    """Both people's changes in one form, item by item: an item only one of them changed
    keeps that change; an item both changed keeps theirs (it is saved) with mine shown
    beside it. Without the content the form was based on, every differing item is both."""
    theirs = dict(existing.data) if existing else {}
    base = _content_at(existing, based_on) if existing else {}
    merged: dict[str, Any] = {}
    kept: dict[str, str] = {}
    for name in [*theirs, *(n for n in mine if n not in theirs)]:
        if mine.get(name) == theirs.get(name):
            decided, value = "same", theirs.get(name)
        elif base is not None and mine.get(name) == base.get(name):
            decided, value = "theirs", theirs.get(name)
        elif base is not None and theirs.get(name) == base.get(name):
            decided, value = "mine", mine.get(name)
        else:
            decided, value = "both", theirs.get(name)
        kept[name] = decided
        if value not in (None, "", [], False):
            merged[name] = value
    shown_theirs = dict(describe(section, theirs))
    shown_mine = dict(describe(section, mine))
    # Only the items of the form in hand: a person editing their part of a section sees
    # their own items, never the clinicians' ones beside them.
    labels = {str(f.label): n for n, f in form_class.base_fields.items()}
    items = [
        ConflictItem(
            label,
            shown_theirs.get(label, "Not recorded"),
            shown_mine.get(label, "Not recorded"),
            kept.get(labels.get(label, ""), "both"),
        )
        for label in [*shown_theirs, *(x for x in shown_mine if x not in shown_theirs)]
        if shown_theirs.get(label) != shown_mine.get(label)
        and (label in labels or section.key == "key_contacts")
    ]
    form = form_class(initial=form_initial(section.key, merged))
    form.initial["based_on"] = content_fingerprint(theirs)
    saved_by = existing.updated_by if existing else None
    return SectionConflict(
        form,
        items=items,
        saved_by=(saved_by.get_full_name() or saved_by.get_username()) if saved_by else "",
        saved_at=existing.updated_at if existing else None,
    )


def _store(
    actor: Membership | OnlineActor,
    patient: Patient,
    section: Section,
    form: SectionForm,
    *,
    part: OwnPart | None = None,
) -> PlanSection | None:
    form.born = patient.date_of_birth
    if not form.is_valid():
        raise SectionInvalid(form)
    working_copy = _locked_or_new_working_copy(patient, actor)
    existing = PlanSection.objects.filter(working_copy=working_copy, key=section.key).first()
    previous = existing.data if existing else {}
    based_on = form.cleaned_data.get("based_on")
    current = content_fingerprint(previous)
    if based_on and based_on != current:
        raise _conflict(section, existing, based_on, form.cleaned_for_storage(), type(form))
    stored = form.cleaned_for_storage()
    if part is not None:
        kept = {k: v for k, v in previous.items() if k not in part.owned}
        stored = part.tidy({**kept, **stored})
    stored = _server_items(section.key, actor, stored, previous)
    if stored == previous:
        return None  # nothing changed, as the docstrings promise
    if working_copy.status == Status.PUBLISHED:
        working_copy.status = Status.DRAFT
        working_copy.revision += 1
        working_copy._history_user = actor.user  # type: ignore[attr-defined]
        working_copy._change_reason = f"revision {working_copy.revision} started"  # type: ignore[attr-defined]
        working_copy.save(update_fields=["status", "revision", "updated_at"])
    plan_section = existing or PlanSection(working_copy=working_copy, key=section.key)
    plan_section.data = stored
    plan_section.updated_by_id = actor.user_id
    plan_section._history_user = actor.user  # type: ignore[attr-defined]
    plan_section._change_reason = f"{section.title} edited; {_consent_words(patient)}"  # type: ignore[attr-defined]
    plan_section.save()
    record(
        actor=actor,
        action=Action.EDIT,
        patient=patient,
        detail={"section": section.key, "revision": working_copy.revision},
    )
    return plan_section


@transaction.atomic
def careplan_submit(*, actor: Membership, patient: Patient) -> WorkingCopy:
    """Send the draft to the care team's clinicians for approval."""
    if not can_edit_plan(actor, patient):
        raise PermissionDenied
    return _submit(actor, patient, _locked_working_copy(patient))


@transaction.atomic
def own_draft_submit(*, actor: OnlineActor) -> WorkingCopy:
    """The person sends their own draft to their care team, who complete and approve it."""
    patient = actor.patient
    working_copy = _locked_working_copy(patient)
    if not can_write_own_draft(actor, patient, working_copy):
        raise PermissionDenied
    if working_copy is None or not working_copy.sections.exists():
        raise ValidationError("Write at least one part of your plan before you send it")
    return _submit(actor, patient, working_copy)


def _submit(
    actor: Membership | OnlineActor, patient: Patient, working_copy: WorkingCopy | None
) -> WorkingCopy:
    """Precondition: `working_copy` is the patient's, locked in this transaction."""
    if working_copy is None or working_copy.status != Status.DRAFT:
        raise ValidationError("Only a draft can be sent for approval")
    working_copy.status = Status.AWAITING_APPROVAL
    working_copy.submitted_at = timezone.now()
    working_copy.submitted_by_id = actor.user_id
    working_copy._history_user = actor.user  # type: ignore[attr-defined]
    working_copy._change_reason = "sent for approval"  # type: ignore[attr-defined]
    working_copy.save()
    record(
        actor=actor,
        action=Action.SUBMIT,
        patient=patient,
        detail={"revision": working_copy.revision},
    )
    return working_copy


@dataclass(frozen=True)
class PublishPreview:
    """What an approver is shown before publishing, whether on the page or through the
    API: the fingerprint to approve, what blocks publishing, the warnings to acknowledge,
    and what would change since the latest published version."""

    working_copy: WorkingCopy | None
    fingerprint: str
    blocking: list[safety.Problem]
    warnings: list[safety.Problem]
    latest: PublishedVersion | None
    changes: list[Change]


def careplan_publish_preview(*, actor: Membership, patient: Patient) -> PublishPreview:
    """Precondition: `patient` came from a selector for `actor`. PermissionDenied for a
    role that may not publish. Reads only: careplan_publish decides again when asked."""
    if not can_publish_plan(actor, patient):
        raise PermissionDenied
    working_copy = working_copy_of(patient)
    latest = versions_of(patient).first()
    if working_copy is None:
        return PublishPreview(None, "", [], [], latest, [])
    # The checks, the fingerprint and the list of changes all read the sections: once.
    prefetch_related_objects([working_copy], "sections")
    facts = publish_checks(patient, working_copy)
    return PublishPreview(
        working_copy=working_copy,
        fingerprint=plan_fingerprint(working_copy),
        blocking=safety.blocking_problems(facts),
        warnings=safety.warnings(facts),
        latest=latest,
        changes=compare(latest.snapshot if latest else {}, snapshot_of(working_copy, patient)),
    )


def publish_checks(patient: Patient, working_copy: WorkingCopy) -> safety.PlanFacts:
    sections = {s.key: s.data for s in working_copy.sections.all()}
    return safety.PlanFacts(
        sections=sections,
        consent_active=active_consent(patient) is not None,
        today=timezone.localdate(),
    )


@transaction.atomic
def careplan_publish(
    *,
    actor: Membership,
    patient: Patient,
    basis: BasisDetails,
    acknowledged: Collection[str] = (),
    approving: str | None = None,
) -> PublishedVersion:
    """Freeze the working copy as the next published version.

    Raises ValidationError (bad basis, nothing to publish), PublishRefused (a blocking
    safety rule) or AcknowledgementNeeded (warnings not yet acknowledged). Nothing is
    written unless it succeeds: the previous version and the working copy stay as they were.
    `approving` is the plan_fingerprint the approver was shown; PlanChanged if the plan
    has changed since (the page always passes it).
    """
    if not can_publish_plan(actor, patient):
        raise PermissionDenied
    basis_validate(basis, born=patient.date_of_birth)
    working_copy = _locked_working_copy(patient)
    if working_copy is None or not working_copy.sections.exists():
        raise ValidationError("There is nothing to publish yet: fill in the plan first")
    if working_copy.status == Status.PUBLISHED:
        raise ValidationError("Nothing has changed since the last published version")
    if approving is not None and approving != plan_fingerprint(working_copy):
        raise PlanChanged(PLAN_CHANGED)
    facts = publish_checks(patient, working_copy)
    if problems := safety.blocking_problems(facts):
        raise PublishRefused(problems)
    warnings = safety.warnings(facts)
    if any(w.rule not in acknowledged for w in warnings):
        raise AcknowledgementNeeded(warnings)
    consent_basis = basis_record(actor=actor, patient=patient, details=basis)
    plan = working_copy.plan
    number = (plan.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    snapshot = snapshot_of(working_copy, patient)
    sections = snapshot["sections"]
    version = PublishedVersion.objects.create(
        plan=plan,
        number=number,
        snapshot=snapshot,
        published_at=timezone.now(),
        approved_by_id=actor.user_id,
        approved_by_name=actor.user.get_full_name() or actor.user.get_username(),
        approved_by_organisation=actor.organisation.name,
        consent_basis=consent_basis,
        acknowledged_warnings=[w.rule for w in warnings],
        cpr_decision=sections.get("cpr_decision", {}).get("cpr_decision", ""),
        preferred_place_of_death=sections.get("preferences", {}).get(
            "preferred_place_of_death", ""
        ),
        planned_review_date=sections.get("review", {}).get("planned_review_date"),
        cpr_review_date=sections.get("cpr_decision", {}).get("date_for_review"),
        mandatory_missing=mandatory_missing(sections),
    )
    plan.current_version = version
    plan.review_due_on = _date_or_none(version.planned_review_date)
    plan.cpr_review_due_on = _date_or_none(version.cpr_review_date)
    plan.cpr_decision = version.cpr_decision
    plan.review_organisation = actor.organisation
    plan.review_clinician = actor.user
    plan.save(
        update_fields=[
            "current_version",
            "review_due_on",
            "cpr_review_due_on",
            "cpr_decision",
            "review_organisation",
            "review_clinician",
        ]
    )
    # A new review date resolves the reminders about the old one (reminders/).
    queue_after_commit("reminders.update_plan_reminders", str(plan.public_id))
    working_copy.status = Status.PUBLISHED
    working_copy._history_user = actor.user  # type: ignore[attr-defined]
    working_copy._change_reason = (  # type: ignore[attr-defined]
        f"published as version {number}; consent basis: {consent_basis.describe()}"
    )
    working_copy.save()
    record(actor=actor, action=Action.PUBLISH, patient=patient, detail={"version": number})
    return version


def _date_or_none(value: object) -> dt.date | None:
    """A date from a snapshot's ISO text (or a date); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
