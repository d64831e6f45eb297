"""A clinician's worklist ("My patients"): the people of the acting organisation's care teams,
each with where their plan stands, filtered, searched, sorted and paged in the database.

A page is a few queries whatever the number of people: the count, one page of ids in the
order asked, the rows of those ids (through the care-team check, whatever gave the ids, with
their plans, register entries and key workers beside them: ROWS_SQL), and the audit event
naming them. Only what a filter or the order needs is computed for every person, from the
worklist's entries where they can answer it (WorklistEntry, on PostgreSQL) and from the
records otherwise; the rest is read for the page's people alone."""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import NullIf
from django.utils import timezone
from django.utils.functional import cached_property

from audit.models import Action
from audit.services import record
from careplans import terminology as t
from careplans.models import Status, WorklistEntry
from careplans.selectors import plan_facts_read, state_of
from core.db import as_bigint, instances_from_rows, planned_for_one_page, prepared_cursor
from organisations.models import Membership
from organisations.permissions import can_view_patients
from patients.identifiers import normalise_nhs_number
from patients.models import KeyContactKind, Patient, contact_name
from patients.permissions import care_team_sql, visible_patients
from patients.selectors import current_key_contacts
from register.models import RegisterEntry
from register.terminology import GSF_STAGE, STAGES

PAGE_SIZE = 25
DUE_SOON_DAYS = 30
# Counting stops here: past it the list says "more than 1,000" and asks for a search or a
# filter, so that a page costs the same for a hospice of 50,000 as for a practice of 500.
COUNT_CAP = 1_000


