from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _end_reminders(sender, *, user, organisation, by=None, **kwargs):
    # Someone who left an organisation is not reminded of its work any more (cmm.signals).
    from reflection.services import reminders_end_for_leaver

    reminders_end_for_leaver(user=user, organisation=organisation, by=by)


class ReflectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reflection"
    verbose_name = _("Reflection periods")

    def ready(self):
        from cmm.signals import membership_ended

        membership_ended.connect(_end_reminders, dispatch_uid="reflection-end-reminders")
