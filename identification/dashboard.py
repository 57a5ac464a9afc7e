"""The identification panel of the overview: decisions waiting and open tasks of the user's organisation."""

from django.utils import timezone

from identification.selectors import task_list_for_user, work_queue_for_user

PANEL_ROWS = 10


def identification_panel(request) -> dict | None:
    tasks = list(task_list_for_user(user=request.user)[:PANEL_ROWS])
    waiting = work_queue_for_user(user=request.user).count()
    if not tasks and not waiting:
        return None
    return {
        "template": "identification/_dashboard_panel.html",
        "tasks": tasks,
        "waiting": waiting,
        "today": timezone.localdate(),
    }
