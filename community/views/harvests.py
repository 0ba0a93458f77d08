"""Harvests: the feed, a harvest's page (which records the read), writing and publishing
(stewards, product managers, programme admins), and how far a harvest travelled."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.access import customer_membership, is_internal
from accounts.models import Segment, User
from accounts.people import names_listed, person_name
from community.access.harvests import (
    access_harvest,
    can_write_harvests,
    harvest_garden_shown,
    harvest_writable_gardens,
)
from community.markdown import markdown_render
from community.models import (
    GardenTheme,
    Harvest,
    HarvestAudience,
    HarvestKind,
    Thread,
)
from community.selectors import harvests as selectors_harvests
from community.services.harvests import (
    harvest_create,
    harvest_publish,
    harvest_read,
    harvest_update,
)
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.pagination import list_query
from config.single_line import validate_single_line

FEED_PAGE_SIZE = 20


class HarvestFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "Any kind"), *HarvestKind.choices], required=False)
    garden = forms.ChoiceField(required=False)
    theme = forms.ChoiceField(choices=[("", "Any theme"), *GardenTheme.choices], required=False)

    def __init__(self, *args, gardens, **kwargs):
        super().__init__(*args, **kwargs)
        self.gardens = {g.slug: g for g in gardens}
        self.fields["garden"].choices = [("", "Any garden")] + [
            (g.slug, g.name) for g in self.gardens.values()
        ]

    def clean_garden(self):
        slug = self.cleaned_data.get("garden")
        return self.gardens.get(slug) if slug else None


class HarvestForm(forms.Form):
    title = forms.CharField(max_length=200, validators=[validate_single_line])
    summary = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One or two sentences: shown in the feed and in the notification.",
    )
    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Markdown: **bold**, lists, links. No HTML.",
    )
    kind = forms.ChoiceField(choices=HarvestKind.choices, widget=forms.RadioSelect)
    garden = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="No garden (programme-wide)"
    )
    audience = forms.ChoiceField(
        choices=HarvestAudience.choices,
        widget=forms.RadioSelect,
        initial=HarvestAudience.GARDEN,
        help_text="Segments and all customers reach accounts outside the garden too.",
    )
    segments = forms.MultipleChoiceField(
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For the audience 'Customer segments'.",
    )
    source_thread = forms.ModelChoiceField(
        queryset=None, required=False, label="Source discussion", empty_label="None"
    )
    source_pilot_ref = forms.IntegerField(
        required=False, min_value=1, label="Source pilot (its number)"
    )
    source_url = forms.CharField(
        required=False,
        max_length=500,
        label="Link to the source",
        validators=[validate_single_line],
        help_text="A path on this site (/pilots/3/) or an http(s) address.",
    )
    inspired_by = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Inspired by",
        help_text="Email addresses of the people whose feedback or posts it came from, one a line.",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        gardens = harvest_writable_gardens(user)
        self.fields["garden"].queryset = gardens
        self.fields["source_thread"].queryset = Thread.objects.filter(
            garden__in=gardens
        ).select_related("garden")
        self.fields["source_thread"].label_from_instance = lambda t: f"{t.garden}: {t.title}"

    def clean_inspired_by(self) -> list[User]:
        emails = [e.strip().lower() for e in self.cleaned_data["inspired_by"].split() if e.strip()]
        people = list(User.objects.filter(email__in=emails, is_active=True))
        unknown = sorted(set(emails) - {p.email.lower() for p in people})
        if unknown:
            raise ValidationError(f"No active person with: {', '.join(unknown)}.")
        return people


def _form_initial(harvest: Harvest) -> dict:
    return {
        "title": harvest.title,
        "summary": harvest.summary,
        "body": harvest.body,
        "kind": harvest.kind,
        "garden": harvest.garden,
        "audience": harvest.audience,
        "segments": harvest.segments,
        "source_thread": harvest.source_thread,
        "source_pilot_ref": harvest.source_pilot_ref,
        "source_url": harvest.source_url,
        "inspired_by": "\n".join(u.email for u in harvest.inspired_by.all()),
    }


@login_required
@require_safe
def harvest_list(request: HttpRequest) -> HttpResponse:
    """The harvest feed: customers what is aimed at their account (recommended first for a
    Dormant or Observing account), internal users every harvest with its reach. Filters by
    kind, garden and theme; CSV of the filtered list."""
    user = request.user
    form = HarvestFilterForm(
        request.GET or None, gardens=selectors_harvests.harvest_filter_garden_list(user=user)
    )
    valid = form.is_valid() if form.is_bound else True
    filters = form.cleaned_data if form.is_bound and valid else {}
    chosen = {
        "kind": filters.get("kind", ""),
        "garden": filters.get("garden"),
        "theme": filters.get("theme", ""),
    }
    if valid and request.GET.get("export") == "csv":
        harvests = selectors_harvests.harvest_feed(user=user, **chosen)
        return _feed_csv(harvests, internal=is_internal(user))
    query = list_query(request)
    page = selectors_harvests.harvest_feed_page(
        user=user, number=request.GET.get("page"), per_page=FEED_PAGE_SIZE, **chosen
    )
    home = None
    if customer_membership(user) is not None and page.number == 1 and not filters:
        home = selectors_harvests.harvest_home(user=user, latest=False)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "home": home,
        "can_write": can_write_harvests(user, None) or harvest_writable_gardens(user).exists(),
        "is_internal": is_internal(user),
    }
    return render(request, "community/harvest_list.html", context, status=200 if valid else 400)


def _feed_csv(harvests, *, internal: bool) -> StreamingHttpResponse:
    header = ["title", "kind", "garden", "published_at", "url"]
    if internal:
        header += ["audience", "segments", "accounts_reached"]

    def row(h: Harvest) -> list:
        cells = [
            h.title,
            h.get_kind_display(),
            h.garden.name if h.garden and h.garden_shown else "",
            h.published_at.isoformat() if h.published_at else "draft",
            h.get_absolute_url(),
        ]
        if internal:
            cells += [h.audience, " ".join(h.segments), h.reach_accounts]
        return cells

    return csv_response(
        filename="harvests.csv", header=header, rows=(row(h) for h in harvests.iterator())
    )


@login_required
@require_safe
def harvest_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A harvest, rendered safely; opening it records the read (once per person)."""
    user = request.user
    harvest = access_harvest(user, slug)
    harvest_read(harvest=harvest, user=user)
    garden_shown = harvest_garden_shown(user, harvest)
    garden = harvest.garden if garden_shown else None
    is_customer = customer_membership(user) is not None
    inspired = names_listed(
        [
            person_name(viewer=user, person=person, garden=garden)
            for person in selectors_harvests.harvest_inspirers(harvest=harvest)
        ]
    )
    context = {
        "harvest": harvest,
        "body": markdown_render(harvest.body),
        "garden": garden,
        "sources": _sources(harvest, garden_shown=garden_shown, is_customer=is_customer),
        "inspired": inspired,
        "can_write": can_write_harvests(user, harvest.garden),
        "can_join": bool(
            garden and is_customer and not harvest.garden.memberships.filter(user=user).exists()
        ),
    }
    return render(request, "community/harvest_detail.html", context)


