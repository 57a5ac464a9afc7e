"""Fixtures of the cross-app tests."""

import pytest
from django.db import transaction

from tests.permission_matrix.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every kind of user and object the permission matrix and the Schemathesis run need, built once per test
    module through the services, in a transaction rolled back after the module.

    The principals' second factor stays fresh for the whole module: exports ask for one entered within
    TWO_FACTOR_FRESH_MINUTES, and on a loaded machine a module can outlast that
    (the two-factor tests check expiry)."""
    from django.test import override_settings

    with django_db_blocker.unblock(), override_settings(TWO_FACTOR_FRESH_MINUTES=24 * 60):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
