from django.apps import AppConfig


class PermappConfig(AppConfig):
    """A test-only app with one organisation-owned model, for testing cmm.permissions on its own."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "tests.permapp"
    label = "permapp"
