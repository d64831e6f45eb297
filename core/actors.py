"""Who acts: the one protocol every app's permissions, services and audit take."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID


class ActingOrganisation(Protocol):
    @property
    def public_id(self) -> UUID: ...

    @property
    def name(self) -> str: ...


class Actor(Protocol):
    """Whoever acts: a staff membership (organisations.Membership), or a patient's or
    attorney's own account (portal.PatientAccount), which acts for no organisation. Both
    have a role in the role -> capability table (organisations/permissions.py)."""

    @property
    def public_id(self) -> UUID: ...

    @property
    def user_id(self) -> int: ...

    @property
    def role(self) -> str: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def organisation(self) -> ActingOrganisation | None: ...
