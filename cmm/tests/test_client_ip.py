"""The client's address behind reverse proxies: the lockout and the audit log must not see every user as the
proxy, nor trust what a client writes into X-Forwarded-For itself."""

import pytest
from django.test import RequestFactory

from cmm.views import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "", "10.0.0.9"),
        (0, "203.0.113.5", "10.0.0.9"),  # no proxy configured: the header is the client's own claim
        (1, "203.0.113.5", "203.0.113.5"),  # nginx appended the client's address
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client forged an entry in front of it
        (2, "6.6.6.6, 203.0.113.5, 172.18.0.4", "203.0.113.5"),  # a TLS proxy, then nginx
        (2, "203.0.113.5", "203.0.113.5"),  # fewer entries than proxies: the leftmost
        (1, "", "10.0.0.9"),  # no header at all
    ],
)
def test_the_client_is_the_entry_the_trusted_proxies_appended(settings, proxies, forwarded, expected):
    settings.PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": "10.0.0.9"}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_the_lockout_uses_the_same_address(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "cmm.views.client_ip"
