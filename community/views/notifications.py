"""Notifications: a person's own list (filters, pages, CSV), marking read, how each kind reaches
them (preferences), and the unsubscribe link of the emails (no login needed)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from community.access.notifications import access_notification
from community.models.notifications import KINDS, kind_label
from community.selectors import notifications as notification_selectors
from community.services.notifications import (
    notification_preferences_set,
    notifications_mark_read,
    notifications_unsubscribe,
    unsubscribe_read,
)
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.pagination import list_query

NOTIFICATIONS_PAGE_SIZE = 30


class NotificationFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, label="Kind")
    state = forms.ChoiceField(
        required=False,
        label="Show",
        choices=[("", "All"), ("unread", "Unread only"), ("read", "Read only")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every kind")] + [
            (kind.key, kind.label) for kind in KINDS.values()
        ]


@login_required
@require_safe
def notification_list(request: HttpRequest) -> HttpResponse:
    """The person's own notifications, newest first: by kind, unread or read; CSV export."""
    form = NotificationFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    state = filters.get("state", "")
    listed = notification_selectors.notification_list(
        user=request.user,
        kind=filters.get("kind", ""),
        unread={"unread": True, "read": False}.get(state),
    )
    if valid and request.GET.get("export") == "csv":
        return _notifications_csv(listed)
    query = list_query(request)
    context = {
        "form": form,
        "page": Paginator(listed, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "filtered": bool(filters.get("kind") or state),
    }
    return render(
        request, "community/notification_list.html", context, status=200 if valid else 400
    )


def _notifications_csv(listed) -> StreamingHttpResponse:
    header = ["created_at", "kind", "kind_label", "title", "body", "url", "read_at", "emailed_at"]
    rows = (
        [
            n.created_at.isoformat(),
            n.kind,
            kind_label(n.kind),
            n.shown_title,
            n.shown_body,
            n.url,
            n.read_at.isoformat() if n.read_at else "",
            n.emailed_at.isoformat() if n.emailed_at else "",
        ]
        for n in listed.iterator(chunk_size=2000)
    )
    return csv_response(filename="notifications.csv", header=header, rows=rows)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (the user's own only)."""
    notification = access_notification(request.user, pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.url or "community:notification-list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{pluralize(count)} marked as read.")
    return redirect("community:notification-list")


# --- Preferences -------------------------------------------------------------------------------


class NotificationPreferencesForm(forms.Form):
    """One choice per kind, named after the kind."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.kind] = forms.ChoiceField(
                label=row.label,
                choices=row.delivery_choices,
                initial=row.delivery,
                help_text=row.description,
            )

    def grouped(self):
        """(group, [bound fields]) in the registry's order."""
        groups: dict[str, list] = {}
        for row in self.rows:
            groups.setdefault(row.group, []).append(self[row.kind])
        return list(groups.items())


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """How each kind of notification reaches the person by email (every user has one)."""
    rows = notification_selectors.notification_preferences_for(user=request.user)
    form = NotificationPreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            changed = notification_preferences_set(user=request.user, preferences=form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, f"Saved: {changed} kind{pluralize(changed)} of notification changed."
            )
            return redirect("community:notification-preferences")
    return render(
        request,
        "community/notification_preferences.html",
        {"form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Unsubscribe (public: the signed token is the key) --------------------------------------


@csrf_exempt  # mail clients post RFC 8058 one-click unsubscribes without a CSRF token
@require_http_methods(["GET", "HEAD", "POST"])
def notification_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: say which emails the link stops and ask to confirm; POST: stop them. Works logged
    out. A token we did not sign (or for nobody active) changes nothing: 400."""
    found = unsubscribe_read(token)
    if found is None:
        return render(request, "community/notification_unsubscribe.html", {"bad": True}, status=400)
    user, kinds = found
    labels = [kind_label(kind) for kind in kinds]
    done = False
    if request.method == "POST":
        notifications_unsubscribe(user=user, kinds=kinds)
        done = True
    return render(
        request,
        "community/notification_unsubscribe.html",
        {"labels": labels, "done": done},
    )
