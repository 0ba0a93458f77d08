from django.http import HttpRequest

from community.selectors_alerts import header_counts


def notifications(request: HttpRequest) -> dict:
    """The unread count for the bell in the navigation (one query per page, shared with the
    navigation's open alert count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": header_counts(user=user)[0]}
