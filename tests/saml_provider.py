"""A real SAML 2.0 identity provider for the single sign-on tests, started on loopback: pysaml2's
IdP (`saml2.server.Server`, signing with the `xmlsec1` program) in a small Flask app, served by
werkzeug in a thread.

It plays a customer's identity provider: it publishes its metadata at `/metadata`, the test
registers our service provider's metadata with it (`register_sp`, as an admin uploads it at
Okta or Entra) and the people in its directory. Its sign-in page (HTTP-Redirect binding) asks
for an address in that directory and has one button; its answer is a signed response with a
signed assertion, posted to our assertion consumer service by a form (HTTP-POST binding) that
sends itself. It can also be told to misbehave the ways an identity provider can: answer for
another audience (`audience`), already expired (`lifetime_minutes` below zero), signed by a key
that is not the one in its metadata (`sign_with_other_key`), or not signed at all (`sign`).
"""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
import threading
from html import escape
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, request
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import create_metadata_string
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256
from werkzeug.serving import make_server

XMLSEC1 = "/usr/bin/xmlsec1"
OTHER_AUDIENCE = "https://someone-else.example/saml/metadata/"


def key_pair(folder: Path, name: str) -> tuple[Path, Path]:
    """A new RSA key and a self-signed certificate for it, as PEM files in `folder`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"loopback idp {name}")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class SamlProvider:
    """Start with `start()`, stop with `stop()`; `entity_id`, `sso_url`, `metadata_url` and
    `certificate` (PEM) are what an admin would copy from it."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="loopback-idp-")
        folder = Path(self._folder.name)
        self.key_file, self.cert_file = key_pair(folder, "signing")
        self.other_key_file, self.other_cert_file = key_pair(folder, "other")
        self.people: dict[str, dict] = {}  # email → attributes (givenName, sn, …)
        self.sp_metadata: list[str] = []
        # Misbehaviours, off by default.
        self.audience: str | None = None
        self.lifetime_minutes = 5
        self.sign_with_other_key = False
        self.sign = True
        self.base_url = ""
        self._server = None
        self._thread: threading.Thread | None = None
        self.app = self._make_app()

    # --- The test's side -------------------------------------------------------------------

    @property
    def entity_id(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.base_url}/sso/redirect"

    @property
    def certificate(self) -> str:
        return self.cert_file.read_text()

    def register_sp(self, metadata_xml: str) -> None:
        """Trust a service provider, as its metadata describes it."""
        self.sp_metadata.append(metadata_xml)

    def add_person(self, email: str, **attributes) -> None:
        self.people[email] = attributes

    def start(self, port: int = 0) -> SamlProvider:
        self._server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        self._folder.cleanup()

    def metadata(self) -> str:
        return create_metadata_string(None, config=self._config(), valid=1).decode()

    # --- The provider ---------------------------------------------------------------------

    def _config(self) -> IdPConfig:
        other = self.sign_with_other_key
        metadata = list(self.sp_metadata)
        if self.audience:  # the same service provider, known under another entity ID
            metadata += [xml.replace(self._sp_entity_id(xml), self.audience) for xml in metadata]
        config = IdPConfig()
        config.load(
            {
                "entityid": self.entity_id,
                "service": {
                    "idp": {
                        "endpoints": {
                            "single_sign_on_service": [(self.sso_url, BINDING_HTTP_REDIRECT)]
                        },
                        "policy": {
                            "default": {
                                "lifetime": {"minutes": self.lifetime_minutes},
                                "attribute_restrictions": None,
                                "name_form": NAME_FORMAT_URI,
                            }
                        },
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                    }
                },
                "key_file": str(self.other_key_file if other else self.key_file),
                "cert_file": str(self.other_cert_file if other else self.cert_file),
                "xmlsec_binary": XMLSEC1,
                "metadata": {"inline": metadata},
            }
        )
        return config

    @staticmethod
    def _sp_entity_id(metadata_xml: str) -> str:
        return metadata_xml.split('entityID="', 1)[1].split('"', 1)[0]

    def _make_app(self) -> Flask:
        app = Flask(__name__)

        @app.get("/metadata")
        def metadata():
            return self.metadata(), 200, {"Content-Type": "application/samlmetadata+xml"}

        @app.get("/sso/redirect")
        def sign_in_page():
            return self._sign_in_page(request.args.get("SAMLRequest", ""), request.args)

        @app.post("/sso/redirect")
        def sign_in():
            email = request.form.get("email", "")
            if email not in self.people:
                return self._sign_in_page(
                    request.form.get("SAMLRequest", ""),
                    request.form,
                    error="Nobody with this address here.",
                ), 400
            return self._answer(email, request.form["SAMLRequest"], request.form.get("RelayState"))

        return app

    def _sign_in_page(self, saml_request: str, args, error: str = "") -> str:
        relay_state = args.get("RelayState", "")
        return (
            "<!doctype html><title>Loopback SAML identity provider</title>"
            f"<h1>Loopback SAML identity provider</h1><p>{escape(error)}</p>"
            '<form method="post" action="/sso/redirect">'
            f'<input type="hidden" name="SAMLRequest" value="{escape(saml_request)}">'
            f'<input type="hidden" name="RelayState" value="{escape(relay_state)}">'
            '<label>Email <input name="email"></label>'
            "<button type=submit>Sign in at the provider</button></form>"
        )

    def _answer(self, email: str, saml_request: str, relay_state: str | None) -> str:
        server = Server(config=self._config())
        parsed = server.parse_authn_request(saml_request, BINDING_HTTP_REDIRECT)
        args = server.response_args(parsed.message, [BINDING_HTTP_POST])
        if self.audience:
            args["sp_entity_id"] = self.audience
        person = self.people[email]
        identity = {"mail": [email]}
        identity |= {name: [value] for name, value in person.items() if name != "subject"}
        response = server.create_authn_response(
            identity,
            in_response_to=args["in_response_to"],
            destination=args["destination"],
            sp_entity_id=args["sp_entity_id"],
            name_id=NameID(
                format=NAMEID_FORMAT_PERSISTENT, text=person.get("subject", f"subject-{email}")
            ),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:Password"},
            sign_response=self.sign,
            sign_assertion=self.sign,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        return (
            "<!doctype html><title>Signing you in</title>"
            '<body onload="document.forms[0].submit()">'
            f'<form method="post" action="{escape(args["destination"])}">'
            f'<input type="hidden" name="SAMLResponse" value="{encoded}">'
            f'<input type="hidden" name="RelayState" value="{escape(relay_state or "")}">'
            "<button type=submit>Continue</button></form></body>"
        )
