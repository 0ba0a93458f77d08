"""Garden pages: the list, the garden home, programme admins' create and edit forms, the
stewards' invitations, the account admin's answer, join and leave."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.access import customer_membership, is_internal
from accounts.formats import end_sentence
from accounts.models import Account, MemberRole, User
from community.access.gardens import (
    access_garden,
    access_garden_for_invitations,
    access_garden_invitation,
    can_manage_gardens,
    garden_is_member,
    garden_is_steward,
    visible_garden_invitations,
    visible_gardens,
)
from community.markdown import markdown_render
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenTheme,
    GardenVisibility,
)
from community.selectors import gardens as selectors
from community.services import gardens as services
from config.exports import csv_response
from config.forms import form_add_service_errors
from config.pagination import list_query
from config.single_line import validate_single_line

# --- Forms -------------------------------------------------------------------------------------


def _internal_users():
    return User.objects.filter(is_active=True, membership__isnull=True).order_by(
        "first_name", "last_name", "email"
    )


class StewardChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name or obj.email} ({obj.email})"


class GardenForm(forms.Form):
    name = forms.CharField(max_length=200, validators=[validate_single_line])
    theme = forms.ChoiceField(choices=GardenTheme.choices)
    custom_theme = forms.CharField(
        max_length=100,
        required=False,
        help_text="The theme's name when the theme is Custom.",
        validators=[validate_single_line],
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    charter = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="How ideas are proposed and decided here, what participants give and get.",
    )
    visibility = forms.ChoiceField(
        choices=GardenVisibility.choices,
        widget=forms.RadioSelect,
        help_text="Invite-only gardens are invisible to accounts not invited.",
    )
    shows_other_members = forms.BooleanField(
        required=False,
        label="Members of other accounts see each other (first name and account)",
        help_text="Off: customers see no one of another account in this garden.",
    )
    stewards = StewardChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Internal users who look after the garden: moderate, invite, publish harvests.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stewards"].queryset = _internal_users()


class InviteForm(forms.Form):
    account = forms.SlugField(
        label="Account", help_text="The account's slug (see the list of accounts)."
    )

    def clean_account(self) -> Account:
        account = Account.objects.filter(slug=self.cleaned_data["account"]).first()
        if account is None:
            raise ValidationError("No such account.")
        return account


class GardenFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False)
    theme = forms.ChoiceField(choices=[("", "Any theme"), *GardenTheme.choices], required=False)
    joined = forms.BooleanField(label="Only gardens I joined", required=False)


# --- The list ----------------------------------------------------------------------------------


@login_required
@require_safe
def garden_list(request: HttpRequest) -> HttpResponse:
    """The gardens the user sees, filterable; CSV export of the filtered list."""
    form = GardenFilterForm(request.GET or None)
    if is_internal(request.user):
        del form.fields["joined"]  # internal users join no garden
    filters = form.cleaned_data if form.is_valid() else {}
    q, theme, joined = filters.get("q", ""), filters.get("theme", ""), bool(filters.get("joined"))
    if request.GET.get("export") == "csv" or q or theme or joined:
        gardens = selectors.garden_list(
            gardens=visible_gardens(request.user),
            user=request.user,
            q=q,
            theme=theme,
            joined=joined,
        )
    else:  # the page as most open it: its SQL kept
        gardens = selectors.visible_garden_list(user=request.user)
    if request.GET.get("export") == "csv":
        return _gardens_csv(request, gardens)
    query = list_query(request)
    membership = customer_membership(request.user)
    invitations = []
    if membership is not None and membership.role == MemberRole.ADMIN:
        invitations = list(selectors.pending_invitations_for(user=request.user))
    return render(
        request,
        "community/garden_list.html",
        {
            "form": form,
            "gardens": gardens,
            "query": query.urlencode(),
            "can_create": can_manage_gardens(request.user),
            "is_customer": membership is not None,
            "invitations": invitations,
        },
    )


def _gardens_csv(request: HttpRequest, gardens) -> StreamingHttpResponse:
    header = ["slug", "name", "theme", "visibility", "members", "joined", "url"]
    rows = (
        [
            g.slug,
            g.name,
            g.theme_label,
            g.visibility,
            g.member_count,
            "yes" if g.own_memberships else "no",
            request.build_absolute_uri(g.get_absolute_url()),
        ]
        for g in gardens
    )
    return csv_response(filename="gardens.csv", header=header, rows=rows)


# --- The garden home ---------------------------------------------------------------------------


@login_required
@require_safe
def garden_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The garden home. Members and internal users see all of it; other customers see the
    charter and a join button (or, for an invited account's admin, the invitation)."""
    user = request.user
    garden = access_garden(user, slug)
    membership = customer_membership(user)
    is_member = garden_is_member(user, garden)
    internal = membership is None
    invitation = None
    account_accepted = garden.visibility == GardenVisibility.OPEN
    if membership is not None and garden.visibility == GardenVisibility.INVITE_ONLY:
        invitation = GardenAccount.objects.filter(
            garden=garden, account_id=membership.account_id
        ).first()
        account_accepted = (
            invitation is not None and invitation.status == GardenAccountStatus.ACCEPTED
        )
    # Inside the garden only where the account takes part (a member whose account is merely
    # invited again sees what a stranger sees: community.access.gardens.content_gardens).
    full = internal or (is_member and account_accepted)
    context = {
        "garden": garden,
        "charter_html": markdown_render(garden.charter),
        "stewards": selectors.garden_stewards(garden=garden) if full else [],
        "is_member": is_member,
        "is_customer": not internal,
        "can_join": not internal and not is_member and account_accepted,
        "can_post": full and user.is_active,  # garden_can_post, without asking again
        "is_steward": internal and garden_is_steward(user, garden),
        "can_edit": internal and can_manage_gardens(user),
        "invitation": invitation
        if invitation is not None and invitation.status == GardenAccountStatus.INVITED
        else None,
        "full": full,
    }
    if full:
        activity = selectors.garden_activity(garden=garden)
        context["participants"] = selectors.garden_participants(viewer=user, garden=garden)
        context["activity"] = activity
        context["activity_chart"] = activity.chart()
        context["activity_rows"] = list(
            zip(activity.weeks, activity.events, activity.active_members, strict=True)
        )
    return render(request, "community/garden_detail.html", context)


@login_required
@require_POST
def garden_join(request: HttpRequest, slug: str) -> HttpResponse:
    garden = access_garden(request.user, slug)
    try:
        services.garden_join(garden=garden, user=request.user)
    except ValidationError as error:
        raise PermissionDenied(" ".join(error.messages)) from error
    messages.success(request, f"You joined {end_sentence(garden.name)}")
    return redirect(garden)


@login_required
@require_POST
def garden_leave(request: HttpRequest, slug: str) -> HttpResponse:
    garden = access_garden(request.user, slug)
    if services.garden_leave(garden=garden, user=request.user):
        messages.success(request, f"You left {end_sentence(garden.name)}")
    if garden_is_visible(request.user, garden):
        return redirect(garden)
    return redirect("community:garden-list")


def garden_is_visible(user: User, garden: Garden) -> bool:
    return visible_gardens(user).filter(pk=garden.pk).exists()


# --- Create and edit (programme admins) --------------------------------------------------------


def _require_garden_admin(user: User) -> None:
    if not can_manage_gardens(user):
        raise PermissionDenied("Only programme admins create and edit gardens.")


@login_required
def garden_create(request: HttpRequest) -> HttpResponse:
    _require_garden_admin(request.user)
    form = GardenForm(request.POST or None, initial={"visibility": GardenVisibility.OPEN})
    if request.method == "POST" and form.is_valid():
        try:
            garden = services.garden_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"The garden {garden.name} is created.")
            return redirect(garden)
    return render(
        request,
        "community/garden_form.html",
        {"form": form, "garden": None},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def garden_edit(request: HttpRequest, slug: str) -> HttpResponse:
    garden = access_garden(request.user, slug, for_write=True)
    initial = {name: getattr(garden, name) for name in services.GARDEN_FIELDS}
    initial["stewards"] = list(garden.stewards.all())
    form = GardenForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        stewards = fields.pop("stewards")
        try:
            services.garden_update(garden=garden, stewards=stewards, **fields)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"The garden {garden.name} is saved.")
            return redirect(garden)
    return render(
        request,
        "community/garden_form.html",
        {"form": form, "garden": garden},
        status=400 if form.is_bound and form.errors else 200,
    )


# --- Invitations -------------------------------------------------------------------------------


@login_required
def garden_invitations(request: HttpRequest, slug: str) -> HttpResponse:
    """Stewards and programme admins see the garden's invited accounts and invite more."""
    garden = access_garden_for_invitations(request.user, slug)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = form.cleaned_data["account"]
        try:
            services.garden_invite(garden=garden, account=account, invited_by=request.user)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, f"{account.name} is invited; its admins are notified.")
            return redirect("community:garden-invitations", slug=garden.slug)
    invitations = selectors.garden_invitations(
        invitations=GardenAccount.objects.filter(garden=garden)
    )
    if request.GET.get("export") == "csv":
        return _invitations_csv(invitations)
    return render(
        request,
        "community/garden_invitations.html",
        {"garden": garden, "form": form, "invitations": invitations},
        status=400 if form.is_bound and form.errors else 200,
    )


def _invitations_csv(invitations) -> StreamingHttpResponse:
    header = ["account", "account_name", "status", "invited_by", "responded_by", "responded_at"]
    rows = (
        [
            i.account.slug,
            i.account.name,
            i.status,
            i.invited_by.email if i.invited_by else "",
            i.responded_by.email if i.responded_by else "",
            i.responded_at.isoformat() if i.responded_at else "",
        ]
        for i in invitations
    )
    return csv_response(filename="garden-invitations.csv", header=header, rows=rows)


@login_required
@require_POST
def garden_invitation_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Withdraw an account's invitation (or its place) from the garden."""
    garden = access_garden_for_invitations(request.user, slug)
    invitation = access_garden_invitation(request.user, pk)
    if invitation.garden_id != garden.pk:
        raise PermissionDenied("This invitation belongs to another garden.")
    removed = services.garden_account_remove(garden=garden, account=invitation.account)
    messages.success(
        request,
        f"{invitation.account.name} is withdrawn from the garden"
        + (f" ({removed} member{'s' if removed != 1 else ''} removed)." if removed else "."),
    )
    return redirect("community:garden-invitations", slug=garden.slug)


@login_required
def garden_invitation_answer(request: HttpRequest, slug: str) -> HttpResponse:
    """The invited account's admin accepts or declines for the account."""
    garden = access_garden(request.user, slug)
    invitation = (
        visible_garden_invitations(request.user)
        .select_related("garden", "account", "invited_by")
        .filter(garden=garden)
        .first()
    )
    membership = customer_membership(request.user)
    if invitation is None or membership is None or membership.account_id != invitation.account_id:
        raise PermissionDenied("Only the admins of an invited account answer its invitation.")
    error = ""
    if request.method == "POST":
        answer = request.POST.get("answer")
        service = {
            "accept": services.garden_invitation_accept,
            "decline": services.garden_invitation_decline,
        }.get(answer)
        if service is None:
            error = "Choose accept or decline."
        else:
            access_garden_invitation(request.user, invitation.pk, for_answer=True)
            try:
                service(invitation=invitation, by=request.user)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                if answer == "accept":
                    messages.success(
                        request,
                        f"Your account takes part in {garden.name}: your colleagues may join.",
                    )
                    return redirect(garden)
                messages.success(
                    request, f"You declined the invitation to {end_sentence(garden.name)}"
                )
                return redirect("community:garden-list")
    return render(
        request,
        "community/garden_invitation.html",
        {
            "garden": garden,
            "invitation": invitation,
            "error": error,
            "charter_html": markdown_render(garden.charter),
        },
        status=400 if error else 200,
    )
