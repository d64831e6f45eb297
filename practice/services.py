"""Case finding's writes: "not now" decisions, and importing the practice's own search.
Acting user first, permission, validation, write and audit in one transaction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Action
from audit.services import record
from careplans.sections import content_fingerprint, form_data_from_stored
from careplans.selectors import section_data, working_copy_of
from careplans.services import SectionInvalid, section_save
from organisations.models import Membership
from organisations.permissions import can_find_cases
from patients.identifiers import format_nhs_number, is_valid_nhs_number, normalise_nhs_number
from patients.models import Patient
from patients.permissions import visible_patients
from practice.models import (
    MAX_ACTIONS,
    ImportStatus,
    Meeting,
    MeetingAction,
    NotNow,
    Outcome,
    SearchImport,
    SearchMatch,
)
from practice.selectors import care_team_members
from register.permissions import can_keep_register
from register.selectors import open_entry
from reminders.services import action_notify

MAX_REASON = 2000
MAX_BYTES = 2_000_000
MAX_ROWS = 20_000
NOT_A_PATIENT = "No patient of this practice has this NHS number"
ALREADY_REVIEWED = "This person's review at this meeting is recorded already"
YES = {"1", "y", "yes", "true", "x", "t"}
NO = {"", "0", "n", "no", "false", "f"}


@transaction.atomic
def not_now_record(
    *,
    actor: Membership,
    patient: Patient,
    reason: str,
    ask_again_on: dt.date | None,
) -> NotNow:
    """Leave the person off the case-finding list until a date, saying why."""
    if not can_keep_register(actor, patient):
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = "Say why not now"
    elif len(reason) > MAX_REASON:
        errors["reason"] = f"The reason must be {MAX_REASON} characters or fewer"
    if ask_again_on is None:
        errors["ask_again_on"] = "Enter the date to ask again"
    elif ask_again_on <= today:
        errors["ask_again_on"] = "The date to ask again must be in the future"
    elif ask_again_on > today + dt.timedelta(days=366):
        errors["ask_again_on"] = "The date to ask again must be within a year"
    if open_entry(patient) is not None:
        errors["__all__"] = "This person is on the register already"
    if errors or ask_again_on is None:
        raise ValidationError(errors)
    decision = NotNow.objects.create(
        patient=patient,
        practice=actor.organisation,
        decided_on=today,
        reason=reason,
        ask_again_on=ask_again_on,
        decided_by=actor.user,
    )
    record(
        actor=actor,
        action=Action.NOT_NOW,
        patient=patient,
        detail={"decision": str(decision.public_id), "ask_again_on": ask_again_on.isoformat()},
    )
    return decision


@dataclass(frozen=True)
class Row:
    """One row of the file as the person who uploaded it is shown it."""

    number: int
    nhs_number: str
    problem: str = ""
    indicators: tuple[str, ...] = ()
    note: str = ""


@dataclass
class Checked:
    search: SearchImport | None
    rows: list[Row] = field(default_factory=list)

    @property
    def good(self) -> list[Row]:
        return [row for row in self.rows if not row.problem]

    @property
    def refused(self) -> list[Row]:
        return [row for row in self.rows if row.problem]


def _text(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ValidationError(
            {"file": f"The file is larger than {MAX_BYTES // 1_000_000} MB. Nothing was imported."}
        )
    if b"\x00" in content:
        raise ValidationError(
            {"file": "This is not a CSV text file. Export the search as CSV and try again."}
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return content.decode("cp1252")
        except UnicodeDecodeError as not_text:
            raise ValidationError(
                {"file": "This is not a CSV text file. Export the search as CSV and try again."}
            ) from not_text


def _header(first: list[str]) -> tuple[int, list[tuple[int, str]]]:
    """The NHS number column and the indicator columns, by position."""
    names = [name.strip() for name in first]
    keys = [name.lower().replace(" ", "").replace("_", "") for name in names]
    if "nhsnumber" not in keys:
        raise ValidationError(
            {
                "file": "The first row must name the columns, one of them “NHS number”. "
                "Nothing was imported."
            }
        )
    column = keys.index("nhsnumber")
    return column, [(i, name) for i, name in enumerate(names) if i != column and name]


def _rows(text: str) -> list[list[str]]:
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as broken:
        raise ValidationError(
            {"file": f"The file could not be read as CSV ({broken}). Nothing was imported."}
        ) from broken
    if not rows:
        raise ValidationError({"file": "The file is empty. Nothing was imported."})
    if len(rows) - 1 > MAX_ROWS:
        raise ValidationError(
            {
                "file": f"The file has {len(rows) - 1:,} rows; one search may have at most "
                f"{MAX_ROWS:,}. Nothing was imported."
            }
        )
    return rows


@transaction.atomic
def search_check(*, actor: Membership, content: bytes) -> Checked:
    """Read and check every row of the practice's search. The rows that match a patient of
    the practice are kept, waiting for confirmation: nothing counts until then. A person of
    another practice, or not known here, gets the same words, so the import reveals nobody."""
    if not can_find_cases(actor):
        raise PermissionDenied
    rows = _rows(_text(content))
    column, indicator_columns = _header(rows[0])
    wanted: set[str] = set()
    for values in rows[1:]:
        if column < len(values):
            candidate = normalise_nhs_number(values[column])
            if is_valid_nhs_number(candidate):
                wanted.add(candidate)
    patients = {
        p.nhs_number: p
        for p in visible_patients(actor).filter(
            nhs_number__in=list(wanted),
            registered_gp_practice_id=actor.organisation_id,
            date_of_death__isnull=True,
        )
    }
    checked: list[Row] = []
    seen: dict[str, int] = {}
    matches: list[tuple[int, Patient, tuple[str, ...]]] = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        raw = values[column].strip() if column < len(values) else ""
        nhs_number = normalise_nhs_number(raw)
        shown = format_nhs_number(nhs_number) if is_valid_nhs_number(nhs_number) else raw[:20]
        flags = []
        problem = ""
        for index, name in indicator_columns:
            value = values[index].strip().lower() if index < len(values) else ""
            if value in YES:
                flags.append(name)
            elif value not in NO and not problem:
                problem = f"“{values[index].strip()[:20]}” under {name}: use yes or no (or 1 or 0)"
        # A problem with the NHS number comes first: it is what the row is about.
        if not raw:
            problem = "No NHS number"
        elif not is_valid_nhs_number(nhs_number):
            problem = "Not a valid NHS number"
        elif nhs_number in seen:
            problem = f"Listed already on row {seen[nhs_number]}"
        elif nhs_number not in patients:
            problem = NOT_A_PATIENT
        if not problem:
            seen[nhs_number] = number
            matches.append((number, patients[nhs_number], tuple(flags)))
        checked.append(Row(number, shown, problem, tuple(flags)))
    if not checked:
        raise ValidationError(
            {"file": "The file has no rows under its header. Nothing was imported."}
        )
    search = SearchImport.objects.create(
        practice=actor.organisation,
        uploaded_by=actor.user,
        status=ImportStatus.CHECKED,
        rows_read=len(checked),
        rows_refused=sum(1 for row in checked if row.problem),
    )
    SearchMatch.objects.bulk_create(
        SearchMatch(search=search, row_number=n, patient=p, indicators=list(f))
        for n, p, f in matches
    )
    record(
        actor=actor,
        action=Action.SEARCH_IMPORT,
        detail={
            "search": str(search.public_id),
            "status": "checked",
            "rows": search.rows_read,
            "refused": search.rows_refused,
        },
    )
    return Checked(search=search, rows=checked)


@transaction.atomic
def search_confirm(*, actor: Membership, search: SearchImport) -> SearchImport:
    """The good rows of a checked search count from now on."""
    if not can_find_cases(actor) or search.uploaded_by_id != actor.user_id:
        raise PermissionDenied
    locked = SearchImport.objects.select_for_update().get(pk=search.pk)
    if locked.status != ImportStatus.CHECKED:
        raise ValidationError("This search is confirmed already")
    locked.status = ImportStatus.CONFIRMED
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["status", "confirmed_at"])
    record(
        actor=actor,
        action=Action.SEARCH_IMPORT,
        detail={
            "search": str(locked.public_id),
            "status": "confirmed",
            "matched": locked.matches.count(),
        },
    )
    return locked


# --- the practice meeting ------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(*, actor: Membership, held_on: dt.date | None, attendees: str) -> Meeting:
    """Schedule the practice's meeting (or record one held within the last year)."""
    if not can_find_cases(actor):
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, str] = {}
    attendees = attendees.strip()
    if held_on is None:
        errors["held_on"] = "Enter the date of the meeting"
    elif not today - dt.timedelta(days=365) <= held_on <= today + dt.timedelta(days=365):
        errors["held_on"] = "The meeting must be within a year of today"
    if not attendees:
        errors["attendees"] = "Say who attends"
    elif len(attendees) > MAX_REASON:
        errors["attendees"] = f"Who attends must be {MAX_REASON} characters or fewer"
    if errors or held_on is None:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(
        practice=actor.organisation, held_on=held_on, attendees=attendees, created_by=actor.user
    )
    record(
        actor=actor,
        action=Action.MEETING_SCHEDULE,
        detail={"meeting": str(meeting.public_id), "held_on": held_on.isoformat()},
    )
    return meeting


