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


def _end_referred_details(sender, *, user, organisation, by=None, **kwargs):
    # What someone was given personally as the one who accepted a referral for an organisation ends when they
    # leave it (cmm.signals).
    from referrals.services.referrals import referral_details_end_for_leaver

    referral_details_end_for_leaver(user=user, organisation=organisation, by=by)


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "referrals"
    verbose_name = _("Referrals and returns")

    def ready(self):
        post_migrate.connect(_ensure_referral_groups, sender=self, dispatch_uid="referrals-groups-ensure")
        from cmm.signals import membership_ended

        membership_ended.connect(_end_referred_details, dispatch_uid="referrals-end-referred-details")
