"""Two answers to one referral at once, and two referrals of one case to the same receiver at once: exactly
one wins, the other gets a clear ValidationError, and the access matches the winner.

On PostgreSQL each call runs in its own thread with its own connection, released together by a barrier; the
row locks (SELECT ... FOR UPDATE on the referral or the case) make the second wait and then see the first's
result. SQLite serialises writers, so there the two calls run one after the other and the same promise is
checked; the test runs rather than being skipped, because CI fails every skipped test (conftest.py).
"""

# The fixtures come from referral_fixtures by an explicit import, which ruff reads as unused and redefined.
# ruff: noqa: F401, F811

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases.selectors import case_list_for_user
from referrals.choices import ReferralStatus
from referrals.models import Referral
from referrals.services.referrals import referral_accept, referral_decline
from referrals.tests.referral_fixtures import (
    fixed_today,
    pending,
    receiver,
    send_referral,
    sender,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fixed_today")]


def _at_once(*calls) -> list:
    """Run the calls together; return what each returned or raised, in the order they were given."""
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            outcomes[index] = call()
        except Exception as exc:  # compared by the test
            outcomes[index] = exc

    if connection.vendor != "postgresql":
        for index, call in enumerate(calls):
            run(index, call)
        return outcomes

    start = threading.Barrier(len(calls))

    def threaded(index, call):
        try:
            start.wait(timeout=30)
            run(index, call)
        finally:
            connection.close()

    threads = [threading.Thread(target=threaded, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def test_an_accept_and_a_decline_at_once_cannot_both_win(pending, case_a, receiver):
    outcomes = _at_once(
        lambda: referral_accept(referral=pending, by=receiver),
        lambda: referral_decline(referral=pending, by=receiver, response_note="No capacity"),
    )

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    won = [o for o in outcomes if isinstance(o, Referral)]
    assert len(refused) == 1 and len(won) == 1
    pending.refresh_from_db()
    assert pending.status == won[0].status
    sees = case_list_for_user(user=receiver).filter(pk=case_a.pk).exists()
    assert sees == (pending.status == ReferralStatus.ACCEPTED)


def test_two_referrals_to_the_same_receiver_at_once_leave_one_open(case_a, sender, org_b):
    outcomes = _at_once(
        lambda: send_referral(case_a, by=sender, to=org_b),
        lambda: send_referral(case_a, by=sender, to=org_b),
    )

    assert sum(isinstance(o, Referral) for o in outcomes) == 1
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1
    assert "to_organisation" in refused[0].message_dict
    assert Referral.objects.filter(case=case_a, to_organisation=org_b).count() == 1
