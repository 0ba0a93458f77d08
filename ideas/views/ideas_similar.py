"""While a customer writes a new idea: the ideas like it, offered to support instead
(ideas.selectors.similar). The idea form asks for this fragment as the title and the job are
typed (htmx); opened as a page, it is a page of the frame holding the same list."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from config.fragments import fragment_response
from ideas.selectors.similar import similar_ideas

# The most of what is typed that is compared (a title and the start of the job).
TYPED_LIMIT = 500


@login_required
@require_GET
def idea_similar(request: HttpRequest) -> HttpResponse:
    typed = " ".join(
        request.GET.get(field, "")[:TYPED_LIMIT] for field in ("title", "job_to_be_done")
    )
    ideas = similar_ideas(user=request.user, text=typed)
    return fragment_response(
        request,
        "ideas/_similar_ideas.html",
        {"ideas": ideas, "typed": typed.strip()},
        title="Ideas like yours",
        parent_url=reverse("ideas:idea-create"),
        parent_label="Propose an idea",
    )
