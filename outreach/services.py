"""Every write of outreach activity. Each function checks the rules and owns its transaction; rows belong to
the organisation the worker acts for."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import AgeBand, EventKind, Gender
from cases.client_codes import client_code_normalise
from cases.models import Case, CaseEvent
from cases.selectors import case_list_for_user
from cmm.models import Organisation, Region, User
from cmm.permissions import user_can
from outreach.choices import Indicator, OutreachService
from outreach.models import (
    MAX_GROUP,
    ClinicConsultation,
    Contact,
    HotlineCall,
    MeetingPlaceSession,
    PoliceRaid,
)

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = datetime.timedelta(minutes=5)

CONTACT_FIELDS = {
    "occurred_at",
    "venue",
    "city",
    "region",
    "case",
    "client_code",
    "gender",
    "nationality",
    "age_band",
    "group_size",
    "first_time_met",
    "indicators",
    "services_offered",
    "language",
    "note",
    "police_raid",
}


def _not_in_future_time(value: datetime.datetime | None, field: str, errors: dict) -> None:
    if value is not None and value > timezone.now() + CLOCK_SKEW:
        errors[field] = _("The time cannot be in the future.")


def _not_in_future_date(value: datetime.date | None, field: str, errors: dict) -> None:
    if value is not None and value > timezone.localdate():
        errors[field] = _("The date cannot be in the future.")


def _check_case(by: User, case: Case | None, field: str, errors: dict) -> None:
    # The cases the worker may link are the cases the worker's case list shows (so not a deleted one).
    if case is not None and not case_list_for_user(user=by).filter(pk=case.pk).exists():
        errors[field] = _("Choose a case your organisation can see.")


def _check_raid(by: User, raid: PoliceRaid | None, field: str, errors: dict) -> None:
    if raid is not None and not user_can(
        by,
        "outreach.view_policeraid",
        raid,
        owner_field=("organisation", "organisations_present"),
        object_grants=False,
    ):
        errors[field] = _("Choose a police raid your organisation took part in.")


def _check_choices(values, allowed, field: str, errors: dict) -> list[str]:
    values = list(dict.fromkeys(values or []))
    if any(v not in allowed for v in values):
        errors[field] = _("Unknown value in the list.")
    return values


def _case_event(contact: Contact, *, by: User | None) -> None:
    CaseEvent.objects.create(
        case=contact.case,
        kind=EventKind.CONTACT,
        actor=by,
        occurred_on=timezone.localtime(contact.occurred_at).date(),
        data={"venue": contact.venue, "indicators": contact.has_indicators},
    )


# --- Contacts -----------------------------------------------------------------------------------------


def _fill_from_case(contact: Contact, case: Case) -> None:
    """What statistics need of the person comes from the case where the worker left it unknown."""
    if contact.gender == Gender.UNKNOWN:
        contact.gender = case.gender
    contact.nationality = contact.nationality or case.nationality
    if contact.age_band == AgeBand.UNKNOWN:
        contact.age_band = case.age_band


def _contact_apply(contact: Contact, *, by: User, values: dict) -> None:
    unknown = set(values) - CONTACT_FIELDS
    if unknown:
        raise ValueError(f"Not contact fields: {sorted(unknown)}")
    errors: dict = {}
    _not_in_future_time(values.get("occurred_at", contact.occurred_at), "occurred_at", errors)
    if "case" in values:
        _check_case(by, values["case"], "case", errors)
    if values.get("police_raid") is not None:
        _check_raid(by, values["police_raid"], "police_raid", errors)
    if "indicators" in values:
        values["indicators"] = _check_choices(values["indicators"], Indicator.values, "indicators", errors)
    if "services_offered" in values:
        values["services_offered"] = _check_choices(
            values["services_offered"], OutreachService.values, "services_offered", errors
        )
    # A contact happens in one region; "nationwide" stays only on a record that already has it.
    if values.get("region") == Region.NATIONAL and contact.region != Region.NATIONAL:
        errors["region"] = _("Choose the region where the contact took place.")
    if values.get("client_code"):
        try:
            values["client_code"] = client_code_normalise(values["client_code"])
        except ValidationError as exc:
            errors["client_code"] = exc.message_dict["code"]
    for field, value in values.items():
        setattr(contact, field, value)
    if contact.group_size and contact.group_size > 1 and (contact.case_id or contact.client_code):
        errors["group_size"] = _("A group contact cannot be linked to one case or client code.")
    if contact.group_size and contact.group_size > MAX_GROUP:
        errors["group_size"] = _("A group of at most %(max)s people.") % {"max": MAX_GROUP}
    if errors:
        raise ValidationError(errors)
    if contact.case is not None:
        _fill_from_case(contact, contact.case)
    contact.has_indicators = bool(contact.indicators)
    contact.full_clean()


@transaction.atomic
def contact_log(
    *, by: User, organisation: Organisation, submission_id: str | None = None, **values
) -> Contact:
    """Record an outreach contact for the organisation the worker acts for. A contact with a case shows on
    that case's timeline; a contact whose client code is already linked to a case of the organisation joins
    that case. With a `submission_id` it is logged once, however often it is sent (contact_log_once)."""
    contact, _created = contact_log_once(
        by=by, organisation=organisation, submission_id=submission_id, **values
    )
    return contact


@transaction.atomic
def contact_log_once(
    *, by: User, organisation: Organisation, submission_id: str | None = None, **values
) -> tuple[Contact, bool]:
    """Log a contact (as contact_log) unless its submission id was already claimed; return the contact and
    whether this call logged it.

    The id is claimed by the unique constraint on Contact.submission_id, in the transaction that inserts the
    row, so two requests racing with one id log one contact: the second INSERT waits for the first and fails,
    and the second caller gets the first's contact back, whatever the rest of its values say. Only the
    worker who logged it, acting for the same organisation, gets it back; anyone else is refused without
    being told anything about it. An empty id logs a contact every time."""
    submission_id = submission_id or None
    if submission_id is not None:
        earlier = _contact_submitted(by=by, organisation=organisation, submission_id=submission_id)
        if earlier is not None:
            return earlier, False
    try:
        # A savepoint, so that a lost race leaves the caller's transaction usable for the look-up below.
        with transaction.atomic():
            contact = _contact_log(by=by, organisation=organisation, submission_id=submission_id, **values)
    except (IntegrityError, ValidationError):
        if submission_id is None:
            raise
        # Claimed by a request that committed while this one was checking or inserting (full_clean's unique
        # check or the INSERT itself refused it; READ COMMITTED sees that row now). Else the error stands.
        earlier = _contact_submitted(by=by, organisation=organisation, submission_id=submission_id)
        if earlier is None:
            raise
        return earlier, False
    return contact, True


def _contact_submitted(*, by: User, organisation: Organisation, submission_id: str) -> Contact | None:
    """The contact this worker already logged with `submission_id` for `organisation`, None if the id is
    free; ValidationError if someone else claimed it (another worker, another organisation)."""
    earlier = Contact.objects.filter(submission_id=submission_id).first()
    if earlier is None:
        return None
    if earlier.organisation_id != organisation.pk or earlier.worker_id != by.pk:
        raise ValidationError(
            {"submission_id": _("This submission id was already used. Send the contact with a new one.")},
            code="submission_used",
        )
    return earlier


def _contact_log(*, by: User, organisation: Organisation, submission_id: str | None, **values) -> Contact:
    values.setdefault("occurred_at", timezone.now())
    contact = Contact(organisation=organisation, worker=by, submission_id=submission_id)
    _contact_apply(contact, by=by, values=values)
    if contact.case_id is None and contact.client_code:
        linked = (
            case_list_for_user(user=by)
            .filter(organisation=organisation, client_codes__code=contact.client_code)
            .first()
        )
        if linked is not None:
            _contact_apply(contact, by=by, values={"case": linked})
    contact.save()
    if contact.case_id:
        _case_event(contact, by=by)
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by: User, **values) -> Contact:
    """Correct a contact of the worker's organisation."""
    had_case = contact.case_id
    _contact_apply(contact, by=by, values=values)
    contact.save()
    if contact.case_id and contact.case_id != had_case:
        _case_event(contact, by=by)
    return contact


