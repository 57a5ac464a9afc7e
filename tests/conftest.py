"""Fixtures of the cross-app tests."""

import pytest
from django.db import transaction

from tests.permission_matrix.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Every kind of user and object the permission matrix and the Schemathesis run need, built once per test
    module through the services, in a transaction rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
