from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from cmm.roles import roles_sync

    roles_sync()


class CmmConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cmm"
    verbose_name = _("Platform")

    def ready(self):
        # After each app migrates, the role groups get the permissions cmm.roles lists (new apps add some).
        post_migrate.connect(_sync_roles, dispatch_uid="cmm-roles-sync")
