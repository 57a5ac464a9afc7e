"""Shared pieces of the outreach API: role checks, fields resolving ids through selectors, the list base."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied

from cases.apis.common import MAX_ID
from cases.selectors import case_list_for_user
from cmm.permissions import active_membership, has_role_permission
from cmm.selectors import organisation_list_for_user
from outreach.selectors import contact_list_for_user, police_raid_list_for_user

# Outreach records are counts: ten thousand of anything on one day or at one raid is a typing error.
MAX_COUNT = 10_000


def require(user, perm: str) -> None:
    """Refuse with 403 unless the role the user acts under carries `perm` (before any object is looked up,
    so that the answer tells nothing about which ids exist)."""
    if not has_role_permission(user, perm):
        raise PermissionDenied(_("Your role cannot do this."))


def acting_organisation(user):
    """The organisation the user acts for (`require` has made sure there is one)."""
    return active_membership(user).organisation


def visible_case_ids(user, rows) -> set[int]:
    """The ids of the cases linked from `rows` that the user may see, in one query."""
    ids = {row.case_id for row in rows if row.case_id}
    if not ids:
        return set()
    return set(case_list_for_user(user=user).filter(pk__in=ids).values_list("pk", flat=True))


# --- Fields ---------------------------------------------------------------------------------------------


class _IdField(serializers.IntegerField):
    """An id that must be in the queryset `choices(user)`; unknown and not-yours ids get the same answer."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def choices(self, user):
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def run_validation(self, data=serializers.empty):
        pk = super().run_validation(data)
        if pk is None:
            return None
        found = self.choices(self.context["request"].user).filter(pk=pk).first()
        if found is None:
            self.fail("unknown")
        return found


class VisibleCaseField(_IdField):
    """The id of a case the caller may see."""

    default_error_messages = {"unknown": _("Choose a case your organisation can see.")}

    def choices(self, user):
        return case_list_for_user(user=user)


class ChangeableCaseField(VisibleCaseField):
    """The id of a case the caller may work on (cases.change_case): seeing a case, as the authority deciding
    on it does, is not enough to present it or start its reflection period."""

    def choices(self, user):
        return case_list_for_user(user=user, perm="cases.change_case")


class VisibleRaidField(_IdField):
    """The id of a police raid the caller's organisation recorded or was present at."""

    default_error_messages = {"unknown": _("Choose a police raid your organisation took part in.")}

    def choices(self, user):
        return police_raid_list_for_user(user=user)


class _IdListField(serializers.ListField):
    """A list of ids that must all be among `rows(user, ids)`; answers with the rows, each once."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), **kwargs)

    def rows(self, user, ids):
        raise ImproperlyConfigured(f"{type(self).__name__} must override this method.")

    def run_validation(self, data=serializers.empty):
        ids = list(dict.fromkeys(super().run_validation(data)))
        found = {row.pk: row for row in self.rows(self.context["request"].user, ids)} if ids else {}
        if set(found) != set(ids):
            self.fail("unknown")
        return [found[pk] for pk in ids]


class OwnContactsField(_IdListField):
    """Ids of contacts of the caller's own organisation."""

    default_error_messages = {"unknown": _("Only your organisation's contacts can be linked.")}

    def rows(self, user, ids):
        return contact_list_for_user(user=user).filter(pk__in=ids)


class OrganisationsPresentField(_IdListField):
    """Ids of the other organisations at a raid: from the directory, or already on the raid in the context
    (so that correcting a raid keeps a partner that has closed since), never the caller's own."""

    default_error_messages = {"unknown": _("Choose other organisations from the directory.")}

    def rows(self, user, ids):
        rows = list(organisation_list_for_user(user=user).filter(pk__in=ids))
        raid = self.context.get("raid")
        if raid is not None:
            rows += [org for org in raid.organisations_present.all() if org.pk in ids]
        return [org for org in rows if org.pk != acting_organisation(user).pk]


class CaseRefSerializer(serializers.Serializer):
    """A linked case: its id and pseudonymous number, nothing that identifies the person."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


class LinkedCaseMixin(serializers.Serializer):
    """Shows the linked case only when the caller may see it (ids in the context's `visible_cases`)."""

    case = serializers.SerializerMethodField()

    @extend_schema_field(CaseRefSerializer(allow_null=True))
    def get_case(self, row):
        if row.case_id is None or row.case_id not in self.context.get("visible_cases", ()):
            return None
        return CaseRefSerializer(row.case).data


# --- Views ----------------------------------------------------------------------------------------------


class OutreachListApi(generics.ListAPIView):
    """Base of the list endpoints: 403 for roles without the view permission, then the selector's rows of
    the caller's organisation, filtered and paginated. Subclasses add POST."""

    model = None
    filter_backends = [DjangoFilterBackend]

    @staticmethod
    def list_for_user(*, user):
        raise ImproperlyConfigured("A list API must give its selector as list_for_user.")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user, no database
            return self.model.objects.none()
        return self.list_for_user(user=self.request.user)

    def list(self, request, *args, **kwargs):
        require(request.user, f"outreach.view_{self.model._meta.model_name}")
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.represent(page, many=True))

    def represent(self, rows, *, many=False):
        return self.get_serializer(rows, many=many).data
