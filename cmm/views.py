"""Platform pages: login and account, choosing the organisation, the overview, members, health."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django.views.i18n import set_language

from cmm import services
from cmm.agenda import HORIZON_DAYS, agenda_for_user
from cmm.dashboard import dashboard_panels
from cmm.filters import MemberFilter
from cmm.forms import (
    LoginForm,
    MemberChangeForm,
    MemberCreateForm,
    OrganisationSelectForm,
    OutboxPasswordResetForm,
)
from cmm.health import health_report
from cmm.middleware import SESSION_KEY
from cmm.models import AuditAction
from cmm.password_reset import ResetOutcome, password_reset_request
from cmm.permissions import has_role_permission
from cmm.security import sessions_end_for_user
from cmm.selectors import member_get_for_user, member_list_for_user, membership_choices_for_user


def client_ip(request) -> str | None:
    """The client's address for the login lockout and the audit log. Behind PROXY_COUNT trusted reverse
    proxies, each of which appends the address it received from to X-Forwarded-For, the client is the
    PROXY_COUNT-th entry from the right (entries further left are whatever the client claimed); without
    proxies, or without the header, the connection's own address."""
    proxies = settings.PROXY_COUNT
    forwarded = [
        part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
    ]
    if proxies > 0 and forwarded:
        return forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return request.META.get("REMOTE_ADDR") or None


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        services.audit_record(actor=user, action=AuditAction.LOGIN, ip_address=client_ip(self.request))
        # Show the app in the user's own language from the first page on.
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            services.audit_record(
                actor=request.user,
                action=AuditAction.LOGOUT,
                ip_address=client_ip(request),
                organisation=request.membership.organisation if request.membership else None,
            )
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session, under a new key
        sessions_end_for_user(user=self.request.user, except_session_key=self.request.session.session_key)
        services.password_changed_notify(user=self.request.user, ip_address=client_ip(self.request))
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The same neutral answer for every address, in the same time: the request only
    counts itself and queues the sending (cmm.password_reset); past the limit of the client's address it is
    refused with 429."""

    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        outcome = password_reset_request(email=form.cleaned_data["email"], ip_address=client_ip(self.request))
        if outcome == ResetOutcome.ADDRESS_LIMITED:
            response = render(self.request, "registration/password_reset_limited.html", status=429)
            response["Retry-After"] = str(settings.PASSWORD_RESET_LIMIT_MINUTES * 60)
            return response
        # Queued, or over the limit of the submitted address: the same page either way.
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever knew the old password may still be logged in somewhere: end every session of the user.
        sessions_end_for_user(user=form.user)
        return response


class LanguageSetView(View):
    """Switch the language; a logged-in user keeps the choice for their next login."""

    def post(self, request):
        language = request.POST.get("language")
        if request.user.is_authenticated and language in dict(settings.LANGUAGES):
            services.user_language_set(user=request.user, language=language)
        return set_language(request)


class OrganisationSelectView(LoginRequiredMixin, View):
    template_name = "cmm/organisation_select.html"

    def get(self, request):
        form = OrganisationSelectForm(
            memberships=self._memberships(), initial={"membership": self._current()}
        )
        return render(request, self.template_name, {"form": form, "next": self._next()})

    def post(self, request):
        memberships = self._memberships()
        form = OrganisationSelectForm(request.POST, memberships=memberships)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "next": self._next()}, status=400)
        chosen = next(m for m in memberships if m.pk == form.cleaned_data["membership"])
        request.session[SESSION_KEY] = chosen.pk
        services.audit_record(
            actor=request.user,
            action=AuditAction.ORGANISATION_SELECTED,
            organisation=chosen.organisation,
            target=chosen.organisation,
            ip_address=client_ip(request),
        )
        messages.success(
            request,
            _("You are now working for %(organisation)s.") % {"organisation": chosen.organisation.name},
        )
        return HttpResponseRedirect(self._next())

    def _memberships(self):
        return list(membership_choices_for_user(user=self.request.user))

    def _current(self):
        membership = getattr(self.request, "membership", None)
        return membership.pk if membership else None

    def _next(self):
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return candidate
        return reverse("home")


class HomeView(LoginRequiredMixin, TemplateView):
    """Today's work of the user for the organisation they act for (cmm.agenda), most urgent first, after the
    panels that come first (the outreach worker's quick contact)."""

    template_name = "cmm/home.html"

    def get_context_data(self, **kwargs):
        panels = dashboard_panels(self.request)
        return {
            **super().get_context_data(**kwargs),
            "top_panels": [p for p in panels if p.get("position") == "top"],
            "panels": [p for p in panels if p.get("position") != "top"],
            "agenda": agenda_for_user(user=self.request.user),
            "horizon": HORIZON_DAYS,
        }


class MemberPermissionMixin(LoginRequiredMixin):
    """Members pages are for roles that carry the membership permissions, in their own organisation."""

    required_perm = "cmm.view_membership"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_role_permission(request.user, self.required_perm):
            raise PermissionDenied(_("Only an organisation admin can manage members."))
        return super().dispatch(request, *args, **kwargs)


class MemberListView(MemberPermissionMixin, View):
    paginate_by = 25

    def get(self, request):
        filterset = MemberFilter(request.GET, queryset=member_list_for_user(user=request.user))
        members = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        page = Paginator(members, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "cmm/member_list.html",
            {
                "page": page,
                "filter": filterset,
                "query_string": query.urlencode(),
            },
        )


class MemberCreateView(MemberPermissionMixin, View):
    required_perm = "cmm.add_membership"
    template_name = "cmm/member_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": MemberCreateForm(), "creating": True})

    def post(self, request):
        form = MemberCreateForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "creating": True}, status=400)
        services.user_create_member(
            organisation=request.membership.organisation, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("The member was added and has been sent a link to choose a password."))
        return redirect("member-list")


class MemberChangeView(MemberPermissionMixin, View):
    required_perm = "cmm.change_membership"
    template_name = "cmm/member_form.html"

    def get(self, request, pk):
        member = member_get_for_user(user=request.user, membership_id=pk)
        form = MemberChangeForm(initial={"role": member.role, "is_active": member.is_active})
        return render(request, self.template_name, {"form": form, "member": member})

    def post(self, request, pk):
        member = member_get_for_user(user=request.user, membership_id=pk)
        form = MemberChangeForm(request.POST)
        if form.is_valid():
            try:
                services.membership_change(membership=member, by=request.user, **form.cleaned_data)
            except PermissionError:
                form.add_error("is_active", _("You cannot end your own membership."))
            else:
                messages.success(request, _("The membership was saved."))
                return redirect("member-list")
        return render(request, self.template_name, {"form": form, "member": member}, status=400)


@never_cache
def healthz(request):
    """Report whether the database and the broker answer; 503 if either does not."""
    report = health_report()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
