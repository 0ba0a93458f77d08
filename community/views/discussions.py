"""Pages of a garden's discussions: the thread list (filters, pagination, CSV for internal
users), starting a thread, the thread page (posts paginated, "new since your last visit",
reply, reactions by htmx, flag, hide), editing with its history, and the stewards' flag queue.

Every view fetches through community.access (access_garden_discussions, access_thread,
access_post) and writes through community.services.discussions.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST, require_safe

from accounts.access import is_internal
from accounts.people import person_name
from community.access.discussions import (
    access_garden_discussions,
    access_post,
    access_thread,
    sees_hidden_posts,
)
from community.access.gardens import garden_can_post, garden_is_steward
from community.models import Garden, Post, Thread
from community.selectors import discussions as selectors
from community.services import discussions as services
from community.views.post_routes import PostRoutes, PostUrls
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.pagination import list_query, page_first_read
from config.single_line import validate_single_line

BODY_HELP = (
    "Markdown: **bold**, *italic*, lists, [links](https://example.com). No HTML. "
    "Mention a garden member with @ and the first part of their email address (@alice), "
    "or their whole address when two share it (@alice@acme.example)."
)

# --- Forms -------------------------------------------------------------------------------------


class ThreadFilterForm(forms.Form):
    show = forms.ChoiceField(label="Show", choices=selectors.ThreadShow.CHOICES, required=False)
    q = forms.CharField(
        label="Search", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )

    def __init__(self, *args, internal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if internal:
            self.fields["show"].choices = selectors.ThreadShow.INTERNAL_CHOICES


class ThreadForm(forms.Form):
    title = forms.CharField(max_length=services.MAX_TITLE_LENGTH, validators=[validate_single_line])
    body = forms.CharField(
        label="Your post",
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=services.MAX_BODY_LENGTH,
        help_text=BODY_HELP,
    )


class PostForm(forms.Form):
    body = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=services.MAX_BODY_LENGTH,
        help_text=BODY_HELP,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Why", max_length=services.MAX_REASON_LENGTH, validators=[validate_single_line]
    )


# --- Helpers -----------------------------------------------------------------------------------


def _is_steward(user, garden: Garden) -> bool:
    """Stewards are internal users (asking a customer's permissions would cost queries)."""
    return is_internal(user) and garden_is_steward(user, garden)


def _post_redirect(post: Post, thread: Thread) -> HttpResponse:
    return redirect(services.post_url(post=post, thread=thread))


def _error_message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- The thread list ---------------------------------------------------------------------------


@login_required
@require_safe
def thread_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The garden's threads, most active first; filtered, paged; CSV for internal users."""
    user = request.user
    garden = access_garden_discussions(user, slug)
    internal = sees_hidden_posts(user)
    form = ThreadFilterForm(request.GET, internal=internal)
    form.is_valid()
    filters = form.cleaned_data
    show, q = filters.get("show", ""), filters.get("q", "")
    threads = selectors.thread_list(user=user, garden=garden, show=show, q=q)
    if request.GET.get("export") == "csv":
        if not internal:
            raise PermissionDenied("The CSV export is for internal users.")
        return _threads_csv(request, garden, threads)
    if show or q:
        page = Paginator(threads, selectors.THREADS_PER_PAGE).get_page(request.GET.get("page"))
    else:
        page = page_first_read(
            request,
            threads,
            selectors.THREADS_PER_PAGE,
            lambda: selectors.first_threads(
                user=user, garden=garden, limit=selectors.THREADS_PER_PAGE
            ),
        )
    selectors.thread_author_labels(threads=page.object_list, user=user, garden=garden)
    query = list_query(request)
    is_steward = _is_steward(user, garden)
    rows_only = request.htmx and not request.htmx.history_restore_request
    response = render(
        request,
        "community/thread_list_rows.html" if rows_only else "community/thread_list.html",
        {
            "garden": garden,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "internal": internal,
            "can_post": garden_can_post(user, garden),
            "is_steward": is_steward,
            "open_flags": selectors.open_flag_count(garden=garden) if is_steward else 0,
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _threads_csv(request: HttpRequest, garden: Garden, threads) -> StreamingHttpResponse:
    header = [
        "id",
        "title",
        "author",
        "author_account",
        "started_at",
        "last_post_at",
        "visible_posts",
        "hidden",
        "open_flags",
        "url",
    ]

    def row(thread: Thread) -> list:
        return [
            thread.pk,
            thread.title,
            person_name(
                viewer=request.user,
                person=thread.author,
                person_account_id=thread.account_id,
                person_account=thread.account,
                garden=garden,
            ),
            thread.account.name if thread.account else "",
            thread.created_at.isoformat(timespec="seconds"),
            thread.last_post_at.isoformat(timespec="seconds"),
            thread.post_count,
            "yes" if thread.hidden_at else "no",
            thread.open_flags,
            request.build_absolute_uri(thread.get_absolute_url()),
        ]

    return csv_response(
        filename=f"threads-{garden.slug}.csv",
        header=header,
        rows=(row(thread) for thread in threads.iterator(chunk_size=2000)),
    )


@login_required
def thread_create(request: HttpRequest, slug: str) -> HttpResponse:
    garden = access_garden_discussions(request.user, slug)
    if not garden_can_post(request.user, garden):
        raise PermissionDenied("Join the garden to take part in its discussions.")
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_start(
                garden=garden,
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Your thread is started.")
            return redirect(thread.get_absolute_url())
    return render(
        request,
        "community/thread_form.html",
        {"garden": garden, "form": form},
        status=400 if form.errors else 200,
    )


# --- The thread page ---------------------------------------------------------------------------


def _thread_page(
    request: HttpRequest, thread: Thread, *, form: PostForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    garden = thread.garden
    visit = selectors.thread_visit(thread=thread, user=user)
    seen_at = visit.seen_at if visit else None
    posts = selectors.thread_posts(thread=thread, user=user)
    page = page_first_read(
        request,
        posts,
        selectors.POSTS_PER_PAGE,
        lambda: selectors.first_posts(thread=thread, user=user),
    )
    post_list = list(page.object_list)
    selectors.post_page(posts=post_list, thread=thread, user=user, seen_at=seen_at)
    routes = PostRoutes(thread)
    for post in post_list:
        post.urls = PostUrls(routes, post.pk)
    first_new_page = None
    if seen_at is not None and thread.last_post_at > seen_at:
        # The page of the first post after the last visit, when it is not this one.
        older = selectors.posts_since(thread=thread, user=user, since=seen_at)
        candidate = older // selectors.POSTS_PER_PAGE + 1
        if candidate != page.number:
            first_new_page = candidate
    if status == 200:
        services.thread_mark_seen(thread=thread, user=user)
    thread.author_label = person_name(
        viewer=user,
        person=thread.author,
        person_account_id=thread.account_id,
        person_account=thread.account,
        garden=garden,
    )
    return render(
        request,
        "community/thread_detail.html",
        {
            "garden": garden,
            "thread": thread,
            "page": page,
            "posts": post_list,
            "seen_at": seen_at,
            "first_new_page": first_new_page,
            "first_new_id": next((p.pk for p in post_list if p.is_new), None),
            "internal": sees_hidden_posts(user),
            "can_post": garden_can_post(user, garden) and thread.hidden_at is None,
            "is_steward": _is_steward(user, garden),
            "form": form or PostForm(),
            "reason_form": ReasonForm(),
        },
        status=status,
    )


@login_required
@require_safe
def thread_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _thread_page(request, access_thread(request.user, pk, slug=slug))


@login_required
@require_POST
def thread_reply(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk, slug=slug, for_write=True)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            post = services.post_reply(
                thread=thread, author=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return _post_redirect(post, thread)
    return _thread_page(request, thread, form=form, status=400)


@login_required
@require_safe
def post_link(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    """A stable address for a post (notifications link here): its page of the thread."""
    thread = access_thread(request.user, pk, slug=slug)
    post = access_post(request.user, post_pk, thread=thread)
    position = selectors.post_position(thread=thread, user=request.user, post=post)
    page = position // selectors.POSTS_PER_PAGE + 1
    suffix = f"?page={page}" if page > 1 else ""
    return redirect(f"{thread.get_absolute_url()}{suffix}#post-{post.pk}")


# --- Editing -----------------------------------------------------------------------------------


@login_required
def post_edit(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk, slug=slug, for_write=True)
    post = access_post(request.user, post_pk, thread=thread, for_write=True)
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only the author edits a post.")
    form = PostForm(request.POST or None, initial={"body": post.body})
    form.fields["body"].label = "Your post"
    if request.method == "POST" and form.is_valid():
        try:
            services.post_edit(post=post, editor=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Your post is changed; the earlier text is kept.")
            return _post_redirect(post, thread)
    return render(
        request,
        "community/thread_post_edit.html",
        {"garden": thread.garden, "thread": thread, "post": post, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_safe
def post_history(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    """The earlier versions of a post, for everyone who sees the post."""
    thread = access_thread(request.user, pk, slug=slug)
    post = access_post(request.user, post_pk, thread=thread)
    revisions = list(selectors.post_revisions(post=post))
    for revision in revisions:
        revision.body_html = selectors.markdown_render(revision.body)
    post.body_html = selectors.markdown_render(post.body)
    return render(
        request,
        "community/thread_post_history.html",
        {"garden": thread.garden, "thread": thread, "post": post, "revisions": revisions},
    )


# --- Reactions and flags -----------------------------------------------------------------------


@login_required
@require_POST
def post_react(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    """Toggle a reaction; htmx gets the post's reactions again, a plain form post goes back."""
    thread = access_thread(request.user, pk, slug=slug, for_write=True)
    post = access_post(request.user, post_pk, thread=thread, for_write=True)
    error = ""
    try:
        services.reaction_toggle(post=post, user=request.user, kind=request.POST.get("kind", ""))
    except ValidationError as invalid:
        error = _error_message(invalid)
    if request.htmx:
        reactions = selectors.post_reactions(post_ids=[post.pk], user=request.user)
        post.reaction_counts = reactions[post.pk]
        return render(
            request,
            "community/thread_reactions.html",
            {
                "garden": thread.garden,
                "thread": thread,
                "post": post,
                "can_react": True,
                "error": error,
            },
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return _post_redirect(post, thread)


@login_required
@require_POST
def post_flag(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk, slug=slug, for_write=True)
    post = access_post(request.user, post_pk, thread=thread, for_write=True)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why you flag this post.")
        services.post_flag(post=post, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(request, "Thank you: the garden's stewards will have a look.")
    return _post_redirect(post, thread)


# --- Moderation --------------------------------------------------------------------------------


@login_required
@require_POST
def post_hide(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk, slug=slug)
    post = access_post(request.user, post_pk, thread=thread, for_moderation=True)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why you hide this post.")
        services.post_hide(post=post, steward=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(request, "The post is hidden from customers.")
    return _after_moderation(request, post, thread)


@login_required
@require_POST
def post_unhide(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk, slug=slug)
    post = access_post(request.user, post_pk, thread=thread, for_moderation=True)
    try:
        services.post_unhide(post=post, steward=request.user)
    except ValidationError as error:
        messages.error(request, _error_message(error))
    else:
        messages.success(request, "The post is shown again.")
    return _post_redirect(post, thread)


@login_required
@require_POST
def post_flags_dismiss(request: HttpRequest, slug: str, pk: int, post_pk: int) -> HttpResponse:
    thread = access_thread(request.user, pk, slug=slug)
    post = access_post(request.user, post_pk, thread=thread, for_moderation=True)
    count = services.post_flags_dismiss(post=post, steward=request.user)
    messages.success(request, f"The post stays; {count} flag(s) dismissed.")
    return _after_moderation(request, post, thread)


def _after_moderation(request: HttpRequest, post: Post, thread: Thread) -> HttpResponse:
    """Back to the flag queue when the action came from there, else to the post."""
    if request.POST.get("next") == "flagged":
        return redirect("community:thread-flagged", slug=thread.garden.slug)
    return _post_redirect(post, thread)


@login_required
@require_safe
def thread_flagged(request: HttpRequest, slug: str) -> HttpResponse:
    """The stewards' queue: posts of the garden that members flagged, with the reasons."""
    garden = access_garden_discussions(request.user, slug)
    if not _is_steward(request.user, garden):
        raise PermissionDenied("The flagged posts are for the garden's stewards.")
    posts = list(selectors.flagged_posts(garden=garden))
    for post in posts:
        post.author_label = person_name(  # the stewards: internal users, who see every name
            viewer=request.user,
            person=post.author,
            person_account_id=post.account_id,
            person_account=post.account,
            garden=garden,
        )
        post.body_html = selectors.markdown_render(post.body)
    return render(
        request,
        "community/thread_flagged.html",
        {"garden": garden, "posts": posts, "reason_form": ReasonForm()},
    )
