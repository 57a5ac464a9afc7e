"""Migration 0004 gives the reminders already sent the deadline they were about: the day the scan wrote them
(in Copenhagen) plus the days left it wrote, so a deadline that moved since keeps its reminders apart."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from cmm.models import Role
from reflection.choices import PeriodKind
from reflection.models import Notification
from reflection.services import period_start

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("reflection", "0003_notification_group_action_and_more")
AFTER = ("reflection", "0004_notification_deadline")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def test_the_reminders_already_sent_get_the_deadline_they_were_about(users_a, case_a):
    user = users_a[Role.CASEWORKER]
    period = period_start(case=case_a, by=user, kind=PeriodKind.ACTION_PLAN, starts_on=timezone.localdate())
    try:
        _migrate(BEFORE)
        rows = [
            # 23:30 UTC on 16 March is 17 March in Copenhagen: 14 days before 31 March.
            ("d14", 14, datetime.datetime(2026, 3, 16, 23, 30, tzinfo=datetime.UTC)),
            ("d7", 7, datetime.datetime(2026, 3, 24, 8, 0, tzinfo=datetime.UTC)),
            # After the period was extended to 10 April: the 3-day reminder of the new deadline.
            ("d3", 3, datetime.datetime(2026, 4, 7, 8, 0, tzinfo=datetime.UTC)),
            ("expired:2026-04-11", -1, datetime.datetime(2026, 4, 11, 8, 0, tzinfo=datetime.UTC)),
        ]
        with connection.cursor() as cursor:
            for milestone, left, created in rows:
                cursor.execute(
                    "INSERT INTO reflection_notification"
                    " (recipient_id, period_id, case_id, milestone, days_left, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    [
                        *(user.pk, period.pk, case_a.pk, milestone, left),
                        connection.ops.adapt_datetimefield_value(created),
                    ],
                )
        _migrate(AFTER)
    finally:
        _migrate(AFTER)

    assert dict(Notification.objects.values_list("milestone", "deadline")) == {
        "d14": datetime.date(2026, 3, 31),
        "d7": datetime.date(2026, 3, 31),
        "d3": datetime.date(2026, 4, 10),
        "expired:2026-04-11": datetime.date(2026, 4, 10),
    }
