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
  nothing of a post's answer but its status code is read.
- Documents the server fetches from such a URL (an identity provider's discovery document,
  keys, tokens, user info; allauth fetches them through `outbound_session`, handed to it by
  accounts.allauth_adapters) go through the same rule for every request, redirects refused
  too, and at most FETCH_LIMIT_BYTES of an answer is read.
- Plain http is for development (DEBUG) and for loopback where it is allowed
  (`plain_http_allowed`); everything else is https.
- What the admin sees of a failure is a short reason of ours (`PostOutcome.reason`: "refused:
  the address is private", "timed out", "HTTP 500"), never the target's text or an exception's.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
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


def plain_http_allowed(destination: Destination) -> bool:
    """May this destination be reached over plain http, not https? In development (DEBUG), or
    on loopback where `loopback_allowed` (the tests' receivers and identity provider)."""
    return settings.DEBUG or (loopback_allowed() and destination.only_loopback)


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
    try:
        answer = _exchange(
            destination,
            address,
            method="POST",
            body=body,
            headers=headers,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
            read_limit=0,
        )
    except HTTPError as error:
        return PostOutcome(None, _failure_reason(error))
    return _answer_outcome(answer.status)


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: dict[str, str]
    body: bytes


class AnswerTooLarge(HTTPError):
    """The answer's body is longer than the caller reads."""


def _exchange(
    destination: Destination,
    address: IPAddress,
    *,
    method: str,
    body: bytes | str | None,
    headers: dict[str, str],
    timeout: urllib3.Timeout,
    read_limit: int,
) -> _Answer:
    """One request over a connection to `address` itself (no lookup), with the URL's Host
    header and, for https, TLS on the URL's host name; at most `read_limit` bytes of the
    answer's body are read (AnswerTooLarge past it). urllib3's HTTPError when there is no
    answer."""
    options: dict = {}
    pool_class = urllib3.HTTPConnectionPool
    if destination.scheme == "https":
        pool_class = urllib3.HTTPSConnectionPool
        options = {"server_hostname": destination.host, "ssl_context": tls_context()}
    pool = pool_class(
        str(address), destination.port, timeout=timeout, retries=False, maxsize=1, **options
    )
    try:
        response = pool.urlopen(
            method,
            destination.target,
            body=body,
            headers={**headers, "Host": destination.host_header},
            retries=False,
            redirect=False,
            assert_same_host=False,
            preload_content=False,
        )
        try:
            data = response.read(read_limit + 1) if read_limit else b""
        finally:
            response.close()
    finally:
        pool.close()
    if len(data) > read_limit:
        raise AnswerTooLarge(f"the answer is larger than {read_limit} bytes")
    return _Answer(response.status, response.reason or "", dict(response.headers), data)


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
    if isinstance(error, AnswerTooLarge):
        return "the answer is too large"
    return UNREACHABLE_REASON


# --- requests through the same rule (an identity provider's documents, fetched by allauth) ---

FETCH_LIMIT_BYTES = 1_000_000  # a discovery document, a key set or a token answer is far less
FETCH_TIMEOUT_SECONDS = 10.0


class OutboundRefused(requests.ConnectionError):
    """requests' error for a URL the rule refuses; `reason` says why, in a few words of ours."""

    def __init__(self, reason: str, *, request=None) -> None:
        super().__init__(f"refused: {reason}", request=request)
        self.reason = reason


class OutboundAdapter(HTTPAdapter):
    """requests' transport for URLs an admin set: the URL checked now (`destination_check`) and
    the connection made to an address that was checked (so no DNS answer between the check and
    the connection is asked for), TLS on the URL's host name against the system's authorities
    whatever `verify` says, no proxy, at most FETCH_LIMIT_BYTES of an answer read. Every
    failure is a requests.RequestException: OutboundRefused, Timeout or ConnectionError."""

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        try:
            destination = destination_check(request.url)
        except DestinationRefused as refused:
            raise OutboundRefused(refused.reason, request=request) from None
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        limits = urllib3.Timeout(
            connect=connect or FETCH_TIMEOUT_SECONDS, read=read or FETCH_TIMEOUT_SECONDS
        )
        reason = UNREACHABLE_REASON
        for address in destination.addresses:
            try:
                answer = _exchange(
                    destination,
                    address,
                    method=request.method,
                    body=request.body,
                    headers=dict(request.headers),
                    timeout=limits,
                    read_limit=FETCH_LIMIT_BYTES,
                )
            except HTTPError as error:
                reason = _failure_reason(error)
                if reason in _NO_CONNECTION:
                    continue  # the next address
                kind = requests.Timeout if reason == "timed out" else requests.ConnectionError
                raise kind(reason, request=request) from None
            return self._response(request, answer)
        raise requests.ConnectionError(reason, request=request)

    def _response(self, request, answer: _Answer) -> requests.Response:
        response = requests.Response()
        response.status_code = answer.status
        response.reason = answer.reason
        response.headers = CaseInsensitiveDict(answer.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        response._content = answer.body
        response.url = request.url
        response.request = request
        response.connection = self
        return response


def outbound_session(*, timeout: float = FETCH_TIMEOUT_SECONDS) -> requests.Session:
    """A requests session whose every request goes through the rule (OutboundAdapter), with no
    proxy or .netrc from the environment and no redirect followed (a 3xx is TooManyRedirects)."""
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = 0
    adapter = OutboundAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.request = functools.partial(session.request, timeout=timeout)
    return session
