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
    """An account's identity provider. Its discovery document is fetched when it is saved
    (accounts.sso_settings.identity_provider_set): a provider that cannot be reached, or whose
    document is wrong, is refused with the reason on its field."""

    kind = forms.ChoiceField(
        label="Protocol",
        choices=[(IdentityProviderKind.OIDC.value, IdentityProviderKind.OIDC.label)],
        initial=IdentityProviderKind.OIDC,
        help_text="SAML 2.0 is not offered yet.",
    )
    issuer = forms.URLField(
        max_length=500,
        assume_scheme="https",
        validators=[validate_single_line],
        help_text="Exactly as the provider names itself, e.g. https://login.acme.example.",
    )
    client_id = forms.CharField(
        label="Client ID", max_length=255, validators=[validate_single_line]
    )
    client_secret = forms.CharField(
        label="Client secret",
        max_length=500,
        required=False,
        strip=False,
        validators=[validate_single_line],
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Leave empty to keep the one saved.",
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
        if not cleaned.get("client_secret") and self.provider is not None:
            cleaned["client_secret"] = self.provider.client_secret
        return cleaned


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
