"""Every change to organisations and memberships. `actor=None` means the command line
(load_demo, operators); from a page or the API it is always the acting membership."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from audit.models import Action
from audit.services import record
from core.phone import phone_problem
from organisations.models import (
    MULTI_REGION_KINDS,
    Membership,
    Organisation,
    OrganisationKind,
    Region,
)
from organisations.permissions import (
    can_approve_access,
    can_manage_memberships_of,
    can_manage_organisation,
    can_manage_organisations,
    reads_patient_records,
)
from organisations.validators import normalise_ods_code


@transaction.atomic
def region_create(*, name: str) -> Region:
    region = Region(name=name.strip())
    region.full_clean()
    region.save()
    return region


@transaction.atomic
def organisation_create(
    *,
    actor: Membership | None,
    name: str,
    ods_code: str,
    kind: str,
    region: Region,
    served_regions: Iterable[Region] = (),
    team_email: str = "",
) -> Organisation:
    """Create an organisation with its own permission group. A regional admin creates
    organisations in their own region only. Raises ValidationError with field errors."""
    if actor is not None and not (
        can_manage_organisations(actor) and region.pk == actor.organisation.region_id
    ):
        raise PermissionDenied
    served = [r for r in served_regions if r.pk != region.pk]
    if served and actor is not None:
        # Serving another region gives its urgent care access to that region's patients:
        # not for one region's admin to grant. Operators set it from the command line.
        raise PermissionDenied
    if served and kind not in MULTI_REGION_KINDS:
        raise ValidationError(
            {
                "served_regions": "Only ambulance services, NHS 111 and out-of-hours services "
                "serve other regions"
            }
        )
    code = normalise_ods_code(ods_code)
    organisation = Organisation(
        name=name.strip(), ods_code=code, kind=kind, region=region, team_email=team_email.strip()
    )
    organisation.full_clean(exclude=["group"])
    organisation.group = Group.objects.create(name=f"organisation:{organisation.public_id}")
    organisation.save()
    organisation.served_regions.set(served)
    record(
        actor=actor,
        action=Action.ORGANISATION_CREATE,
        detail={"organisation": str(organisation.public_id), "ods_code": code, "kind": kind},
    )
    return organisation


def _user_for(*, username: str, email: str, first_name: str, last_name: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        # Patients' and attorneys' logins (their email address) never take a staff role:
        # staff pages and patients' pages stay apart. (Reverse relation of portal's accounts.)
        if user.patient_accounts.filter(ended_at__isnull=True).exists():
            raise ValidationError(
                {"username": "This is a patient's online login: choose another username"}
            )
        return user, False
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user, True


@transaction.atomic
def membership_add(
    *,
    actor: Membership | None,
    organisation: Organisation,
    username: str,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    is_senior_clinician: bool = False,
    is_organisation_lead: bool = False,
    password: str | None = None,
    set_password_email_from: str | None = None,
) -> Membership:
    """Give a person (created if new) a role in an organisation.

    A new person gets an email with a single-use link to set their password (when
    `set_password_email_from` names the site's domain), or `password` from the command line.
    """
    if actor is not None and not can_manage_memberships_of(actor, organisation):
        raise PermissionDenied
    if actor is not None:
        _check_admin_may_add(actor, username.strip())
    user, created = _user_for(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    if password is not None:
        user.set_password(password)
        user.save(update_fields=["password"])
    # From the command line (actor None) access is the operator's decision; an admin's
    # request for access to patient records waits for a second, clinical approver.
    pending = actor is not None and reads_patient_records(role)
    membership = Membership(
        user=user,
        organisation=organisation,
        role=role,
        is_senior_clinician=is_senior_clinician,
        is_organisation_lead=is_organisation_lead,
        requested_by=actor.user if actor is not None else None,
        approved_at=None if pending else timezone.now(),
        approved_by=None if pending or actor is None else actor.user,
    )
    membership.full_clean(validate_constraints=False)
    if (
        Membership.objects.filter(user=user, organisation=organisation, role=role)
        .filter(ended_at__isnull=True)
        .exists()
    ):
        raise ValidationError({"role": "This person already has that role in this organisation"})
    membership.save()
    record(
        actor=actor,
        action=Action.MEMBERSHIP_ADD,
        detail={
            "membership": str(membership.public_id),
            "organisation": str(organisation.public_id),
            "role": role,
            "new_user": created,
            "awaiting_approval": pending,
        },
    )
    if created and user.email and set_password_email_from:
        domain = set_password_email_from
        # robust: a mail server failure must not turn a saved membership into an error page;
        # the admin can send the link again by re-adding the person.
        transaction.on_commit(
            lambda: send_set_password_email(user=user, domain=domain), robust=True
        )
    return membership


def send_set_password_email(*, user: User, domain: str) -> None:
    """A single-use link (Django's password reset token: void once the password is set)."""
    context = {
        "user": user,
        "domain": domain,
        "protocol": "http" if domain.startswith(("127.0.0.1", "localhost")) else "https",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = render_to_string("organisations/emails/set_password_subject.txt", context).strip()
    body = render_to_string("organisations/emails/set_password.txt", context)
    send_mail(subject, body, None, [user.email])


def _check_admin_may_add(actor: Membership, username: str) -> None:
    """An admin never gives themselves a role (no clinical access by virtue of the admin
    role), and adds existing people only if they work in the admin's own region."""
    if username == actor.user.get_username():
        raise ValidationError({"username": "You cannot give yourself a role: ask another admin"})
    elsewhere = (
        Membership.objects.active()
        .filter(user__username=username)
        .exclude(organisation__region_id=actor.organisation.region_id)
    )
    if elsewhere.exists():
        raise ValidationError(
            {"username": "This person works in another region: ask that region's admin"}
        )


@transaction.atomic
def membership_end(*, actor: Membership | None, membership: Membership) -> Membership:
    """End a membership at once: the person can no longer act in that role."""
    if actor is not None and not can_manage_memberships_of(actor, membership.organisation):
        raise PermissionDenied
    if actor is not None and actor.pk == membership.pk:
        raise ValidationError("You cannot end the membership you are acting as")
    if membership.ended_at is None:
        membership.ended_at = timezone.now()
        membership.save(update_fields=["ended_at"])
        record(
            actor=actor,
            action=Action.MEMBERSHIP_END,
            detail={"membership": str(membership.public_id)},
        )
    return membership


@transaction.atomic
def membership_approve(*, actor: Membership, membership: Membership) -> Membership:
    """The second, clinical approval of access an admin asked for: from now on it works."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not can_approve_access(actor, locked):
        raise PermissionDenied
    locked.approved_at = timezone.now()
    locked.approved_by = actor.user
    locked.save(update_fields=["approved_at", "approved_by"])
    record(
        actor=actor,
        action=Action.ACCESS_APPROVE,
        detail={
            "membership": str(locked.public_id),
            "organisation": str(locked.organisation.public_id),
            "role": locked.role,
            "requested_by": locked.requested_by.get_username() if locked.requested_by else "",
        },
    )
    return locked


@transaction.atomic
def membership_decline(*, actor: Membership, membership: Membership, reason: str) -> Membership:
    """Access an admin asked for is refused: the membership (or system token) ends unused."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not can_approve_access(actor, locked):
        raise PermissionDenied
    text = reason.strip()
    if not text:
        raise ValidationError({"reason": "Say why this access is declined"})
    locked.ended_at = timezone.now()
    locked.save(update_fields=["ended_at"])
    record(
        actor=actor,
        action=Action.ACCESS_DECLINE,
        reason=text[:1000],
        detail={"membership": str(locked.public_id), "role": locked.role},
    )
    return locked


MAX_LIST_SIZE = 200_000


@transaction.atomic
def organisation_list_size_set(
    *, actor: Membership, organisation: Organisation, list_size: int | None
) -> Organisation:
    """A GP practice's registered list size (None: not known), for its register's share."""
    if not can_manage_organisation(actor, organisation):
        raise PermissionDenied
    if organisation.kind != OrganisationKind.GP_PRACTICE:
        raise ValidationError({"list_size": "Only a GP practice has a list size"})
    if list_size is not None and not 1 <= list_size <= MAX_LIST_SIZE:
        raise ValidationError({"list_size": f"Enter a list size between 1 and {MAX_LIST_SIZE:,}"})
    organisation.list_size = list_size
    organisation.save(update_fields=["list_size"])
    record(
        actor=actor,
        action=Action.ORGANISATION_UPDATE,
        detail={"organisation": str(organisation.public_id), "list_size": list_size},
    )
    return organisation


# What a clinician or carer reads to know when to call: enough words to say it.
ACCESS_FOR_MAX = 600


@transaction.atomic
def region_access_set(
    *, actor: Membership, name: str, phone: str, hours: str, what_for: str
) -> Region:
    """The acting admin's region's single point of access: its name, number, hours and
    what to call it for. All four or none (none: no single point of access is shown)."""
    if not can_manage_organisations(actor):
        raise PermissionDenied
    region = actor.organisation.region
    values = {
        "name": " ".join(name.split()),
        "phone": " ".join(phone.split()),
        "hours": " ".join(hours.split()),
        "what_for": what_for.strip(),
    }
    if any(values.values()):
        errors = {
            field: message
            for field, message in (
                ("name", "Enter the service's name, for example Palliative Care Co-ordination"),
                ("phone", "Enter the phone number"),
                ("hours", "Enter its hours, for example 24 hours a day, 7 days a week"),
                ("what_for", "Say what to call it for"),
            )
            if not values[field]
        }
        if values["phone"] and (problem := phone_problem(values["phone"])):
            errors["phone"] = problem
        if len(values["what_for"]) > ACCESS_FOR_MAX:
            errors["what_for"] = f"Say what to call it for in {ACCESS_FOR_MAX} characters or fewer"
        if errors:
            raise ValidationError(errors)
    region.access_name = values["name"]
    region.access_phone = values["phone"]
    region.access_hours = values["hours"]
    region.access_for = values["what_for"]
    region.save(update_fields=["access_name", "access_phone", "access_hours", "access_for"])
    record(
        actor=actor,
        action=Action.REGION_UPDATE,
        detail={
            "region": str(region.public_id),
            "access_name": region.access_name,
            "access_phone": region.access_phone,
            "access_hours": region.access_hours,
        },
    )
    return region
