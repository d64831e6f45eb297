from __future__ import annotations

import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from interop.rest import PerCallerThrottle
from tests.careplans.conftest import consented, published

__all__ = ["consented", "published"]


@pytest.fixture(autouse=True)
def _fresh_throttle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test counts its own calls, REST and FHIR together (never flushing Redis)."""
    # LocMemCaches of one name share their store: a new name is a new, empty cache.
    fresh = LocMemCache(f"api-throttle-{uuid.uuid4()}", {})
    monkeypatch.setattr(PerCallerThrottle, "cache", fresh)
