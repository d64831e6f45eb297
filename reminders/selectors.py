"""Reads for reminders. The sweep's reads touch only due rows, through indexes (§7); the
pages' reads are limited to what the acting membership may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from audit.models import Action
from audit.services import record
from careplans.models import CarePlan, ChangeRequest, ChangeRequestStatus, Status, WorkingCopy
from core.db import as_bigint, prepared_cursor
from organisations.models import Membership, Organisation, Role
from organisations.permissions import can_receive_reminders, can_view_overdue_reviews
from patients.models import CareTeamMember, KeyContactKind, Patient
from patients.permissions import care_team_sql, sees_patient, visible_patients
from patients.selectors import current_key_contacts, key_contacts_of
from reminders import rules
from reminders.models import Delivery, EmailStatus, Kind, Notification
from reminders.rules import PlanDates

PAGE_SIZE = 25
# Resolved reminders stay on the notifications page this long, below the open ones.
RESOLVED_SHOWN_FOR = dt.timedelta(days=30)
EMAIL_WAIT = dt.timedelta(hours=1)


# --- the sweep -----------------------------------------------------------------------------


def plans_needing_attention(now: dt.datetime) -> set[int]:
    """Ids of the plans with something due, or with a reminder still open: five index
    range scans, each proportional to the rows it returns, never to all plans."""
    horizon = timezone.localdate(now) + rules.DUE_SOON
    ids = set(CarePlan.objects.filter(review_due_on__lte=horizon).values_list("id", flat=True))
    ids.update(CarePlan.objects.filter(cpr_review_due_on__lte=horizon).values_list("id", flat=True))
    ids.update(
        WorkingCopy.objects.filter(
            status=Status.AWAITING_APPROVAL,
            submitted_at__lt=now - rules.APPROVAL_WAIT,
            plan__closed_at__isnull=True,
        ).values_list("plan_id", flat=True)
    )
    ids.update(
        ChangeRequest.objects.filter(
            status=ChangeRequestStatus.RECEIVED,
            requested_at__lt=now - rules.CHANGE_REQUEST_WAIT,
            patient__care_plan__isnull=False,
            patient__care_plan__closed_at__isnull=True,
        ).values_list("patient__care_plan__id", flat=True)
    )
    ids.update(
        Notification.objects.filter(resolved_at__isnull=True, plan__isnull=False).values_list(
            "plan_id", flat=True
        )
    )
    return ids


@dataclass
class Responsibility:
    """Who hears about one plan: its organisation, the clinician responsible there (if
    they still are), that organisation's leads, and, when it has neither, everyone there
    who reads plans (someone must hear)."""

    organisation: Organisation | None
    clinician_memberships: list[Membership] = field(default_factory=list)
    leads: list[Membership] = field(default_factory=list)
    everyone: list[Membership] = field(default_factory=list)
    # The person's named key worker hears too, whichever organisation they work for.
    key_worker: Membership | None = None

    def people_for(self, kind: str) -> list[Membership]:
        named = self.clinician_memberships or self.leads
        people = (self.leads if kind in rules.FOR_LEADS else named) or self.everyone
        if (
            kind not in rules.FOR_LEADS
            and self.key_worker is not None
            and self.key_worker not in people
        ):
            people = [*people, self.key_worker]
        return people


@dataclass
class PlanBatch:
    dates: list[PlanDates]
    responsibility: dict[int, Responsibility]
    public_ids: dict[int, UUID]


_PLAN_FIELDS = (
    "id",
    "public_id",
    "patient_id",
    "review_due_on",
    "cpr_review_due_on",
    "review_organisation_id",
    "review_clinician_id",
    "closed_at",
)


def plan_dates(plan_ids: Iterable[int]) -> tuple[list[PlanDates], list[dict[str, Any]]]:
    """What the rules need for these plans (and the plan rows), in three queries."""
    plans: list[dict[str, Any]] = list(
        CarePlan.objects.filter(id__in=list(plan_ids)).values(
            *_PLAN_FIELDS, gp_practice_id=F("patient__registered_gp_practice_id")
        )
    )
    ids = [p["id"] for p in plans]
    awaiting = dict(
        WorkingCopy.objects.filter(plan_id__in=ids, status=Status.AWAITING_APPROVAL).values_list(
            "plan_id", "submitted_at"
        )
    )
    asked: dict[int, list[dt.datetime]] = defaultdict(list)
    for patient_id, requested_at in ChangeRequest.objects.filter(
        patient_id__in=[p["patient_id"] for p in plans], status=ChangeRequestStatus.RECEIVED
    ).values_list("patient_id", "requested_at"):
        asked[patient_id].append(requested_at)
    dates = [
        PlanDates(
            plan_id=p["id"],
            review_due_on=p["review_due_on"],
            cpr_review_due_on=p["cpr_review_due_on"],
            awaiting_approval_since=awaiting.get(p["id"]),
            unanswered_change_requests_since=tuple(asked.get(p["patient_id"], ())),
            closed=p["closed_at"] is not None,
        )
        for p in plans
    ]
    return dates, plans


def plan_batch(plan_ids: Iterable[int]) -> PlanBatch:
    """Everything the rules and the deliveries need for these plans, in a handful of
    queries whatever their number."""
    dates, plans = plan_dates(plan_ids)
    return PlanBatch(
        dates=dates,
        responsibility=_responsibility(plans),
        public_ids={p["id"]: p["public_id"] for p in plans},
    )


def _responsibility(plans: Sequence[Mapping[str, Any]]) -> dict[int, Responsibility]:
    """The organisation that approved the current version, while it is in the care team;
    else the registered GP practice (a plan never published, or a team that left)."""
    teams: dict[int, set[int]] = defaultdict(set)
    for patient_id, organisation_id in CareTeamMember.objects.filter(
        patient_id__in=[p["patient_id"] for p in plans], ended_at__isnull=True
    ).values_list("patient_id", "organisation_id"):
        teams[patient_id].add(organisation_id)
    chosen: dict[int, int | None] = {}
    for p in plans:
        team = teams.get(p["patient_id"], set())
        candidates = [p["review_organisation_id"], p["gp_practice_id"]]
        chosen[p["id"]] = next((c for c in candidates if c is not None and c in team), None)
    organisation_ids = {c for c in chosen.values() if c is not None}
    organisations = Organisation.objects.in_bulk(organisation_ids)
    clinicians = {p["review_clinician_id"] for p in plans if p["review_clinician_id"]}
    members = _receiving_members(
        Q(organisation_id__in=organisation_ids)
        & (Q(is_organisation_lead=True) | Q(user_id__in=clinicians))
    )
    leaderless = {
        o for o in organisation_ids if not any(m.is_organisation_lead for m in members[o])
    }
    everyone = _receiving_members(Q(organisation_id__in=leaderless)) if leaderless else {}
    key_workers = {
        contact.patient_id: contact.membership
        for contact in current_key_contacts(KeyContactKind.KEY_WORKER)
        .filter(patient_id__in=[p["patient_id"] for p in plans])
        .select_related("membership__user", "membership__organisation")
        if contact.membership.is_active and can_receive_reminders(contact.membership)
    }
    result = {}
    for p in plans:
        chosen_id = chosen[p["id"]]
        staff = members.get(chosen_id, []) if chosen_id is not None else []
        result[p["id"]] = Responsibility(
            organisation=organisations.get(chosen_id) if chosen_id is not None else None,
            clinician_memberships=[m for m in staff if m.user_id == p["review_clinician_id"]],
            leads=[m for m in staff if m.is_organisation_lead],
            everyone=everyone.get(chosen_id, []) if chosen_id is not None else [],
            key_worker=key_workers.get(p["patient_id"]),
        )
    return result


def who_must_hear(patient: Patient) -> list[Membership]:
    """Who is told of a task about the person (a carer's message, a readiness item gone
    red): the key worker; with none (or one who has left, or a case manager, who cannot
    read notifications), the registered practice's clinical leads; with none of those, its
    clinicians. Someone who can act must see it."""
    worker = key_contacts_of(patient).get(KeyContactKind.KEY_WORKER)
    if worker is not None and can_receive_reminders(worker.membership):
        return [worker.membership]
    practice = Membership.objects.active().filter(
        organisation_id=patient.registered_gp_practice_id, role=Role.CLINICIAN
    )
    people = [
        m for m in practice.select_related("user", "organisation") if can_receive_reminders(m)
    ]
    leads = [m for m in people if m.is_organisation_lead]
    return leads or people


def receiving_members(organisation_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """The people of each organisation who read notifications, by organisation."""
    return _receiving_members(Q(organisation_id__in=list(organisation_ids)))


def _receiving_members(where: Q) -> dict[int, list[Membership]]:
    found: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.active().filter(where).select_related("user"):
        if can_receive_reminders(membership):
            found[membership.organisation_id].append(membership)
    return found


def notifications_of_plans(plan_ids: Iterable[int]) -> dict[tuple[int, str, dt.date], Notification]:
    """Every notification these plans ever had, open or resolved, by (plan, kind, date)."""
    return {
        (n.plan_id, n.kind, n.due_on): n
        for n in Notification.objects.filter(plan_id__in=list(plan_ids))
        if n.plan_id is not None
    }


def recipients_of(notification_ids: Iterable[int]) -> dict[int, set[int | str]]:
    """Who each notification already went to: membership ids, and mailbox addresses."""
    found: dict[int, set[int | str]] = defaultdict(set)
    for notification_id, membership_id, email in Delivery.objects.filter(
        notification_id__in=list(notification_ids)
    ).values_list("notification_id", "membership_id", "email"):
        found[notification_id].add(membership_id if membership_id is not None else email)
    return found


def emails_waiting(now: dt.datetime) -> list[UUID]:
    """Deliveries of open reminders whose email has waited more than an hour: their task
    was lost (a broker restart) or, with no worker (`make run`), its retry could not wait."""
    return list(
        Delivery.objects.filter(
            email_status=EmailStatus.PENDING,
            notification__resolved_at__isnull=True,
            notification__created_at__lt=now - EMAIL_WAIT,
        ).values_list("public_id", flat=True)
    )


# --- the pages -----------------------------------------------------------------------------


# Whom a delivery's notification is about: the person it names, or its plan's (a notification
# names the person, or the plan, or both for the same person).
ABOUT = ("notification__patient_id", "notification__plan__patient_id")


def _deliveries_of(viewer: Membership) -> QuerySet[Delivery]:
    """The viewer's own deliveries, for patients they may still see."""
    about = Coalesce(*(OuterRef(path) for path in ABOUT))
    return Delivery.objects.filter(sees_patient(viewer, about), membership=viewer)


