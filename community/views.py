from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from community import selectors, services
from community.access import access_garden, access_notification, visible_gardens


@login_required
def garden_list(request: HttpRequest) -> HttpResponse:
    return render(request, "community/garden_list.html", {"gardens": visible_gardens(request.user)})


@login_required
def garden_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request, "community/garden_detail.html", {"garden": access_garden(request.user, slug)}
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "community/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (the user's own only)."""
    notification = access_notification(request.user, pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.url or "community:notification-list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{pluralize(count)} marked as read.")
    return redirect("community:notification-list")
