"""Placeholder until the pages are written in this session."""

from django.views import View


class ServiceCreateView(View):
    pass


class StayCreateView(View):
    pass


class StayUpdateView(View):
    pass


class MinorView(View):
    pass


class ActionPlanView(View):
    pass


class ActivityCreateView(View):
    pass


class ActivityUpdateView(View):
    pass


class ClientCodeView(View):
    pass
