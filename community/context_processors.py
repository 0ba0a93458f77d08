from django.http import HttpRequest

from community.selectors import notifications_unread_count


def notifications(request: HttpRequest) -> dict:
    """The unread count for the bell in the navigation (one query per page)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": notifications_unread_count(user=user)}
