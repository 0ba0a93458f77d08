"""A fake internet for the tests, installed for the whole session by tests/conftest.py (the
`fake_internet` fixture hands it to a test, fresh): no test asks the real DNS about the reserved
test domains, and nothing connects to a public address.

- Names under the documentation domains (example.com, example.net, example.org, *.example)
  resolve to `PUBLIC`, a public address where nothing listens: a connection to it is refused at
  once, and recorded. So a webhook endpoint on https://hooks.example.com/ passes the address
  check when it is saved, and a post to it fails fast, without leaving the machine.
- The chat services' webhook hosts (hooks.slack.com, Teams' *.logic.azure.com …) resolve to
  `PUBLIC` too, so a chat channel's URL can be saved as a person would type it.
- Names under .test and .invalid resolve only as a test says (`answer`), and otherwise not.
- Every other name, and every IP address, goes to the real resolver (localhost, 127.0.0.1).

`answer("rebind.test", ["93.184.215.14"], ["127.0.0.1"])` gives each lookup of the name the next
list of addresses, the last one for every lookup after: DNS rebinding, as an attacker's DNS
server would do it. `lookups` and `connections` record what was asked and where sockets went.
"""

from __future__ import annotations

import ipaddress
import socket

PUBLIC = "93.184.215.14"  # public (is_global); the fake refuses every connection to it
_DOCUMENTATION = ("example.com", "example.net", "example.org", "example")
_TEST_ONLY = ("test", "invalid")
_CHAT_SERVICES = (
    "hooks.slack.com",
    "hooks.slack-gov.com",
    "logic.azure.com",
    "api.powerplatform.com",
    "webhook.office.com",
)


def _under(name: str, domains: tuple[str, ...]) -> bool:
    return any(name == domain or name.endswith(f".{domain}") for domain in domains)


class FakeInternet:
    def __init__(self, real_getaddrinfo, real_connect) -> None:
        self._real_getaddrinfo = real_getaddrinfo
        self._real_connect = real_connect
        self._answers: dict[str, list[list[str]]] = {}
        self.unreachable = {PUBLIC}
        self.lookups: list[str] = []
        self.connections: list[tuple[str, int]] = []

    def reset(self) -> None:
        """Forget the answers a test gave and what was looked up and connected to."""
        self._answers.clear()
        self.lookups.clear()
        self.connections.clear()

    def answer(self, name: str, *answers: list[str]) -> None:
        """Each lookup of `name` gets the next list of addresses; the last list repeats."""
        self._answers[name.lower().rstrip(".")] = [list(addresses) for addresses in answers]

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        name = name.lower().rstrip(".")
        addresses = self._addresses(name)
        if addresses is None:
            return self._real_getaddrinfo(host, port, family, type, proto, flags)
        self.lookups.append(name)
        if not addresses:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [self._entry(address, port, type) for address in addresses]

    def _addresses(self, name: str) -> list[str] | None:
        """The fake's answer for `name`, or None when the real resolver answers."""
        if name in self._answers:
            answers = self._answers[name]
            return answers.pop(0) if len(answers) > 1 else answers[0]
        if _under(name, _DOCUMENTATION) or _under(name, _CHAT_SERVICES):
            return [PUBLIC]
        if _under(name, _TEST_ONLY):
            return []
        return None

    @staticmethod
    def _entry(address: str, port, type_) -> tuple:
        ip = ipaddress.ip_address(address)
        socktype = type_ or socket.SOCK_STREAM
        if ip.version == 6:
            return (socket.AF_INET6, socktype, socket.IPPROTO_TCP, "", (address, int(port), 0, 0))
        return (socket.AF_INET, socktype, socket.IPPROTO_TCP, "", (address, int(port)))

    def connect(self, sock: socket.socket, address) -> None:
        if isinstance(address, tuple):
            self.connections.append((str(address[0]), int(address[1])))
            if str(address[0]) in self.unreachable:
                raise ConnectionRefusedError(111, "Connection refused (the fake internet)")
        return self._real_connect(sock, address)
