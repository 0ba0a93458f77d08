"""When two email addresses are the same login: the one fold every comparison of addresses uses.

PostgreSQL matches `email__iexact` with upper(), which folds the dotless `ı` to `I` and the long
`ſ` to `S`; browsers and IMEs send full-width letters (`ａ`); Unicode has ligatures and
compatibility forms. Keyed on the text typed, each such spelling of one address would be a
login of its own, with five guesses of its own. So an address is compared by its *key*:
Unicode NFKC, then folded the way upper() and casefold() fold together (`ı`→`i`, `ſ`→`s`,
`ß`→`ss`, `Ａ`→`a`), then NFKC again.

Addresses are stored *plain*: lower case, canonically composed (NFC), and equal to their key.
An address that is not plain (it holds letters that fold into other letters) is refused
wherever one is set, with LOOKALIKE_MESSAGE, whether or not anyone has the address it folds
into: asking would tell the person typing whether someone else has a login. Because every
stored address is plain, two logins never share a key, and the key of any spelling typed finds
the one login it can mean (`UserManager.get_by_address`).
"""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

LOOKALIKE_MESSAGE = (
    "Type this address in plain letters: it holds characters that read as other letters "
    "(such as ı, ſ, ß or full-width letters), so it could pass for someone else's address."
)


def address_key(address: str) -> str:
    """The form two addresses share when they are the same login (NFKC + case folding)."""
    text = unicodedata.normalize("NFKC", str(address).strip())
    return unicodedata.normalize("NFKC", text.upper().casefold())


def address_plain(address: str) -> str:
    """The address as it is stored: stripped, NFC, lower case. Raises ValidationError (code
    "lookalike") when it holds letters that fold into others, so it is not its own key."""
    plain = unicodedata.normalize("NFC", str(address).strip()).lower()
    if address_key(plain) != plain:
        raise ValidationError(LOOKALIKE_MESSAGE, code="lookalike")
    return plain
