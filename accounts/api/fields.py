"""A serializer field that names a person to the caller through the one naming rule
(accounts.people.person_name)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.fields import get_attribute

from accounts.people import FROM_MEMBERSHIP, person_name
from config import api_serializers as serializers

# `account_id` values that are no path (strings: DRF deep-copies a field's arguments)
COMPANY = ":company"  # the person is one of the company's own people
MEMBERSHIP = ":membership"  # read the person's account from their membership


@extend_schema_field(OpenApiTypes.STR)
class PersonNameField(serializers.Field):
    """The name of the person at `person` (a dotted path on the object; "" for the object
    itself), as the request's user may read it.

    `account_id` says which account the person acted for: a dotted path on the object, COMPANY
    for the company's own people (stewards, account teams), or left out to read it from the
    person's membership (select_related "membership" to keep lists at one query).
    """

    def __init__(self, *, person: str = "", account_id: str = MEMBERSHIP, **kwargs) -> None:
        self.person_path = [part for part in person.split(".") if part]
        self.account_id_path = account_id
        kwargs.update(source="*", read_only=True)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str:
        person = get_attribute(value, self.person_path)
        if self.account_id_path == COMPANY:
            account_id = None
        elif self.account_id_path == MEMBERSHIP:
            account_id = FROM_MEMBERSHIP
        else:
            account_id = get_attribute(value, self.account_id_path.split("."))
        return person_name(
            viewer=self.context["request"].user, person=person, person_account_id=account_id
        )
