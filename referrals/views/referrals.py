"""Case referral pages: a case's referrals and the form to refer it, the incoming (and sent) referrals of the
organisation, and one referral with the answers its two sides may give.

Cases and referrals come through the selectors, so "missing" and "not yours" both answer 404; what the role
may not do answers 403 with the reason. The consent rule, who may answer and the access that follows are the
services'; a refused form is shown again with status 400 and nothing typed is lost.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from cases.selectors import case_get_for_user
from cmm.forms import attach_service_errors
from cmm.permissions import active_membership, has_role_permission
from referrals.choices import ReferralKind, ReferralStatus
from referrals.forms.referrals import (
    ReferralDeclineForm,
    ReferralEndForm,
    ReferralFilterForm,
    ReferralSendForm,
)
from referrals.selectors.referrals import (
    referral_case_visible,
    referral_get_for_user,
    referral_receiver_choices,
    referrals_incoming_for_user,
    referrals_of_case,
    referrals_outgoing_for_user,
    referrals_pending_incoming_count,
)
from referrals.services import referrals as services

PAGE_SIZE = 25
VIEW = "referrals.view_referral"
ADD = "referrals.add_referral"
CHANGE = "referrals.change_referral"
OVERRIDE = "referrals.override_consent"
STATUS_TONES = {
    ReferralStatus.PENDING: "warn",
    ReferralStatus.ACCEPTED: "ok",
    ReferralStatus.DECLINED: "bad",
}


# --- Helpers ------------------------------------------------------------------------------------------


def _require(user, perm: str, reason: str) -> None:
    if not has_role_permission(user, perm):
        raise PermissionDenied(reason)


def _organisation_id(user) -> int | None:
    membership = active_membership(user)
    return membership.organisation_id if membership else None


def _decorate(referrals, organisation_id: int | None) -> list:
    """Give each referral what the templates show: its badge tone and the other organisation."""
    rows = list(referrals)
    for referral in rows:
        referral.tone = STATUS_TONES.get(referral.status, "muted")
        referral.incoming = referral.to_organisation_id == organisation_id
        referral.other = referral.from_organisation if referral.incoming else referral.to_organisation
    return rows


def _actions(user, referral) -> dict:
    """What the user may do with the referral now, by their side of it, its state and their role."""
    organisation_id = _organisation_id(user)
    can_change = has_role_permission(user, CHANGE)
    receiver = can_change and organisation_id == referral.to_organisation_id
    sender = can_change and organisation_id == referral.from_organisation_id
    pending = referral.status == ReferralStatus.PENDING
    shared = referral.status == ReferralStatus.ACCEPTED and referral.kind == ReferralKind.SHARE
    return {
        "accept": receiver and pending,
        "decline": receiver and pending,
        "withdraw": sender and pending,
        "revoke": sender and shared,
        "close": (sender or receiver) and shared,
    }


# --- A case's referrals -------------------------------------------------------------------------------


class CaseReferralsView(LoginRequiredMixin, View):
    """The referrals of one case that the user's organisation sent or received, and "Refer this case"."""

    def get(self, request, case_id):
        case = case_get_for_user(user=request.user, case_id=case_id)
        _require(request.user, VIEW, _("Your role does not give access to referrals."))
        organisation_id = _organisation_id(request.user)
        referrals = _decorate(referrals_of_case(user=request.user, case=case), organisation_id)
        return render(
            request,
            "referrals/referral_case_list.html",
            {
                "case": case,
                "referrals": referrals,
                "is_owner": case.organisation_id == organisation_id,
                "can_refer": case.organisation_id == organisation_id
                and case.is_open
                and has_role_permission(request.user, ADD),
            },
        )


class ReferralCreateView(LoginRequiredMixin, View):
    """Refer a case of the user's organisation to another organisation."""

    template_name = "referrals/referral_form.html"

    def get_case(self):
        user = self.request.user
        case = case_get_for_user(user=user, case_id=self.kwargs["case_id"], perm="cases.change_case")
        _require(user, ADD, _("Your role does not allow referring cases."))
        if case.organisation_id != _organisation_id(user):
            raise PermissionDenied(_("Only the organisation that owns the case can refer it."))
        return case

    def make_form(self, data=None):
        user = self.request.user
        return ReferralSendForm(
            data,
            organisations=referral_receiver_choices(user=user),
            can_override=has_role_permission(user, OVERRIDE),
        )

    def render_form(self, case, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"case": case, "form": form, "can_override": "override_reason" in form.fields},
            status=status,
        )

    def get(self, request, case_id):
        return self.render_form(self.get_case(), self.make_form())

    def post(self, request, case_id):
        case = self.get_case()
        form = self.make_form(request.POST)
        if form.is_valid():
            try:
                referral = services.referral_send(case=case, by=request.user, **form.service_kwargs())
            except ValidationError as exc:
                attach_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The referral was sent to %(organisation)s.")
                    % {"organisation": referral.to_organisation.name},
                )
                return redirect("case-referrals", case_id=case.pk)
        return self.render_form(case, form, status=400)


# --- The organisation's referrals ---------------------------------------------------------------------


