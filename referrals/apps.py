from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_referral_groups(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    # The standard groups are reference data: recreate them after a migrate or a flush (a test database
    # emptied by a transactional test, a restore), as Django recreates permissions.
    if using != DEFAULT_DB_ALIAS:
        return
    from referrals.services.groups import referral_groups_ensure

    referral_groups_ensure()


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    verbose_name = _("Referrals and returns")

    def ready(self):
        post_migrate.connect(_ensure_referral_groups, sender=self, dispatch_uid="referrals-groups-ensure")
