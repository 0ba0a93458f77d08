"""How a webhook post is signed: the Standard Webhooks format (standardwebhooks.com), and the
old X-Garden-* headers during a rotation period. Decided here and nowhere else.

Every post carries

- `webhook-id`: the delivery's message id, the same at every attempt (a receiver that has seen
  it already drops the repeat);
- `webhook-timestamp`: when this attempt was signed, in whole seconds since the epoch (a
  receiver refuses one more than five minutes off its clock: a replay);
- `webhook-signature`: `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`, computed by the
  `standardwebhooks` library; during a rotation period one for the new secret and one for the
  previous secret, space-separated, so a receiver holding either accepts it.

A secret made here is `whsec_` and base64 of 32 random bytes: the key is those bytes, as the
standard says. An endpoint made before standard webhooks keeps its older secret (no `whsec_`):
its key is the secret's text as bytes (`Webhook(secret.encode())` on the receiving side).

During a rotation period (`WebhookEndpoint.in_rotation`: after a new secret, and for the
endpoints that existed before standard webhooks) a post also carries the old-style headers,
`X-Garden-Event`, `X-Garden-Delivery` and `X-Garden-Signature: sha256=<hex HMAC-SHA256 of the
body, keyed with the secret's text>`, keyed with the secret the receiver had before the period
(the previous secret, or the only one). After it, the standard headers only."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from standardwebhooks import Webhook

from community.models import WebhookEndpoint

SECRET_PREFIX = "whsec_"  # noqa: S105 (the standard's prefix, not a secret)
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh endpoint secret in the standard's form."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _webhook(secret: str) -> Webhook:
    """The library's signer for a secret: a `whsec_` one is base64 of its key, an older one is
    its own key (its text as bytes)."""
    return Webhook(secret if secret.startswith(SECRET_PREFIX) else secret.encode())


def legacy_signature(*, secret: str, body: bytes) -> str:
    """The old X-Garden-Signature header's value for `body`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_headers(
    *,
    endpoint: WebhookEndpoint,
    message_id: str,
    delivery_id: int,
    event: str,
    body: bytes,
    now: dt.datetime,
) -> dict[str, str]:
    """The signature headers of one attempt at posting `body` to `endpoint`, signed at `now`."""
    in_rotation = endpoint.in_rotation(now)
    keys = [endpoint.secret]
    if in_rotation and endpoint.previous_secret:
        keys.append(endpoint.previous_secret)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(
            _webhook(key).sign(msg_id=message_id, timestamp=now, data=body) for key in keys
        ),
    }
    if in_rotation:
        headers |= {
            "X-Garden-Event": event,
            "X-Garden-Delivery": str(delivery_id),
            "X-Garden-Signature": legacy_signature(
                secret=endpoint.previous_secret or endpoint.secret, body=body
            ),
        }
    return headers