# The header's unread count: the viewer's unread deliveries of notifications still open,
# about people the viewer may still see (whom each is about: ABOUT's rule). Written as SQL:
# it is on every page, and its ORM form took longer to build than to run.
UNREAD_SQL = """
SELECT COUNT(*) FROM (
    SELECT COALESCE(notification.patient_id, plan.patient_id) AS patient_id
    FROM reminders_delivery delivery
    JOIN reminders_notification notification ON notification.id = delivery.notification_id
    LEFT JOIN careplans_careplan plan ON plan.id = notification.plan_id
    WHERE delivery.membership_id = %s AND delivery.read_at IS NULL
      AND notification.resolved_at IS NULL
) about
WHERE {care_team}
"""


def unread_count(viewer: Membership) -> int:
    """For the header: unread reminders that still need someone to act, about people the
    viewer may still see. One statement (UNREAD_SQL), kept prepared."""
    care_team, values = care_team_sql(viewer, "about.patient_id")
    with prepared_cursor() as cursor:  # planning it took 0.5 ms, running it 0.05
        cursor.execute(UNREAD_SQL.format(care_team=care_team), as_bigint([viewer.pk, *values]))
        (count,) = cursor.fetchone()
    return int(count)


REVIEW_KINDS = (Kind.REVIEW_DUE, Kind.REVIEW_OVERDUE, Kind.REVIEW_ESCALATED, Kind.CPR_REVIEW_DUE)


