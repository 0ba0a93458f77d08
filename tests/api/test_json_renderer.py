"""config.renderers.JSONRenderer writes DRF's JSONRenderer's bytes (orjson instead of `json`),
falls back to DRF's where orjson cannot write, and is the API's renderer."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections import OrderedDict

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from config.renderers import JSONRenderer
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_login

UTC = datetime.UTC
BERLIN = datetime.timezone(datetime.timedelta(hours=1))


def _both(data, accepted="application/json", context=None) -> tuple[bytes, bytes]:
    ours = JSONRenderer().render(data, accepted, context)
    drfs = renderers.JSONRenderer().render(data, accepted, context)
    return ours, drfs


@pytest.mark.parametrize(
    "data",
    [
        {"at": datetime.datetime(2026, 12, 5, 10, 0, 0, 123456, tzinfo=UTC)},
        {"at": datetime.datetime(2026, 12, 5, 10, 0, tzinfo=BERLIN)},
        {"at": datetime.datetime(2026, 12, 5, 10, 0)},  # noqa: DTZ001 (a naive one, too)
        {"day": datetime.date(2026, 12, 5), "time": datetime.time(9, 30, 15, 500)},
        {"took": datetime.timedelta(minutes=3, microseconds=7)},
        {"score": decimal.Decimal("72.5"), "share": decimal.Decimal("0.1000")},
        {"id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
        {"label": gettext_lazy("Thriving"), "none": None, "yes": True, "no": False},
        {"text": "line\u2028para\u2029end", "control": "\x00\x1f\x7f", "é": "😀 </script>"},
        {"floats": [0.1, 1 / 3, 2.5, 100.0, -0.0, 1e-4, 9999999999999998.0]},
        {"ints": [0, -1, 2**63 - 1, -(2**63)]},
        ReturnDict(
            [("b", 1), ("a", ReturnList([OrderedDict(z=1, y=2)], serializer=None))], serializer=None
        ),
        {"nested": ({"tuple": (1, 2)}, [[], {}]), "set_like": frozenset()},
        [],
        "",
    ],
    ids=lambda data: repr(data)[:40],
)
def test_it_writes_drfs_bytes(data):
    ours, drfs = _both(data)
    assert ours == drfs


def test_what_orjson_cannot_write_is_written_by_drf():
    # An integer past 64 bits, a key that is no string, a lone surrogate
    assert _both({"big": 2**70})[0] == b'{"big":1180591620717411303424}'
    assert _both({1: "one"})[0] == b'{"1":"one"}'
    with pytest.raises(UnicodeEncodeError):
        JSONRenderer().render({"broken": "\ud800"})
    with pytest.raises(TypeError):
        JSONRenderer().render({"unknown": object()})


def test_an_indented_answer_is_drfs():
    data = {"a": [1, {"b": "c"}]}
    ours, drfs = _both(data, "application/json; indent=2")
    assert ours == drfs and b"\n  " in ours


def test_a_float_that_is_not_finite_is_written_as_null():
    assert JSONRenderer().render({"x": float("nan"), "y": float("inf")}) == b'{"x":null,"y":null}'


def test_nothing_is_written_for_no_data():
    assert JSONRenderer().render(None) == b""


def test_the_api_answers_with_it(api, programme_admin):
    AccountFactory(name="Ærø Fjord\u2028Holdings")
    api_login(api, programme_admin)

    response = api.get("/api/v1/accounts/")

    assert isinstance(response.accepted_renderer, JSONRenderer)
    assert response.content == renderers.JSONRenderer().render(response.data)
    assert b"\\u2028" in response.content and "Ærø".encode() in response.content
