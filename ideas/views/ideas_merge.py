"""Merging a duplicate idea into its original, from the idea page: a search picker finds the
original among the ideas the moderator sees (typing asks `idea_merge_targets` with htmx; the
matches come back as radio buttons inside the form, so picking one fills the target). Without
scripts the form's Search button lists the same matches, and a typed number ("42", "#42")
merges into that idea directly."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST

from config.forms import form_add_service_errors
from config.fragments import fragment_response
from ideas import access
from ideas.models import Idea
from ideas.selectors import ideas as selectors
from ideas.services import ideas as services
from ideas.views.ideas import idea_page_response
from ideas.views.ideas_merge_forms import MergeForm, merge_picker


@login_required
@require_GET
def idea_merge_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """The ideas matching `?q=` that the duplicate `pk` could be merged into (moderators)."""
    duplicate = access.access_idea(request.user, pk, for_moderation=True)
    return fragment_response(
        request,
        "ideas/_merge_targets.html",
        {
            "idea": duplicate,
            **merge_picker(request.user, duplicate, query=request.GET.get("q", "")),
        },
        title=f"Ideas to merge “{duplicate.title}” into",
        parent_url=duplicate.get_absolute_url(),
        parent_label=duplicate.title,
    )


def _target_number(form: MergeForm) -> int | None:
    """The idea picked (a radio button), else a number typed in the search field."""
    return selectors.idea_number(form.cleaned_data["into"]) or selectors.idea_number(
        form.cleaned_data["q"]
    )


def _no_target_error(query: str) -> str:
    if query:
        return f"Pick the original among the ideas that match “{query}”."
    return "Search for the original idea by its title or number, then pick it."


@login_required
@require_POST
def idea_merge(request: HttpRequest, pk: int) -> HttpResponse:
    duplicate = access.access_idea(request.user, pk, for_moderation=True)
    query = request.POST.get("q", "")
    if request.POST.get("action") == "search":  # the Search button, without scripts
        form = MergeForm(initial={"q": query, "reason": request.POST.get("reason", "")})
        picker = merge_picker(request.user, duplicate, query=query)
        return idea_page_response(request, duplicate, merge_form=form, merge=picker)
    form = MergeForm(request.POST)
    if form.is_valid():
        number = _target_number(form)
        if number is None:
            form.add_error("into", _no_target_error(form.cleaned_data["q"]))
        else:
            original = _merged_into(request, form, duplicate, number)
            if original is not None:
                messages.success(request, f"Merged into “{original.title}”.")
                return redirect(original)
    picker = merge_picker(request.user, duplicate, query=query, chosen=request.POST.get("into", ""))
    return idea_page_response(request, duplicate, merge_form=form, merge=picker, status=400)


def _merged_into(
    request: HttpRequest, form: MergeForm, duplicate: Idea, number: int
) -> Idea | None:
    """Merge into the idea `number` the moderator sees: the original, or None with the form's
    errors saying why not (no such idea, itself, a merged one …: the service's words)."""
    try:
        original = access.access_idea(request.user, number)
    except Http404:
        form.add_error("into", f"There is no idea number {number}.")
        return None
    try:
        services.idea_merge(
            duplicate=duplicate,
            original=original,
            actor=request.user,
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        form_add_service_errors(form, error)
        return None
    return original
