"""What careplans tells apps that build on it (and which it may not import): a death was
recorded. Receivers run inside the recording's transaction."""

from __future__ import annotations

from django.dispatch import Signal

# Sent with death (careplans.models.Death) and actor (the recording Membership).
death_recorded = Signal()
