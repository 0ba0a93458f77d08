"""Single sign-on's settings, read into base.py: allauth.socialaccount's adapter for each
account's identity provider (accounts/single_sign_on.py), and the company's own provider for
staff (accounts/staff_sign_on.py, `STAFF_SSO_*` in the README)."""

from config.env import ImproperlyConfiguredEnv, env_list, env_str

# Each account's identity provider is a row of ours (accounts.IdentityProvider), handed to
# allauth by SocialAccountAdapter.list_apps; allauth's own SocialApp table stays empty. A person
# the provider vouches for joins that account (never another) in our adapter, not through
# allauth's sign-up, which stays closed. Tokens from the provider are not kept.
SOCIALACCOUNT_ADAPTER = "accounts.allauth_adapters.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
# Staff single sign-on (accounts/staff_sign_on.py): the company's own provider, OpenID Connect
# or SAML 2.0, for internal people with an address in the company's domains who already have a
# login (nobody is created through it). Off unless STAFF_SSO_PROTOCOL is set.
STAFF_SSO_PROTOCOL = env_str("STAFF_SSO_PROTOCOL", "").strip().lower()
if STAFF_SSO_PROTOCOL not in ("", "oidc", "saml"):
    raise ImproperlyConfiguredEnv(
        f"STAFF_SSO_PROTOCOL={STAFF_SSO_PROTOCOL!r}: use oidc, saml, or leave it empty (off)."
    )
STAFF_SSO_DOMAINS = [domain.lower() for domain in env_list("STAFF_SSO_DOMAINS", [])]
STAFF_SSO_ISSUER = env_str("STAFF_SSO_ISSUER", "")
STAFF_SSO_CLIENT_ID = env_str("STAFF_SSO_CLIENT_ID", "")
STAFF_SSO_CLIENT_SECRET = env_str("STAFF_SSO_CLIENT_SECRET", "")
STAFF_SSO_SAML_ENTITY_ID = env_str("STAFF_SSO_SAML_ENTITY_ID", "")
STAFF_SSO_SAML_SSO_URL = env_str("STAFF_SSO_SAML_SSO_URL", "")
STAFF_SSO_SAML_X509CERT = env_str("STAFF_SSO_SAML_X509CERT", "")
_STAFF_SSO_NEEDS = {
    "oidc": ["STAFF_SSO_DOMAINS", "STAFF_SSO_ISSUER", "STAFF_SSO_CLIENT_ID"],
    "saml": [
        "STAFF_SSO_DOMAINS",
        "STAFF_SSO_SAML_ENTITY_ID",
        "STAFF_SSO_SAML_SSO_URL",
        "STAFF_SSO_SAML_X509CERT",
    ],
}.get(STAFF_SSO_PROTOCOL, [])
_STAFF_SSO_MISSING = [name for name in _STAFF_SSO_NEEDS if not globals()[name]]
if _STAFF_SSO_MISSING:
    raise ImproperlyConfiguredEnv(
        f"STAFF_SSO_PROTOCOL={STAFF_SSO_PROTOCOL} needs {', '.join(_STAFF_SSO_MISSING)}."
    )
