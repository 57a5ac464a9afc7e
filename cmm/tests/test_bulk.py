"""cmm.bulk.insert_rows: plain multi-row INSERTs with the other columns' defaults, keys in row order."""

from datetime import timedelta
from unittest import mock

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cmm.bulk import insert_rows
from cmm.models import EmailStatus, OutboundEmail
from reflection.models import Notification

pytestmark = pytest.mark.django_db


def test_rows_get_the_fields_defaults_and_their_keys_come_back_in_order():
    rows = [(f"p{i}@example.org", f"Subject {i}", "Body") for i in range(7)]
    before = timezone.now()

    keys = insert_rows(OutboundEmail, ["to", "subject", "body"], rows, returning_pk=True)

    emails = OutboundEmail.objects.in_bulk(keys)
    assert [(emails[k].to, emails[k].subject) for k in keys] == [row[:2] for row in rows]
    for email in emails.values():
        assert (email.status, email.attempts, email.last_error, email.claimed_at) == (
            EmailStatus.PENDING,
            0,
            "",
            None,
        )
        assert before - timedelta(seconds=1) <= email.created_at <= timezone.now()  # auto_now_add


def test_rows_are_written_in_the_backends_batches():
    rows = [(f"p{i}@example.org", "s", "b") for i in range(25)]
    with (
        mock.patch.object(connection.ops, "bulk_batch_size", return_value=10),
        CaptureQueriesContext(connection) as queries,
    ):
        keys = insert_rows(OutboundEmail, ["to", "subject", "body"], rows, returning_pk=True)
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 3
    assert len(keys) == 25 == len(set(keys))
    assert list(OutboundEmail.objects.order_by("pk").values_list("to", flat=True)) == [row[0] for row in rows]


def test_a_backend_without_returning_inserts_gives_the_keys_row_by_row():
    rows = [(f"p{i}@example.org", f"Subject {i}", "Body") for i in range(3)]
    features = type(connection.features)
    with (
        mock.patch.object(
            features, "can_return_rows_from_bulk_insert", new_callable=mock.PropertyMock
        ) as can,
        CaptureQueriesContext(connection) as queries,
    ):
        can.return_value = False
        keys = insert_rows(OutboundEmail, ["to", "subject", "body"], rows, returning_pk=True)
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 3  # one row each
    emails = OutboundEmail.objects.in_bulk(keys)
    assert [emails[key].subject for key in keys] == ["Subject 0", "Subject 1", "Subject 2"]
    assert {email.status for email in emails.values()} == {EmailStatus.PENDING}


def test_nothing_to_write_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(OutboundEmail, ["to", "subject", "body"], [], returning_pk=True) == []


def test_a_row_breaking_a_constraint_raises_and_its_statement_writes_nothing(users_a, case_a):
    from cmm.models import Role
    from reflection.choices import PeriodKind
    from reflection.services import period_start

    user = users_a[Role.CASEWORKER]
    period = period_start(case=case_a, by=user, kind=PeriodKind.ACTION_PLAN, starts_on=timezone.localdate())
    fields = ["recipient_id", "period_id", "case_id", "milestone", "days_left", "deadline"]
    due = period.ends_on
    assert insert_rows(Notification, fields, [(user.pk, period.pk, case_a.pk, "d7", 7, due)]) == []
    assert Notification.objects.get().read_at is None

    again = [(user.pk, period.pk, case_a.pk, "d3", 3, due), (user.pk, period.pk, case_a.pk, "d7", 7, due)]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Notification, fields, again)
    assert list(Notification.objects.values_list("milestone", flat=True)) == ["d7"]
