"""A real HTTP(S) server on 127.0.0.1 for the outgoing-webhook tests (the `receiver` fixture of
tests/community/conftest.py)."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    """A tiny HTTP server in a thread: it records each post (and every request, whatever its
    method) and answers with the next code of `codes` (200 once they run out), with `body`, the
    reason phrase `phrase` and a `Location` header when `location` is set.

    With `certificate` (a trustme leaf certificate) it speaks TLS and records the server name
    each client asked for (SNI) in `server_names`."""

    def __init__(self, certificate=None) -> None:
        self.posts: list[dict] = []
        self.requests: list[dict] = []
        self.codes: list[int] = []
        self.body = b"ok"
        self.phrase: str | None = None
        self.location: str | None = None
        self.server_names: list[str | None] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.posts.append({"headers": dict(self.headers), "body": body})
                self._answer()

            def do_GET(self):  # noqa: N802 (http.server's name)
                self._answer()

            def _answer(self):
                receiver.requests.append(
                    {"method": self.command, "path": self.path, "headers": dict(self.headers)}
                )
                code = receiver.codes.pop(0) if receiver.codes else 200
                self.send_response(code, receiver.phrase)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                self.wfile.write(receiver.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        scheme = "http"
        if certificate is not None:
            scheme = "https"
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            certificate.configure_cert(context)
            context.sni_callback = lambda sock, name, ctx: self.server_names.append(name)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"{scheme}://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url_for(self, host: str) -> str:
        """The receiver's URL under another host name (which the test's fake DNS resolves)."""
        return self.url.replace("127.0.0.1", host, 1)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
