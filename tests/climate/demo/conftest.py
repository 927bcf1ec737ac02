"""The staff-access district of the security tests, for the demo accounts."""

from tests.climate.security.conftest import district

__all__ = ["district"]
