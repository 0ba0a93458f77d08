"""What a chat channel is posted: one message (a heading, a line of context, sections with a link
each, a button back to the site) as Slack's Block Kit and as a Microsoft Teams Adaptive Card.

Slack's blocks are built with slack-sdk's Block Kit models (`slack_sdk.models.blocks`), which
check Slack's limits as they serialise; only the models are used. slack-sdk's own HTTP clients
(`WebhookClient` and the others) are not: they would connect wherever the URL's name resolves,
past config/outbound.py's guard, so every post goes through `destination_post`.

Text from the site (titles, a harvest's summary, a decision's note) is never read as markup:
for Slack `&`, `<` and `>` are escaped (so no `<!channel>` mention and no link can be slipped
in), and the heading is plain text; for Teams every text is a `TextRun` of a `RichTextBlock`,
which Adaptive Cards never read as Markdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from community.models import ChatProvider

BUTTON_TEXT = "Open in Customer Garden"
HEADING_MAX = 150  # Slack's header block
SECTION_MAX = 2900  # Slack's section text is at most 3000 characters
BODY_MAX = 600  # each section's text, so a digest stays well under the size limits
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
ADAPTIVE_CARD_VERSION = "1.4"


@dataclass(frozen=True)
class ChatSection:
    """One thing in a message: a title linked to the site (a digest's items), and text."""

    text: str
    title: str = ""
    link: str = ""


@dataclass(frozen=True)
class ChatMessage:
    heading: str
    context: str = ""
    sections: list[ChatSection] = field(default_factory=list)
    link: str = ""  # the button's
    more: str = ""  # a last line such as "and 12 more on the site"


def cut(text: str, limit: int) -> str:
    """`text` within `limit` characters, an ellipsis where it was cut."""
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def message_payload(*, provider: str, message: ChatMessage) -> dict:
    """The JSON body an incoming webhook of `provider` takes for `message`."""
    if provider == ChatProvider.TEAMS:
        return teams_payload(message)
    return slack_payload(message)


# --- Slack: Block Kit ------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Slack's three control characters escaped: the text shows as written, no mention or
    link can be made of it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_section(section: ChatSection) -> SectionBlock | None:
    text = slack_escape(cut(section.text, BODY_MAX))
    if section.title:
        title = slack_escape(cut(section.title, 200))
        title = f"<{section.link}|{title}>" if section.link else title
        text = f"*{title}*\n{text}".rstrip()
    if not text:
        return None
    return SectionBlock(text=MarkdownTextObject(text=cut(text, SECTION_MAX)))


def slack_payload(message: ChatMessage) -> dict:
    """`{"text": fallback, "blocks": [...]}`: the text is what notifications and clients
    without blocks show."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=cut(message.heading, HEADING_MAX), emoji=False))
    ]
    if message.context:
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=slack_escape(message.context))])
        )
    for index, section in enumerate(message.sections):
        block = _slack_section(section)
        if block is not None:
            if index and section.title:
                blocks.append(DividerBlock())
            blocks.append(block)
    if message.more:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=slack_escape(message.more))]))
    if message.link:
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text=BUTTON_TEXT, url=message.link, action_id="open-in-garden")
                ]
            )
        )
    return {
        "text": slack_escape(cut(message.heading, 300)),
        "blocks": [block.to_dict() for block in blocks],
    }


# --- Microsoft Teams: an Adaptive Card -------------------------------------------------------


def _rich_text(text: str, **style) -> dict:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def _teams_section(section: ChatSection) -> list[dict]:
    elements = []
    if section.title:
        style: dict = {"weight": "Bolder"}
        if section.link:
            style["selectAction"] = {"type": "Action.OpenUrl", "url": section.link}
        elements.append(_rich_text(cut(section.title, 200), **style))
    text = cut(section.text, BODY_MAX)
    if text:
        elements.append(_rich_text(text))
    if elements and section.title:
        elements[0]["separator"] = True
        elements[0]["spacing"] = "Medium"
    return elements


def teams_payload(message: ChatMessage) -> dict:
    """A message with one Adaptive Card attachment: the format of a Teams Workflows
    ("post to a channel when a webhook request is received") and of an incoming webhook."""
    body = [_rich_text(cut(message.heading, HEADING_MAX), weight="Bolder", size="Medium")]
    if message.context:
        body.append(_rich_text(message.context, isSubtle=True, size="Small"))
    for section in message.sections:
        body.extend(_teams_section(section))
    if message.more:
        body.append(_rich_text(message.more, isSubtle=True))
    card: dict = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
        "msteams": {"width": "Full"},
    }
    if message.link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": BUTTON_TEXT, "url": message.link}]
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }
