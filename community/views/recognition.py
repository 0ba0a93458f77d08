"""People's profiles: what a person contributed and the badges they earned."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from community.access.recognition import access_profile
from community.selectors.recognition import person_profile


@login_required
@require_safe
def profile(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's contributions and badges: for their own account's people and internal users
    (everyone else: 404)."""
    person = access_profile(request.user, pk)
    summary = person_profile(viewer=request.user, person=person)
    return render(
        request,
        "community/profile.html",
        {"profile": summary, "person": person},
    )


@login_required
@require_safe
def my_profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own profile (badge notifications link here)."""
    return redirect("community:person-profile", pk=request.user.pk)