@dataclass(frozen=True)
class ActionDetails:
    what: str
    owner: Membership | None
    due_on: dt.date | None


@transaction.atomic
def outcome_record(
    *,
    actor: Membership,
    meeting: Meeting,
    patient: Patient,
    notes: str,
    next_review_on: dt.date | None,
    actions: list[ActionDetails],
    set_plan_review: bool = False,
) -> Outcome:
    """What the meeting agreed for the person, once: notes, the next review, and actions,
    each with an owner of the person's care team and a date, told to the owner."""
    if not can_keep_register(actor, patient) or meeting.practice_id != actor.organisation_id:
        raise PermissionDenied
    errors: dict[str, str] = {}
    notes = notes.strip()
    if len(notes) > MAX_REASON:
        errors["notes"] = f"The notes must be {MAX_REASON} characters or fewer"
    if next_review_on is not None and not (
        meeting.held_on < next_review_on <= meeting.held_on + dt.timedelta(days=366)
    ):
        errors["next_review_on"] = "The next review must be after the meeting and within a year"
    team = set(care_team_members(patient).values_list("pk", flat=True))
    for index, action in enumerate(actions[:MAX_ACTIONS], start=1):
        given = action.what.strip() or action.owner or action.due_on
        if not given:
            continue
        if not action.what.strip():
            errors[f"action_{index}_what"] = f"Say what action {index} is"
        elif len(action.what.strip()) > 300:
            errors[f"action_{index}_what"] = "An action must be 300 characters or fewer"
        if action.owner is None or action.owner.pk not in team:
            errors[f"action_{index}_owner"] = f"Choose who owns action {index}"
        if action.due_on is None:
            errors[f"action_{index}_due_on"] = f"Enter the date action {index} is due"
        elif action.due_on < meeting.held_on:
            errors[f"action_{index}_due_on"] = "An action cannot be due before the meeting"
    if set_plan_review and next_review_on is None:
        errors["next_review_on"] = "Enter the next review to set it as the plan's review date"
    if errors:
        raise ValidationError(errors)
    if Outcome.objects.filter(meeting=meeting, patient=patient).exists():
        raise ValidationError(ALREADY_REVIEWED)
    try:
        with transaction.atomic():
            outcome = Outcome.objects.create(
                meeting=meeting,
                patient=patient,
                notes=notes,
                next_review_on=next_review_on,
                recorded_by=actor.user,
            )
    except IntegrityError as twice:
        raise ValidationError(ALREADY_REVIEWED) from twice
    for action in actions[:MAX_ACTIONS]:
        if not action.what.strip() or action.owner is None or action.due_on is None:
            continue
        agreed = MeetingAction.objects.create(
            outcome=outcome, what=action.what.strip(), owner=action.owner, due_on=action.due_on
        )
        action_notify(
            owner=action.owner,
            patient=patient,
            due_on=action.due_on,
            about=agreed.what,
            source=agreed.public_id,
        )
    if set_plan_review and next_review_on is not None:
        _plan_review_set(actor, patient, next_review_on)
    record(
        actor=actor,
        action=Action.MEETING_OUTCOME,
        patient=patient,
        detail={
            "meeting": str(meeting.public_id),
            "outcome": str(outcome.public_id),
            "actions": len(outcome.actions.all()),
        },
    )
    return outcome


def _plan_review_set(actor: Membership, patient: Patient, day: dt.date) -> None:
    """The plan's planned review date, in its working copy, through the plan's own service
    (its rules, history and audit); publishing shares it, as any change to the plan."""
    current = section_data(working_copy_of(patient)).get("review", {})
    data = form_data_from_stored("review", {**current, "planned_review_date": day.isoformat()})
    data["based_on"] = content_fingerprint(current)
    try:
        section_save(actor=actor, patient=patient, key="review", data=data)
    except SectionInvalid as invalid:
        raise ValidationError(
            {"next_review_on": " ".join(str(e) for e in invalid.form.errors.values())}
        ) from invalid
    except PermissionDenied as closed:
        raise ValidationError(
            {"next_review_on": "The plan cannot be changed: its review date was not set"}
        ) from closed