@transaction.atomic
def contact_link_case(*, contact: Contact, case: Case, by: User) -> Contact:
    """Link an anonymous contact to a case by hand; it then shows on the case's timeline."""
    if contact.case_id == case.pk:
        return contact
    return contact_update(contact=contact, by=by, case=case)


def case_prefill_from_contact(contact: Contact) -> dict:
    """The case facts an outreach contact already holds, as the case form and case_open take them: gender,
    nationality, language and the means of control observed (the contact's indicators are that list). The
    age band is not an age, so it is not turned into one."""
    values: dict = {}
    if contact.gender and contact.gender != Gender.UNKNOWN:
        values["gender"] = contact.gender
    if contact.nationality:
        values["nationality"] = contact.nationality.code
    if contact.language:
        values["languages"] = [contact.language]
    if contact.indicators:
        values["control_means"] = [value for value in contact.indicators if value in Indicator.values]
    return values


def _check_contact_can_open_case(contact: Contact) -> None:
    if contact.case_id is not None:
        raise ValidationError(_("This contact is already linked to a case."))
    if contact.group_size and contact.group_size > 1:
        raise ValidationError(_("A contact with a group of people cannot become one person's case."))


def contact_can_open_case(contact: Contact) -> bool:
    """Whether a case can be opened from the contact: one person, not yet linked to a case."""
    try:
        _check_contact_can_open_case(contact)
    except ValidationError:
        return False
    return True


@transaction.atomic
def case_open_from_contact(*, contact: Contact, by: User, organisation: Organisation, **case_values) -> Case:
    """Open a case for the person met on an outreach contact (cases.services.case_open with the facts the
    worker confirmed), link the contact's client code to it, so earlier contacts with that code join the case
    too, and link the contact itself: it then shows on the new case's timeline. The contact must belong to
    the organisation that opens the case, be one person's and not linked to a case yet."""
    from cases.services import case_open, client_code_link  # the case's own rules

    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.organisation_id != organisation.pk:
        raise ValidationError(_("The contact belongs to another organisation."))
    _check_contact_can_open_case(contact)
    case = case_open(
        by=by, organisation=organisation, opened_from={"contact_venue": contact.venue}, **case_values
    )
    if contact.client_code:
        client_code_link(case=case, code=contact.client_code, by=by)
        contact.refresh_from_db()
    if contact.case_id != case.pk:
        contact_link_case(contact=contact, case=case, by=by)
    return case