def open_counts(viewer: Membership) -> dict[str, int]:
    """For the home page: the viewer's open reminders of reviews, their open practice
    meeting actions, carers' messages, readiness gone red and families to contact after a
    death. One query."""
    found = (
        _deliveries_of(viewer)
        .filter(notification__resolved_at__isnull=True)
        .aggregate(
            reviews=Count("pk", filter=Q(notification__kind__in=REVIEW_KINDS)),
            actions=Count("pk", filter=Q(notification__kind=Kind.MDT_ACTION)),
            carers=Count("pk", filter=Q(notification__kind=Kind.CARER_MESSAGE)),
            readiness=Count("pk", filter=Q(notification__kind=Kind.READINESS_RED)),
            bereavement=Count("pk", filter=Q(notification__kind=Kind.BEREAVEMENT)),
        )
    )
    return {key: found[key] for key in ("reviews", "actions", "carers", "readiness", "bereavement")}


def notifications_for(viewer: Membership, *, page_number: str | int = 1) -> Page:
    """One page of the viewer's reminders: open ones first (unread before read), the
    longest-standing first; then those resolved in the last 30 days, latest first.
    Records one `list` event naming the patients shown."""
    shown = (
        _deliveries_of(viewer)
        .exclude(notification__resolved_at__lt=timezone.now() - RESOLVED_SHOWN_FOR)
        .select_related(
            "notification",
            "notification__organisation",
            "notification__plan__patient",
            "notification__patient",
        )
        .order_by(
            F("notification__resolved_at").desc(nulls_first=True),
            F("read_at").desc(nulls_first=True),
            "notification__due_on",
            "id",
        )
    )
    page = Paginator(shown, PAGE_SIZE).get_page(page_number)
    record(
        actor=viewer,
        action=Action.LIST,
        detail={
            "page": "notifications",
            "number": page.number,
            "shown": sorted({str(d.notification.subject.public_id) for d in page.object_list}),
        },
    )
    return page


