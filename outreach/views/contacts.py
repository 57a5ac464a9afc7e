"""Outreach-contact pages: the quick form used on the street, the list, the CSV export, correcting a contact
and linking it to a case.

Each view checks the role, gets records through outreach.selectors / cases.selectors (404 for "missing" and
"not yours" alike), checks the form's shape, calls a service and renders. URLs carry record ids only; the
pages that may echo a typed note are never cached, and the CSV export leaves the note out.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.choices import CaseStatus
from cases.client_codes import client_code_normalise
from cases.forms.case import CaseForm, language_choices
from cases.selectors import case_list_for_user
from cmm.audit.services import export_record
from cmm.forms import attach_service_errors
from cmm.permissions import has_role_permission
from cmm.selectors import member_choices_for_organisation
from outreach.exports import csv_response
from outreach.filters import ContactFilter
from outreach.forms.contacts import ContactForm, ContactLinkForm
from outreach.models import Contact
from outreach.selectors import contact_get_for_user, contact_list_for_user
from outreach.services import (
    case_open_from_contact,
    case_prefill_from_contact,
    contact_can_open_case,
    contact_link_case,
    contact_log_once,
    contact_update,
)

PAGE_SIZE = 25
# request.session key: the last venue/city/region, so that the next contact starts there. (Which forms were
# already saved is the database's to say: the form token is the contact's submission id.)
LAST_KEY = "outreach_last"
FILTER_KEYS = ("date_from", "date_to", "venue", "worker", "indicators", "city")


# --- Helpers ------------------------------------------------------------------------------------------


def _require(request, perm: str, message: str) -> None:
    if request.membership is None or not has_role_permission(request.user, perm):
        raise PermissionDenied(message)


def _linkable_cases(request, *, keep_case_id: int | None = None):
    """Open cases the user may see (a contact's current case stays choosable even when closed)."""
    cases = case_list_for_user(user=request.user)
    still_open = ~Q(status=CaseStatus.CLOSED)
    return cases.filter(still_open | Q(pk=keep_case_id)) if keep_case_id else cases.filter(still_open)


def _last_used(request) -> dict:
    """Where the worker logged their last contact for this organisation: the next one starts there."""
    organisation = request.membership.organisation
    last = request.session.get(LAST_KEY) or {}
    if last.get("organisation") == organisation.pk:
        return {key: last.get(key, "") for key in ("venue", "city", "region")}
    # Nothing logged yet: at least the organisation's own region.
    region = organisation.region
    return {"region": region} if region and region != "national" else {}


def _remember(request, contact: Contact) -> None:
    request.session[LAST_KEY] = {
        "organisation": contact.organisation_id,
        "venue": contact.venue,
        "city": contact.city,
        "region": contact.region,
    }


def _saved_message(request, contact_id: int, text: str) -> None:
    messages.success(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            text,
            reverse("contact-update", args=[contact_id]),
            _("View or correct it"),
        ),
    )


