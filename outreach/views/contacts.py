"""Placeholder until the pages are written in this session."""

from django.views import View


class ContactListView(View):
    pass


class ContactCreateView(View):
    pass


class ContactExportView(View):
    pass


class ContactUpdateView(View):
    pass


class ContactLinkView(View):
    pass
