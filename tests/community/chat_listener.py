"""A Slack or Teams incoming webhook, played on 127.0.0.1 for the chat channel tests: it checks
each post's structure as the service would, answers as the service does (Slack: 200 "ok";
Teams Workflows: 202) or 400 "invalid_payload" when the structure is wrong, and records the
posts with the problems it found. `codes` forces the next answers (a removed webhook: 404)."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from slack_sdk.models.blocks import Block

SLACK_BLOCKS = {"header", "section", "context", "actions", "divider"}
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_ELEMENTS = {"TextBlock", "RichTextBlock"}
# In Slack's mrkdwn a "<" opens a link or a mention: only links to the site may be made.
_ANGLED = re.compile(r"<([^>]*)>")


def slack_problems(payload: object, *, site: str) -> list[str]:
    """What is wrong with a Slack incoming-webhook payload of Block Kit blocks."""
    if not isinstance(payload, dict):
        return ["not a JSON object"]
    problems = []
    if not isinstance(payload.get("text"), str) or not payload["text"].strip():
        problems.append("no text fallback")
    blocks = payload.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 50:
        return [*problems, "blocks is not a list of 1 to 50 blocks"]
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or block.get("type") not in SLACK_BLOCKS:
            problems.append(f"block {index} is not a known block")
            continue
        try:
            parsed = Block.parse(block)
            same = parsed is not None and parsed.to_dict() == block  # slack-sdk's checks
        except Exception as error:  # noqa: BLE001 - any refusal is a problem to report
            problems.append(f"block {index}: {error}")
            continue
        if not same:
            problems.append(f"block {index} does not read back as written")
    for text in _mrkdwn_texts(blocks) + [payload.get("text") or ""]:
        for inside in _ANGLED.findall(text):
            if not inside.startswith(site):
                problems.append(f"markup other than a link to the site: <{inside}>")
    return problems


def _mrkdwn_texts(blocks: list[dict]) -> list[str]:
    texts = []
    for block in blocks:
        if isinstance(block.get("text"), dict) and block["text"].get("type") == "mrkdwn":
            texts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("type") == "mrkdwn":
                texts.append(element["text"])
    return texts


def teams_problems(payload: object) -> list[str]:
    """What is wrong with a Teams message carrying an Adaptive Card."""
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return ["not a message"]
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return ["not exactly one attachment"]
    attachment = attachments[0]
    if attachment.get("contentType") != ADAPTIVE_CARD:
        return ["the attachment is not an Adaptive Card"]
    card = attachment.get("content") or {}
    problems = []
    if card.get("type") != "AdaptiveCard":
        problems.append("the content is not an AdaptiveCard")
    if card.get("version") not in {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}:
        problems.append(f"version {card.get('version')!r}")
    body = card.get("body")
    if not isinstance(body, list) or not body:
        return [*problems, "no body"]
    for index, element in enumerate(body):
        if element.get("type") not in CARD_ELEMENTS:
            problems.append(f"element {index} is not a text element")
        elif element["type"] == "RichTextBlock":
            runs = element.get("inlines") or []
            if not runs or any(r.get("type") != "TextRun" or not r.get("text") for r in runs):
                problems.append(f"element {index} has a run without text")
    for action in card.get("actions", []):
        if (
            action.get("type") != "Action.OpenUrl"
            or not action.get("url")
            or not action.get("title")
        ):
            problems.append("an action is not a titled Action.OpenUrl")
    return problems


class ChatListener:
    """A fake incoming webhook of `provider` ("slack" or "teams") on 127.0.0.1."""

    def __init__(self, provider: str, *, site: str) -> None:
        self.provider = provider
        self.posts: list[dict] = []  # {"payload", "problems", "headers"}
        self.codes: list[int] = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = None
                if provider == "slack":
                    problems = slack_problems(payload, site=site)
                else:
                    problems = teams_problems(payload)
                listener.posts.append(
                    {"payload": payload, "problems": problems, "headers": dict(self.headers)}
                )
                code = (
                    listener.codes.pop(0)
                    if listener.codes
                    else (200 if provider == "slack" else 202)
                )
                if problems and code < 300:
                    code = 400
                body = b"ok" if code < 300 else b"invalid_payload"
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/services/T0/B0/secret-tail"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    @property
    def payloads(self) -> list[dict]:
        return [post["payload"] for post in self.posts]

    def text(self, index: int = -1) -> str:
        """Every text of one post, joined: what a reader of the channel sees."""
        return json.dumps(self.posts[index]["payload"], ensure_ascii=False)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