class InParts:
    """The ids of the list in the order asked, read a window at a time from one or more
    querysets that together are the whole list, in order, each person in one of them.

    An order on a column that many people lack (a review date) is read in two parts, those
    with it through an index on it and then the rest by name, so that PostgreSQL walks an
    index to the page instead of sorting everyone.

    `read_counting` reads a window and, in the same statement, how many are listed up to a
    limit (a round trip less than counting apart: about 1 ms a page)."""

    def __init__(self, everyone: QuerySet[Any], *parts: QuerySet[Any]) -> None:
        self.everyone = everyone
        self.parts = parts or (everyone,)
        self.counted: tuple[int, int] | None = None  # (limit, how many up to it)
        self._read: tuple[int, int, list[Any]] | None = None  # (start, stop, ids) read

    def count_up_to(self, limit: int) -> int:
        if self.counted is not None and self.counted[0] == limit:
            return self.counted[1]
        return int(self.everyone.order_by()[:limit].count())

    def read_counting(self, window: slice, limit: int) -> None:
        """Read `window`, counting up to `limit` beside it (`counted`, unless the window's
        first statement found nobody: then count_up_to counts apart)."""
        start = window.start or 0
        self._read = (start, window.stop, self._window(start, window.stop, counting=limit))

    def _counted_window(self, part: QuerySet[Any], begin: int, end: int, limit: int) -> list[Any]:
        """part[begin:end], with how many are listed up to `limit` read in the statement."""
        try:
            capped, values = self.everyone.order_by()[:limit].query.sql_with_params()
        except EmptyResultSet:  # nobody at all (Patient.objects.none()): nothing to ask
            self.counted = (limit, 0)
            return []
        listed = RawSQL(  # noqa: S611  (the ORM's own SQL, its values apart)
            f"SELECT COUNT(*) FROM ({capped}) capped",  # noqa: S608
            values,
            output_field=BigIntegerField(),
        )
        (name,) = part.query.values_select
        rows = list(part.annotate(listed=listed).values_list(name, "listed")[begin:end])
        if rows:
            self.counted = (limit, int(rows[0][1]))
        return [row[0] for row in rows]

    def __getitem__(self, window: slice) -> list[Any]:
        start, stop = window.start or 0, window.stop
        if self._read is not None and self._read[0] == start and stop <= self._read[1]:
            return self._read[2][: stop - start]  # read_counting read it (or it ends there)
        return self._window(start, stop, counting=None)

    def _window(self, start: int, stop: int, *, counting: int | None) -> list[Any]:
        """The ids from `start` to `stop`; with `counting`, the first statement also counts
        up to it (read_counting)."""
        found: list[Any] = []
        before = 0  # people in the parts already passed
        for part in self.parts:
            wanted = stop - start - len(found)
            if wanted <= 0:
                break
            begin = max(0, start - before)
            if counting is None:
                got = list(part[begin : begin + wanted])
            else:
                got = self._counted_window(part, begin, begin + wanted, counting)
                counting = None  # only the window's first statement counts
            found += got
            if len(got) < wanted:  # this part ends before the window does: how long is it?
                ends_in_window = bool(got) or begin == 0
                before += begin + len(got) if ends_in_window else part.order_by()[:begin].count()
        return found


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 people, never the whole list: in the statement that
    reads the page asked for, or, when it finds nobody (a page past the end), apart."""

    def __init__(self, people: InParts, per_page: int) -> None:
        super().__init__(cast(Any, people), per_page)  # read by window: a list per page
        self.people = people

    def get_page(self, number: Any) -> Page:
        """Paginator.get_page, the count read beside the page asked for when it can be a
        page of the counted list; any other number (not a number, below 1, past the count's
        cap) finds its page as Paginator does, the count read first, so that no number
        makes a page read further than the cap."""
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1  # as Paginator.get_page: the first page
        if 1 <= wanted <= -(-(COUNT_CAP + 1) // self.per_page):
            bottom = (wanted - 1) * self.per_page
            self.people.read_counting(slice(bottom, bottom + self.per_page), COUNT_CAP + 1)
        return super().get_page(number)

    @cached_property
    def count(self) -> int:
        return self.people.count_up_to(COUNT_CAP + 1)

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


# Each filter: its name in the URL, its choices (value, words), and what it keeps. The URL
# carries only these words, never anything typed about a person (the search is in the
# session).
SHOW = {"living": "Living", "died": "Died", "all": "Everyone"}
PLAN = {
    "none": "No plan",
    "draft": "Draft",
    "awaiting": "Awaiting approval",
    "published": "Published",
}
CPR = {"not_for_cpr": "Not for CPR", "for_cpr": "For CPR", "none": "No decision published"}
REVIEW = {"overdue": "Overdue", "due_soon": f"Due in {DUE_SOON_DAYS} days", "not_set": "Not set"}
REGISTER = {
    "on": "On the register",
    "not_on": "Not on the register",
    **{f"stage_{s}": f"Stage {s}" for s in ("A", "B", "C", "D")},
}
KEY_WORKER = {"me": "Me", "none": "Not named"}
STAGE_BY_LETTER = dict(zip("ABCD", STAGES, strict=True))
# The CPR decision in the fewest words a list can hold; the summary says the rest.
CPR_SHORT = {t.NOT_FOR_CPR: "Not for CPR", t.FOR_CPR: "For CPR"}
FILTERS: dict[str, dict[str, str]] = {
    "plan": PLAN,
    "cpr": CPR,
    "review": REVIEW,
    "register": REGISTER,
    "key_worker": KEY_WORKER,
}
SORTS: dict[str, str] = {
    "name": "Name (A to Z)",
    "-name": "Name (Z to A)",
    "age": "Oldest first",
    "-age": "Youngest first",
    "review": "Review date, soonest first",
    "plan": "Plan status",
    "cpr": "CPR decision",
    "stage": "Gold Standards Framework stage, D first",
    "key_worker": "Key worker",
}


@dataclass(frozen=True)
class Criteria:
    """What the clinician asked for, each value one of the choices above ("" for any)."""

    show: str = "living"
    sort: str = "name"
    search: str = ""
    filters: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_query(cls, query: Any, search: str = "") -> Criteria:
        """From the page's query string, dropping anything not offered."""
        show = query.get("show", "living")
        sort = query.get("sort", "name")
        return cls(
            show=show if show in SHOW else "living",
            sort=sort if sort in SORTS else "name",
            search=search.strip()[:100],
            filters={
                name: query.get(name)
                for name, choices in FILTERS.items()
                if query.get(name) in choices
            },
        )

    def query(self, **changes: str) -> str:
        """This page's query string with some values changed (for links that keep the rest)."""
        values = {"show": self.show, "sort": self.sort, **self.filters, **changes}
        return "&".join(f"{k}={v}" for k, v in values.items() if v and k != "page")


