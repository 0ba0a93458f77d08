"""The demo's "sent emails" page (/demo/emails/): the mailbox of the emails the demo sent
(demo/mail.py), each signed-in person's own, every one for programme admins (demo/access.py).
An email's HTML is shown in a sandboxed frame (no scripts, no forms, links open in a new tab),
under the site's own Content-Security-Policy, which the frame's document inherits."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from config.pagination import list_query
from demo import access

EMAILS_PER_PAGE = 50
# Put before an email's HTML in the frame: its links open outside the frame, in a new tab.
_FRAME_HEAD = '<!doctype html><meta charset="utf-8"><base target="_blank">'


def _demo_only(view):
    """404 unless DEMO_EMAILS is on (after the login: every route asks a visitor to log in
    first; production has no such route at all)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        access.require_demo_emails()
        return view(request, *args, **kwargs)

    return wrapped


@login_required
@_demo_only
@require_GET
def sent_emails(request: HttpRequest) -> HttpResponse:
    emails = access.visible_sent_emails(request.user)
    page = Paginator(emails, EMAILS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "emails": page.object_list,
        "everyone": access.reads_every_sent_email(request.user),
        "query": list_query(request).urlencode(),
    }
    return render(request, "demo/sent_emails.html", context)


@login_required
@_demo_only
@require_GET
def sent_email(request: HttpRequest, pk: int) -> HttpResponse:
    email = access.access_sent_email(request.user, pk)
    frame = _FRAME_HEAD + email.html if email.html else ""
    return render(request, "demo/sent_email.html", {"email": email, "frame": frame})
