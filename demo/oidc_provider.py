"""A real OpenID Connect provider on loopback, for the single sign-on tests (tests/conftest.py's
`oidc_provider`) and the demo (`manage.py demo_identity_provider`): Authlib's authorization
server (the authorization code flow with its OpenID Connect extension and PKCE) in a small
Flask app, served by werkzeug in a thread. Authlib and Flask are development packages: the
demo and the tests have them, production does not need them.

It plays a customer's identity provider: the test registers a client (the client ID and secret
our account's settings name, with our callback as its redirect URI) and the people in its
directory (or, for the demo, whole domains whose every address is someone: `anyone_at`). Its
sign-in page asks for an address in that directory and has one button. It can also be told to
misbehave the ways an identity provider can: sign an ID token for another audience
(`audience`), under another issuer's name (`token_issuer`), already expired (`token_lifetime`
below zero), say the person signed in long ago (`auth_time`: a provider that ignores
`prompt=login`), or serve a wrong discovery document (`discovery`) or a redirect instead of it
(`discovery_location`). `authorize_requests` keeps what each sign-in page was asked (prompt,
max_age, login_hint …).
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from html import escape
from urllib.parse import urlencode

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uri

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    email: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None

    def get_code_challenge(self):
        return self.code_challenge

    def get_code_challenge_method(self):
        return self.code_challenge_method


class OidcProvider:
    """Start with `start()`, stop with `stop()`; `issuer` is its URL on 127.0.0.1."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}
        self.people: dict[str, dict] = {}  # email → claims (given_name, family_name, …)
        self.anyone_at: set[str] = set()  # domains where every address is a person
        self.codes: dict[str, Code] = {}
        self.access_tokens: dict[str, str] = {}  # access token → email
        self.key = RSAKey.generate_key(2048, parameters={"kid": "loopback-1"}, private=True)
        # Misbehaviours, off by default.
        self.audience: str | None = None
        self.token_issuer: str | None = None
        self.token_lifetime = 300
        self.discovery: dict | str | None = None
        self.discovery_location: str | None = None  # the discovery document redirects there
        self.auth_time: int | None = None  # when it says the person signed in (None: now)
        self.authorize_requests: list[dict] = []  # the query of every sign-in page asked for
        self.issuer = ""
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._make_app()

    # --- The test's side -------------------------------------------------------------------

    def register_client(self, *, client_id: str, client_secret: str, redirect_uri: str) -> None:
        self.clients[client_id] = Client(client_id, client_secret, redirect_uri)

    def add_person(self, email: str, **claims) -> None:
        self.people[email] = claims

    def knows(self, email: str) -> bool:
        return email in self.people or email.rpartition("@")[2] in self.anyone_at

    def start(self, port: int = 0) -> OidcProvider:
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()

    # --- The provider ---------------------------------------------------------------------

    def _make_app(self) -> Flask:
        app = Flask(__name__)
        server = AuthorizationServer(
            app, query_client=self.clients.get, save_token=self._save_token
        )
        server.register_grant(
            self._code_grant(), [self._openid_extension(), CodeChallenge(required=False)]
        )

        @app.get("/.well-known/openid-configuration")
        def discovery():
            if self.discovery_location:
                return "", 302, {"Location": self.discovery_location}
            if isinstance(self.discovery, str):
                return self.discovery, 200, {"Content-Type": "application/json"}
            return jsonify(self.discovery if self.discovery is not None else self._document())

        @app.get("/jwks")
        def jwks():
            return jsonify({"keys": [self.key.as_dict(private=False)]})

        @app.route("/authorize", methods=["GET", "POST"])
        def authorize():
            self.authorize_requests.append(dict(request.args))
            if request.method == "GET":
                return self._sign_in_page(request.args.get("login_hint", ""))
            email = request.form.get("email", "")
            if not self.knows(email):
                return self._sign_in_page(email, error="Nobody with this address here."), 400
            return server.create_authorization_response(grant_user=email)

        @app.post("/token")
        def token():
            return server.create_token_response()

        @app.get("/userinfo")
        def userinfo():
            bearer = request.headers.get("Authorization", "").removeprefix("Bearer ")
            email = self.access_tokens.get(bearer)
            if email is None:
                return jsonify({"error": "invalid_token"}), 401
            return jsonify(self._claims(email))

        return app

    def _document(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "scopes_supported": ["openid", "email", "profile"],
        }

    def _sign_in_page(self, email: str, error: str = "") -> str:
        action = escape(f"/authorize?{urlencode(request.args)}")
        return (
            "<!doctype html><title>Loopback identity provider</title>"
            f"<h1>Loopback identity provider</h1><p>{escape(error)}</p>"
            f'<form method="post" action="{action}"><label>Email '
            f'<input name="email" value="{escape(email)}"></label>'
            "<button type=submit>Sign in at the provider</button></form>"
        )

    def _claims(self, email: str) -> dict:
        # Someone of an open domain is named after their address: new.person@… is New Person.
        names = [part.capitalize() for part in email.partition("@")[0].split(".")]
        person = self.people.get(email) or {
            "given_name": names[0],
            "family_name": " ".join(names[1:]),
        }
        return {"sub": person.get("sub", f"sub-{email}"), "email": email, **person}

    def _save_token(self, token, req) -> None:
        self.access_tokens[token["access_token"]] = req.user

    def _code_grant(self):
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):
            def save_authorization_code(self, code, req):
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope,
                    email=req.user,
                    nonce=req.payload.data.get("nonce"),
                    code_challenge=req.payload.data.get("code_challenge"),
                    code_challenge_method=req.payload.data.get("code_challenge_method"),
                )
                if provider.auth_time is not None:
                    provider.codes[code].auth_time = provider.auth_time

            def query_authorization_code(self, code, client):
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.email

        return CodeGrant

    def _openid_extension(self):
        provider = self

        class Extension(OpenIDCode):
            def exists_nonce(self, nonce, req):
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_algorithm(self, client):
                return "RS256"

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": "loopback-1"}

            def get_client_claims(self, client):
                now = int(time.time())
                return {
                    "iss": provider.token_issuer or provider.issuer,
                    "aud": [provider.audience or client.client_id],
                    "iat": now,
                    "exp": now + provider.token_lifetime,
                    "jti": secrets.token_hex(8),
                }

            def generate_user_info(self, user, scope):
                return UserInfo(provider._claims(user))

        return Extension(require_nonce=False)
