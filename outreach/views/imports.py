"""Placeholder until the pages are written in this session."""

from django.views import View


class ActivityImportView(View):
    pass
