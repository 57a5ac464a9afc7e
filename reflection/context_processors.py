from reflection.selectors import unread_notification_count


def notifications(request):
    """The number of unread reminders, for the top bar (one cheap COUNT query per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": unread_notification_count(user=user)}