def _query_without(request, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _filterset(request) -> ContactFilter:
    filterset = ContactFilter(
        request.GET,
        queryset=contact_list_for_user(user=request.user),
        organisation=request.membership.organisation,
    )
    return filterset


# --- List and export ----------------------------------------------------------------------------------


class ContactListView(LoginRequiredMixin, View):
    def get(self, request):
        _require(request, "outreach.view_contact", _("Your role does not give access to outreach contacts."))
        filterset = _filterset(request)
        valid = filterset.is_valid()
        contacts = filterset.qs if valid else filterset.queryset.none()
        page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        # One query for the whole page: which linked cases may this user open?
        case_ids = {contact.case_id for contact in rows if contact.case_id}
        visible = (
            set(case_list_for_user(user=request.user).filter(pk__in=case_ids).values_list("pk", flat=True))
            if case_ids
            else set()
        )
        return render(
            request,
            "outreach/contact_list.html",
            {
                "page": page,
                "rows": [(contact, contact.case_id in visible) for contact in rows],
                "filter": filterset,
                "filters_open": any(request.GET.get(key) for key in FILTER_KEYS) or not valid,
                "query_string": _query_without(request, "page"),
                "export_query": _query_without(request, "page") if valid else "",
                "can_add": has_role_permission(request.user, "outreach.add_contact"),
                "can_add_case": has_role_permission(request.user, "cases.add_case"),
            },
        )


@method_decorator(never_cache, name="dispatch")
class ContactExportView(LoginRequiredMixin, View):
    """The filtered contacts of the user's own organisation as CSV, streamed, in the import's format
    (outreach.columns), so that an export can be imported again. The note is left out: free text may hold an
    identifying slip, and a CSV file travels."""

    def get(self, request):
        _require(request, "outreach.view_contact", _("Your role does not give access to outreach contacts."))
        filterset = _filterset(request)
        if not filterset.is_valid():
            # Show what is wrong with the filters on the list page instead of exporting something else.
            return redirect(f"{reverse('contact-list')}?{_query_without(request, 'page')}")
        prefix = request.membership.organisation.case_prefix
        filename = f"contacts-{prefix}-{timezone.localdate().isoformat()}.csv"
        export_record(user=request.user, what="contacts", fmt="csv", filters=filterset.form.cleaned_data)
        return csv_response(kind="contacts", queryset=filterset.qs, filename=filename)


# --- Log and correct ----------------------------------------------------------------------------------


# The form may echo a typed note back on an error: never cache it.
@method_decorator(never_cache, name="dispatch")
class ContactCreateView(LoginRequiredMixin, View):
    template_name = "outreach/contact_form.html"

    def get(self, request):
        _require(request, "outreach.add_contact", _("Your role does not allow logging contacts."))
        form = ContactForm(cases=_linkable_cases(request), initial=_last_used(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        _require(request, "outreach.add_contact", _("Your role does not allow logging contacts."))
        form = ContactForm(request.POST, cases=_linkable_cases(request))
        to_list = request.POST.get("then") == "list"
        if form.is_valid():
            try:
                # The form token is the submission id: the same form sent again (a double tap, a retry,
                # two requests at once) gets the contact the first one logged.
                contact, created = contact_log_once(
                    by=request.user,
                    organisation=request.membership.organisation,
                    submission_id=form.cleaned_data["form_token"],
                    **form.service_values(),
                )
            except ValidationError as exc:
                attach_service_errors(form, exc, aliases={"submission_id": "form_token"})
            else:
                if created:
                    _remember(request, contact)
                    _saved_message(request, contact.pk, _("Contact saved."))
                else:
                    _saved_message(request, contact.pk, _("This contact was already saved."))
                # Back to an empty form, ready for the next contact: "log another" costs no tap.
                return redirect("contact-list" if to_list else "contact-create")
        return render(request, self.template_name, {"form": form}, status=400)


@method_decorator(never_cache, name="dispatch")
class ContactUpdateView(LoginRequiredMixin, View):
    template_name = "outreach/contact_form.html"

    def _contact(self, request, pk) -> Contact:
        _require(request, "outreach.change_contact", _("Your role does not allow changing contacts."))
        return contact_get_for_user(user=request.user, contact_id=pk, perm="outreach.change_contact")

    def get(self, request, pk):
        contact = self._contact(request, pk)
        form = ContactForm(cases=_linkable_cases(request, keep_case_id=contact.case_id), contact=contact)
        can_open_case = has_role_permission(request.user, "cases.add_case") and contact_can_open_case(contact)
        context = {"form": form, "contact": contact, "can_open_case": can_open_case}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        contact = self._contact(request, pk)
        cases = _linkable_cases(request, keep_case_id=contact.case_id)
        form = ContactForm(request.POST, cases=cases, contact=contact)
        if form.is_valid():
            try:
                contact_update(contact=contact, by=request.user, **form.service_values())
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(request, _("The contact was saved."))
                return redirect("contact-list")
        # The service may have changed the instance before refusing: show the stored record's header.
        contact.refresh_from_db()
        return render(request, self.template_name, {"form": form, "contact": contact}, status=400)


@method_decorator(never_cache, name="dispatch")
class ContactLinkView(LoginRequiredMixin, View):
    """Link an anonymous contact to a case by hand; the contact then shows on the case's timeline."""

    template_name = "outreach/contact_link.html"

    def _contact(self, request, pk) -> Contact:
        _require(request, "outreach.change_contact", _("Your role does not allow changing contacts."))
        return contact_get_for_user(user=request.user, contact_id=pk, perm="outreach.change_contact")

    def get(self, request, pk):
        contact = self._contact(request, pk)
        initial = {"client_code": contact.client_code} if contact.client_code and not contact.case_id else {}
        form = ContactLinkForm(cases=_linkable_cases(request), initial=initial)
        can_open_case = has_role_permission(request.user, "cases.add_case") and contact_can_open_case(contact)
        context = {"form": form, "contact": contact, "can_open_case": can_open_case}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        contact = self._contact(request, pk)
        cases = _linkable_cases(request)
        form = ContactLinkForm(request.POST, cases=cases)
        if form.is_valid():
            case = form.cleaned_data["case"] or self._case_by_code(form, cases)
            if case is not None:
                try:
                    contact_link_case(contact=contact, case=case, by=request.user)
                except ValidationError as exc:
                    attach_service_errors(form, exc)
                else:
                    messages.success(
                        request,
                        _("The contact was linked to case %(number)s.") % {"number": case.number},
                    )
                    return redirect("case-timeline", pk=case.pk)
        contact.refresh_from_db()
        return render(request, self.template_name, {"form": form, "contact": contact}, status=400)

    @staticmethod
    def _case_by_code(form, cases):
        try:
            code = client_code_normalise(form.cleaned_data["client_code"])
        except ValidationError as exc:
            form.add_error("client_code", exc.message_dict["code"])
            return None
        case = cases.filter(client_codes__code=code).first()
        if case is None:
            form.add_error("client_code", _("No open case you can see carries this client code."))
        return case


# --- Open a case from a contact -----------------------------------------------------------------------


# The case form may echo a typed name or phone number back on an error: never cache it.
@method_decorator(never_cache, name="dispatch")
class ContactOpenCaseView(LoginRequiredMixin, View):
    """Open a case for the person met on a contact: the case form prefilled with what the contact holds
    (outreach.services.case_prefill_from_contact), saved by outreach.services.case_open_from_contact, which
    links the client code and the contact, so the contact shows on the new case's timeline. The URL carries
    the contact's id only; a contact the user may not see answers 404."""

    template_name = "cases/case_form.html"

    def _contact(self, request, pk) -> Contact:
        if request.membership is None or not has_role_permission(request.user, "cases.add_case"):
            raise PermissionDenied(_("Your role does not allow opening cases."))
        return contact_get_for_user(user=request.user, contact_id=pk)

    def _form(self, request, contact, data=None):
        prefill = case_prefill_from_contact(contact)
        form = CaseForm(
            data,
            members=list(member_choices_for_organisation(organisation=request.membership.organisation)),
            initial=prefill,
        )
        # A language the contact was met in stays choosable even when it is not one of the common ones.
        form.fields["languages"].choices = language_choices(prefill.get("languages", []))
        return form

    def _render(self, request, contact, form, status=200):
        return render(
            request,
            self.template_name,
            {"form": form, "from_contact": contact},
            status=status,
        )

    def _refuse(self, request, contact):
        if contact_can_open_case(contact):
            return None
        if contact.case_id:
            messages.info(request, _("This contact is already linked to a case."))
        else:
            messages.info(request, _("A contact with a group of people cannot become one person's case."))
        return redirect("contact-list")

    def get(self, request, pk):
        contact = self._contact(request, pk)
        refused = self._refuse(request, contact)
        if refused:
            return refused
        messages.info(request, _prefill_note(contact))
        return self._render(request, contact, self._form(request, contact))

    def post(self, request, pk):
        contact = self._contact(request, pk)
        refused = self._refuse(request, contact)
        if refused:
            return refused
        form = self._form(request, contact, request.POST)
        if form.is_valid():
            try:
                case = case_open_from_contact(
                    contact=contact,
                    by=request.user,
                    organisation=request.membership.organisation,
                    **form.open_kwargs(),
                )
            except ValidationError as exc:
                attach_service_errors(form, exc, {"age_at_opening": "estimated_age"})
            else:
                messages.success(
                    request,
                    _("Case %(number)s was opened; the contact is on its timeline.")
                    % {"number": case.number},
                )
                return redirect("case-timeline", pk=case.pk)
        messages.info(request, _prefill_note(contact))
        return self._render(request, contact, form, status=400)


def _prefill_note(contact: Contact) -> str:
    """What the page says about the prefilled facts (no identifying details: a contact holds none)."""
    when = formats.date_format(timezone.localtime(contact.occurred_at), "SHORT_DATE_FORMAT")
    note = _(
        "Prefilled from the outreach contact of %(day)s (%(venue)s): check each fact before you open the "
        "case."
    ) % {"day": when, "venue": contact.get_venue_display().lower()}
    if contact.client_code:
        code = contact.client_code
        note += " " + _("The client code %(code)s will be linked to the case.") % {"code": code}
    if contact.age_band and contact.age_band != "unknown":
        note += " " + _("Age band on the contact: %(band)s.") % {"band": contact.age_band}
    return note
