"""The one place that answers "may this user see or change this object?".

A user acts for one organisation at a time (their *active membership*). A permission holds when
  1. the role they hold in that organisation carries the model permission (cmm.roles), and
  2. the object is their organisation's own (``owner_field``), or the permission on that very object was
     granted to the organisation's group or to the user personally (django-guardian, direct foreign-key
     permission models).
Model-wide permissions a user may hold through any group are never enough on their own
(``accept_global_perms=False`` in guardian's terms), and superusers get no bypass.

This module is the only one that talks to django-guardian.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from cmm.models import Membership, Organisation
from cmm.roles import role_group_name

_UNSET = object()


def active_membership(user) -> Membership | None:
    """Return the membership the user is acting under, or None.

    The web middleware and the API authentication set it from the user's choice; elsewhere a user with
    exactly one active membership acts under it, and a user with several acts under none.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    membership = getattr(user, "_cmm_active_membership", _UNSET)
    if membership is _UNSET:
        memberships = list(Membership.objects.active().filter(user=user).select_related("organisation")[:2])
        membership = memberships[0] if len(memberships) == 1 else None
        user._cmm_active_membership = membership
    return membership


def set_active_membership(user, membership: Membership | None) -> None:
    """Make `membership` the one the user acts under for the rest of this request."""
    if membership is not None and membership.user_id != user.pk:
        raise ValueError("A user can only act under their own membership.")
    user._cmm_active_membership = membership


def role_permissions(membership: Membership | None) -> frozenset[str]:
    """Return the "app_label.codename" permissions that the membership's role carries."""
    if membership is None:
        return frozenset()
    cached = getattr(membership, "_cmm_role_permissions", None)
    if cached is None:
        rows = Permission.objects.filter(group__name=role_group_name(membership.role)).values_list(
            "content_type__app_label", "codename"
        )
        cached = frozenset(f"{app}.{codename}" for app, codename in rows)
        membership._cmm_role_permissions = cached
    return cached


def has_role_permission(user, perm: str) -> bool:
    """Tell whether the user's role in their active organisation carries the model permission `perm`."""
    return perm in role_permissions(active_membership(user))


def permitted(
    user,
    perm: str,
    queryset: QuerySet,
    *,
    owner_field: str | tuple[str, ...] | None = None,
    object_grants: bool = True,
) -> QuerySet:
    """Narrow `queryset` to the objects on which `user` holds `perm` for their active organisation.

    `owner_field` names the foreign key(s) to the organisation(s) whose own objects these are (several names:
    any of them); `object_grants=False` for models that are never shared object by object (no guardian
    tables), such as outreach records.
    """
    model = queryset.model
    membership = active_membership(user)
    if object_grants:
        permission_filter = _permission_filter(model, perm)
    elif perm.split(".", 1)[0] != model._meta.app_label:
        raise ValueError(f"{perm} is not a permission of {model.__name__}.")
    if perm not in role_permissions(membership):
        return queryset.none()
    granted = Q(pk__in=[])
    if object_grants:
        group_perms = get_group_obj_perms_model(model)
        user_perms = get_user_obj_perms_model(model)
        if group_perms.objects.is_generic() or user_perms.objects.is_generic():
            raise ImproperlyConfigured(f"{model.__name__} needs direct foreign-key object permission models.")
        granted |= Q(
            pk__in=group_perms.objects.filter(
                group_id=membership.organisation.group_id, **permission_filter
            ).values("content_object_id")
        ) | Q(
            pk__in=user_perms.objects.filter(user_id=user.pk, **permission_filter).values("content_object_id")
        )
    owners = (owner_field,) if isinstance(owner_field, str) else (owner_field or ())
    for field in owners:
        if model._meta.get_field(field).many_to_many:
            # A subquery, not a join, so that a many-to-many owner field does not repeat rows.
            rows = model._default_manager.filter(**{field: membership.organisation_id}).values("pk")
            granted |= Q(pk__in=rows)
        else:
            granted |= Q(**{field: membership.organisation_id})
    return queryset.filter(granted)


def user_can(
    user,
    perm: str,
    obj: Model,
    *,
    owner_field: str | tuple[str, ...] | None = None,
    object_grants: bool = True,
) -> bool:
    """Tell whether `user` holds `perm` on `obj`: the list rule applied to one object."""
    queryset = type(obj)._default_manager.filter(pk=obj.pk)
    return permitted(user, perm, queryset, owner_field=owner_field, object_grants=object_grants).exists()


def grant(perm: str, obj: Model, *, organisation: Organisation | None = None, user=None) -> None:
    """Give an organisation (all its active members) or one user `perm` on `obj`."""
    if (organisation is None) == (user is None):
        raise ValueError("Grant to exactly one of organisation or user.")
    assign_perm(perm, organisation.group if organisation else user, obj)


def revoke(perm: str, obj: Model, *, organisation: Organisation | None = None, user=None) -> None:
    """Take back what `grant` gave; revoking what was never granted is a no-op."""
    if (organisation is None) == (user is None):
        raise ValueError("Revoke from exactly one of organisation or user.")
    remove_perm(perm, organisation.group if organisation else user, obj)


def _permission_filter(model: type[Model], perm: str) -> dict:
    app_label, codename = perm.split(".", 1)
    content_type = ContentType.objects.get_for_model(model)
    if content_type.app_label != app_label:
        raise ValueError(f"{perm} is not a permission of {model.__name__}.")
    return {"permission__content_type_id": content_type.pk, "permission__codename": codename}