@dataclass(frozen=True)
class KeyWorker:
    """Who a row's key worker is: enough to name them, and to say "You" to them."""

    membership_id: int
    name: str


@dataclass(frozen=True)
class Row:
    patient: Patient
    plan_status: str
    version: int | None
    cpr: str
    not_for_cpr: bool
    review_due_on: dt.date | None
    review_overdue: bool
    stage_code: str  # the GSF stage's SNOMED CT code, "" if none
    on_register: bool
    key_worker: KeyWorker | None

    @property
    def stage(self) -> str:
        """The stage in words ("" if none)."""
        return GSF_STAGE.plain(self.stage_code) if self.stage_code else ""


@dataclass(frozen=True)
class Worklist:
    page: Page
    rows: list[Row]
    criteria: Criteria


def _search(patients: QuerySet[Patient], text: str) -> QuerySet[Patient]:
    """Part of a name, an NHS number (or its start) or a date of birth."""
    if not text:
        return patients
    born = _as_date(text)
    if born is not None:
        return patients.filter(date_of_birth=born)
    digits = re.sub(r"\s", "", text)
    if digits.isdigit() and len(digits) >= 3:
        return patients.filter(nhs_number__startswith=normalise_nhs_number(digits))
    words = text.split()
    for word in words[:4]:
        patients = patients.filter(
            Q(family_name__icontains=word)
            | Q(given_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return patients


def _as_date(text: str) -> dt.date | None:
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d %m %Y", "%Y-%m-%d", "%d %b %Y", "%d %B %Y"):
        try:
            return dt.datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007  (a day)
        except ValueError:
            continue
    return None


def _open_entry(stage: str | None = None) -> Exists:
    entries = RegisterEntry.objects.filter(patient=OuterRef("pk"), removed_on__isnull=True)
    if stage is not None:
        entries = entries.filter(stage=stage)
    return Exists(entries)


def _key_worker_of(viewer: Membership | None = None) -> Exists:
    contacts = current_key_contacts(KeyContactKind.KEY_WORKER).filter(patient=OuterRef("pk"))
    if viewer is not None:
        contacts = contacts.filter(membership=viewer)
    return Exists(contacts)


def _filtered(viewer: Membership, criteria: Criteria) -> QuerySet[Patient]:
    today = timezone.localdate()
    patients = visible_patients(viewer)
    if criteria.show == "living":
        patients = patients.filter(date_of_death__isnull=True)
    elif criteria.show == "died":
        patients = patients.filter(date_of_death__isnull=False)
    patients = _search(patients, criteria.search)
    wanted = criteria.filters
    plan = wanted.get("plan")
    if plan == "none":
        patients = patients.filter(care_plan__isnull=True)
    elif plan == "draft":
        patients = patients.filter(care_plan__working_copy__status=Status.DRAFT)
    elif plan == "awaiting":
        patients = patients.filter(care_plan__working_copy__status=Status.AWAITING_APPROVAL)
    elif plan == "published":
        patients = patients.filter(care_plan__current_version__isnull=False)
    cpr = wanted.get("cpr")  # the current version's decision, kept on the plan
    if cpr == "not_for_cpr":
        patients = patients.filter(care_plan__cpr_decision=t.NOT_FOR_CPR)
    elif cpr == "for_cpr":
        patients = patients.filter(care_plan__cpr_decision=t.FOR_CPR)
    elif cpr == "none":
        patients = patients.exclude(care_plan__cpr_decision__in=[t.NOT_FOR_CPR, t.FOR_CPR])
    review = wanted.get("review")
    if review:  # a closed plan is reviewed no more
        patients = patients.exclude(care_plan__closed_at__isnull=False)
    if review == "overdue":
        patients = patients.filter(care_plan__review_due_on__lt=today)
    elif review == "due_soon":
        patients = patients.filter(
            care_plan__review_due_on__range=(today, today + dt.timedelta(days=DUE_SOON_DAYS))
        )
    elif review == "not_set":
        patients = patients.filter(care_plan__review_due_on__isnull=True)
    register = wanted.get("register")
    if register == "on":
        patients = patients.filter(_open_entry())
    elif register == "not_on":
        patients = patients.exclude(_open_entry())
    elif register and register.startswith("stage_"):
        patients = patients.filter(_open_entry(STAGE_BY_LETTER[register.removeprefix("stage_")]))
    key_worker = wanted.get("key_worker")
    if key_worker == "me":
        patients = patients.filter(_key_worker_of(viewer))
    elif key_worker == "none":
        patients = patients.exclude(_key_worker_of())
    return patients


def _stage() -> Subquery:
    """The stage of the newest open entry that has one (as profiles.selectors.stages_now)."""
    return Subquery(
        RegisterEntry.objects.filter(patient=OuterRef("pk"), removed_on__isnull=True)
        .exclude(stage="")
        .order_by("-added_on", "-id")
        .values("stage")[:1]
    )


def _name_order(id_field: str = "id", *, descending: bool = False) -> tuple[str, str, str]:
    """The list's order by name, the person's id last so that equal names keep one order."""
    sign = "-" if descending else ""
    return (f"{sign}family_name", f"{sign}given_name", f"{sign}{id_field}")


NAME = _name_order()


def _ordered(patients: QuerySet[Patient], sort: str) -> InParts:
    ids = patients.values_list("pk", flat=True)
    if sort == "review":  # the dated by an index on the date (care_plan_review_patient)
        dated = Q(care_plan__review_due_on__isnull=False)
        return InParts(
            ids,
            ids.filter(dated).order_by("care_plan__review_due_on", *NAME),
            ids.exclude(dated).order_by(*NAME),
        )
    return InParts(ids, _sorted(patients, sort).values_list("pk", flat=True))


def _sorted(patients: QuerySet[Patient], sort: str) -> QuerySet[Patient]:
    name = NAME
    if sort == "-name":
        return patients.order_by(*_name_order(descending=True))
    if sort == "age":
        return patients.order_by("date_of_birth", "id")
    if sort == "-age":
        return patients.order_by("-date_of_birth", "-id")
    if sort == "plan":
        return patients.order_by(
            F("care_plan__working_copy__status").asc(nulls_first=True),
            F("care_plan__current_version__number").asc(nulls_first=True),
            *name,
        )
    if sort == "cpr":
        return patients.order_by(  # no published decision ("" or no plan) last
            NullIf(F("care_plan__cpr_decision"), Value("")).desc(nulls_last=True), *name
        )
    if sort == "stage":
        return patients.annotate(sort_stage=_stage()).order_by(
            F("sort_stage").desc(nulls_last=True), *name
        )
    if sort == "key_worker":
        worker = (
            current_key_contacts(KeyContactKind.KEY_WORKER)
            .filter(patient=OuterRef("pk"))
            .values("membership__user__last_name")[:1]
        )
        return patients.annotate(sort_worker=Subquery(worker)).order_by(
            F("sort_worker").asc(nulls_last=True), *name
        )
    return patients.order_by(*name)


# One page's rows in one query: each person, through the care-team check whatever gave their
# ids (hazard H26), beside their plan's facts (PLAN_FACTS' columns), where they stand on the
# register (register.selectors.stage_codes_now's rule: on it while an entry is open; the
# stage of the newest open entry that has one) and their key worker in force
# (patients.selectors.current_key_contacts' rule: not ended, the membership not ended, the
# login active; one at most, key_contact_one_current_of_each_kind). Written as SQL: the
# three ORM queries it replaces took 9 ms to build and read, this 2 ms (bench/worklist.py).
ROWS_SQL = """
SELECT patient.id, patient.public_id, patient.nhs_number, patient.given_name,
       patient.family_name, patient.date_of_birth, patient.date_of_death,
       plan.id AS plan_id, plan.closed_at AS plan_closed_at,
       plan.review_due_on AS plan_review_due_on, version.number AS plan_version,
       version.cpr_decision AS plan_cpr_decision, draft.status AS plan_draft_status,
       EXISTS (
           SELECT 1 FROM register_registerentry entry
           WHERE entry.patient_id = patient.id AND entry.removed_on IS NULL
       ) AS on_register,
       (
           SELECT entry.stage FROM register_registerentry entry
           WHERE entry.patient_id = patient.id AND entry.removed_on IS NULL AND entry.stage <> ''
           ORDER BY entry.added_on DESC, entry.id DESC LIMIT 1
       ) AS register_stage,
       worker.id AS key_worker_membership_id, worker_login.username AS key_worker_username,
       worker_login.first_name AS key_worker_first_name,
       worker_login.last_name AS key_worker_last_name
FROM patients_patient patient
LEFT JOIN careplans_careplan plan ON plan.patient_id = patient.id
LEFT JOIN careplans_publishedversion version ON version.id = plan.current_version_id
LEFT JOIN careplans_workingcopy draft ON draft.plan_id = plan.id
LEFT JOIN patients_keycontact contact
       ON contact.patient_id = patient.id AND contact.kind = %s AND contact.ended_at IS NULL
LEFT JOIN organisations_membership worker
       ON worker.id = contact.membership_id AND worker.ended_at IS NULL
LEFT JOIN auth_user worker_login ON worker_login.id = worker.user_id AND worker_login.is_active
WHERE patient.id IN ({ids}) AND {care_team}
"""


# The person's own columns ROWS_SQL reads, in the model's order (Model.from_db).
OWN_COLUMNS = {
    "id",
    "public_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "date_of_death",
}
ROW_FIELDS = [field for field in Patient._meta.concrete_fields if field.attname in OWN_COLUMNS]
if len(ROW_FIELDS) != len(OWN_COLUMNS):
    raise ImproperlyConfigured("a column ROWS_SQL reads of the person is no longer Patient's")


def _rows_of(viewer: Membership, ids: list[int]) -> list[Patient]:
    """The people of `ids` the viewer may see, each read with ROWS_SQL's facts beside them
    (the rest of the person deferred)."""
    if not ids:
        return []
    care_team, care_team_values = care_team_sql(viewer, "patient.id")
    sql = ROWS_SQL.format(ids=", ".join(["%s"] * len(ids)), care_team=care_team)
    with prepared_cursor() as cursor:  # planned once a connection (2 to 3 ms a page)
        cursor.execute(
            sql,
            [KeyContactKind.KEY_WORKER.value, *as_bigint(ids), *as_bigint(care_team_values)],
        )
        columns = [column[0] for column in cursor.description]
        found = cursor.fetchall()
    at = {name: position for position, name in enumerate(columns)}
    own = [at[field.attname] for field in ROW_FIELDS]
    facts = [(position, name) for position, name in enumerate(columns) if position not in own]
    patients = instances_from_rows(
        Patient, [[values[position] for position in own] for values in found], ROW_FIELDS
    )
    for patient, values in zip(patients, found, strict=True):
        patient.__dict__.update((name, values[position]) for position, name in facts)
    return patients


def _key_worker_read(patient: Patient) -> KeyWorker | None:
    """The key worker ROWS_SQL read beside the person; None when they have none in force
    (never named, ended, their membership ended or their login turned off)."""
    username = patient.__dict__["key_worker_username"]
    if username is None:
        return None
    return KeyWorker(
        membership_id=patient.__dict__["key_worker_membership_id"],
        name=contact_name(
            patient.__dict__["key_worker_first_name"],
            patient.__dict__["key_worker_last_name"],
            username,
        ),
    )


# What the worklist's entries (WorklistEntry, kept by PostgreSQL) can answer by an index alone:
# living or died, in name or review order, and "Not for CPR". Anything else is read from the
# records themselves.
LISTED_SORTS = ("name", "-name", "review")
LISTED_FILTERS: tuple[dict[str, str], ...] = ({}, {"cpr": "not_for_cpr"})


def _listed(viewer: Membership, criteria: Criteria) -> InParts | None:
    """The list in order from the organisation's worklist entries, if they can answer it."""
    if (
        connection.vendor != "postgresql"
        or criteria.search
        or criteria.show == "all"
        or criteria.sort not in LISTED_SORTS
        or criteria.filters not in LISTED_FILTERS
    ):
        return None
    if not can_view_patients(viewer):
        return InParts(Patient.objects.none().values_list("pk", flat=True))
    entries = WorklistEntry.objects.filter(
        group_id=viewer.organisation.group_id, living=criteria.show == "living"
    )
    if criteria.filters.get("cpr") == "not_for_cpr":
        entries = entries.filter(not_for_cpr=True)
    ids = entries.values_list("patient_id", flat=True)
    name = _name_order("patient_id")
    if criteria.sort == "review":
        return InParts(
            ids,
            ids.filter(review_due_on__isnull=False).order_by("review_due_on", *name),
            ids.filter(review_due_on__isnull=True).order_by(*name),
        )
    if criteria.sort == "-name":
        return InParts(ids, ids.order_by(*_name_order("patient_id", descending=True)))
    return InParts(ids, ids.order_by(*name))


def worklist(viewer: Membership, criteria: Criteria, page_number: str | int = 1) -> Worklist:
    """One page of the worklist. Records one `list` event naming the people shown (never
    the search typed)."""
    listed = _listed(viewer, criteria)
    # The entries are read by their indexes however PostgreSQL is set; the records need
    # the settings for one page of a long list.
    with nullcontext() if listed is not None else planned_for_one_page():
        people = (
            listed if listed is not None else _ordered(_filtered(viewer, criteria), criteria.sort)
        )
        page = CappedPaginator(people, PAGE_SIZE).get_page(page_number)
        wanted = list(page.object_list)
    found = {patient.pk: patient for patient in _rows_of(viewer, wanted)}
    wanted = [pk for pk in wanted if pk in found]  # none lost but by a change since
    today = timezone.localdate()
    rows = []
    for pk in wanted:
        patient = found[pk]
        state = state_of(plan_facts_read(patient), today)
        code = state.cpr_code
        rows.append(
            Row(
                patient=patient,
                plan_status=state.status,
                version=state.version,
                cpr=CPR_SHORT.get(code) or (t.CPR_DECISION_OR_STATUS.plain(code) if code else ""),
                not_for_cpr=code == t.NOT_FOR_CPR,
                review_due_on=state.review_due_on,
                review_overdue=state.review_overdue,
                stage_code=patient.__dict__["register_stage"] or "",
                on_register=bool(patient.__dict__["on_register"]),  # 0 or 1 on SQLite
                key_worker=_key_worker_read(patient),
            )
        )
    record(
        actor=viewer,
        action=Action.LIST,
        detail={
            "page": page.number,
            "sort": criteria.sort,
            "show": criteria.show,
            "filters": criteria.filters,
            "searched": bool(criteria.search),
            "shown": [str(row.patient.public_id) for row in rows],
        },
    )
    return Worklist(page=page, rows=rows, criteria=criteria)
