"""The API of an account's single sign-on settings, for its admin and programme admins (the same
people and the same rules as its page, /accounts/<slug>/sso/: accounts/sso_settings.py):

- `/api/v1/accounts/<slug>/identity-provider/`: GET, PUT (set, or replace), PATCH (change
  some settings), DELETE (single sign-on ends). The client secret is write-only: answers say
  only whether one is set. Omitted, the saved secret is kept.
- `/api/v1/accounts/<slug>/email-domains/` (GET the list, POST one more) and
  `.../email-domains/<domain>/` (DELETE): the account's domains; the account's admin reads
  them, only a programme admin changes them.

A setting the provider gains later (a model field, and `ProviderSettings`' field of the same
name) is one more name in `IdentityProviderSerializer.Meta.fields`: the serializer takes its
type and validators from the model, and the views pass whatever it validated to the service.
"""

from __future__ import annotations

from django.core.validators import URLValidator
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_standardized_errors.openapi_serializers import (
    ErrorResponse403Serializer,
    ErrorResponse404Serializer,
    ValidationErrorResponseSerializer,
)
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import access, selectors
from accounts.models import EmailDomain, IdentityProvider, IdentityProviderKind
from accounts.sso_settings import (
    email_domain_add,
    email_domain_remove,
    identity_provider_delete,
    identity_provider_set,
    provider_settings_changed,
)
from config import api_serializers as serializers
from config.api import asks_only_a_page
from config.single_line import validate_single_line


