"""API rate limits that count a client the way the login lockout does.

DRF's throttles identify an anonymous client by the whole X-Forwarded-For header unless NUM_PROXIES is set,
so a client that sends a different made-up address in front of the one the proxy appends is a new client on
every request. Here every throttle takes the client's address from `cmm.views.client_ip`, which honours
PROXY_COUNT (the trusted reverse proxies in front of the app) exactly as the lockout and the audit log do.
"""

from rest_framework import throttling


class ClientAddressMixin:
    """Identify an anonymous client by the address the lockout uses, not by what the client claims."""

    def get_ident(self, request):
        from cmm.views import client_ip  # cmm.views imports much of the app: not at DRF's start-up

        return client_ip(request) or "unknown"


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    """The API's default limit: per user when signed in, else per client address (API_USER_RATE)."""


class TokenRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    """The token endpoint's limit per client address (API_TOKEN_RATE), before any password is checked."""

    scope = "token"
