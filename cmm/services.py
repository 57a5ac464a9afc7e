"""Every write of the platform: organisations, memberships, audit events, the e-mail outbox."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from cmm.audit.context import current_audit_context
from cmm.bulk import insert_rows
from cmm.models import (
    AuditAction,
    AuditEvent,
    Designation,
    EmailStatus,
    Membership,
    Organisation,
    OutboundEmail,
    User,
)
from cmm.security import sessions_end_for_user
from cmm.signals import MEMBERSHIP_ENDED, USER_DEACTIVATED, designation_moved, membership_ended

logger = logging.getLogger(__name__)


# --- Audit --------------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    organisation: Organisation | None = None,
    target: Model | None = None,
    target_label: str = "",
    detail: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the work it records.

    `detail` and `target_label` must not carry identifying values: name the fields shown, not their content.
    Within a request the client address defaults to the request's (cmm.audit.context).
    """
    if actor is not None and not actor.is_authenticated:
        actor = None
    context = current_audit_context()
    if ip_address is None and context is not None:
        ip_address = context.ip_address
    event = AuditEvent.objects.create(
        actor=actor,
        organisation=organisation,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=(target_label or (str(target) if target is not None else ""))[:200],
        detail=detail or {},
        ip_address=ip_address,
    )
    if context is not None and action == AuditAction.ACCESS_REFUSED:
        context.refused.add((event.target_type_id, event.target_id))
    return event


# --- Organisations and memberships --------------------------------------------------------------------


@transaction.atomic
def organisation_create(
    *, name: str, kind: str, case_prefix: str, region: str, by: User | None = None, designation: str = ""
):
    """Create an organisation together with the group that will hold its object permissions.

    `designation` (the Immigration Service, CMM) is for platform admins only (organisation_designate)."""
    organisation = Organisation(name=name, kind=kind, case_prefix=case_prefix, region=region)
    organisation.group = Group.objects.create(name=f"org:{case_prefix}")
    organisation.full_clean()
    organisation.save()
    audit_record(
        actor=by, action=AuditAction.ORGANISATION_CREATED, organisation=organisation, target=organisation
    )
    if designation:
        organisation = organisation_designate(organisation=organisation, designation=designation, by=by)
    return organisation


@transaction.atomic
def organisation_designate(
    *, organisation: Organisation, designation: str, by: User | None = None
) -> Organisation:
    """Make `organisation` the one designated as `designation` (the Immigration Service, CMM), taking the
    designation from the organisation that had it; an empty `designation` takes the organisation's away.

    Only a platform admin does this: the Django admin (superusers) and `manage.py designate_organisation`
    call it, no organisation admin's page or API. Presentations still waiting for a decision follow the
    designation to the organisation that decides now (identification.services).
    """
    if designation and designation not in Designation.values:
        raise ValidationError({"designation": f"Unknown designation {designation!r}."})
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    before = organisation.designation
    if designation:
        for other in (
            Organisation.objects.select_for_update()
            .filter(designation=designation)
            .exclude(pk=organisation.pk)
        ):
            Organisation.objects.filter(pk=other.pk).update(designation="")
            _designation_audit(other, before=designation, after="", by=by)
    if before != designation:
        organisation.designation = designation
        organisation.full_clean()
        organisation.save(update_fields=["designation"])
        _designation_audit(organisation, before=before, after=designation, by=by)
    designation_moved.send(sender=Organisation, by=by)
    return organisation


def _designation_audit(organisation: Organisation, *, before: str, after: str, by: User | None) -> None:
    audit_record(
        actor=by,
        action=AuditAction.CHANGED,
        organisation=organisation,
        target=organisation,
        detail={"fields": ["designation"], "designation": [before, after]},
    )


@transaction.atomic
def membership_add(
    *, user: User, organisation: Organisation, role: str, by: User | None = None
) -> Membership:
    """Give `user` a role in `organisation`; re-adding an ended membership revives it with the new role."""
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created and (membership.role != role or not membership.is_active):
        membership.role, membership.is_active = role, True
        membership.full_clean()
        membership.save(update_fields=["role", "is_active"])
    elif created:
        membership.full_clean()
    audit_record(
        actor=by,
        action=AuditAction.MEMBERSHIP_ADDED,
        organisation=organisation,
        target=membership,
        target_label=user.username,
        detail={"role": role},
    )
    return membership


@transaction.atomic
def membership_change(*, membership: Membership, role: str, is_active: bool, by: User) -> Membership:
    """Change a member's role or end the membership (the user keeps memberships elsewhere). Ending it takes
    the user out of what came with it (membership_end)."""
    if membership.user_id == by.pk and not is_active:
        raise PermissionError("You cannot end your own membership.")
    changes = {}
    if membership.role != role:
        changes["role"] = [membership.role, role]
    if membership.is_active != is_active:
        changes["is_active"] = [membership.is_active, is_active]
    if not changes:
        return membership
    membership.role, membership.is_active = role, is_active
    membership.full_clean()
    membership.save(update_fields=["role", "is_active"])
    audit_record(
        actor=by,
        action=AuditAction.MEMBERSHIP_CHANGED if is_active else AuditAction.MEMBERSHIP_ENDED,
        organisation=membership.organisation,
        target=membership,
        target_label=membership.user.username,
        detail=changes,
    )
    if "is_active" in changes and not is_active:
        _membership_left(membership=membership, by=by, reason=MEMBERSHIP_ENDED)
    return membership