class IdentityProviderSerializer(serializers.ModelSerializer):
    """An account's identity provider: what a caller may set, and what it is told back (never
    the client secret: `client_secret_set` says whether there is one)."""

    kind = serializers.ChoiceField(
        choices=IdentityProviderKind.choices, default=IdentityProviderKind.OIDC
    )
    # URLs are checked after the single-line rule (one error, not two, for a line break).
    issuer = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[validate_single_line],
        help_text="OpenID Connect: exactly as the provider names itself; its discovery document "
        "is fetched at <issuer>/.well-known/openid-configuration (400 on `issuer` with the "
        "reason when the server may not reach it or the document is wrong).",
    )
    metadata_url = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[validate_single_line],
        help_text="SAML: where the provider publishes its metadata; read on save when "
        "`entity_id` is not given, filling `entity_id`, `sso_url` and `x509cert`.",
    )
    sso_url = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        validators=[validate_single_line],
        help_text="SAML: where people are sent to sign in (HTTP-Redirect binding).",
    )
    client_secret = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        trim_whitespace=False,
        validators=[validate_single_line],
        help_text="Write-only; omitted, the saved secret is kept.",
    )
    client_secret_set = serializers.SerializerMethodField()
    redirect_uri = serializers.SerializerMethodField(
        help_text="OpenID Connect: register it at the provider as this client's redirect URI "
        "(empty for SAML)."
    )
    email_domains = serializers.SlugRelatedField(
        source="account.email_domains", slug_field="domain", many=True, read_only=True
    )

    class Meta:
        model = IdentityProvider
        fields = [
            "kind",
            "issuer",
            "client_id",
            "client_secret",
            "metadata_url",
            "entity_id",
            "sso_url",
            "x509cert",
            "sso_required",
            # Read-only: what the settings lead to.
            "client_secret_set",
            "redirect_uri",
            "email_domains",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def _url(self, value: str) -> str:
        if value:
            URLValidator(schemes=["http", "https"])(value)
        return value

    validate_issuer = validate_metadata_url = validate_sso_url = _url

    def get_client_secret_set(self, provider: IdentityProvider) -> bool:
        return bool(provider.client_secret)

    def get_redirect_uri(self, provider: IdentityProvider) -> str:
        if provider.kind != IdentityProviderKind.OIDC:
            return ""
        path = reverse("openid_connect_callback", kwargs={"provider_id": provider.provider_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class EmailDomainSerializer(serializers.ModelSerializer):
    domain = serializers.CharField(
        max_length=253,
        validators=[validate_single_line],
        help_text="A plain lower-case name, such as example.org; it belongs to one account.",
    )

    class Meta:
        model = EmailDomain
        fields = ["domain", "created_at"]
        read_only_fields = ["created_at"]


_PROVIDER_ERRORS = {
    400: ValidationErrorResponseSerializer,
    403: ErrorResponse403Serializer,
    404: ErrorResponse404Serializer,
}


def _provider(account) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("account")
        .prefetch_related("account__email_domains")
        .filter(account=account)
        .first()
    )


class IdentityProviderView(APIView):
    """An account's identity provider. PUT sets it (the provider's discovery document is
    fetched and checked first: a provider the server may not reach, or whose document is
    wrong, is a 400 on `issuer`); PATCH changes some of its settings; DELETE ends single
    sign-on for the account (its email domains stay)."""

    def _account(self, slug: str):
        return access.access_account_for_sso(self.request.user, slug)

    def _existing(self, account) -> IdentityProvider:
        provider = _provider(account)
        if provider is None:
            raise Http404("No identity provider is set up for this account.")
        return provider

    def _answer(self, account, code: int = status.HTTP_200_OK) -> Response:
        provider = _provider(account)
        context = {"request": self.request}
        return Response(IdentityProviderSerializer(provider, context=context).data, status=code)

    @extend_schema(responses={200: IdentityProviderSerializer, **_PROVIDER_ERRORS})
    def get(self, request, slug: str):
        account = self._account(slug)
        self._existing(account)
        return self._answer(account)

    @extend_schema(
        request=IdentityProviderSerializer,
        responses={200: IdentityProviderSerializer, 201: IdentityProviderSerializer}
        | _PROVIDER_ERRORS,
    )
    def put(self, request, slug: str):
        account = self._account(slug)
        provider = _provider(account)
        data = IdentityProviderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        changes = {"client_secret": provider.client_secret if provider else ""}
        changes |= data.validated_data
        identity_provider_set(account=account, settings=provider_settings_changed(None, **changes))
        return self._answer(account, status.HTTP_200_OK if provider else status.HTTP_201_CREATED)

    @extend_schema(
        request=IdentityProviderSerializer,
        responses={200: IdentityProviderSerializer, **_PROVIDER_ERRORS},
    )
    def patch(self, request, slug: str):
        account = self._account(slug)
        provider = self._existing(account)
        data = IdentityProviderSerializer(provider, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        identity_provider_set(
            account=account, settings=provider_settings_changed(provider, **data.validated_data)
        )
        return self._answer(account)

    @extend_schema(
        responses={204: None, 403: ErrorResponse403Serializer, 404: ErrorResponse404Serializer}
    )
    def delete(self, request, slug: str):
        identity_provider_delete(provider=self._existing(self._account(slug)))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailDomainListView(generics.ListCreateAPIView):
    """The account's email domains: its people's addresses there join it through its provider.
    Its admin reads them; only a programme admin adds one (a domain belongs to one account)."""

    serializer_class = EmailDomainSerializer
    queryset = EmailDomain.objects.none()  # for the schema; get_queryset scopes it
    filter_backends: list = []

    def get_queryset(self):
        account = access.access_account_for_sso(self.request.user, self.kwargs["slug"])
        return account.email_domains.order_by("domain")

    def list(self, request, *args, **kwargs):
        if not asks_only_a_page(request):
            return super().list(request, *args, **kwargs)
        account = access.access_account_for_sso(request.user, self.kwargs["slug"])
        page = self.paginate_queryset(selectors.email_domain_rows(account_id=account.pk))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=EmailDomainSerializer,
        responses={201: EmailDomainSerializer, **_PROVIDER_ERRORS},
    )
    def post(self, request, slug: str):
        account = access.access_account_for_email_domains(request.user, slug)
        data = EmailDomainSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        domain = email_domain_add(account=account, domain=data.validated_data["domain"])
        return Response(EmailDomainSerializer(domain).data, status=status.HTTP_201_CREATED)


class EmailDomainView(APIView):
    """One of the account's email domains. DELETE: it is no longer the account's (its people
    stay members); refused for the last one while the account requires single sign-on."""

    @extend_schema(responses={204: None, **_PROVIDER_ERRORS})
    def delete(self, request, slug: str, domain: str):
        email_domain_remove(email_domain=access.access_email_domain(request.user, slug, domain))
        return Response(status=status.HTTP_204_NO_CONTENT)
