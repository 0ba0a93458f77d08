"""config.api_lean: the API's serializers build their fields once per class and read rows with
less work, and answer exactly as DRF's own serializers do: the same rows through a serializer
on DRF's classes and through the same declaration on ours give the same data, field by field,
for every way a field can read its value."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from unittest import mock

import pytest
from rest_framework import serializers as drf

from accounts.models import Account
from config import api_serializers as serializers
from config.api_lean import LeanModelSerializer, LeanSerializer
from tests.accounts.factories import AccountFactory


class _Holder:
    """A row as a view hands it over: attributes, a method, a relation that is missing."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def shout(self):
        return self.word.upper()

    def needs_an_argument(self, extra):
        return extra

    @property
    def missing_relation(self):
        raise Account.DoesNotExist

    @property
    def broken(self):
        raise AttributeError("not here")


def _declare(base):
    """One declaration of every kind of field read, on `base` (DRF's Serializer or ours)."""

    class Inner(base):
        word = drf.CharField()

    class Every(base):
        word = drf.CharField()
        number = drf.IntegerField()
        amount = drf.DecimalField(max_digits=6, decimal_places=2)
        when = drf.DateTimeField()
        day = drf.DateField()
        key = drf.UUIDField()
        nothing = drf.CharField(allow_null=True)
        shouted = drf.CharField(source="shout")  # a method: DRF calls it
        called = drf.SerializerMethodField()
        dotted = drf.CharField(source="inner.word")
        inner = Inner()
        inners = Inner(many=True)
        whole = Inner(source="*")
        gone = drf.CharField(source="missing_relation", allow_null=True)
        defaulted = drf.CharField(source="absent", default="by default")
        nullable = drf.CharField(source="broken", allow_null=True)
        optional = drf.CharField(source="absent", required=False)
        secret = drf.CharField(write_only=True)

        def get_called(self, row):
            return f"called for {row.word}"

    return Every


def _rows():
    inner = _Holder(word="inside")
    return [
        _Holder(
            word=word,
            number=number,
            amount=decimal.Decimal("12.50"),
            when=dt.datetime(2026, 12, 6, 7, 30, 5, 123456, tzinfo=dt.UTC),
            day=dt.date(2026, 2, 28),
            key=uuid.UUID("12345678-1234-5678-1234-567812345678"),
            nothing=None,
            inner=inner,
            inners=[inner, _Holder(word="zweite Zeile, ünïcödé")],
            secret="never shown",
        )
        for word, number in (("first", 1), ("Ärger", -7))
    ]


def test_every_kind_of_field_reads_as_drfs_own():
    ours, drfs = _declare(LeanSerializer), _declare(drf.Serializer)

    expected = drfs(_rows(), many=True).data
    assert ours(_rows(), many=True).data == expected
    first = expected[0]
    # What is compared is each kind of read, not empty rows.
    assert first["shouted"] == "FIRST" and first["called"] == "called for first"
    assert first["dotted"] == "inside" and first["gone"] is None
    assert first["defaulted"] == "by default" and first["nullable"] is None
    assert "optional" not in first and "secret" not in first
    assert first["amount"] == "12.50" and first["when"] == "2026-12-06T07:30:05.123456Z"


def test_dict_rows_read_as_drfs_own():
    class Ours(LeanSerializer):
        word = drf.CharField()
        optional = drf.CharField(required=False)
        defaulted = drf.CharField(default="by default")

    class Drfs(drf.Serializer):
        word = drf.CharField()
        optional = drf.CharField(required=False)
        defaulted = drf.CharField(default="by default")

    rows = [{"word": "a"}, {"word": "b", "optional": "here", "defaulted": "given"}]

    assert Ours(rows, many=True).data == Drfs(rows, many=True).data
    assert Ours(rows, many=True).data[0] == {"word": "a", "defaulted": "by default"}


def test_a_source_that_needs_an_argument_is_refused_as_drf_refuses_it():
    class Ours(LeanSerializer):
        bad = drf.CharField(source="needs_an_argument")

    class Drfs(drf.Serializer):
        bad = drf.CharField(source="needs_an_argument")

    row = _Holder()
    # A method that takes an argument is no simple callable: DRF hands the method itself to
    # the field, which writes it as a string.
    assert Ours(row).data == Drfs(row).data


