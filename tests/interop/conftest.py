from __future__ import annotations

from tests.careplans.conftest import consented, published

__all__ = ["consented", "published"]
