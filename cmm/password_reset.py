"""Password-reset requests: limited per client address and per account, and the same work for every address.

The request never looks the address up. It counts itself (per client address and per submitted address) and
queues one task with the address, whatever it is; the worker finds the accounts, makes the links and puts the
e-mails in the outbox (cmm.services.email_queue). So a known and an unknown address cost the request the same
queries (none), the same cache calls and one queued task, and the answer is the same neutral page: neither its
content nor its time tells whether the address belongs to an account.

The limits (PASSWORD_RESET_LIMIT_PER_ADDRESS / _PER_ACCOUNT requests per PASSWORD_RESET_LIMIT_MINUTES):
- per client address (`cmm.views.client_ip`, as the login lockout counts it): past it the request is refused
  with 429 and "too many requests, try again later". That tells the sender only about their own requests.
- per account, counted on the submitted address whether or not an account has it: past it nothing more is
  sent, and the answer is the same neutral page as always. The counter says nothing about the account
  either way (an unknown address is limited alike), but a neutral answer gives a mail-bomber no signal at
  all, and the owner already has the links sent within the window.

The counters live in the Django cache: Redis in a deployment (REDIS_URL), shared by every web replica, with
atomic INCR; without REDIS_URL (development, one process) the local-memory cache. The cache fails soft
(cmm.cache): while Redis is down the limits are lifted rather than every reset refused or failed with a 500.
That is the right way round here: a reset link goes only to the account's own address, is single-use and
expires, and the login lockout (in the database) keeps working. The database was not used because the
counters are short-lived and hot, and a table written by anonymous requests is a way to fill the database.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from enum import StrEnum

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

CACHE_PREFIX = "password-reset"


class ResetOutcome(StrEnum):
    QUEUED = "queued"
    ACCOUNT_LIMITED = "account_limited"  # answered like QUEUED
    ADDRESS_LIMITED = "address_limited"  # answered with 429


def _address_key(email: str) -> str:
    # Counted under a hash: the cache holds no e-mail address. Normalised as Django's reset form compares.
    normalised = unicodedata.normalize("NFKC", email).casefold()
    return f"{CACHE_PREFIX}:account:{hashlib.sha256(normalised.encode()).hexdigest()}"


def _count(key: str) -> int:
    """Count one more request under `key` in this window and return the count (0 if the cache is down)."""
    window = settings.PASSWORD_RESET_LIMIT_MINUTES * 60
    cache.add(key, 0, timeout=window)  # starts the window; a no-op while it runs
    try:
        return cache.incr(key)
    except ValueError:  # the key expired just now, or the cache is unavailable: not counted
        return 0


def password_reset_request(*, email: str, ip_address: str | None) -> ResetOutcome:
    """Count a reset request against the client address's and the account's limits and, within both, queue
    the sending of the reset e-mail (sent only if an active account has the address). The work done here is
    the same for every address, known or not."""
    if _count(f"{CACHE_PREFIX}:ip:{ip_address or 'unknown'}") > settings.PASSWORD_RESET_LIMIT_PER_ADDRESS:
        logger.warning("Password-reset requests over the limit from one client address")
        return ResetOutcome.ADDRESS_LIMITED
    if _count(_address_key(email)) > settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT:
        return ResetOutcome.ACCOUNT_LIMITED
    transaction.on_commit(lambda: _enqueue(email))
    return ResetOutcome.QUEUED


def _enqueue(email: str) -> None:
    from cmm.tasks import password_reset_send_task  # the task module imports this one

    try:
        password_reset_send_task.apply_async(kwargs={"email": email}, retry=False)
    except Exception:
        # The broker is down (the publish gave up after its timeout, the same wait for every address): do the
        # sending here instead, so the request is not lost; the e-mail waits in the outbox for the sweep.
        logger.warning("Broker unavailable; password-reset e-mail prepared in the request", exc_info=True)
        password_reset_send(email=email)


def password_reset_send(*, email: str) -> None:
    """Put a reset e-mail in the outbox for every active account with this address (Django's reset form
    decides which, and makes the single-use link). Links point at SITE_URL, never at the Host header of
    the request."""
    from cmm.forms import OutboxPasswordResetForm

    scheme, _sep, domain = settings.SITE_URL.partition("://")
    form = OutboxPasswordResetForm(data={"email": email})
    if form.is_valid():
        with transaction.atomic():
            form.save(domain_override=domain, use_https=scheme == "https")
