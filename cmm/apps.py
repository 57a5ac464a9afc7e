from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from cmm.roles import roles_sync

    roles_sync()


def _audit_failed_login(sender, credentials, request=None, **kwargs):
    # Only the address: what was typed as a username may be a mistyped password or someone else's name.
    from cmm.models import AuditAction
    from cmm.services import audit_record
    from cmm.views import client_ip

    ip_address = client_ip(request) if request is not None else None
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED, ip_address=ip_address)


class CmmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cmm"
    verbose_name = _("Platform")

    def ready(self):
        # After each app migrates, the role groups get the permissions cmm.roles lists (new apps add some).
        post_migrate.connect(_sync_roles, dispatch_uid="cmm-roles-sync")
        user_login_failed.connect(_audit_failed_login, dispatch_uid="cmm-audit-failed-login")
        # The login time (absolute session lifetime) and the user's list of sessions (cmm.security).
        from cmm.security import on_user_logged_in, on_user_logged_out

        user_logged_in.connect(on_user_logged_in, dispatch_uid="cmm-session-started")
        user_logged_out.connect(on_user_logged_out, dispatch_uid="cmm-session-ended")
        # `manage.py check` (and every command's start) says when the Immigration Service or CMM is not
        # designated: the check registers itself on import.
        from cmm import checks  # noqa: F401
