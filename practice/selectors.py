"""Reads for the practice's case finding, limited to the practice's own patients in its
care team, and audited. One query for a whole page of people, whatever its length."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404
from django.utils import timezone

from audit.models import AccessEvent, Action
from audit.services import record
from careplans.models import CarePlan, Death, PlanSection, PublishedVersion
from careplans.sections import missing_labels
from careplans.terminology import CPR_DECISION_OR_STATUS, diagnosis_group
from coordination.models import Referral
from organisations.models import Membership, Organisation, OrganisationKind, Role
from patients.models import BreakGlassGrant, CareTeamMember, Patient
from patients.permissions import visible_patients
from practice.casefinding import (
    MONTHS_OR_LESS,
    RULE_VERSION,
    RULES,
    Facts,
    Finding,
    find,
    latest_birthday_for_age,
)
from practice.figures import COUNTS, RegisterRow, suppress
from practice.models import ImportStatus, Meeting, NotNow, Outcome, SearchImport, SearchMatch
from profiles.models import BereavementFollowUp
from profiles.readiness_selectors import Readiness, readiness_of_many
from profiles.selectors import StagePart, published_profile
from profiles.terminology import STAGE_OF_CODE
from register.models import RegisterEntry, SpictAssessment, SurpriseQuestion
from register.terminology import GSF_STAGE, STAGES
from reminders.models import Notification

PAGE_SIZE = 25


def _newest(model: type[SpictAssessment] | type[SurpriseQuestion], field: str) -> Subquery:
    return Subquery(
        model.objects.filter(patient=OuterRef("pk"))
        .order_by("-recorded_on", "-id")
        .values(field)[:1]
    )


def _candidates(viewer: Membership, today: dt.date) -> QuerySet[Patient]:
    """The practice's living patients not on its register, nor set aside for now, with every
    fact the rule reads, and only those the rule may list (the SQL mirrors casefinding.find
    so that a page is one query; find() then words each reason)."""
    rule = RULES[RULE_VERSION]
    now = timezone.now()
    practice = viewer.organisation_id
    searches = SearchMatch.objects.filter(
        patient=OuterRef("pk"),
        search__practice_id=practice,
        search__status=ImportStatus.CONFIRMED,
        search__confirmed_at__gte=now - dt.timedelta(days=365),
    ).order_by("-search__confirmed_at")
    patients = (
        visible_patients(viewer)
        .filter(registered_gp_practice_id=practice, date_of_death__isnull=True)
        .exclude(
            Exists(
                RegisterEntry.objects.filter(
                    patient=OuterRef("pk"), practice_id=practice, removed_on__isnull=True
                )
            )
        )
        .exclude(
            Exists(
                NotNow.objects.filter(
                    patient=OuterRef("pk"), practice_id=practice, ask_again_on__gt=today
                )
            )
        )
        .annotate(
            has_published_plan=Exists(
                CarePlan.objects.filter(patient=OuterRef("pk"), current_version__isnull=False)
            ),
            urgent_care_looked=Exists(
                AccessEvent.objects.filter(
                    patient_public_id=OuterRef("public_id"),
                    occurred_at__gte=now - dt.timedelta(days=rule.looked_up_within_days),
                    action__in=[Action.VIEW_SUMMARY, Action.BREAK_GLASS],
                    role=Role.URGENT_CARE,
                )
            )
            | Exists(
                BreakGlassGrant.objects.filter(
                    patient=OuterRef("pk"),
                    granted_at__gte=now - dt.timedelta(days=rule.looked_up_within_days),
                )
            ),
            referred=Exists(
                Referral.objects.filter(
                    patient=OuterRef("pk"),
                    received_at__gte=now - dt.timedelta(days=rule.referred_within_days),
                )
            ),
            prognosis=Subquery(
                PlanSection.objects.filter(
                    working_copy__plan__patient=OuterRef("pk"), key="clinical"
                )
                # As text, so that PostgreSQL and SQLite compare it alike.
                .annotate(code=KeyTextTransform("estimated_prognosis", "data"))
                .values("code")[:1]
            ),
            spict_general=_newest(SpictAssessment, "general"),
            spict_clinical=_newest(SpictAssessment, "clinical"),
            would_be_surprised=_newest(SurpriseQuestion, "would_be_surprised"),
            care_home=Exists(
                CareTeamMember.objects.filter(
                    patient=OuterRef("pk"),
                    ended_at__isnull=True,
                    organisation__kind=OrganisationKind.CARE_HOME,
                )
            ),
            search=Subquery(searches.values("indicators")[:1]),
            search_on=Subquery(searches.values("search__confirmed_at")[:1]),
        )
    )
    old = latest_birthday_for_age(today, rule.old_age)
    frail = Q(spict_clinical__icontains="dementia_frailty.") | Q(search__icontains="frail")
    return patients.filter(
        (Q(urgent_care_looked=True) & Q(has_published_plan=False))
        | Q(referred=True)
        | Q(prognosis__in=list(MONTHS_OR_LESS))
        | (Q(spict_general__isnull=False) & ~Q(spict_general=[]) & ~Q(spict_clinical=[]))
        | Q(would_be_surprised=False)
        | (Q(date_of_birth__lte=old) & (frail | Q(care_home=True)))
        | Q(search__isnull=False)
    )


def _facts(patient: Patient) -> Facts:
    confirmed = getattr(patient, "search_on", None)
    return Facts(
        born=patient.date_of_birth,
        has_published_plan=patient.has_published_plan,  # type: ignore[attr-defined]
        urgent_care_looked=patient.urgent_care_looked,  # type: ignore[attr-defined]
        referred=patient.referred,  # type: ignore[attr-defined]
        prognosis=patient.prognosis or "",  # type: ignore[attr-defined]
        spict_general=tuple(patient.spict_general or ()),  # type: ignore[attr-defined]
        spict_clinical=tuple(patient.spict_clinical or ()),  # type: ignore[attr-defined]
        surprise_no=patient.would_be_surprised is False,  # type: ignore[attr-defined]
        care_home=patient.care_home,  # type: ignore[attr-defined]
        search=tuple(patient.search) if patient.search is not None else None,  # type: ignore[attr-defined]
        search_on=timezone.localdate(confirmed) if confirmed else None,
    )


@dataclass(frozen=True)
class Candidate:
    patient: Patient
    finding: Finding


@dataclass(frozen=True)
class CaseFinding:
    page: Page
    candidates: list[Candidate]


def case_finding(viewer: Membership, *, page_number: str | int = 1) -> CaseFinding:
    """One page of the people who may need a plan, each with every reason. Records one
    `list` event naming them."""
    today = timezone.localdate()
    patients = _candidates(viewer, today).order_by("family_name", "given_name", "id")
    page = Paginator(patients, PAGE_SIZE).get_page(page_number)
    listed = CaseFinding(
        page, [Candidate(patient, find(_facts(patient), today)) for patient in page.object_list]
    )
    record(
        actor=viewer,
        action=Action.LIST,
        detail={
            "page": "case_finding",
            "number": page.number,
            "rule": RULE_VERSION,
            "shown": [str(c.patient.public_id) for c in listed.candidates],
        },
    )
    return listed


def facts_of(viewer: Membership, patient: Patient) -> Finding:
    """The reasons for one person (the register's and the "not now" pages), from the same
    query as the list."""
    today = timezone.localdate()
    found = _candidates(viewer, today).filter(pk=patient.pk).first()
    return find(_facts(found), today) if found is not None else Finding()


def search_for(viewer: Membership, public_id: UUID) -> SearchImport:
    """A search the viewer uploaded and has not confirmed yet; else Http404."""
    search = SearchImport.objects.filter(
        public_id=public_id,
        practice_id=viewer.organisation_id,
        uploaded_by_id=viewer.user_id,
        status=ImportStatus.CHECKED,
    ).first()
    if search is None:
        raise Http404("No such search")
    return search


# --- the practice meeting ------------------------------------------------------------------

# Who may own an action: the people of the person's care team who see their record.
ACTION_OWNER_ROLES = (Role.CLINICIAN, Role.SOCIAL_WORKER, Role.CARE_HOME_STAFF)
# With no earlier meeting, "since the last meeting" is the quarter before this one.
FIRST_MEETING_LOOKS_BACK = dt.timedelta(days=91)


def care_team_members(patient: Patient) -> QuerySet[Membership]:
    return (
        Membership.objects.active()
        .filter(
            role__in=ACTION_OWNER_ROLES,
            organisation__care_team_places__patient=patient,
            organisation__care_team_places__ended_at__isnull=True,
        )
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__first_name", "pk")
        .distinct()
    )


def meetings_of(viewer: Membership) -> QuerySet[Meeting]:
    return meetings_of_practice(viewer.organisation_id)


def meeting_for(viewer: Membership, public_id: UUID) -> Meeting:
    meeting = meetings_of(viewer).filter(public_id=public_id).first()
    if meeting is None:
        raise Http404("No such meeting")
    return meeting


def _since(meeting: Meeting) -> dt.date:
    earlier = (
        meetings_of_practice(meeting.practice_id)
        .filter(held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .values_list("held_on", flat=True)
        .first()
    )
    return earlier or meeting.held_on - FIRST_MEETING_LOOKS_BACK


def meetings_of_practice(practice_id: int) -> QuerySet[Meeting]:
    return Meeting.objects.filter(practice_id=practice_id)


@dataclass(frozen=True)
class Reviewed:
    """One person on the meeting's list."""

    entry: RegisterEntry
    changes: list[str]
    review_due_on: dt.date | None
    cpr: str
    missing: list[str]
    outcome: Outcome | None
    readiness: Readiness  # for home: what is missing, by colour


@dataclass(frozen=True)
class ReviewList:
    meeting: Meeting
    since: dt.date
    # Each stage's people, with what the region's care profile offers at that stage.
    stages: list[tuple[str, list[Reviewed], StagePart | None]]
    died: list[tuple[RegisterEntry, Death | None, Outcome | None]]
    # The family's follow-up after each of those deaths, by patient id.
    follow_ups: dict[int, BereavementFollowUp] = field(default_factory=dict)


def _changes(entry: Any) -> list[str]:
    words = []
    if entry.new_version:
        words.append(f"Plan version {entry.new_version} published")
    if entry.urgent_care_looked:
        words.append("Urgent care looked at the emergency summary or broke glass")
    if entry.referral_status:
        words.append(f"Referred to the co-ordination centre ({entry.referral_status})")
    if entry.new_notifications:
        words.append("New reminders about the plan or actions")
    return words


def review_list(viewer: Membership, meeting: Meeting, *, printed: bool = False) -> ReviewList:
    """Everyone on the practice's register by Gold Standards Framework stage, each with what
    changed since the last meeting, their review date, CPR decision and what is missing
    from the plan; and apart, those who died since. A few queries, whatever the number of
    people. Records one `list` event naming them."""
    since = _since(meeting)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=timezone.get_current_timezone())
    patient = OuterRef("patient")
    entries = (
        RegisterEntry.objects.filter(practice_id=meeting.practice_id)
        .filter(Q(removed_on__isnull=True) | Q(removal_reason="died", removed_on__gte=since))
        .select_related("patient", "patient__care_plan__current_version")
        .annotate(
            new_version=Subquery(
                PublishedVersion.objects.filter(plan__patient=patient, published_at__gte=start)
                .order_by("-number")
                .values("number")[:1]
            ),
            urgent_care_looked=Exists(
                AccessEvent.objects.filter(
                    patient_public_id=OuterRef("patient__public_id"),
                    occurred_at__gte=start,
                    action__in=[Action.VIEW_SUMMARY, Action.BREAK_GLASS],
                    role=Role.URGENT_CARE,
                )
            ),
            referral_status=Subquery(
                Referral.objects.filter(patient=patient, received_at__gte=start)
                .order_by("-received_at")
                .values("status")[:1]
            ),
            new_notifications=Exists(
                Notification.objects.filter(
                    Q(plan__patient=patient) | Q(patient=patient), created_at__gte=start
                )
            ),
        )
        .order_by("patient__family_name", "patient__given_name", "pk")
    )
    outcomes = {
        o.patient_id: o
        for o in Outcome.objects.filter(meeting=meeting).prefetch_related("actions__owner__user")
    }
    deaths = {
        d.patient_id: d
        for d in Death.objects.filter(
            gp_practice_id=meeting.practice_id, entered_in_error=False, date_of_death__gte=since
        )
    }
    living = [entry for entry in entries if entry.removed_on is None]
    readiness = readiness_of_many(
        [entry.patient for entry in living],
        timezone.localdate(),
        stages={entry.patient_id: STAGE_OF_CODE.get(entry.stage) for entry in living},
    )
    by_stage: dict[str, list[Reviewed]] = {code: [] for code in (*STAGES, "")}
    died: list[tuple[RegisterEntry, Death | None, Outcome | None]] = []
    for entry in entries:
        if entry.removed_on is not None:
            died.append((entry, deaths.get(entry.patient_id), outcomes.get(entry.patient_id)))
            continue
        plan = getattr(entry.patient, "care_plan", None)
        version = plan.current_version if plan is not None else None
        by_stage[entry.stage if entry.stage in by_stage else ""].append(
            Reviewed(
                entry=entry,
                changes=_changes(entry),
                review_due_on=plan.review_due_on if plan is not None else None,
                cpr=CPR_DECISION_OR_STATUS.plain(version.cpr_decision) if version else "",
                missing=missing_labels(version.mandatory_missing) if version else [],
                outcome=outcomes.get(entry.patient_id),
                readiness=readiness[entry.patient_id],
            )
        )
    profile = published_profile(viewer.organisation.region_id)
    stages = [
        (
            GSF_STAGE.plain(code) if code else "No stage recorded",
            rows,
            profile.part(STAGE_OF_CODE[code]) if profile and code else None,
        )
        for code, rows in reversed(list(by_stage.items()))
        if rows
    ]
    record(
        actor=viewer,
        action=Action.PRINT if printed else Action.LIST,
        detail={
            "page": "meeting_sheet" if printed else "meeting",
            "meeting": str(meeting.public_id),
            "shown": sorted(str(e.patient.public_id) for e in entries),
        },
    )
    follow_ups = {
        f.patient_id: f
        for f in BereavementFollowUp.objects.filter(
            patient_id__in=[entry.patient_id for entry, _, _ in died], cancelled_at__isnull=True
        ).select_related("owner__user")
    }
    return ReviewList(meeting=meeting, since=since, stages=stages, died=died, follow_ups=follow_ups)


