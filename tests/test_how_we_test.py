"""How tests are written here — read this file first (in the spirit of Zulip's test_example.py).

Every test below is a real test of the product; each also shows one habit of this code base.

1. **Personas are fixtures** (tests/conftest.py): `member_a`, `admin_a` (account A, "Acme
   Industrial", slug "acme"), `member_b` / `admin_b` (account B, "Globex Logistics"),
   `account_manager_a` (internal, assigned to A only), `product_manager`, `programme_admin`.
   Ask for them by name; build anything else with the factories in tests/<app>/factories.py.
2. **Test through URLs** with Django's test client, as a browser would: `client_for(user)` logs a
   persona in; the plain `client` is an anonymous visitor. Use the real login form only when
   the login itself is under test (tests/accounts/test_login_pages.py).
3. **After a write, check the response *and* the rows**: a 302 alone proves nothing.
4. **Every page and endpoint has an outsider test**: someone who must not see it gets 404 (it
   does not exist for them), someone who sees it but may not change it gets 403, and in both
   cases nothing changed in the database.
5. **Lists assert their query count** with `django_assert_num_queries`, name each query in a
   comment, and prove the count does not grow with the number of rows.
6. **Work that runs after commit** (emails, Celery tasks) runs inside
   `django_capture_on_commit_callbacks(execute=True)`; tasks run eagerly in tests and emails
   land in `django.core.mail.outbox`. Mock only third parties.

Names read as sentences and assertions are plain `assert`s. No skips, no sleeps.
"""

from __future__ import annotations

from django.core import mail

from accounts.models import Account, Invitation, MemberRole, Membership
from tests.accounts.factories import AccountFactory, customer

# 1 + 2. A persona fixture, a URL, and what that persona should (and should not) see.


def test_a_customer_sees_their_own_account_on_the_landing_page(client_for, member_a, member_b):
    response = client_for(member_a).get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Acme Industrial" in page
    assert "Globex" not in page  # member_b exists, so this line can fail


# 3. A write through the page, then the rows.


def test_an_account_admin_makes_a_colleague_admin(client_for, admin_a, member_a):
    response = client_for(admin_a).post(
        f"/members/{member_a.membership.pk}/role/", {"role": "admin"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/acme/"
    assert Membership.objects.get(user=member_a).role == MemberRole.ADMIN


# 4. The outsider tests: 404 for what they may not see, 403 for what they may not change.


def test_a_customer_of_another_account_cannot_even_find_the_member(client_for, member_a, member_b):
    response = client_for(member_b).post(
        f"/members/{member_a.membership.pk}/role/", {"role": "admin"}
    )

    assert response.status_code == 404
    assert Membership.objects.get(user=member_a).role == MemberRole.MEMBER


def test_a_member_who_is_not_admin_sees_colleagues_but_cannot_promote_them(
    client_for, member_a, admin_a
):
    colleague = customer(member_a.membership.account, first_name="Arno")

    response = client_for(member_a).post(
        f"/members/{colleague.membership.pk}/role/", {"role": "admin"}
    )

    assert response.status_code == 403
    assert Membership.objects.get(user=colleague).role == MemberRole.MEMBER


def test_anonymous_visitors_are_sent_to_the_login_page(client, account_a):
    response = client.get("/accounts/acme/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/acme/"


# 5. A list's query count, named query by query, the same for 3 rows as for 12.


def test_the_account_list_does_not_query_once_per_account(
    client_for, product_manager, django_assert_num_queries
):
    client = client_for(product_manager)
    for accounts in (3, 12):
        while Account.objects.count() < accounts:
            AccountFactory()
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'),
        # 4 paginator count, 5 groups (navigation), 6 the page of accounts with member counts
        # +1 the unread-notification count for the bell in the navigation
        with django_assert_num_queries(7):
            response = client.get("/accounts/")
        assert response.content.decode().count('<th scope="row">') == accounts


# 6. Work after commit: the invitation email goes out once the transaction commits.


def test_an_invitation_email_goes_out_after_commit(
    client_for, admin_a, django_capture_on_commit_callbacks
):
    # Usually `django_capture_on_commit_callbacks(execute=True)`; here the callbacks are run by
    # hand, to show that nothing leaves before the commit.
    with django_capture_on_commit_callbacks() as after_commit:
        response = client_for(admin_a).post(
            "/accounts/acme/invite/", {"email": "nina@acme.example", "role": "member"}
        )
    assert response.status_code == 302
    assert mail.outbox == []

    for callback in after_commit:
        callback()

    invitation = Invitation.objects.get(email="nina@acme.example")
    assert invitation.sent_at is not None
    assert [m.to for m in mail.outbox] == [["nina@acme.example"]]
    assert invitation.get_accept_url() in mail.outbox[0].body