@method_decorator(never_cache, name="dispatch")
class ReferralIncomingView(LoginRequiredMixin, View):
    """The referrals sent to the user's organisation, those waiting for an answer first; or, with
    view=sent, the referrals it sent. Filters by status and service requested, 25 to a page."""

    def get(self, request):
        user = request.user
        _require(user, VIEW, _("Your role does not give access to referrals."))
        sent = request.GET.get("view") == "sent"
        filters = ReferralFilterForm(request.GET)
        filters.is_valid()  # a value the form does not know is left out of cleaned_data, i.e. ignored
        status = filters.cleaned_data.get("status", "")
        reason = filters.cleaned_data.get("reason", "")
        listing = referrals_outgoing_for_user if sent else referrals_incoming_for_user
        page = Paginator(listing(user=user, status=status, reason=reason), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        page.object_list = _decorate(page.object_list, _organisation_id(user))
        query = {"view": "sent" if sent else "", "status": status, "reason": reason}
        return render(
            request,
            "referrals/referral_incoming.html",
            {
                "page": page,
                "sent": sent,
                "filters": filters,
                "filtered": bool(status or reason),
                "pending_count": referrals_pending_incoming_count(user=user),
                "can_answer": has_role_permission(user, CHANGE),
                "query_string": urlencode({key: value for key, value in query.items() if value}),
                "view_query": "view=sent&" if sent else "",
            },
        )


# --- One referral -------------------------------------------------------------------------------------


def _detail(request, referral, *, forms=None, errors=(), status=200):
    forms = forms or {}
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": _decorate([referral], _organisation_id(request.user))[0],
            "case_visible": referral_case_visible(user=request.user, referral=referral),
            "can": _actions(request.user, referral),
            "decline_form": forms.get("decline") or ReferralDeclineForm(),
            "revoke_form": forms.get("revoke") or ReferralEndForm(prefix="revoke"),
            "close_form": forms.get("close") or ReferralEndForm(prefix="close"),
            "action_errors": list(errors),
        },
        status=status,
    )


@method_decorator(never_cache, name="dispatch")
class ReferralDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        _require(request.user, VIEW, _("Your role does not give access to referrals."))
        referral = referral_get_for_user(user=request.user, referral_id=pk)
        return _detail(request, referral)


class ReferralActionView(LoginRequiredMixin, View):
    """Base of the answers to a referral (POST only). Subclasses name the service and, if it takes a
    reason, the form; a refusal shows the referral again with the error and status 400."""

    form_name = ""  # "decline", "revoke" or "close": the form of _detail() that carries the input
    form_class = None
    prefix = None

    def call(self, referral, data: dict):
        raise ImproperlyConfigured(f"{type(self).__name__} must provide call().")

    def success(self, request, referral):
        return redirect("referral-detail", pk=referral.pk)

    def post(self, request, pk):
        _require(request.user, VIEW, _("Your role does not give access to referrals."))
        referral = referral_get_for_user(user=request.user, referral_id=pk)
        _require(request.user, CHANGE, _("Your role does not allow answering or ending referrals."))
        form = self.form_class(request.POST, prefix=self.prefix) if self.form_class else None
        if form is None or form.is_valid():
            try:
                referral = self.call(referral, form.cleaned_data if form else {})
            except ValidationError as exc:
                if form is None:
                    return _detail(request, referral, errors=exc.messages, status=400)
                attach_service_errors(form, exc)
            else:
                return self.success(request, referral)
        return _detail(request, referral, forms={self.form_name: form}, status=400)


class ReferralAcceptView(ReferralActionView):
    def call(self, referral, data):
        return services.referral_accept(referral=referral, by=self.request.user)

    def success(self, request, referral):
        if referral.kind == ReferralKind.TRANSFER:
            text = _("You accepted the transfer. Your organisation now owns case %(number)s.")
        else:
            text = _("You accepted the referral. Your organisation now has access to case %(number)s.")
        messages.success(request, text % {"number": referral.case.number})
        return redirect("case-detail", pk=referral.case_id)


class ReferralDeclineView(ReferralActionView):
    form_name, form_class = "decline", ReferralDeclineForm

    def call(self, referral, data):
        return services.referral_decline(
            referral=referral, by=self.request.user, response_note=data["response_note"]
        )

    def success(self, request, referral):
        messages.success(request, _("You declined the referral."))
        return super().success(request, referral)


class ReferralWithdrawView(ReferralActionView):
    def call(self, referral, data):
        return services.referral_withdraw(referral=referral, by=self.request.user)

    def success(self, request, referral):
        messages.success(request, _("The referral was withdrawn."))
        return super().success(request, referral)


class ReferralRevokeView(ReferralActionView):
    form_name, form_class, prefix = "revoke", ReferralEndForm, "revoke"

    def call(self, referral, data):
        return services.referral_revoke(referral=referral, by=self.request.user, reason=data["reason"])

    def success(self, request, referral):
        messages.success(
            request,
            _("The referral was revoked. %(organisation)s no longer has access to the case.")
            % {"organisation": referral.to_organisation.name},
        )
        return super().success(request, referral)


class ReferralCloseView(ReferralActionView):
    form_name, form_class, prefix = "close", ReferralEndForm, "close"

    def call(self, referral, data):
        return services.referral_close(referral=referral, by=self.request.user, reason=data["reason"])

    def success(self, request, referral):
        messages.success(
            request,
            _("The referral was closed. %(organisation)s no longer has access to the case.")
            % {"organisation": referral.to_organisation.name},
        )
        return super().success(request, referral)