def delivery_for(viewer: Membership, public_id: UUID) -> Delivery:
    """The viewer's own delivery; anyone else's, or an unknown one, is 404."""
    delivery = (
        _deliveries_of(viewer)
        .filter(public_id=public_id)
        .select_related("notification__plan__patient", "notification__patient")
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery


@dataclass(frozen=True)
class OverdueReview:
    plan: CarePlan
    days_overdue: int
    responsible_named: str
    escalated: bool


def overdue_reviews(
    viewer: Membership, *, page_number: str | int = 1
) -> tuple[list[OverdueReview], Page]:
    """For an organisation lead: the overdue reviews the sweep holds their organisation
    responsible for (the same reminders it sends), longest overdue first, with who is
    responsible. Records one `list` event naming them."""
    if not can_view_overdue_reviews(viewer):
        raise Http404
    escalation = Notification.objects.filter(
        plan=OuterRef("plan"), kind=Kind.REVIEW_ESCALATED, resolved_at__isnull=True
    )
    overdue = (
        Notification.objects.filter(
            organisation=viewer.organisation,
            kind=Kind.REVIEW_OVERDUE,
            resolved_at__isnull=True,
            plan__patient__in=visible_patients(viewer),
        )
        .select_related("plan__patient", "plan__review_clinician")
        .annotate(
            responsible_named=F(
                "plan__current_version__snapshot__sections__review__responsible_for_review"
            ),
            escalated=Exists(escalation),
        )
        .order_by("due_on", "id")
    )
    page = Paginator(overdue, PAGE_SIZE).get_page(page_number)
    today = timezone.localdate()
    rows = [
        OverdueReview(
            plan=notification.plan,
            days_overdue=(today - notification.due_on).days,
            responsible_named=notification.responsible_named or "",
            escalated=notification.escalated,
        )
        for notification in page.object_list
    ]
    record(
        actor=viewer,
        action=Action.LIST,
        detail={
            "page": "overdue_reviews",
            "number": page.number,
            "shown": [str(row.plan.patient.public_id) for row in rows],
        },
    )
    return rows, page
