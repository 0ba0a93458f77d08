"""One fold for addresses (accounts/addresses.py): which spellings are one login, which
addresses are stored, and how a typed spelling finds its person, on PostgreSQL as on SQLite."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.addresses import address_key, address_plain
from accounts.models import User
from tests.accounts.factories import LOOKALIKE_ADDRESS, LOOKALIKE_SPELLINGS, UserFactory


@pytest.mark.parametrize("spelling", LOOKALIKE_SPELLINGS)
def test_every_look_alike_spelling_has_the_key_of_the_address(spelling):
    assert address_key(spelling) == LOOKALIKE_ADDRESS


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("straße@firma.example", "strasse@firma.example"),
        ("ﬁona@acme.example", "fiona@acme.example"),  # a ligature
        ("jürgen@müller.example", "jürgen@müller.example"),  # accents are letters of their own
        ("  Bob@Globex.Example ", "bob@globex.example"),
    ],
)
def test_the_key_folds_compatibility_forms_and_case_but_keeps_real_letters(address, key):
    assert address_key(address) == key


@pytest.mark.parametrize(
    ("address", "plain"),
    [
        (" Bob@Globex.Example ", "bob@globex.example"),
        ("ju\u0308rgen@mu\u0308ller.example", "jürgen@müller.example"),  # decomposed ü: NFC
    ],
)
def test_a_plain_address_is_stored_stripped_composed_and_in_lower_case(address, plain):
    assert address_plain(address) == plain


@pytest.mark.parametrize(
    "address", [*LOOKALIKE_SPELLINGS[2:6], *LOOKALIKE_SPELLINGS[7:9], "straße@firma.example"]
)
def test_an_address_with_letters_that_fold_into_others_is_not_plain(address):
    with pytest.raises(ValidationError) as refused:
        address_plain(address)

    assert refused.value.code == "lookalike"


def test_no_login_is_made_for_a_look_alike_address(db):
    with pytest.raises(ValidationError):
        User.objects.create_user(email="krıstin.siska@acme.example", password="x")

    assert not User.objects.exists()


def test_every_spelling_finds_the_one_person_and_nothing_else_does(db):
    kristin = UserFactory(email=LOOKALIKE_ADDRESS)
    UserFactory(email="kristin.sisko@acme.example")

    for spelling in LOOKALIKE_SPELLINGS:
        assert User.objects.get_by_address(spelling) == kristin, spelling
        assert User.objects.get_by_natural_key(spelling) == kristin, spelling
    assert User.objects.get_by_address("kristin@acme.example") is None
    with pytest.raises(User.DoesNotExist):
        User.objects.get_by_natural_key("kristin@acme.example")


def test_an_address_stored_before_addresses_had_to_be_plain_is_found_as_typed(db):
    legacy = UserFactory(email="ſam@acme.example")

    assert User.objects.get_by_address("ſam@acme.example") == legacy
    assert User.objects.get_by_address("ſAM@acme.example") == legacy
