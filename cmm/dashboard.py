"""Panels of the overview page. Each app offers a function (request) -> dict | None: a template name and its
context, or None when the panel has nothing for this user. Settings list them (DASHBOARD_PANELS)."""

from django.conf import settings
from django.utils.module_loading import import_string


def dashboard_panels(request) -> list[dict]:
    panels = []
    for dotted in settings.DASHBOARD_PANELS:
        panel = import_string(dotted)(request)
        if panel:
            panels.append(panel)
    return panels