def _sources(harvest: Harvest, *, garden_shown: bool, is_customer: bool) -> list[dict]:
    """Links to where the harvest comes from; none from a garden the reader may not see."""
    if not garden_shown:
        return []
    sources = []
    thread = harvest.source_thread
    if thread is not None and not (is_customer and thread.hidden_at):
        sources.append({"label": f"The discussion “{thread.title}”", "url": _thread_url(thread)})
    if harvest.source_pilot_ref:
        try:  # the pilot page is the ideas app's: reversed by name, never imported
            url = reverse("ideas:pilot-detail", args=[harvest.source_pilot_ref])
        except NoReverseMatch:
            url = f"/pilots/{harvest.source_pilot_ref}/"
        sources.append({"label": f"Pilot {harvest.source_pilot_ref}", "url": url})
    if harvest.source_url:
        sources.append({"label": "The source page", "url": harvest.source_url})
    return sources


def _thread_url(thread: Thread) -> str:
    try:
        return thread.get_absolute_url()
    except NoReverseMatch:  # discussions' pages not wired yet
        return ""


@login_required
def harvest_create_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (can_write_harvests(user, None) or harvest_writable_gardens(user).exists()):
        raise PermissionDenied("Only stewards, product managers and programme admins.")
    initial = {}
    if request.GET.get("garden"):
        initial["garden"] = (
            harvest_writable_gardens(user).filter(slug=request.GET["garden"]).first()
        )
    form = HarvestForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            harvest = harvest_create(created_by=user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Draft saved. Publish it when it is ready.")
            return redirect(harvest.get_absolute_url())
    return render(
        request,
        "community/harvest_form.html",
        {"form": form, "harvest": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def harvest_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = request.user
    harvest = access_harvest(user, slug, for_write=True)
    form = HarvestForm(request.POST or None, user=user, initial=_form_initial(harvest))
    if request.method == "POST" and form.is_valid():
        try:
            harvest_update(harvest=harvest, by=user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, "Harvest saved.")
            return redirect(harvest.get_absolute_url())
    return render(
        request,
        "community/harvest_form.html",
        {"form": form, "harvest": harvest},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def harvest_publish_view(request: HttpRequest, slug: str) -> HttpResponse:
    harvest = access_harvest(request.user, slug, for_write=True)
    try:
        harvest_publish(harvest=harvest, by=request.user)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    messages.success(request, "Published: the accounts it is aimed at are told.")
    return redirect(harvest.get_absolute_url())


@login_required
@require_safe
def harvest_reach_view(request: HttpRequest, slug: str) -> HttpResponse:
    """How far a harvest travelled, for those who write it: accounts that read it, at the
    engagement level they had when they read it, and how many were outside the garden."""
    harvest = access_harvest(request.user, slug, for_write=True)
    reach = selectors_harvests.harvest_reach(harvest=harvest, viewer=request.user)
    if request.GET.get("export") == "csv":
        header = ["account", "segment", "level_at_read", "outside_garden", "readers", "first_read"]
        rows = (
            [
                r["account"],
                r["segment"],
                r["level"] or "",
                "yes" if r["outside_garden"] else "no",
                r["readers"],
                r["first_read"].isoformat(),
            ]
            for r in reach.rows
        )
        return csv_response(filename=f"harvest-{harvest.slug}-reach.csv", header=header, rows=rows)
    return render(request, "community/harvest_reach.html", {"harvest": harvest, "reach": reach})
