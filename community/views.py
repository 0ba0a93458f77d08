from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from community.access import access_garden, visible_gardens


@login_required
def garden_list(request: HttpRequest) -> HttpResponse:
    return render(request, "community/garden_list.html", {"gardens": visible_gardens(request.user)})


@login_required
def garden_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request, "community/garden_detail.html", {"garden": access_garden(request.user, slug)}
    )
