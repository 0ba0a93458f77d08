"""The forms of the accounts pages: login, invitations, profile, account records and erasure."""

from __future__ import annotations

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import (
    LoginBusy,
    login_attempts_one_at_a_time,
    login_code_failed,
    login_is_locked,
)
from accounts.models import MemberRole, Segment, Tier
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
    }


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