@transaction.atomic
def contacts_link_by_client_code(*, case: Case, by: User | None) -> int:
    """Link the case organisation's contacts that carry one of the case's client codes to the case.

    Returns how many were linked; contacts already linked to a case are left alone.
    """
    codes = list(case.client_codes.values_list("code", flat=True))
    contacts = list(
        Contact.objects.select_for_update().filter(
            organisation_id=case.organisation_id, client_code__in=codes, case__isnull=True
        )
    )
    for contact in contacts:
        contact.case = case
        _fill_from_case(contact, case)
        contact.save(update_fields=["case", "gender", "nationality", "age_band"])
        _case_event(contact, by=by)
    return len(contacts)


# --- Meeting place, clinics, hotline, raids -----------------------------------------------------------


def _save_unique(instance, errors_on_conflict: dict) -> None:
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise ValidationError(errors_on_conflict) from exc


@transaction.atomic
def meeting_session_save(
    *, by: User, organisation: Organisation, session: MeetingPlaceSession | None = None, **values
) -> MeetingPlaceSession:
    """Record (or correct) one opening day of a meeting place: visitors, returning visitors, clinic open."""
    session = session or MeetingPlaceSession(organisation=organisation, recorded_by=by)
    for field, value in values.items():
        setattr(session, field, value)
    errors: dict = {}
    _not_in_future_date(session.date, "date", errors)
    counted = session.visitors is not None and session.returning_visitors is not None
    if counted and session.returning_visitors > session.visitors:
        errors["returning_visitors"] = _("There cannot be more returning visitors than visitors.")
    if session.opens_at and session.closes_at and session.closes_at <= session.opens_at:
        errors["closes_at"] = _("The closing time must be after the opening time.")
    if errors:
        raise ValidationError(errors)
    session.full_clean(validate_constraints=False)
    _save_unique(session, {"date": _("This meeting place already has a record for that day.")})
    return session


@transaction.atomic
def clinic_consultations_save(
    *, by: User, organisation: Organisation, record: ClinicConsultation | None = None, contacts=None, **values
) -> ClinicConsultation:
    """Record (or correct) the number of consultations of a health clinic on a day, one row per clinic and
    day. `contacts` (the organisation's own only) replaces the linked contacts; None leaves them."""
    record = record or ClinicConsultation(organisation=organisation, recorded_by=by)
    for field, value in values.items():
        setattr(record, field, value)
    errors: dict = {}
    _not_in_future_date(record.date, "date", errors)
    contacts = list(contacts) if contacts is not None else None
    if contacts and any(c.organisation_id != record.organisation_id for c in contacts):
        errors["contacts"] = _("Only your organisation's contacts can be linked.")
    if errors:
        raise ValidationError(errors)
    record.full_clean(validate_constraints=False)
    _save_unique(record, {"date": _("This clinic already has a record for that day.")})
    if contacts is not None:
        record.contacts.set(contacts)
    return record


@transaction.atomic
def hotline_call_save(
    *, by: User, organisation: Organisation, call: HotlineCall | None = None, **values
) -> HotlineCall:
    """Log (or correct) a hotline call. Wrong numbers are kept but statistics leave them out."""
    call = call or HotlineCall(organisation=organisation, recorded_by=by)
    errors: dict = {}
    _not_in_future_time(values.get("received_at", call.received_at), "received_at", errors)
    if "case" in values:
        _check_case(by, values["case"], "case", errors)
    if values.get("police_raid") is not None:
        _check_raid(by, values["police_raid"], "police_raid", errors)
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(call, field, value)
    call.full_clean()
    call.save()
    return call


@transaction.atomic
def police_raid_save(
    *,
    by: User,
    organisation: Organisation,
    raid: PoliceRaid | None = None,
    organisations_present=None,
    **values,
) -> PoliceRaid:
    """Record (or correct) a police raid the organisation was called in to."""
    raid = raid or PoliceRaid(organisation=organisation, recorded_by=by)
    for field, value in values.items():
        setattr(raid, field, value)
    errors: dict = {}
    _not_in_future_date(raid.date, "date", errors)
    if raid.persons_met is not None and raid.persons_with_indicators is not None:
        if raid.persons_with_indicators > raid.persons_met:
            errors["persons_with_indicators"] = _(
                "There cannot be more persons with indicators than persons met."
            )
        if raid.contacts_made is not None and raid.contacts_made > raid.persons_met:
            errors["contacts_made"] = _("There cannot be more contacts than persons met.")
    if errors:
        raise ValidationError(errors)
    raid.full_clean(validate_constraints=False)
    raid.save()
    if organisations_present is not None:
        raid.organisations_present.set(organisations_present)
    return raid
