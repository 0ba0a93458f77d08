"""The forms of the accounts pages: login, invitations, profile, account records and erasure."""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.lockout import (
    LoginBusy,
    login_attempts_one_at_a_time,
    login_code_failed,
    login_is_locked,
)
from accounts.models import IdentityProvider, IdentityProviderKind, MemberRole, Segment, Tier
from accounts.saml_metadata import (
    METADATA_MAX_BYTES,
    certificate_pem,
    metadata_fetch,
    metadata_read,
)
from accounts.single_sign_on import SSO_REQUIRED_MESSAGE, email_domain_clean, sso_required
from config.single_line import validate_single_line


class _OneAttemptAtATime:
    """Checks the password under the login's lock (accounts.lockout): five failures lock the
    login even when many guesses arrive at once."""

    def clean(self):
        try:
            with login_attempts_one_at_a_time(self.cleaned_data.get("username")):
                return super().clean()
        except LoginBusy:
            raise forms.ValidationError(
                "Too many sign-in attempts for this email at the same moment. "
                "Wait a few seconds and try again.",
                code="busy",
            ) from None


class AdminLoginForm(_OneAttemptAtATime, AdminAuthenticationForm):
    """The Django admin's login, under the same lock as ours."""


class LoginForm(_OneAttemptAtATime, AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email and password do not match. After 5 wrong tries the login is locked "
            "for a while."
        ),
        "sso_required": SSO_REQUIRED_MESSAGE,
    }

    def clean(self):
        # Refused before the password is tried: the domain's rule is no secret of anyone's.
        address = self.cleaned_data.get("username")
        if address and sso_required(address=address):
            raise forms.ValidationError(self.error_messages["sso_required"], code="sso_required")
        return super().clean()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if sso_required(address=user.email, user=user):
            raise forms.ValidationError(self.error_messages["sso_required"], code="sso_required")


