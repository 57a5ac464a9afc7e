from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _appoint_contact_person(sender, *, case, by=None, **kwargs):
    # A case whose contact person left its organisation gets a task to appoint a new one (cases.signals).
    from identification.services import contact_person_task_open

    contact_person_task_open(case=case, by=by)


def _end_task_reminders(sender, *, user, organisation, by=None, **kwargs):
    # Someone who left an organisation is not reminded of its overdue tasks any more (cmm.signals).
    from identification.services import task_reminders_end_for_leaver

    task_reminders_end_for_leaver(user=user, organisation=organisation, by=by)


def _follow_designations(sender, *, by=None, **kwargs):
    # A moved designation takes the presentations waiting for a decision with it (cmm.signals).
    from identification.services import presentations_follow_designations

    presentations_follow_designations(by=by)


class IdentificationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "identification"
    verbose_name = _("Identification")

    def ready(self):
        from cases.signals import contact_person_left
        from cmm.signals import designation_moved, membership_ended

        contact_person_left.connect(_appoint_contact_person, dispatch_uid="identification-appoint-contact")
        membership_ended.connect(_end_task_reminders, dispatch_uid="identification-end-task-reminders")
        designation_moved.connect(_follow_designations, dispatch_uid="identification-follow-designations")
