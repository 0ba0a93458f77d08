"""Where the server may connect to a URL a person typed, and the post itself (server-side
request forgery kept out). Webhook endpoints use it, and so must every other outbound URL an
admin sets (an identity provider's issuer and the endpoints of its discovery document:
accounts/oidc_discovery.py; a chat channel's incoming webhook).

Such a URL is typed by an admin, so without care the server would post wherever it points: to
itself, to the database or cache on the private network, to the cloud's metadata service.
The rule, decided here and nowhere else:

- The host is resolved, and **every** address it resolves to must be public: loopback, private,
  link-local, multicast, reserved, unspecified and IPv6 addresses that carry an IPv4 address
  (IPv4-mapped, 6to4, Teredo) are refused (`address_refusal`, from the `ipaddress` module's
  properties). `settings.OUTBOUND_ALLOW_LOOPBACK` lets loopback through, for development and
  tests only (production settings refuse to start with it); `loopback_allowed` reads it (and
  its former name, `WEBHOOK_ALLOW_LOOPBACK`).
- The check runs when an endpoint is saved (`community.services.webhooks`) and again before each
  post (`destination_post`), and the post connects to the address that was checked: the
  connection is opened to that IP, while the Host header and TLS (SNI and the certificate
  check) keep the URL's host name. A DNS answer that changes between the check and the
  connection (DNS rebinding) is never asked for.
- Redirects are not followed (a 3xx is a failure), no proxy from the environment is used, and
  nothing of the answer but its status code is read.
- What the admin sees of a failure is a short reason of ours (`PostOutcome.reason`: "refused:
  the address is private", "timed out", "HTTP 500"), never the target's text or an exception's.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from urllib3.exceptions import HTTPError, NewConnectionError, ProtocolError, SSLError
from urllib3.exceptions import TimeoutError as HTTPTimeoutError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

REDIRECT_REASON = "redirects are not followed"
UNREACHABLE_REASON = "could not connect"
REFUSED_REASON = "connection refused"
_NO_CONNECTION = (UNREACHABLE_REASON, REFUSED_REASON)  # the next address is tried


class DestinationRefused(Exception):
    """The URL may not be posted to; `reason` says why, in a few words of ours."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Destination:
    """A checked URL: its parts, and the addresses its host resolved to, all of them allowed."""

    scheme: str
    host: str  # the URL's host name (ASCII), or its IP address without brackets
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[IPAddress, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def only_loopback(self) -> bool:
        return all(address.is_loopback for address in self.addresses)


@dataclass(frozen=True)
class PostOutcome:
    """What one post did: the answer's status code (None without an answer) and, unless it
    was a 2xx, a short reason to show the admin."""

    status_code: int | None
    reason: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def loopback_allowed() -> bool:
    """May outbound URLs reach loopback (development and tests only)? The setting's former
    name, WEBHOOK_ALLOW_LOOPBACK, still counts."""
    return bool(
        getattr(settings, "OUTBOUND_ALLOW_LOOPBACK", False)
        or getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False)
    )


def address_refusal(address: IPAddress) -> str | None:
    """Why the server may not connect to `address`, or None when it may (the one rule)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return "the address is IPv4-mapped"
        if address.sixtofour is not None or address.teredo is not None:
            return "the address tunnels to IPv4"
    if address.is_unspecified:
        return "the address is unspecified"
    if address.is_loopback:
        return None if loopback_allowed() else "the address is loopback"
    checks = [
        (address.is_link_local, "the address is link-local"),
        (address.is_multicast, "the address is multicast"),
        (address.is_reserved, "the address is reserved"),
        (address.is_private or getattr(address, "is_site_local", False), "the address is private"),
        (not address.is_global, "the address is not public"),
    ]
    return next((reason for refused, reason in checks if refused), None)


def resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address `host` resolves to (an IP address resolves to itself), in the resolver's
    order; DestinationRefused when it resolves to none."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise DestinationRefused("the host name does not resolve") from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in answers:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise DestinationRefused("the host name does not resolve")
    return tuple(addresses)


def destination_check(url: str) -> Destination:
    """The URL's destination, resolved now, each address allowed; DestinationRefused if not.
    The URL's form (scheme, length) is the caller's to check first."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationRefused("the URL has no http(s) host")
    try:
        host = parts.hostname.encode("idna").decode("ascii")
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except (UnicodeError, ValueError):
        raise DestinationRefused("the host name or port is not valid") from None
    addresses = resolve(host, port)
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            raise DestinationRefused(reason)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, host, port, target, addresses)


def tls_context() -> ssl.SSLContext:
    """Certificates checked against the system's trusted authorities and the URL's host name."""
    return ssl.create_default_context()


def destination_post(
    *, url: str, body: bytes, headers: dict[str, str], timeout: float
) -> PostOutcome:
    """POST `body` to `url`: checked again now, then sent to the addresses that were checked,
    one after the other until one accepts the connection."""
    try:
        destination = destination_check(url)
    except DestinationRefused as refused:
        return PostOutcome(None, f"refused: {refused.reason}")
    outcome = PostOutcome(None, UNREACHABLE_REASON)
    for address in destination.addresses:
        outcome = _post_to(destination, address, body=body, headers=headers, timeout=timeout)
        if outcome.reason not in _NO_CONNECTION:
            break
    return outcome


def _post_to(
    destination: Destination,
    address: IPAddress,
    *,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
) -> PostOutcome:
    """One POST over a connection to `address` itself (no lookup); the answer's body unread."""
    options: dict = {}
    pool_class = urllib3.HTTPConnectionPool
    if destination.scheme == "https":
        pool_class = urllib3.HTTPSConnectionPool
        options = {"server_hostname": destination.host, "ssl_context": tls_context()}
    pool = pool_class(
        str(address),
        destination.port,
        timeout=urllib3.Timeout(connect=timeout, read=timeout),
        retries=False,
        maxsize=1,
        **options,
    )
    try:
        response = pool.urlopen(
            "POST",
            destination.target,
            body=body,
            headers={**headers, "Host": destination.host_header},
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        response.close()
    except HTTPError as error:
        return PostOutcome(None, _failure_reason(error))
    finally:
        pool.close()
    return _answer_outcome(response.status)


def _answer_outcome(code: int) -> PostOutcome:
    if 200 <= code < 300:
        return PostOutcome(code)
    if 300 <= code < 400:
        return PostOutcome(code, REDIRECT_REASON)
    return PostOutcome(code, f"HTTP {code}")


def _failure_reason(error: HTTPError) -> str:
    """A few words for a post that got no answer (the exception's text is not shown)."""
    if isinstance(error, NewConnectionError):
        refused = isinstance(error.__cause__, ConnectionRefusedError)
        return REFUSED_REASON if refused else UNREACHABLE_REASON
    if isinstance(error, HTTPTimeoutError):
        return "timed out"
    if isinstance(error, SSLError):
        return "TLS handshake failed"
    if isinstance(error, ProtocolError):
        return "the connection broke off"
    return UNREACHABLE_REASON
