"""Pages of ideas: the list (with CSV), proposing, the idea page and its actions (vote, follow,
comment, move), the pipeline board, and a garden's ideas as an htmx fragment. Merging, with
its search picker, is ideas/views/ideas_merge.py.

The forms live here beside the only views that use them (the merge form: ideas_merge_forms.py).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from accounts.access import is_internal, sees_all_accounts
from accounts.people import person_name
from community.access.gardens import (
    access_garden_content,
    content_garden_choices,
    content_gardens,
)
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.fragments import fragment_response
from config.pagination import list_query
from config.single_line import validate_single_line
from ideas import access, workflow
from ideas.models import Idea, IdeaStatus
from ideas.selectors import ideas as selectors
from ideas.selectors import ideas_page
from ideas.services import ideas as services
from ideas.views.ideas_merge_forms import MergeForm, merge_picker

PAGE_SIZE = 25

# --- Forms -------------------------------------------------------------------------------------


def _garden_field(user, *, required: bool) -> forms.ModelChoiceField:
    """A garden of `content_gardens(user)`, by its slug. Its choices are read as plain values
    (`content_garden_choices`, kept SQL) instead of Garden instances read on each drawing; a
    chosen slug is still checked against the queryset."""
    field = forms.ModelChoiceField(
        queryset=content_gardens(user),
        to_field_name="slug",
        required=required,
        empty_label="All gardens" if not required else "Choose a garden",
    )
    field.choices = [("", field.empty_label), *content_garden_choices(user)]
    return field


class IdeaFilterForm(forms.Form):
    q = forms.CharField(
        label="Search", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(choices=[("", "Any status"), *IdeaStatus.choices], required=False)
    sort = forms.ChoiceField(
        choices=[
            ("newest", "Newest"),
            ("people", "Most people"),
            ("accounts", "Most accounts"),
        ],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"garden": _garden_field(user, required=False), **self.fields}
        self.fields["garden"].label = "Garden"


class BoardFilterForm(forms.Form):
    sort = forms.ChoiceField(
        label="Sort by support",
        choices=[
            ("people", "People"),
            ("accounts", "Accounts"),
            ("value", "Accounts weighted by contract value"),
        ],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"garden": _garden_field(user, required=False), **self.fields}
        self.fields["garden"].label = "Garden"


class IdeaForm(forms.Form):
    title = forms.CharField(max_length=200, validators=[validate_single_line])
    job_to_be_done = forms.CharField(
        label="Job to be done",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What should it do for the customer? “When …, I want to …, so that …”",
    )
    proposal = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Optional: up to {services.MAX_LINKS} web addresses, one per line.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"garden": _garden_field(user, required=True), **self.fields}
        self.fields["garden"].label = "Garden"

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=services.MAX_COMMENT_LENGTH,
        help_text="Plain text. Everyone who can see this garden can read it.",
    )


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label="Move to", choices=IdeaStatus.choices)
    reason = forms.CharField(
        label="Why", widget=forms.Textarea(attrs={"rows": 2}), help_text="Followers read this."
    )

    def __init__(self, *args, moves: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = moves


def _shows_accounts(user) -> bool:
    """Account names next to people are for those who see every account (never customers:
    asking a customer's permissions would cost two queries for nothing)."""
    return is_internal(user) and sees_all_accounts(user)


# --- Lists -------------------------------------------------------------------------------------


@login_required
@require_GET
def idea_list(request: HttpRequest) -> HttpResponse:
    """Every idea the user may see, or one garden's; filtered, paged, exportable."""
    form = IdeaFilterForm(request.GET, user=request.user)
    form.is_valid()
    filters = form.cleaned_data  # the valid filters; an invalid one shows its error
    chosen = {
        "garden": filters.get("garden"),
        "status": filters.get("status", ""),
        "q": filters.get("q", ""),
        "sort": filters.get("sort") or "newest",
    }
    show_accounts = _shows_accounts(request.user)
    if request.GET.get("export") == "csv":
        ideas = selectors.idea_list(ideas=access.visible_ideas(request.user), **chosen)
        return _ideas_csv(request, ideas.only(*selectors.ROW_FIELDS), show_accounts=show_accounts)
    page = selectors.idea_list_page(
        user=request.user, number=request.GET.get("page"), per_page=PAGE_SIZE, **chosen
    )
    query = list_query(request)
    rows_only = request.htmx and not request.htmx.history_restore_request
    template = "ideas/idea_list_rows.html" if rows_only else "ideas/idea_list.html"
    response = render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "show_accounts": show_accounts,
            "garden": filters.get("garden"),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _ideas_csv(request: HttpRequest, ideas, *, show_accounts: bool) -> StreamingHttpResponse:
    header = ["id", "garden", "title", "status", "author"]
    if show_accounts:
        header.append("author_account")
    header += ["supporters", "supporting_accounts", "created_at", "url"]

    def row(idea: Idea) -> list:
        cells = [
            idea.pk,
            idea.garden.name,
            idea.title,
            idea.status,
            person_name(
                viewer=request.user,
                person=idea.author,
                person_account_id=idea.author_account_id,
                person_account=idea.author_account,
                garden=idea.garden,
            ),
        ]
        if show_accounts:
            cells.append(idea.author_account.name if idea.author_account else "")
        return [
            *cells,
            idea.supporters,
            idea.supporting_accounts,
            idea.created_at.date().isoformat(),
            request.build_absolute_uri(idea.get_absolute_url()),
        ]

    return csv_response(
        filename="ideas.csv",
        header=header,
        rows=(row(idea) for idea in ideas.iterator(chunk_size=2000)),
    )


@login_required
@require_GET
def garden_ideas(request: HttpRequest, slug: str) -> HttpResponse:
    """A garden's ideas by status with their support: the fragment the garden page loads."""
    garden = access_garden_content(request.user, slug)
    status = request.GET.get("status", "")
    if status not in IdeaStatus.values:
        status = ""
    limit = 100
    ideas = selectors.garden_ideas(
        ideas=access.visible_ideas(request.user), garden=garden, status=status, limit=limit
    )
    return fragment_response(
        request,
        "ideas/_garden_ideas.html",
        {
            "garden": garden,
            "ideas": ideas,
            "status": status,
            "statuses": IdeaStatus.choices,
            "more": len(ideas) == limit,
        },
        title=f"Ideas of {garden.name}",
        parent_url=garden.get_absolute_url(),
        parent_label=garden.name,
    )


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """The pipeline board of product managers: a column per status, sorted by support."""
    if not workflow.can_moderate(request.user):
        raise PermissionDenied("The pipeline board is for product managers and programme admins.")
    form = BoardFilterForm(request.GET, user=request.user)
    form.is_valid()
    filters = form.cleaned_data
    columns = selectors.idea_board(
        ideas=access.visible_ideas(request.user),
        garden=filters.get("garden"),
        sort=filters.get("sort") or "people",
    )
    return render(
        request,
        "ideas/board.html",
        {
            "form": form,
            "columns": columns,
            "sort": filters.get("sort") or "people",
            "garden": filters.get("garden"),
        },
    )


# --- Propose -----------------------------------------------------------------------------------


@login_required
def idea_create(request: HttpRequest) -> HttpResponse:
    form = IdeaForm(
        request.POST or None, user=request.user, initial={"garden": request.GET.get("garden")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_propose(
                garden=data["garden"],
                author=request.user,
                title=data["title"],
                job_to_be_done=data["job_to_be_done"],
                proposal=data["proposal"],
                links=data["links"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Your idea is proposed. You will hear about every step.")
            return redirect(idea)
    return render(
        request, "ideas/idea_form.html", {"form": form}, status=400 if form.errors else 200
    )


# --- The idea page and its actions -------------------------------------------------------------


def idea_page_response(
    request: HttpRequest,
    idea: Idea,
    *,
    comment_form: CommentForm | None = None,
    transition_form: TransitionForm | None = None,
    merge_form: MergeForm | None = None,
    merge: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    """The idea page; the form that failed (`comment_form`, `transition_form`, `merge_form`,
    with the merge picker's `merge` context) with its errors in its place."""
    page = ideas_page.idea_page(idea=idea, user=request.user, comments=request.GET.get("comments"))
    return render(
        request,
        "ideas/idea_detail.html",
        {
            "idea": idea,
            "page": page,
            "is_open": workflow.is_open(idea),
            "show_accounts": _shows_accounts(request.user),
            "internal": is_internal(request.user),
            "can_manage_pilots": access.can_manage_pilots(request.user),
            "comment_form": comment_form or CommentForm(),
            "transition_form": transition_form or TransitionForm(moves=page.allowed_moves),
            "merge_form": merge_form or MergeForm(),
            **(merge or merge_picker(request.user, idea)),
        },
        status=status,
    )


@login_required
@require_GET
def idea_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return idea_page_response(request, access.access_idea(request.user, pk))


def _actions_or_back(request: HttpRequest, idea: Idea, *, error: str = "") -> HttpResponse:
    """htmx gets the support and follow box again; a plain form post goes back to the idea."""
    if request.htmx:
        support = ideas_page.idea_support(idea=idea, user=request.user)
        return render(
            request,
            "ideas/idea_actions.html",
            {
                "idea": idea,
                "is_open": workflow.is_open(idea),
                "page": {
                    **support,
                    "voted": bool(support["voted"]),
                    "following": idea.follows.filter(user=request.user).exists(),
                },
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    return redirect(idea)


@login_required
@require_POST
def idea_vote(request: HttpRequest, pk: int) -> HttpResponse:
    idea = access.access_idea(request.user, pk)
    try:
        voted = services.idea_vote_toggle(idea=idea, user=request.user)
    except ValidationError as error:
        return _actions_or_back(request, idea, error=" ".join(error.messages))
    if not request.htmx:
        messages.success(
            request, "Thanks for your support." if voted else "Your vote is taken back."
        )
    return _actions_or_back(request, idea)


@login_required
@require_POST
def idea_follow(request: HttpRequest, pk: int) -> HttpResponse:
    """`action=follow` or `action=unfollow` (explicit, so a repeated click changes nothing)."""
    idea = access.access_idea(request.user, pk)
    action = request.POST.get("action")
    if action not in ("follow", "unfollow"):
        return _actions_or_back(request, idea, error="Choose to follow or to unfollow.")
    try:
        if action == "follow":
            services.idea_follow(idea=idea, user=request.user)
        else:
            services.idea_unfollow(idea=idea, user=request.user)
    except ValidationError as error:
        return _actions_or_back(request, idea, error=" ".join(error.messages))
    return _actions_or_back(request, idea)


@login_required
@require_POST
def idea_comment(request: HttpRequest, pk: int) -> HttpResponse:
    idea = access.access_idea(request.user, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.idea_comment(
                idea=idea, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect(f"{idea.get_absolute_url()}#comment-{comment.pk}")
    return idea_page_response(request, idea, comment_form=form, status=400)


@login_required
@require_POST
def idea_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Moderators move the idea; its author may withdraw it while it is proposed."""
    idea = access.access_idea(request.user, pk)
    if not workflow.can_moderate(request.user) and idea.author_id != request.user.pk:
        raise PermissionDenied("Only product managers and programme admins move ideas.")
    # Any status is accepted by the form; the service says clearly which moves are allowed.
    form = TransitionForm(request.POST, moves=IdeaStatus.choices)
    if form.is_valid():
        try:
            services.idea_transition(
                idea=idea,
                actor=request.user,
                to_status=form.cleaned_data["to_status"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"The idea is now {idea.get_status_display().lower()}.")
            return redirect(idea)
    form.fields["to_status"].choices = [
        (s, IdeaStatus(s).label) for s in workflow.allowed_moves(request.user, idea)
    ]
    return idea_page_response(request, idea, transition_form=form, status=400)
