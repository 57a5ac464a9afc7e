"""The reports app keeps no data of its own: its one model exists only to carry the statistics permissions
that roles grant (cmm.roles)."""

from django.db import models


class Statistics(models.Model):
    """No table: a holder for the model permissions to see statistics."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_statistics", "Can view statistics of its own organisation"),
            ("view_national_statistics", "Can view statistics of all organisations and of any one"),
        ]

    def __str__(self) -> str:
        return "statistics"