@transaction.atomic
def membership_end(*, membership: Membership, by: User | None) -> Membership:
    """End a membership, keeping its role: the user leaves the organisation and what came with it."""
    membership = (
        Membership.objects.select_for_update().select_related("user", "organisation").get(pk=membership.pk)
    )
    if not membership.is_active:
        return membership
    if by is not None and membership.user_id == by.pk:
        raise PermissionError("You cannot end your own membership.")
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        actor=by,
        action=AuditAction.MEMBERSHIP_ENDED,
        organisation=membership.organisation,
        target=membership,
        target_label=membership.user.username,
        detail={"is_active": [True, False]},
    )
    _membership_left(membership=membership, by=by, reason=MEMBERSHIP_ENDED)
    return membership


def _membership_left(*, membership: Membership, by: User | None, reason: str) -> None:
    # A session or an API token opened under the ended membership must not go on: the user logs in again.
    sessions_end_for_user(user=membership.user)
    # The domain apps take the user off the organisation's case teams, contact-person roles, grants and
    # reminders (cmm.signals: cmm knows none of them). Inside this transaction: all of it, or none.
    membership_ended.send(
        sender=Membership, user=membership.user, organisation=membership.organisation, by=by, reason=reason
    )


@transaction.atomic
def user_deactivate(*, user: User, by: User | None) -> User:
    """Deactivate a user account: they cannot log in, every session and API token of theirs ends, and they
    leave each organisation they were an active member of as if the membership had ended (the membership
    rows stay as they were, so an admin who reactivates the account sees where they worked)."""
    if by is not None and user.pk == by.pk:
        raise PermissionError("You cannot deactivate your own account.")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        return user
    # Read before the account goes inactive: Membership.objects.active() leaves out inactive users.
    memberships = list(Membership.objects.active().filter(user=user).select_related("organisation"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    sessions_end_for_user(user=user)
    for membership in memberships:
        audit_record(
            actor=by,
            action=AuditAction.MEMBERSHIP_ENDED,
            organisation=membership.organisation,
            target=membership,
            target_label=user.username,
            detail={"reason": USER_DEACTIVATED},
        )
        membership_ended.send(
            sender=Membership, user=user, organisation=membership.organisation, by=by, reason=USER_DEACTIVATED
        )
    return user


@transaction.atomic
def user_create_member(
    *,
    organisation: Organisation,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    role: str,
    by: User,
) -> Membership:
    """Create a user account as a member of `organisation` and e-mail them how to set their password.

    The account has no usable password until the person sets one through the link in the e-mail.
    """
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, language="da")
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = membership_add(user=user, organisation=organisation, role=role, by=by)
    if email:
        email_queue(
            to=email,
            subject="Adgang til CMM sagsstyring / Access to CMM case management",
            body=_welcome_body(organisation=organisation, username=username),
        )
    return membership


def _welcome_body(*, organisation: Organisation, username: str) -> str:
    url = f"{settings.SITE_URL}/accounts/password-reset/"
    return (
        f"Du har fået adgang til CMM sagsstyring for {organisation.name} med brugernavnet {username}.\n"
        f"Vælg en adgangskode her: {url}\n\n"
        f"You have been given access to CMM case management for {organisation.name} as {username}.\n"
        f"Choose a password here: {url}\n"
    )


# --- Account events -----------------------------------------------------------------------------------


@transaction.atomic
def password_changed_notify(*, user: User, ip_address: str | None = None) -> None:
    """Record a password change and tell the user by e-mail, so that a change they did not make is noticed."""
    audit_record(
        actor=user,
        action=AuditAction.PASSWORD_CHANGED,
        target=user,
        target_label=user.username,
        ip_address=ip_address,
    )
    if user.email:
        email_queue(
            to=user.email,
            subject="Din adgangskode er ændret / Your password was changed",
            body=(
                "Adgangskoden til din konto i CMM sagsstyring er netop blevet ændret. Hvis det ikke var dig, "
                "så kontakt straks din organisations administrator.\n\n"
                "The password of your CMM case management account was just changed. If this was not you, "
                "contact your organisation's administrator at once.\n\n"
                f"{settings.SITE_URL}/"
            ),
        )


# --- E-mail outbox ------------------------------------------------------------------------------------


def email_queue(*, to: str, subject: str, body: str) -> OutboundEmail:
    """Put an e-mail in the outbox and send it once the surrounding transaction commits.

    If the broker is down the row waits, and the outbox sweep (email_outbox_flush) sends it later.
    """
    from cmm.tasks import email_send_task  # the task module imports this one

    email = OutboundEmail(to=to, subject=subject, body=body)
    email.full_clean()
    email.save()
    transaction.on_commit(lambda: _enqueue_quietly(email_send_task, email_id=email.pk))
    return email


def email_queue_many(messages: list[dict]) -> list[int]:
    """email_queue for many e-mails at once (each a dict of to, subject and body): validated first (an
    invalid one raises ValidationError and nothing is written), inserted in one statement, and handed to
    the broker as one message once the surrounding transaction commits (email_send_many). Returns the new
    outbox rows' ids."""
    from cmm.tasks import email_send_many_task

    # What full_clean() would check, once per distinct value: a scan's thousands of reminders go to a few
    # hundred people with a handful of subjects.
    for name in ("to", "subject", "body"):
        field = OutboundEmail._meta.get_field(name)
        for value in {message[name] for message in messages}:
            field.clean(value, None)
    # One INSERT of plain values (cmm.bulk): bulk_create's per-row model instances cost more than the write.
    ids = insert_rows(
        OutboundEmail,
        ["to", "subject", "body"],
        [(message["to"], message["subject"], message["body"]) for message in messages],
        returning_pk=True,
    )
    if ids:
        transaction.on_commit(lambda: _enqueue_quietly(email_send_many_task, email_ids=ids))
    return ids


def _enqueue_quietly(task, *, countdown: int | None = None, **kwargs) -> None:
    # The row is already committed: if the broker is unreachable the sweep picks it up, and the request
    # that caused it must not fail because of it.
    try:
        task.apply_async(kwargs=kwargs, countdown=countdown, retry=False)
    except Exception:
        logger.warning("Broker unavailable; %s left for the outbox sweep", task.name, exc_info=True)


def email_cancel_pending(*, emails) -> int:
    """Take back the outbox e-mails of the queryset `emails` that no worker has taken yet; return how many.

    They are locked before they are deleted, so a worker claiming one at the same moment either sends it
    first (too late to stop) or finds it gone; its queued send task then has nothing to send. Call it inside
    the transaction of the change that makes them wrong."""
    waiting = list(
        emails.select_for_update()
        .filter(status=EmailStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if waiting:
        OutboundEmail.objects.filter(pk__in=waiting, status=EmailStatus.PENDING).delete()
    return len(waiting)


def email_send(*, email_id: int) -> bool:
    """Send one outbox e-mail if nobody else has; return whether this call sent it.

    The row is claimed with a conditional UPDATE first, so two workers running the same task cannot both
    send. A failure puts the row back as pending (to be retried) until EMAIL_MAX_ATTEMPTS, then failed.
    """
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(pk=email_id, status=EmailStatus.PENDING).update(
        status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        send_mail(email.subject, email.body, None, [email.to], fail_silently=False)
    except Exception as exc:
        give_up = email.attempts >= settings.EMAIL_MAX_ATTEMPTS
        OutboundEmail.objects.filter(pk=email_id, status=EmailStatus.SENDING).update(
            status=EmailStatus.FAILED if give_up else EmailStatus.PENDING,
            last_error=f"{type(exc).__name__}: {exc}"[:300],
        )
        raise
    OutboundEmail.objects.filter(pk=email_id, status=EmailStatus.SENDING).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def email_send_many(*, email_ids: list[int]) -> int:
    """Send the outbox e-mails of one batch, each as email_send does; return how many this call sent. One
    that fails (the mail server refused it) is handed to email_send_task, which retries it with backoff,
    and the rest of the batch goes on."""
    from cmm.tasks import email_send_task

    sent = 0
    for email_id in email_ids:
        try:
            sent += email_send(email_id=email_id)
        except Exception:
            logger.warning("E-mail %s failed; retried on its own", email_id, exc_info=True)
            _enqueue_quietly(email_send_task, email_id=email_id, countdown=30)
    return sent


def email_outbox_flush() -> int:
    """Queue again every e-mail still waiting, and release those claimed by a worker that died.

    Returns how many were queued. Safe to run at any time: email_send ignores rows already taken.
    """
    from cmm.tasks import email_send_task

    now = timezone.now()
    stale = OutboundEmail.objects.filter(
        status=EmailStatus.SENDING, claimed_at__lt=now - settings.EMAIL_OUTBOX_STALE_AFTER
    )
    # An e-mail whose every send took its worker down would otherwise come back forever: after
    # EMAIL_MAX_ATTEMPTS claims it is failed, as one the mail server refused that often.
    lost = stale.filter(attempts__gte=settings.EMAIL_MAX_ATTEMPTS).update(
        status=EmailStatus.FAILED, last_error="The worker sending it stopped every time."
    )
    if lost:
        logger.error("%s outbox e-mail(s) failed: their worker stopped while sending them", lost)
    stale.update(status=EmailStatus.PENDING)
    waiting = list(
        OutboundEmail.objects.filter(
            Q(status=EmailStatus.PENDING), created_at__lt=now - timedelta(seconds=30)
        ).values_list("pk", flat=True)[:1000]
    )
    for email_id in waiting:
        _enqueue_quietly(email_send_task, email_id=email_id)
    return len(waiting)


def user_language_set(*, user: User, language: str) -> None:
    """Remember the language the user chose, for their next login."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