class SsoPasswordResetForm(PasswordResetForm):
    """No password reset for people who must sign in through single sign-on: refused with a
    clear message for an address in such an account's domain; for a member of such an account
    with an address elsewhere, no email is sent (the page looks the same as for anyone)."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        validators=[validate_single_line],
    )

    def clean_email(self):
        email = self.cleaned_data["email"]
        if sso_required(address=email):
            raise forms.ValidationError(SSO_REQUIRED_MESSAGE, code="sso_required")
        return email

    def get_users(self, email):
        return (
            user for user in super().get_users(email) if not sso_required(address=email, user=user)
        )


class SsoLoginForm(forms.Form):
    email = forms.EmailField(
        label="Work email",
        help_text="We find your organisation's identity provider from your address.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        validators=[validate_single_line],
    )


class IdentityProviderForm(forms.Form):
    """An account's identity provider. A SAML provider's metadata (its URL or its XML) is read
    here, or its entity ID, sign-in URL and certificate are typed; an OpenID Connect provider's
    discovery document is fetched when it is saved (accounts.sso_settings.identity_provider_set).
    What is wrong is refused with the reason on its field, and nothing is saved."""

    kind = forms.ChoiceField(
        label="Protocol", choices=IdentityProviderKind.choices, initial=IdentityProviderKind.OIDC
    )
    issuer = forms.URLField(
        label="OpenID Connect issuer",
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_single_line],
        help_text="Exactly as the provider names itself, e.g. https://login.acme.example.",
    )
    client_id = forms.CharField(
        label="OpenID Connect client ID",
        max_length=255,
        required=False,
        validators=[validate_single_line],
    )
    client_secret = forms.CharField(
        label="OpenID Connect client secret",
        max_length=500,
        required=False,
        strip=False,
        validators=[validate_single_line],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave empty to keep the one saved.",
    )
    metadata_url = forms.URLField(
        label="SAML metadata URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_single_line],
        help_text="Where the provider publishes its metadata; read on each save.",
    )
    metadata_xml = forms.CharField(
        label="SAML metadata XML",
        required=False,
        max_length=METADATA_MAX_BYTES,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Or paste the metadata document. Given metadata, the three fields below are "
        "read from it.",
    )
    entity_id = forms.CharField(
        label="SAML entity ID", max_length=500, required=False, validators=[validate_single_line]
    )
    sso_url = forms.URLField(
        label="SAML single sign-on URL",
        max_length=500,
        required=False,
        assume_scheme="https",
        validators=[validate_single_line],
        help_text="The HTTP-Redirect binding's address.",
    )
    x509cert = forms.CharField(
        label="SAML signing certificate",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The X.509 certificate (PEM) that signs the provider's assertions.",
    )
    sso_required = forms.BooleanField(
        label="Single sign-on required (no password login or reset for the account's people)",
        required=False,
    )
    domains = forms.CharField(
        label="Email domains",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One a line. A domain belongs to one account; only a programme admin sets them.",
    )

    def __init__(self, *args, provider: IdentityProvider | None, domains_editable: bool, **kw):
        super().__init__(*args, **kw)
        self.provider = provider
        if not domains_editable:
            self.fields["domains"].disabled = True

    def clean_domains(self) -> list[str]:
        lines = self.cleaned_data["domains"].splitlines()
        return [email_domain_clean(line) for line in lines if line.strip()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == IdentityProviderKind.SAML:
            self._clean_saml(cleaned)
        elif cleaned.get("kind") == IdentityProviderKind.OIDC:
            self._clean_oidc(cleaned)
        return cleaned

    def _required(self, cleaned, names, protocol):
        missing = [name for name in names if not cleaned.get(name) and name not in self.errors]
        for name in missing:
            self.add_error(name, f"{protocol} needs this.")
        return not missing

    def _clean_oidc(self, cleaned) -> None:
        if not cleaned.get("client_secret") and self.provider is not None:
            cleaned["client_secret"] = self.provider.client_secret
        self._required(cleaned, ["issuer", "client_id"], "OpenID Connect")

    def _clean_saml(self, cleaned) -> None:
        source = "metadata_xml" if cleaned.get("metadata_xml") else "metadata_url"
        if cleaned.get(source):
            try:
                document = cleaned["metadata_xml"] or metadata_fetch(cleaned["metadata_url"])
                idp = metadata_read(document)
            except forms.ValidationError as error:
                self.add_error(source, error)
                return
            if cleaned.get("entity_id") and cleaned["entity_id"] != idp.entity_id:
                self.add_error(
                    "entity_id",
                    f"The metadata describes {idp.entity_id!r}, not this entity ID: clear the "
                    "field to take the metadata's.",
                )
                return
            cleaned.update(entity_id=idp.entity_id, sso_url=idp.sso_url, x509cert=idp.x509cert)
            return
        if self._required(cleaned, ["entity_id", "sso_url", "x509cert"], "SAML, without metadata,"):
            try:
                cleaned["x509cert"] = certificate_pem(cleaned["x509cert"])
            except forms.ValidationError as error:
                self.add_error("x509cert", error)


class MfaAuthenticateForm(AuthenticateForm):
    """The second step of a login (allauth.mfa): an authenticator app's code or a recovery code.

    A wrong code counts against the same lock as a wrong password (five per person, whatever
    the spelling of their address), and a locked login takes no code at all: the password and
    the code are guessed against one budget. Checked under the login's lock, like a password.
    """

    def clean_code(self) -> str:
        request = context.request
        email = self.user.email
        try:
            with login_attempts_one_at_a_time(email):
                if login_is_locked(request, email=email):
                    raise forms.ValidationError(self.LOCKED, code="locked")
                try:
                    return super().clean_code()
                except forms.ValidationError:
                    login_code_failed(request, email=email)
                    raise
        except LoginBusy:
            raise forms.ValidationError(
                "Too many sign-in attempts for this email at the same moment. "
                "Wait a few seconds and try again.",
                code="busy",
            ) from None

    LOCKED = "This login is locked for a while after too many wrong passwords or codes."


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, validators=[validate_single_line])
    last_name = forms.CharField(max_length=150, required=False, validators=[validate_single_line])
    job_title = forms.CharField(max_length=150, required=False, validators=[validate_single_line])


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What will use it, such as “nightly CRM export”: your list of tokens shows it.",
        validators=[validate_single_line],
    )


class ScimTokenForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="Which identity provider will use it, such as “Okta”: the list shows it.",
        validators=[validate_single_line],
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        help_text="They get a link that works once and expires.", validators=[validate_single_line]
    )
    role = forms.ChoiceField(
        choices=MemberRole.choices,
        initial=MemberRole.MEMBER,
        help_text="Account admins accept agreements and invite colleagues.",
    )


class InvitationAcceptForm(forms.Form):
    first_name = forms.CharField(
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        validators=[validate_single_line],
    )
    last_name = forms.CharField(
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        validators=[validate_single_line],
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            from accounts.models import User

            probe = User(
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class AccountFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name"}),
    )
    segment = forms.ChoiceField(choices=[("", "All segments"), *Segment.choices], required=False)
    tier = forms.ChoiceField(choices=[("", "All tiers"), *Tier.choices], required=False)
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("name", "Name"),
            ("renewal_date", "Renewal date"),
            ("-annual_contract_value", "Contract value"),
            ("-members", "Members"),
        ],
    )
