"""Protected housing: the bed-day count (DESIGN.md §3) and the rules of recording stays.

"Today" is fixed at 15 June 2026 (Copenhagen) for every test in this module.
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases.choices import DischargeReason, EventKind, HousingType
from cases.housing import bed_days
from cases.models import CaseEvent, ShelterStay
from cases.services import stay_save
from cmm.models import OrganisationKind, Role
from cmm.services import organisation_create

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 6, 15)
JANUARY = {"start": D(2026, 1, 1), "end": D(2026, 1, 31)}


@pytest.fixture(autouse=True)
def fixed_today():
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))):
        yield TODAY


@pytest.fixture
def caseworker(users_a):
    return users_a[Role.CASEWORKER]


@pytest.fixture
def case(open_case, caseworker):
    return open_case(by=caseworker, opened_on=D(2026, 1, 5))


def admit(case, by, admitted_on, discharged_on=None, discharge_reason="", **values):
    return stay_save(
        case=case,
        by=by,
        housing_type=values.pop("housing_type", HousingType.CRISIS_CENTRE),
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        discharge_reason=discharge_reason or (DischargeReason.MOVED_ON if discharged_on else ""),
        **values,
    )


# --- Bed-days -----------------------------------------------------------------------------------------


def test_a_stay_from_the_10th_to_the_12th_is_two_bed_days():
    assert bed_days(admitted_on=D(2026, 1, 10), discharged_on=D(2026, 1, 12), **JANUARY) == 2


def test_admission_and_discharge_on_the_same_day_is_no_bed_day():
    assert bed_days(admitted_on=D(2026, 1, 10), discharged_on=D(2026, 1, 10), **JANUARY) == 0


def test_an_open_stay_counts_up_to_the_end_of_the_period():
    # Nights of 10 .. 31 January.
    assert bed_days(admitted_on=D(2026, 1, 10), discharged_on=None, **JANUARY) == 22


def test_an_open_stay_admitted_on_the_last_day_counts_that_night():
    assert bed_days(admitted_on=D(2026, 1, 31), discharged_on=None, **JANUARY) == 1


@pytest.mark.parametrize(
    ("admitted_on", "discharged_on", "nights"),
    [
        (D(2025, 12, 20), D(2026, 1, 3), 2),  # starts before the period: nights of 1 and 2 January
        (D(2026, 1, 29), D(2026, 2, 10), 3),  # ends after the period: nights of 29, 30 and 31 January
        (D(2025, 12, 1), D(2026, 3, 1), 31),  # covers the whole period
        (D(2025, 12, 1), None, 31),  # open, from before the period
        (D(2025, 12, 1), D(2026, 1, 1), 0),  # discharged on the first day: the night before is December's
        (D(2026, 2, 1), None, 0),  # admitted after the period
        (D(2025, 11, 1), D(2025, 12, 31), 0),  # over before the period
    ],
)
def test_stays_crossing_the_period_boundaries_count_only_the_nights_inside(
    admitted_on, discharged_on, nights
):
    assert bed_days(admitted_on=admitted_on, discharged_on=discharged_on, **JANUARY) == nights


def test_nights_of_adjacent_periods_add_up_to_the_whole_stay():
    stay = {"admitted_on": D(2026, 1, 20), "discharged_on": D(2026, 2, 5)}
    january = bed_days(**stay, start=D(2026, 1, 1), end=D(2026, 1, 31))
    february = bed_days(**stay, start=D(2026, 2, 1), end=D(2026, 2, 28))
    assert (january, february) == (12, 4)
    assert january + february == (stay["discharged_on"] - stay["admitted_on"]).days


def test_the_leap_day_is_a_night_like_any_other():
    stay = {"admitted_on": D(2028, 2, 27), "discharged_on": D(2028, 3, 2)}
    assert bed_days(**stay, start=D(2028, 2, 1), end=D(2028, 2, 29)) == 3  # 27, 28 and 29 February
    assert bed_days(**stay, start=D(2028, 3, 1), end=D(2028, 3, 31)) == 1  # 1 March
    assert (
        bed_days(admitted_on=D(2028, 2, 1), discharged_on=None, start=D(2028, 2, 1), end=D(2028, 2, 29)) == 29
    )
    assert (
        bed_days(admitted_on=D(2027, 2, 1), discharged_on=None, start=D(2027, 2, 1), end=D(2027, 2, 28)) == 28
    )


# --- Recording stays ----------------------------------------------------------------------------------


def test_admission_and_discharge_are_on_the_timeline(case, caseworker):
    stay = admit(case, caseworker, D(2026, 1, 10))
    stay_save(
        case=case,
        by=caseworker,
        stay=stay,
        discharged_on=D(2026, 1, 12),
        discharge_reason=DischargeReason.RETURNED,
    )
    events = CaseEvent.objects.filter(case=case, kind__in=[EventKind.ADMISSION, EventKind.DISCHARGE])
    assert sorted((e.kind, e.occurred_on, tuple(e.data.items())) for e in events) == [
        (EventKind.ADMISSION, D(2026, 1, 10), (("housing_type", HousingType.CRISIS_CENTRE),)),
        (EventKind.DISCHARGE, D(2026, 1, 12), (("reason", DischargeReason.RETURNED),)),
    ]
    stay.refresh_from_db()
    assert bed_days(admitted_on=stay.admitted_on, discharged_on=stay.discharged_on, **JANUARY) == 2


def test_correcting_a_stay_without_touching_the_discharge_writes_no_new_event(case, caseworker):
    stay = admit(case, caseworker, D(2026, 1, 10), D(2026, 1, 12))
    stay_save(case=case, by=caseworker, stay=stay, housing_name="Shelter Nord")
    assert CaseEvent.objects.filter(case=case, kind=EventKind.ADMISSION).count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.DISCHARGE).count() == 1


def test_discharge_before_admission_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as error:
        admit(case, caseworker, D(2026, 1, 10), D(2026, 1, 9))
    assert "discharged_on" in error.value.message_dict
    assert not ShelterStay.objects.exists()


def test_admission_in_the_future_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as error:
        admit(case, caseworker, TODAY + datetime.timedelta(days=1))
    assert "admitted_on" in error.value.message_dict


def test_admission_without_a_date_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as error:
        admit(case, caseworker, None)
    assert "admitted_on" in error.value.message_dict


def test_discharge_reason_without_a_discharge_date_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as error:
        admit(case, caseworker, D(2026, 1, 10), None, discharge_reason=DischargeReason.LEFT)
    assert "discharge_reason" in error.value.message_dict


def test_discharge_date_without_a_reason_is_refused(case, caseworker):
    with pytest.raises(ValidationError) as error:
        stay_save(
            case=case,
            by=caseworker,
            housing_type=HousingType.CRISIS_CENTRE,
            admitted_on=D(2026, 1, 10),
            discharged_on=D(2026, 1, 12),
        )
    assert "discharge_reason" in error.value.message_dict


@pytest.mark.parametrize(
    ("admitted_on", "discharged_on"),
    [
        (D(2026, 2, 12), D(2026, 2, 18)),  # inside the existing stay
        (D(2026, 2, 5), D(2026, 2, 12)),  # straddles its start
        (D(2026, 2, 18), D(2026, 2, 25)),  # straddles its end
        (D(2026, 2, 5), D(2026, 2, 25)),  # covers it
        (D(2026, 2, 10), D(2026, 2, 20)),  # the very same dates
        (D(2026, 2, 5), None),  # open, from before it
        (D(2026, 2, 19), None),  # open, from inside it
    ],
)
def test_overlapping_stays_are_refused(case, caseworker, admitted_on, discharged_on):
    admit(case, caseworker, D(2026, 2, 10), D(2026, 2, 20))
    with pytest.raises(ValidationError) as error:
        admit(case, caseworker, admitted_on, discharged_on)
    assert "admitted_on" in error.value.message_dict
    assert ShelterStay.objects.count() == 1


def test_a_later_stay_overlaps_an_open_stay(case, caseworker):
    admit(case, caseworker, D(2026, 2, 10))
    with pytest.raises(ValidationError):
        admit(case, caseworker, D(2026, 3, 1), D(2026, 3, 5))


def test_back_to_back_stays_are_allowed(case, caseworker):
    middle = admit(case, caseworker, D(2026, 2, 10), D(2026, 2, 20))
    admit(case, caseworker, D(2026, 2, 20), D(2026, 2, 28))  # admitted the day of the discharge
    admit(case, caseworker, D(2026, 2, 1), D(2026, 2, 10))  # discharged the day of the admission
    admit(case, caseworker, D(2026, 3, 1))  # open, after all of them
    assert ShelterStay.objects.filter(case=case).count() == 4
    # Correcting a stay does not clash with itself.
    stay_save(case=case, by=caseworker, stay=middle, housing_name="Corrected")


def test_stays_of_another_person_do_not_clash(case, caseworker, open_case):
    other = open_case(by=caseworker, opened_on=D(2026, 1, 5))
    admit(case, caseworker, D(2026, 2, 10), D(2026, 2, 20))
    admit(other, caseworker, D(2026, 2, 10), D(2026, 2, 20))
    assert ShelterStay.objects.count() == 2


def test_correcting_a_stay_into_an_overlap_is_refused(case, caseworker):
    first = admit(case, caseworker, D(2026, 2, 1), D(2026, 2, 10))
    admit(case, caseworker, D(2026, 2, 10), D(2026, 2, 20))
    with pytest.raises(ValidationError):
        stay_save(case=case, by=caseworker, stay=first, discharged_on=D(2026, 2, 11))
    first.refresh_from_db()
    assert first.discharged_on == D(2026, 2, 10)


def test_a_stay_of_another_case_cannot_be_passed_in(case, caseworker, open_case):
    other = open_case(by=caseworker, opened_on=D(2026, 1, 5))
    foreign = admit(other, caseworker, D(2026, 2, 10))
    with pytest.raises(PermissionDenied):
        stay_save(
            case=case,
            by=caseworker,
            stay=foreign,
            discharged_on=D(2026, 2, 12),
            discharge_reason=DischargeReason.LEFT,
        )
    foreign.refresh_from_db()
    assert (foreign.case_id, foreign.discharged_on) == (other.pk, None)


def test_a_stay_cannot_be_moved_to_another_case_through_its_values(case, caseworker, open_case):
    other = open_case(by=caseworker, opened_on=D(2026, 1, 5))
    stay = admit(case, caseworker, D(2026, 2, 10))
    with pytest.raises(ValueError, match="case"):
        stay_save(case=case, by=caseworker, stay=stay, case_id=other.pk)
    stay.refresh_from_db()
    assert stay.case_id == case.pk


def test_shelter_must_be_an_organisation_of_the_shelter_kind(case, caseworker, org_b):
    with pytest.raises(ValidationError) as error:
        admit(case, caseworker, D(2026, 2, 10), shelter=org_b)
    assert "shelter" in error.value.message_dict
    shelter = organisation_create(
        name="Shelter Test", kind=OrganisationKind.SHELTER, case_prefix="SHT", region="hovedstaden"
    )
    assert admit(case, caseworker, D(2026, 2, 10), shelter=shelter).shelter == shelter
