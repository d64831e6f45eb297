from tests.careplans.conftest import consented, published

__all__ = ["consented", "published"]
