import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cmm.models import Role
from referrals.services.returns import return_plan_create
from reflection.choices import ExtensionGround, PeriodKind
from reflection.models import Notification
from reflection.services import deadline_scan, period_extend, period_start

pytestmark = pytest.mark.django_db


@time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=datetime.UTC))
def test_a_statutory_period_runs_30_days_and_extends_to_at_most_100(identified_case, users_a):
    worker = users_a[Role.CASEWORKER]
    period = period_start(
        case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=datetime.date(2026, 3, 21)
    )
    assert period.ends_on == datetime.date(2026, 4, 20)

    with pytest.raises(ValidationError):
        period_extend(
            period=period,
            by=worker,
            new_total_days=101,
            ground=ExtensionGround.MEDICAL,
            decided_on=datetime.date(2026, 4, 1),
        )
    # Cooperation on a prepared return is a ground while the case has a return plan being prepared.
    return_plan_create(case=identified_case, by=worker, destination_country="NG")
    period_extend(
        period=period,
        by=worker,
        new_total_days=100,
        ground=ExtensionGround.PREPARED_RETURN,
        decided_on=datetime.date(2026, 4, 1),
    )
    period.refresh_from_db()
    assert period.ends_on == datetime.date(2026, 6, 29)


def test_the_scan_reminds_each_person_once_per_milestone(identified_case, users_a):
    worker = users_a[Role.CASEWORKER]
    with time_machine.travel(datetime.datetime(2026, 3, 22, 10, tzinfo=datetime.UTC)):
        period_start(
            case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=datetime.date(2026, 3, 21)
        )
    assert deadline_scan(today=datetime.date(2026, 4, 13)) == 1  # 7 days left
    assert deadline_scan(today=datetime.date(2026, 4, 13)) == 0
    assert Notification.objects.get().milestone == "d7"


@time_machine.travel(datetime.datetime(2026, 5, 1, 10, tzinfo=datetime.UTC))
def test_an_extension_after_a_lift_with_a_new_deadline_adds_its_days_to_that_deadline(
    identified_case, users_a
):
    from reflection.services import period_lift_postponement, period_postpone

    worker = users_a[Role.CASEWORKER]
    period = period_start(
        case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=datetime.date(2026, 3, 21)
    )
    period_postpone(
        period=period, by=worker, from_date=datetime.date(2026, 4, 1), reason="Home country review"
    )
    period_lift_postponement(
        period=period, by=worker, lifted_on=datetime.date(2026, 4, 20), new_ends_on=datetime.date(2026, 5, 10)
    )
    period.refresh_from_db()
    assert period.ends_on == datetime.date(2026, 5, 10)

    period_extend(
        period=period,
        by=worker,
        new_total_days=40,
        ground=ExtensionGround.MEDICAL,
        decided_on=datetime.date(2026, 5, 1),
    )
    period.refresh_from_db()
    assert period.ends_on == datetime.date(2026, 5, 20)  # the 10 extra days follow the decided deadline


def test_someone_who_left_the_organisation_is_not_reminded(identified_case, users_a):
    from cmm.services import membership_change

    worker = users_a[Role.CASEWORKER]
    with time_machine.travel(datetime.datetime(2026, 3, 22, 10, tzinfo=datetime.UTC)):
        period_start(
            case=identified_case, by=worker, kind=PeriodKind.STATUTORY, starts_on=datetime.date(2026, 3, 21)
        )
    membership_change(
        membership=worker.memberships.get(), role=Role.CASEWORKER, is_active=False, by=users_a[Role.ORG_ADMIN]
    )

    assert deadline_scan(today=datetime.date(2026, 4, 13)) == 0
    assert not Notification.objects.exists()
