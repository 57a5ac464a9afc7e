"""The deadlines panel of the overview page: the user's own running periods, nearest deadline first."""

from django.utils import timezone

from reflection.selectors import running_periods_for_user

PANEL_ROWS = 8


def deadlines_panel(request) -> dict | None:
    periods = list(running_periods_for_user(user=request.user, mine=True)[:PANEL_ROWS])
    if not periods:
        return None
    return {"template": "reflection/_dashboard_panel.html", "periods": periods, "today": timezone.localdate()}
