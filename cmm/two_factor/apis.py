"""The API's token endpoint: username, password and, for everyone who must use two-factor authentication, a
code from the authenticator app (or a recovery code)."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cmm.throttling import TokenRateThrottle
from cmm.two_factor import services
from cmm.two_factor.selectors import has_confirmed_device, two_factor_required
from cmm.views import client_ip


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The current 6-digit code of the user's authenticator app, or one of their recovery codes. "
        "Required for every user who must use two-factor authentication (every role that sees personal "
        "details or exports).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class ObtainTokenApi(APIView):
    """Issue the user's API token after the password and the second factor."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [TokenRateThrottle]
    serializer_class = TokenRequestSerializer

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                description="Wrong username or password (`non_field_errors`), or a missing, wrong or "
                "throttled code (`otp`)."
            ),
        },
        auth=[],
        description="Returns the user's token for `Authorization: Token <key>`. Users who must use "
        "two-factor authentication send `otp` as well. The time of issue counts as the second factor for "
        "exports: export endpoints accept the token for TWO_FACTOR_FRESH_MINUTES (15 by default) after it "
        "was issued and answer 403 with `code` `fresh_otp_required` afterwards, until a new token is asked "
        "for with a new code (the key stays the same).",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = authenticate(request=request, username=data["username"], password=data["password"])
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with provided credentials.")]}, code="authorization"
            )
        if two_factor_required(user):
            if not has_confirmed_device(user=user):
                message = _("Set up two-factor authentication by logging in to the web app first.")
                return Response({"otp": [message]}, status=status.HTTP_400_BAD_REQUEST)
            try:
                services.second_factor_check(
                    user=user, code=data.get("otp", ""), ip_address=client_ip(request)
                )
            except ValidationError as error:
                messages = error.message_dict.get("code", error.messages)
                return Response({"otp": messages}, status=status.HTTP_400_BAD_REQUEST)
        token = services.api_token_issue(user=user)
        return Response(TokenSerializer({"token": token.key}).data)
