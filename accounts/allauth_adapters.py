"""How django-allauth fits our login: nobody signs up (people join by invitation), a password
is checked under the login's lock (accounts.lockout), and the session is logged in by the same
backend as our login form's.

allauth runs what follows the password: its login stages (the second factor of allauth.mfa,
and later the single sign-on of allauth.socialaccount) end in `AccountAdapter.login`.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.contrib.auth import authenticate
from django.http import HttpRequest

from accounts.lockout import login_attempts_one_at_a_time

_BACKEND = "django.contrib.auth.backends.ModelBackend"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def login(self, request: HttpRequest, user) -> None:
        # A login resumed after its second factor loads the user afresh, without the backend
        # that checked the password: it is ours.
        if not hasattr(user, "backend"):
            user.backend = _BACKEND
        super().login(request, user)

    def reauthenticate(self, user, password: str) -> bool:
        """ "Type your password again" before changing a second factor: a wrong one counts
        against the login's lock like a wrong password at the login (django-axes)."""
        with login_attempts_one_at_a_time(user.email):
            found = authenticate(context.request, username=user.email, password=password)
        return found is not None and found.pk == user.pk