# --- the register report -------------------------------------------------------------------

REVIEWED_WITHIN = dt.timedelta(days=91)  # the GSF standard: reviewed every three months


@dataclass(frozen=True)
class RegisterReport:
    rows: list[RegisterRow]
    total: RegisterRow | None


def register_report(viewer: Membership) -> RegisterReport:
    """Per GP practice the viewer may report on (their own; a regional admin's whole
    region): the register, its share of the list, and how many on it have a published
    plan, a preferred place of death, a practice-meeting review in three months, and a
    condition other than cancer. Two queries, whatever the size of the region."""
    if viewer.organisation.kind == OrganisationKind.GP_PRACTICE:
        practices = Organisation.objects.filter(pk=viewer.organisation_id)
    else:
        practices = Organisation.objects.filter(
            region_id=viewer.organisation.region_id, kind=OrganisationKind.GP_PRACTICE
        )
    since = timezone.localdate() - REVIEWED_WITHIN
    entries = (
        RegisterEntry.objects.filter(
            practice__in=practices, removed_on__isnull=True, patient__date_of_death__isnull=True
        )
        .annotate(
            reviewed=Exists(
                Outcome.objects.filter(
                    patient=OuterRef("patient"),
                    meeting__practice=OuterRef("practice"),
                    meeting__held_on__gte=since,
                )
            ),
            diagnosis=Subquery(
                PlanSection.objects.filter(
                    working_copy__plan__patient=OuterRef("patient"), key="clinical"
                )
                .annotate(text=KeyTextTransform("primary_palliative_care_diagnosis", "data"))
                .values("text")[:1]
            ),
        )
        .values_list(
            "practice_id",
            "patient__care_plan__current_version_id",
            "patient__care_plan__current_version__preferred_place_of_death",
            "reviewed",
            "diagnosis",
        )
    )
    counts: dict[int, dict[str, int]] = {}
    for practice_id, version, preferred, reviewed, diagnosis in entries:
        row = counts.setdefault(practice_id, dict.fromkeys(COUNTS, 0))
        row["on_register"] += 1
        row["with_plan"] += version is not None
        row["with_ppd"] += bool(preferred)
        row["reviewed"] += bool(reviewed)
        row["non_cancer"] += bool(diagnosis) and diagnosis_group(diagnosis) != "cancer"
    rows = [
        RegisterRow(
            str(p.public_id), p.name, p.list_size, counts.get(p.pk, dict.fromkeys(COUNTS, 0))
        )
        for p in practices.order_by("name")
    ]
    total = (
        RegisterRow(
            "total",
            "All practices",
            sum(r.list_size for r in rows if r.list_size) or None,
            {name: sum(r.counts[name] for r in rows) for name in COUNTS},
        )
        if len(rows) > 1
        else None
    )
    suppress(rows, total)
    record(actor=viewer, action=Action.RUN_REPORT, detail={"report": "palliative_care_register"})
    return RegisterReport(rows=rows, total=total)
