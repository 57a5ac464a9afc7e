# ruff: noqa: F811 (the fixtures imported from return_fixtures are redefined as test arguments)
"""The rules of prepared returns, through the services: who is responsible, the workflow without skips, a
minor's representative, departure (follow-ups, the reflection period), components and the timeline."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cases.choices import EventKind, ResidenceStatus
from cases.models import CaseEvent, PersonalRepresentative
from cases.templatetags.case_events import event_sentence
from cmm.models import AuditAction, AuditEvent
from referrals.choices import (
    ComponentKind,
    ComponentStatus,
    Currency,
    EscortKind,
    FollowUpMilestone,
    ReturnBody,
    ReturnChannel,
    ReturnStatus,
)
from referrals.models import ReturnFollowUp, ReturnPlan, ReturnStatusChange
from referrals.routing import return_responsible_body
from referrals.services.return_follow_ups import follow_up_record
from referrals.services.returns import (
    add_months,
    component_add,
    component_remove,
    component_update,
    return_plan_create,
    return_plan_record_representative,
    return_plan_transition,
    return_plan_update,
)
from referrals.tests.return_fixtures import (  # noqa: F401 (fixtures)
    MARKER,
    TODAY,
    D,
    advance,
    at,
    caseworker,
    fixed_today,
    legal_resident_case,
    minor_case,
    outsider,
    plan,
    representative,
)
from reflection.choices import ExtensionGround, PeriodKind, PeriodOutcome
from reflection.models import ReflectionPeriod
from reflection.services import period_extend, period_start

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fixed_today", "in_english")]


def _messages(excinfo) -> dict:
    return excinfo.value.message_dict


# --- Who is responsible ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (ResidenceStatus.REJECTED_ASYLUM_SEEKER, ReturnBody.IMMIGRATION_SERVICE),
        (ResidenceStatus.ASYLUM_SEEKER, ReturnBody.IMMIGRATION_SERVICE),
        (ResidenceStatus.NO_LEGAL_RESIDENCE, ReturnBody.IMMIGRATION_SERVICE),
        (ResidenceStatus.EU_CITIZEN, ReturnBody.CMM),
        (ResidenceStatus.RESIDENCE_PERMIT, ReturnBody.CMM),
        (ResidenceStatus.DANISH_CITIZEN, ReturnBody.CMM),
        (ResidenceStatus.UNKNOWN, None),
    ],
)
def test_the_residence_status_picks_the_responsible_body_with_an_explanation(status, body):
    route = return_responsible_body(status)
    assert route.body == body
    assert route.explanation


def test_a_rejected_asylum_seekers_plan_goes_to_the_immigration_service_and_iom(open_case, caseworker):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.REJECTED_ASYLUM_SEEKER)
    plan = return_plan_create(case=case, by=caseworker, destination_country="NG")
    assert (plan.responsible_body, plan.channel, plan.status) == (
        ReturnBody.IMMIGRATION_SERVICE,
        ReturnChannel.IOM,
        ReturnStatus.DRAFT,
    )
    assert list(plan.status_changes.values_list("from_status", "to_status", "changed_on")) == [
        ("", ReturnStatus.DRAFT, TODAY)
    ]


def test_an_eu_citizens_plan_is_handled_by_cmm(legal_resident_case, caseworker):
    plan = return_plan_create(case=legal_resident_case, by=caseworker, destination_country="RO")
    assert (plan.responsible_body, plan.channel) == (ReturnBody.CMM, ReturnChannel.CMM)


def test_the_channel_can_be_an_ngo_or_an_embassy_but_not_the_other_bodys(case_a, caseworker):
    plan = return_plan_create(case=case_a, by=caseworker, destination_country="NG", channel=ReturnChannel.NGO)
    assert plan.channel == ReturnChannel.NGO
    with pytest.raises(ValidationError) as excinfo:
        return_plan_update(plan=plan, by=caseworker, channel=ReturnChannel.CMM)
    assert "channel" in _messages(excinfo)


def test_an_unknown_residence_status_is_refused_with_the_reason(open_case, caseworker):
    case = open_case(by=caseworker, residence_status=ResidenceStatus.UNKNOWN)
    with pytest.raises(ValidationError) as excinfo:
        return_plan_create(case=case, by=caseworker, destination_country="NG")
    assert "residence status" in " ".join(_messages(excinfo)["residence_status"])
    assert not ReturnPlan.objects.exists()


def test_a_second_plan_in_progress_is_refused_but_a_new_one_after_cancelling_is_not(plan, case_a, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        return_plan_create(case=case_a, by=caseworker, destination_country="GH")
    assert "already has a return plan in progress" in " ".join(excinfo.value.messages)

    return_plan_transition(
        plan=plan, to_status=ReturnStatus.CANCELLED, by=caseworker, on=TODAY, note="Changed"
    )
    again = return_plan_create(case=case_a, by=caseworker, destination_country="GH")
    assert again.status == ReturnStatus.DRAFT
    assert ReturnPlan.objects.filter(case=case_a).count() == 2


def test_plan_dates_are_checked(plan, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        return_plan_update(plan=plan, by=caseworker, planned_departure_on=D(2026, 2, 1))
    assert "opened" in " ".join(_messages(excinfo)["planned_departure_on"])
    with pytest.raises(ValidationError) as excinfo:
        return_plan_update(plan=plan, by=caseworker, actual_departure_on=TODAY)
    assert "actual_departure_on" in _messages(excinfo)  # set by the step "departed", not here
    return_plan_update(plan=plan, by=caseworker, planned_departure_on=D(2026, 5, 15), iom_reference=" IOM-7 ")
    plan.refresh_from_db()
    assert (plan.planned_departure_on, plan.iom_reference) == (D(2026, 5, 15), "IOM-7")


def test_only_a_minor_is_escorted_by_a_personal_representative(plan, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        return_plan_update(plan=plan, by=caseworker, escort=EscortKind.PERSONAL_REPRESENTATIVE)
    assert "escort" in _messages(excinfo)


# --- The workflow ---------------------------------------------------------------------------------------


def test_a_skip_from_draft_to_departed_is_refused_naming_the_allowed_steps(plan, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.DEPARTED, by=caseworker, on=TODAY)
    message = " ".join(_messages(excinfo)["to_status"])
    assert str(ReturnStatus.SENT_TO_IOM.label) in message
    assert str(ReturnStatus.DEPARTED.label) in message
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.DRAFT
    assert plan.actual_departure_on is None


@pytest.mark.parametrize(
    ("start", "refused"),
    [
        (ReturnStatus.SENT_TO_IOM, ReturnStatus.FOLLOW_UP),
        (ReturnStatus.APPROVED, ReturnStatus.COMPLETED),
        (ReturnStatus.DEPARTED, ReturnStatus.CANCELLED),
        (ReturnStatus.DEPARTED, ReturnStatus.COMPLETED),
    ],
)
def test_other_skips_are_refused(plan, caseworker, start, refused):
    plan = advance(plan, by=caseworker, to=start)
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=refused, by=caseworker, on=TODAY, note="x")
    assert "to_status" in _messages(excinfo)


def test_declining_or_cancelling_needs_a_note(plan, caseworker):
    for status in (ReturnStatus.DECLINED, ReturnStatus.CANCELLED):
        with pytest.raises(ValidationError) as excinfo:
            return_plan_transition(plan=plan, to_status=status, by=caseworker, on=TODAY, note="  ")
        assert "note" in _messages(excinfo)
    declined = return_plan_transition(
        plan=plan, to_status=ReturnStatus.DECLINED, by=caseworker, on=TODAY, note="Does not want to go home."
    )
    assert declined.status == ReturnStatus.DECLINED
    assert "police" in str(ReturnStatus.DECLINED.label)
    with pytest.raises(ValidationError) as excinfo:  # a declined plan is final
        return_plan_transition(plan=declined, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=TODAY)
    assert "to_status" in _messages(excinfo)
    with pytest.raises(ValidationError):
        return_plan_update(plan=declined, by=caseworker, iom_reference="X")


def test_a_step_cannot_be_dated_in_the_future_or_before_the_previous_step(plan, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=D(2026, 4, 2))
    assert "on" in _messages(excinfo)
    return_plan_transition(plan=plan, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=D(2026, 3, 20))
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.APPROVED, by=caseworker, on=D(2026, 3, 19))
    assert "previous step" in " ".join(_messages(excinfo)["on"])


def test_each_step_is_dated_history_audited_and_on_the_timeline(plan, case_a, caseworker):
    advance(plan, by=caseworker, to=ReturnStatus.APPROVED)
    assert list(ReturnStatusChange.objects.filter(plan=plan).values_list("to_status", flat=True)) == [
        ReturnStatus.DRAFT,
        ReturnStatus.SENT_TO_IOM,
        ReturnStatus.APPROVED,
    ]
    events = list(CaseEvent.objects.filter(case=case_a, kind=EventKind.RETURN).order_by("id"))
    assert [e.data["step"] for e in events] == ["created", "status", "status"]
    assert events[-1].data == {
        "plan": plan.pk,
        "step": "status",
        "status": ReturnStatus.APPROVED,
        "previous": ReturnStatus.SENT_TO_IOM,
    }
    assert all(MARKER not in str(e.data) for e in events)
    sentences = [event_sentence(e) for e in events]
    assert "Nigeria" in sentences[0]
    assert sentences[0] != str(EventKind.RETURN.label)  # a real sentence, not the fallback
    assert sentences[-1] != str(EventKind.RETURN.label)
    audits = AuditEvent.objects.filter(target_id=str(plan.pk), detail__what="return_plan")
    assert audits.filter(action=AuditAction.CREATED).count() == 1
    assert audits.filter(detail__step="status").count() == 2


# --- A minor's plan -------------------------------------------------------------------------------------


def test_a_minors_plan_is_not_sent_before_the_representatives_involvement_is_recorded(
    minor_case, representative, caseworker
):
    plan = return_plan_create(case=minor_case, by=caseworker, destination_country="VN")
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=TODAY)
    assert "representative" in " ".join(_messages(excinfo)["to_status"])

    return_plan_record_representative(
        plan=plan,
        by=caseworker,
        representative=representative,
        involved_on=D(2026, 3, 30),
        involvement="Planned the return with the child.",
    )
    sent = return_plan_transition(plan=plan, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=TODAY)
    assert sent.status == ReturnStatus.SENT_TO_IOM


def test_a_minors_plan_is_not_sent_on_the_involvement_of_a_representative_who_has_left(
    minor_case, representative, caseworker
):
    plan = return_plan_create(case=minor_case, by=caseworker, destination_country="VN")
    return_plan_record_representative(
        plan=plan, by=caseworker, representative=representative, involved_on=D(2026, 3, 20)
    )
    PersonalRepresentative.objects.filter(pk=representative.pk).update(ended_on=D(2026, 3, 25))
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=TODAY)
    assert "no longer appointed" in " ".join(_messages(excinfo)["to_status"])


def test_only_the_cases_own_representative_can_be_recorded(minor_case, representative, plan, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        return_plan_record_representative(
            plan=plan, by=caseworker, representative=representative, involved_on=TODAY
        )
    assert "representative" in _messages(excinfo)
    minor_plan = return_plan_create(case=minor_case, by=caseworker, destination_country="VN")
    with pytest.raises(ValidationError) as excinfo:
        return_plan_record_representative(
            plan=minor_plan, by=caseworker, representative=representative, involved_on=D(2026, 3, 1)
        )
    assert "appointed" in " ".join(_messages(excinfo)["involved_on"])


def test_schooling_is_only_for_a_minors_plan(plan, minor_case, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        component_add(plan=plan, by=caseworker, kind=ComponentKind.SCHOOLING, budget_amount=Decimal(100))
    assert "minor" in " ".join(_messages(excinfo)["kind"])
    minor_plan = return_plan_create(case=minor_case, by=caseworker, destination_country="VN")
    component = component_add(
        plan=minor_plan, by=caseworker, kind=ComponentKind.SCHOOLING, budget_amount=Decimal(100)
    )
    assert component.kind == ComponentKind.SCHOOLING


# --- Components -----------------------------------------------------------------------------------------


def test_components_have_one_of_each_kind_and_a_budget_that_is_not_negative(plan, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        component_add(plan=plan, by=caseworker, kind=ComponentKind.HOUSING, budget_amount=Decimal("-1"))
    assert "budget_amount" in _messages(excinfo)
    housing = component_add(
        plan=plan,
        by=caseworker,
        kind=ComponentKind.HOUSING,
        budget_amount=Decimal("1500.50"),
        currency=Currency.EUR,
    )
    with pytest.raises(ValidationError) as excinfo:
        component_add(plan=plan, by=caseworker, kind=ComponentKind.HOUSING, budget_amount=Decimal(1))
    assert "kind" in _messages(excinfo)
    reception = component_add(plan=plan, by=caseworker, kind=ComponentKind.RECEPTION)
    with pytest.raises(ValidationError) as excinfo:
        component_update(component=reception, by=caseworker, kind=ComponentKind.HOUSING)
    assert "kind" in _messages(excinfo)

    component_update(
        component=housing, by=caseworker, status=ComponentStatus.APPROVED, budget_amount=Decimal(2000)
    )
    housing.refresh_from_db()
    assert (housing.status, housing.budget_amount) == (ComponentStatus.APPROVED, Decimal(2000))
    component_remove(component=reception, by=caseworker)
    component_remove(component=reception, by=caseworker)  # a second removal does no harm
    assert list(plan.components.values_list("kind", flat=True)) == [ComponentKind.HOUSING]


# --- Departure and after --------------------------------------------------------------------------------


def test_departure_creates_the_follow_ups_at_one_and_three_months_clamped_to_the_month_end(
    open_case, caseworker
):
    with at(D(2026, 2, 2)):
        case = open_case(by=caseworker, opened_on=D(2026, 1, 5))
        plan = return_plan_create(case=case, by=caseworker, destination_country="NG")
        plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 1, 31))
    assert plan.actual_departure_on == D(2026, 1, 31)
    assert dict(plan.follow_ups.values_list("milestone", "due_on")) == {
        FollowUpMilestone.ONE_MONTH: D(2026, 2, 28),
        FollowUpMilestone.THREE_MONTHS: D(2026, 4, 30),
    }


def test_adding_calendar_months_clamps_to_the_end_of_the_month():
    assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)  # a leap year
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 12, 15), 1) == D(2027, 1, 15)
    assert add_months(D(2026, 3, 31), 3) == D(2026, 6, 30)


def test_departure_needs_a_date_that_is_not_in_the_future(plan, caseworker):
    plan = advance(plan, by=caseworker, to=ReturnStatus.APPROVED)
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.DEPARTED, by=caseworker, on=D(2026, 4, 3))
    assert "on" in _messages(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.DEPARTED, by=caseworker, on=None)
    assert "on" in _messages(excinfo)
    assert not ReturnFollowUp.objects.exists()


def test_departure_ends_the_running_reflection_period_with_a_prepared_return(identified_case, caseworker):
    period = period_start(
        case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 21)
    )
    plan = return_plan_create(case=identified_case, by=caseworker, destination_country="NG")
    advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 30))
    period.refresh_from_db()
    assert (period.outcome, period.outcome_on) == (PeriodOutcome.PREPARED_RETURN, D(2026, 3, 30))


def test_correcting_the_departure_date_moves_the_reflection_outcome_date(identified_case, caseworker):
    period = period_start(
        case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 21)
    )
    plan = return_plan_create(case=identified_case, by=caseworker, destination_country="NG")
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 30))

    return_plan_update(plan=plan, by=caseworker, actual_departure_on=D(2026, 3, 31))

    period.refresh_from_db()
    assert (period.outcome, period.outcome_on) == (PeriodOutcome.PREPARED_RETURN, D(2026, 3, 31))
    # A date before the period started cannot be its outcome date: refused, and nothing changes.
    with pytest.raises(ValidationError) as excinfo:
        return_plan_update(plan=plan, by=caseworker, actual_departure_on=D(2026, 3, 20))
    assert "actual_departure_on" in _messages(excinfo)
    period.refresh_from_db()
    plan.refresh_from_db()
    assert (period.outcome_on, plan.actual_departure_on) == (D(2026, 3, 31), D(2026, 3, 31))


def test_a_departure_before_the_running_period_started_is_refused_and_nothing_changes(
    identified_case, caseworker
):
    period_start(case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 21))
    plan = return_plan_create(case=identified_case, by=caseworker, destination_country="NG")
    plan = advance(plan, by=caseworker, to=ReturnStatus.APPROVED, on=D(2026, 3, 10))
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.DEPARTED, by=caseworker, on=D(2026, 3, 15))
    assert "on" in _messages(excinfo)
    plan.refresh_from_db()
    assert plan.status == ReturnStatus.APPROVED
    assert not ReturnFollowUp.objects.exists()
    assert ReflectionPeriod.objects.get(case=identified_case).is_running


def test_completing_needs_both_follow_ups_done(plan, caseworker):
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 2))
    plan = return_plan_transition(
        plan=plan, to_status=ReturnStatus.FOLLOW_UP, by=caseworker, on=D(2026, 3, 20)
    )
    one, three = plan.follow_ups.order_by("due_on")
    with pytest.raises(ValidationError) as excinfo:
        return_plan_transition(plan=plan, to_status=ReturnStatus.COMPLETED, by=caseworker, on=TODAY)
    assert "one-month" in " ".join(_messages(excinfo)["to_status"])

    with at(D(2026, 4, 2)):
        follow_up_record(follow_up=one, by=caseworker, done_on=D(2026, 4, 2), note="Housing in place.")
    with at(D(2026, 6, 2)):
        with pytest.raises(ValidationError) as excinfo:
            return_plan_transition(
                plan=plan, to_status=ReturnStatus.COMPLETED, by=caseworker, on=D(2026, 6, 2)
            )
        assert "three-month" in " ".join(_messages(excinfo)["to_status"])
        follow_up_record(
            follow_up=three, by=caseworker, done_on=D(2026, 6, 2), note="Working; goes to school."
        )
        done = return_plan_transition(
            plan=plan, to_status=ReturnStatus.COMPLETED, by=caseworker, on=D(2026, 6, 2)
        )
    assert done.status == ReturnStatus.COMPLETED


def test_a_follow_up_is_recorded_a_week_before_its_due_date_at_most(plan, caseworker):
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 2))
    three = plan.follow_ups.get(milestone=FollowUpMilestone.THREE_MONTHS)  # due 2026-06-02
    with at(D(2026, 5, 25)), pytest.raises(ValidationError) as excinfo:
        follow_up_record(follow_up=three, by=caseworker, done_on=D(2026, 5, 25), note="Too early.")
    assert "done_on" in _messages(excinfo)
    with at(D(2026, 5, 26)):
        follow_up_record(follow_up=three, by=caseworker, done_on=D(2026, 5, 26), note="A week early.")
    three.refresh_from_db()
    assert three.done_on == D(2026, 5, 26)


def test_a_follow_up_needs_a_note_and_a_date_after_departure(plan, caseworker):
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 1))
    one = plan.follow_ups.get(milestone=FollowUpMilestone.ONE_MONTH)
    with pytest.raises(ValidationError) as excinfo:
        follow_up_record(follow_up=one, by=caseworker, done_on=D(2026, 2, 27), note="")
    assert set(_messages(excinfo)) == {"done_on", "note"}
    follow_up_record(follow_up=one, by=caseworker, done_on=TODAY, note="Fine.")
    one.refresh_from_db()
    assert (one.done_on, one.note, one.recorded_by) == (TODAY, "Fine.", caseworker)
    sentence = event_sentence(CaseEvent.objects.filter(kind=EventKind.RETURN).latest("id"))
    assert sentence != str(EventKind.RETURN.label)


def test_a_follow_up_before_departure_is_refused(plan, caseworker):
    followed = ReturnFollowUp.objects.create(plan=plan, milestone=FollowUpMilestone.ONE_MONTH, due_on=TODAY)
    with pytest.raises(ValidationError):
        follow_up_record(follow_up=followed, by=caseworker, done_on=TODAY, note="Too early")


def test_correcting_the_departure_date_moves_the_open_follow_ups(plan, caseworker):
    plan = advance(plan, by=caseworker, to=ReturnStatus.DEPARTED, on=D(2026, 3, 1))
    return_plan_update(plan=plan, by=caseworker, actual_departure_on=D(2026, 3, 3))
    assert dict(plan.follow_ups.values_list("milestone", "due_on")) == {
        FollowUpMilestone.ONE_MONTH: D(2026, 4, 3),
        FollowUpMilestone.THREE_MONTHS: D(2026, 6, 3),
    }
    departed = plan.status_changes.get(to_status=ReturnStatus.DEPARTED)
    assert departed.changed_on == D(2026, 3, 3)
    for day in (D(2026, 4, 5), D(2026, 2, 28)):  # in the future; before the approval (2026-03-01)
        with pytest.raises(ValidationError) as excinfo:
            return_plan_update(plan=plan, by=caseworker, actual_departure_on=day)
        assert "actual_departure_on" in _messages(excinfo)


# --- The reflection period's ground for extension -------------------------------------------------------


@pytest.fixture
def period(identified_case, caseworker):
    return period_start(
        case=identified_case, by=caseworker, kind=PeriodKind.STATUTORY, starts_on=D(2026, 3, 21)
    )


def _extend(period, by):
    return period_extend(
        period=period, by=by, new_total_days=60, ground=ExtensionGround.PREPARED_RETURN, decided_on=TODAY
    )


def test_an_extension_for_a_prepared_return_needs_a_plan_being_prepared(period, identified_case, caseworker):
    with pytest.raises(ValidationError) as excinfo:
        _extend(period, caseworker)
    assert "return plan" in " ".join(_messages(excinfo)["ground"])

    plan = return_plan_create(case=identified_case, by=caseworker, destination_country="NG")
    return_plan_transition(plan=plan, to_status=ReturnStatus.SENT_TO_IOM, by=caseworker, on=TODAY)
    _extend(period, caseworker)
    period.refresh_from_db()
    assert period.total_days == 60


def test_a_cancelled_plan_is_no_ground_for_extension(period, identified_case, caseworker):
    plan = return_plan_create(case=identified_case, by=caseworker, destination_country="NG")
    return_plan_transition(plan=plan, to_status=ReturnStatus.CANCELLED, by=caseworker, on=TODAY, note="No")
    with pytest.raises(ValidationError) as excinfo:
        _extend(period, caseworker)
    assert "ground" in _messages(excinfo)


def test_saving_the_same_details_twice_records_one_change(plan, case_a, caseworker):
    return_plan_update(plan=plan, by=caseworker, destination_country="NG", iom_reference="IOM-1")
    return_plan_update(plan=plan, by=caseworker, destination_country="NG", iom_reference="IOM-1")
    changes = CaseEvent.objects.filter(case=case_a, kind=EventKind.RETURN, data__step="changed")
    assert [e.data["fields"] for e in changes] == [["iom_reference"]]
    assert event_sentence(changes.get()) != str(EventKind.RETURN.label)
