from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _leave_case_teams(sender, *, user, organisation, by=None, **kwargs):
    # Someone who left an organisation is taken off its case teams and contact-person roles (cmm.signals).
    from cases.services import team_member_leave_organisation

    team_member_leave_organisation(user=user, organisation=organisation, by=by)


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from cmm.signals import membership_ended

        membership_ended.connect(_leave_case_teams, dispatch_uid="cases-leave-case-teams")
