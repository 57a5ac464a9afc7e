"""Shared pieces of the case API: turning service refusals into 400/403, and the custom fields."""

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.settings import api_settings

from cmm.permissions import has_role_permission
from cmm.selectors import organisation_list_for_user

VIEW, CHANGE, DELETE = "cases.view_case", "cases.change_case", "cases.delete_case"
MAX_ID = 2**31 - 1
SHORT, LONG = 200, 4000  # input lengths: one line, free text


# --- Turning service refusals into API answers ---------------------------------------------------------


def require(user, perm: str, message: str) -> None:
    """Refuse with 403 unless the role the user acts under carries `perm`."""
    if not has_role_permission(user, perm):
        raise PermissionDenied(message)


@contextmanager
def service_errors(**renamed):
    """Answer a broken rule with 400 and the fields it concerns, and a refused permission with 403.

    `renamed` maps a model field named in the service's error to the API field the caller sent.
    """
    renamed[NON_FIELD_ERRORS] = api_settings.NON_FIELD_ERRORS_KEY
    try:
        yield
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            detail = {renamed.get(field, field): messages for field, messages in exc.message_dict.items()}
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        raise ValidationError(detail) from exc
    except DjangoPermissionDenied as exc:
        raise PermissionDenied(str(exc) or None) from exc


def validated(serializer_class, request, *, partial=False, **context):
    """Check the request body's shape; a wrong shape is a 400 naming the fields."""
    incoming = serializer_class(data=request.data, partial=partial, context={"request": request, **context})
    incoming.is_valid(raise_exception=True)
    return incoming.validated_data


# --- Fields ---------------------------------------------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set is one named enum in the schema (e.g. CaseStatusEnum).

    Several models have a `status` or `kind` with different choices; naming the sets keeps the schema's enum
    names stable instead of letting the generator guess (and warn).
    """

    def __init__(self, choices_class, **kwargs):
        self.enum_name = f"{choices_class.__name__}Enum"
        super().__init__(choices=choices_class.choices, **kwargs)


class NamedChoiceFieldSchema(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"type": "string", "enum": list(field.choices)},
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


class PersonalTextField(serializers.CharField):
    """A personal text of the case (cases.personal_texts): null in an answer unless the serializer's context
    has `personal_details_shown` (the caller may read the case's personal details). Input as a CharField."""

    def get_attribute(self, instance):
        if not self.context.get("personal_details_shown"):
            return None
        return super().get_attribute(instance)


class PersonalTextFieldSchema(OpenApiSerializerFieldExtension):
    target_class = PersonalTextField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "response":
            schema = {
                **schema,
                "nullable": True,
                "description": "Null unless the caller may see the case's personal details (the case team).",
            }
        return schema


class NationalityField(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 country code known to django-countries, or "" for unknown."""

    def __init__(self, **kwargs):
        super().__init__(choices=[code for code, _name in countries], allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(data.strip().upper() if isinstance(data, str) else data)

    def to_representation(self, value):
        return str(getattr(value, "code", value) or "")


class MemberField(serializers.IntegerField):
    """A user id that must belong to an active member of the organisation in the context.

    Unknown ids and other organisations' users get the same answer, so ids cannot be probed.
    """

    default_error_messages = {"not_member": _("Choose an active member of the case's organisation.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        user_id = super().run_validation(data)
        if user_id is None:
            return None
        organisation = self.context.get("organisation")
        membership = (
            organisation.memberships.active().select_related("user").filter(user_id=user_id).first()
            if organisation is not None
            else None
        )
        if membership is None:
            self.fail("not_member")
        return membership.user


class ShelterField(serializers.IntegerField):
    """An organisation id from the directory (the service checks that it is a shelter)."""

    default_error_messages = {"unknown": _("Choose an organisation from the directory.")}

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data=serializers.empty):
        organisation_id = super().run_validation(data)
        if organisation_id is None:
            return None
        user = self.context["request"].user
        shelter = organisation_list_for_user(user=user).filter(pk=organisation_id).first()
        if shelter is None:
            self.fail("unknown")
        return shelter

    def to_representation(self, value):
        return value.pk


def language_codes(**kwargs):
    """A list of ISO 639 language codes (lower case, e.g. "en", "ro", "pt-br")."""
    code = serializers.RegexField(
        r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$",
        max_length=15,
        error_messages={"invalid": _("Give a language code such as en, ro or pt-br.")},
    )
    return serializers.ListField(child=code, max_length=20, **kwargs)
