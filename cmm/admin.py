"""Django admin for platform staff: organisations, memberships, users; the audit log and outbox read-only."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from cmm import services
from cmm.models import AuditEvent, Membership, Organisation, OutboundEmail, User
from cmm.security import sessions_end_for_user


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]
    fk_name = "user"

    def has_delete_permission(self, request, obj=None):
        return False  # a membership is ended (unticking "active"), never deleted: see MembershipAdmin


def _save_memberships(request, formset) -> None:
    """Save the memberships of the user admin's inline; one whose "active" was unticked is ended through
    cmm.services.membership_end, so that the user leaves what came with it (teams, reminders, tokens)."""
    memberships = formset.save(commit=False)
    ending = {m.pk for m, fields in formset.changed_objects if "is_active" in fields and not m.is_active}
    for membership in memberships:
        if membership.pk in ending:
            membership.is_active = True
        membership.save()
        if membership.pk in ending:
            services.membership_end(membership=membership, by=request.user)
    formset.save_m2m()


class PasswordChangeEndsLogins(AdminPasswordChangeForm):
    """The admin's "change password" form: the user's sessions and API token end with the old password."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            sessions_end_for_user(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, (_("Preferences"), {"fields": ("language",)}))
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
    change_password_form = PasswordChangeEndsLogins

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: the audit log keeps who did what, and leaving ends what came with it.
        return False

    def save_model(self, request, obj, form, change):
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True  # the service deactivates, and takes the user out of their organisations
        super().save_model(request, obj, form, change)
        if deactivating:
            services.user_deactivate(user=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        _save_memberships(request, formset)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "designation", "region", "case_prefix", "is_active"]
    list_filter = ["kind", "designation", "region", "is_active"]
    search_fields = ["name", "case_prefix"]

    def get_readonly_fields(self, request, obj=None):
        # Which organisation is the Immigration Service, which is CMM: platform admins (superusers) only.
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else [*readonly, "designation"]

    def save_model(self, request, obj, form, change):
        designation = obj.designation if request.user.is_superuser else ""
        if change:
            designating = "designation" in form.changed_data and request.user.is_superuser
            if designating:
                obj.designation = form.initial.get("designation", "")
            super().save_model(request, obj, form, change)
            if designating:
                services.organisation_designate(organisation=obj, designation=designation, by=request.user)
                obj.refresh_from_db(fields=["designation"])
            return
        created = services.organisation_create(
            name=obj.name,
            kind=obj.kind,
            case_prefix=obj.case_prefix,
            region=obj.region,
            designation=designation,
            by=request.user,
        )
        obj.pk, obj.group = created.pk, created.group


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    search_fields = ["user__username", "user__last_name", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]

    def has_delete_permission(self, request, obj=None):
        return False  # untick "active" to end a membership: the user then leaves what came with it

    def save_model(self, request, obj, form, change):
        ending = change and "is_active" in form.changed_data and not obj.is_active
        if ending:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if ending:
            services.membership_end(membership=obj, by=request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "organisation", "action", "target_type", "target_label"]
    list_filter = ["action", "organisation"]
    list_select_related = ["actor", "organisation", "target_type"]
    date_hierarchy = "at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "to", "subject", "status", "attempts", "last_error"]
    list_filter = ["status"]
    exclude = ["body"]