def test_a_method_is_called_as_drf_calls_it_whatever_its_shape():
    from functools import partial, partialmethod

    class Row(_Holder):
        def labelled(self, *, prefix="label"):
            return f"{prefix}: {self.word}"

        def failing(self):
            return self.absent_attribute

        tagged = partialmethod(labelled, prefix="tag")  # as Django's get_FOO_display

    class Ours(LeanSerializer):
        plain = drf.CharField(source="shout")
        defaulted = drf.CharField(source="labelled")
        bound_keyword = drf.CharField(source="tagged")
        needs_one = drf.CharField(source="needs_an_argument")
        bound_argument = drf.CharField(source="bound")

    class Drfs(drf.Serializer):
        plain = drf.CharField(source="shout")
        defaulted = drf.CharField(source="labelled")
        bound_keyword = drf.CharField(source="tagged")
        needs_one = drf.CharField(source="needs_an_argument")
        bound_argument = drf.CharField(source="bound")

    rows = [Row(word=w) for w in ("one", "two")]
    for row in rows:
        row.bound = partial(row.needs_an_argument, "given")
    for _ in range(2):  # the second time, the kept answers
        assert Ours(rows, many=True).data == Drfs(rows, many=True).data
    first = Ours(rows, many=True).data[0]
    assert first["plain"] == "ONE" and first["defaulted"] == "label: one"
    assert first["bound_keyword"] == "tag: one" and first["bound_argument"] == "given"
    assert first["needs_one"].startswith("<bound method")

    class OursFailing(LeanSerializer):
        value = drf.CharField(source="failing")

    class DrfsFailing(drf.Serializer):
        value = drf.CharField(source="failing")

    errors = []
    for serializer in (OursFailing, DrfsFailing):
        with pytest.raises(ValueError) as error:
            serializer(Row(word="x")).data  # noqa: B018 (reading it is the test)
        errors.append(str(error.value))
    assert errors[0] == errors[1] and "callable attribute" in errors[0]


def test_a_models_display_method_reads_as_drfs_own():
    class Ours(LeanSerializer):
        label = drf.CharField(source="get_segment_display")

    class Drfs(drf.Serializer):
        label = drf.CharField(source="get_segment_display")

    accounts = [Account(segment=segment) for segment in ("smb", "enterprise", "unknown", "")]
    assert Ours(accounts, many=True).data == Drfs(accounts, many=True).data
    assert Ours(accounts, many=True).data[0]["label"] != "smb"  # the label, not the value


def test_a_missing_required_attribute_fails_as_in_drf():
    class Ours(LeanSerializer):
        word = drf.CharField()

    with pytest.raises(AttributeError, match="Got AttributeError when attempting"):
        Ours(_Holder()).data  # noqa: B018 (reading it is the test)


class _AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "slug", "created_at"]


def test_a_model_serializer_builds_its_fields_once_per_class(db):
    accounts = AccountFactory.create_batch(2)
    _AccountSerializer._fields_built = None  # as if the class were new
    with mock.patch.object(
        drf.ModelSerializer, "build_field", wraps=_AccountSerializer().build_field
    ) as build:
        first = _AccountSerializer(accounts, many=True).data
        second = _AccountSerializer(accounts, many=True).data
    assert build.call_count == 4  # the four fields, the first time only

    assert first == second
    assert [row["name"] for row in first] == [a.name for a in accounts]


def test_each_serializer_gets_fields_of_its_own():
    one, other = _AccountSerializer(), _AccountSerializer()
    one.fields.pop("name")

    assert "name" in other.fields
    assert one.fields["slug"] is not other.fields["slug"]
    assert other.fields["slug"].parent is other


def test_a_subclass_builds_its_own_fields():
    class Fewer(_AccountSerializer):
        class Meta(_AccountSerializer.Meta):
            fields = ["id"]

    assert list(_AccountSerializer().fields) == ["id", "name", "slug", "created_at"]
    assert list(Fewer().fields) == ["id"]
    assert list(_AccountSerializer().fields) == ["id", "name", "slug", "created_at"]


def test_the_api_module_gives_the_lean_classes():
    assert issubclass(serializers.Serializer, LeanSerializer)
    assert issubclass(serializers.ModelSerializer, LeanModelSerializer)


def test_date_times_show_in_the_active_zone_looked_up_once_per_serializer(monkeypatch):
    from django.utils import timezone

    ours, drfs = _declare(LeanSerializer), _declare(drf.Serializer)
    looked_up = []
    real = timezone.get_current_timezone

    def counted():
        looked_up.append(1)
        return real()

    monkeypatch.setattr(timezone, "get_current_timezone", counted)
    for zone in ("Europe/Berlin", "America/Los_Angeles", "UTC"):
        with timezone.override(zone):
            expected = drfs(_rows(), many=True).data
            looked_up.clear()
            shown = ours(_rows(), many=True).data
        assert shown == expected
        assert len(looked_up) == 1  # DRF's looks it up for each row's date-time
    with timezone.override("Europe/Berlin"):
        assert ours(_rows(), many=True).data[0]["when"] == "2026-12-06T08:30:05.123456+01:00"


def test_a_date_time_field_with_a_zone_of_its_own_keeps_it():
    class Ours(LeanSerializer):
        when = drf.DateTimeField(default_timezone=dt.timezone(dt.timedelta(hours=-3)))

    row = _Holder(when=dt.datetime(2026, 12, 6, 7, 30, tzinfo=dt.UTC))
    assert Ours(row).data == {"when": "2026-12-06T04:30:00-03:00"}
