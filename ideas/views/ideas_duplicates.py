"""The product managers' queue of likely duplicate ideas (ideas.selectors.similar): each pair
with a link to the newer idea's merge form, where its original is picked by number."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ideas.selectors.similar import likely_duplicates


@login_required
@require_GET
def idea_duplicates(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("ideas.moderate_idea"):
        raise PermissionDenied("Only product managers and programme admins merge ideas.")
    return render(
        request, "ideas/idea_duplicates.html", {"pairs": likely_duplicates(user=request.user)}
    )
