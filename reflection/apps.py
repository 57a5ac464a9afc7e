from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReflectionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reflection"
    verbose_name = _("Reflection periods")
