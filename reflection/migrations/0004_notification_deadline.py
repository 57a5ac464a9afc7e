"""A period's reminder names the deadline it was about, which becomes part of its key (one reminder per
period, deadline, milestone and recipient), and points to its e-mail in the outbox, so that the e-mails
still waiting about a deadline that moved can be dropped.

The reminders already sent get the deadline they were about: the scan wrote `days_left` as the deadline less
the day it ran, so the deadline is the reminder's day (in the app's time zone) plus `days_left`. A deadline
that moved since keeps its reminders apart from the new one's."""

import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncDate


def name_the_deadlines(apps, schema_editor):
    import datetime

    Notification = apps.get_model("reflection", "Notification")
    reminders = Notification.objects.using(schema_editor.connection.alias).filter(period__isnull=False)
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    # One UPDATE per day the scan ran and number of days left (a few per day), not one per reminder.
    pairs = (
        reminders.annotate(day=TruncDate("created_at", tzinfo=zone))
        .values_list("day", "days_left")
        .distinct()
        .order_by()
    )
    for day, left in list(pairs):
        reminders.filter(created_at__date=day, days_left=left).update(
            deadline=day + datetime.timedelta(days=left)
        )


class Migration(migrations.Migration):

    dependencies = [
        ("cmm", "0001_initial"),
        ("reflection", "0003_notification_group_action_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="deadline",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="outbound_email",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cmm.outboundemail",
            ),
        ),
        migrations.RunPython(name_the_deadlines, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="notification",
            name="one_reminder_per_milestone",
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("period", "deadline", "milestone", "recipient"), name="one_reminder_per_deadline_milestone"
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=models.Q(("period__isnull", True), ("deadline__isnull", False), _connector="OR"),
                name="period_reminder_names_its_deadline",
            ),
        ),
    ]
