from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from accounts import services
from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    Invitation,
    MemberRole,
    Membership,
    Segment,
    TeamRole,
    User,
)

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n} GmbH")
    slug = factory.Sequence(lambda n: f"account-{n}")
    segment = Segment.MID_MARKET
    annual_contract_value = 120_000
    customer_since = dt.date(2021, 4, 1)
    renewal_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=60))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    account = factory.SubFactory(AccountFactory)
    role = MemberRole.MEMBER


def customer(account: Account, *, role: str = MemberRole.MEMBER, **fields) -> User:
    """A customer user who belongs to `account`."""
    return MembershipFactory(account=account, role=role, user=UserFactory(**fields)).user


def internal(role: InternalRole, **fields) -> User:
    """An internal user holding `role` (through its group, as in production)."""
    return services.user_set_internal_role(user=UserFactory(**fields), role=role)


class TeamAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AccountTeamAssignment

    user = factory.LazyFunction(lambda: internal(InternalRole.ACCOUNT_MANAGER))
    account = factory.SubFactory(AccountFactory)
    role = TeamRole.ACCOUNT_MANAGER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    account = factory.SubFactory(AccountFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = MemberRole.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))
