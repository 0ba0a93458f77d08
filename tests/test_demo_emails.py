"""The demo's "sent emails" page (/demo/emails/): the emails the demo sends are kept by its email
backend (demo/mail.py) and read in the browser, each person their own, programme admins every
one; off (DEMO_EMAILS) it answers 404, and production has no such route at all."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from django.core.mail import EmailMultiAlternatives

from accounts import services
from demo.models import SentEmail
from tests.production_env import GOOD, ROOT


@pytest.fixture
def demo_emails(settings):
    settings.DEMO_EMAILS = True
    settings.EMAIL_BACKEND = "demo.mail.SentEmailBackend"
    settings.SITE_URL = "http://demo.test"


def _send(to: list[str], subject: str, *, html: str = "<p>Hello</p>") -> None:
    message = EmailMultiAlternatives(subject=subject, body="Hello in plain text", to=to)
    message.attach_alternative(html, "text/html")
    message.send()


def test_an_invitation_sent_by_the_service_is_kept_with_both_parts(
    demo_emails, admin_a, account_a, programme_admin, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the email goes out after commit
        services.invitation_create(
            account=account_a, email="new.person@acme.example", invited_by=admin_a
        )

    kept = SentEmail.objects.get()
    assert kept.recipient == "new.person@acme.example"
    assert kept.subject == "You are invited to Acme Industrial on Customer Garden"
    assert "/invitations/accept/" in kept.text
    assert "/invitations/accept/" in kept.html
    page = client_for(programme_admin).get("/demo/emails/")
    assert page.status_code == 200
    assert "You are invited to Acme Industrial" in page.content.decode()


def test_each_person_reads_only_the_emails_addressed_to_them(
    demo_emails, member_a, member_b, client_for
):
    _send(["Alice <ALICE@acme.example>"], "For Alice")
    _send([member_b.email], "For Bob")
    alices = SentEmail.objects.get(subject="For Alice")
    bobs = SentEmail.objects.get(subject="For Bob")

    client = client_for(member_a)
    listed = client.get("/demo/emails/").content.decode()
    assert "For Alice" in listed
    assert "For Bob" not in listed
    assert client.get(f"/demo/emails/{alices.pk}/").status_code == 200
    assert client.get(f"/demo/emails/{bobs.pk}/").status_code == 404  # the outsider's


def test_an_email_to_two_people_is_shown_to_each_as_their_own(
    demo_emails, member_a, member_b, client_for
):
    _send([member_a.email, member_b.email], "For both")

    assert sorted(SentEmail.objects.values_list("recipient", flat=True)) == sorted(
        [member_a.email, member_b.email]
    )
    for person in (member_a, member_b):
        mine = SentEmail.objects.get(recipient=person.email)
        assert client_for(person).get(f"/demo/emails/{mine.pk}/").status_code == 200


def test_a_programme_admin_reads_every_email_and_others_only_theirs(
    demo_emails, programme_admin, account_manager_a, member_a, client_for
):
    _send([member_a.email], "For Alice")
    alices = SentEmail.objects.get()

    admin_page = client_for(programme_admin).get("/demo/emails/").content.decode()
    assert "For Alice" in admin_page
    assert member_a.email in admin_page  # a To column for the whole mailbox
    assert client_for(programme_admin).get(f"/demo/emails/{alices.pk}/").status_code == 200
    assert client_for(account_manager_a).get(f"/demo/emails/{alices.pk}/").status_code == 404
    assert "For Alice" not in client_for(account_manager_a).get("/demo/emails/").content.decode()


def test_the_html_is_shown_escaped_in_a_sandboxed_frame(demo_emails, member_a, client_for):
    _send([member_a.email], "Tricky", html='<p>Hi</p><script>alert("x")</script>')
    kept = SentEmail.objects.get()

    page = client_for(member_a).get(f"/demo/emails/{kept.pk}/").content.decode()

    assert (
        '<iframe class="demo-email-html" sandbox="allow-popups allow-popups-to-escape-sandbox"'
        in page
    )
    assert 'srcdoc="&lt;!doctype html&gt;' in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")' not in page
    assert "Hello in plain text" in page


def test_an_anonymous_visitor_is_sent_to_the_login(demo_emails, client, db):
    response = client.get("/demo/emails/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_with_demo_emails_off_the_page_is_not_found(settings, member_a, client_for):
    settings.DEMO_EMAILS = False
    SentEmail.objects.create(recipient=member_a.email, to=member_a.email, subject="Kept earlier")
    kept = SentEmail.objects.get()

    assert client_for(member_a).get("/demo/emails/").status_code == 404
    assert client_for(member_a).get(f"/demo/emails/{kept.pk}/").status_code == 404


def test_sending_logs_one_line_with_the_address_to_read_it_and_no_body(
    demo_emails, member_a, caplog
):
    with caplog.at_level(logging.INFO, logger="demo.mail"):
        _send([member_a.email], "A mention", html="<p>The secret body</p>")
    kept = SentEmail.objects.get()

    lines = [record.getMessage() for record in caplog.records if record.name == "demo.mail"]
    assert lines == [
        f"Email to {member_a.email}: A mention (read it at http://demo.test/demo/emails/{kept.pk}/)"
    ]
    assert "secret body" not in caplog.text


def test_production_has_no_sent_emails_route_and_no_demo_emails():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/demo/emails/'); print('routed')\n"
        "except Resolver404:\n    print('no route', settings.DEMO_EMAILS)\n"
    )
    env = {"PATH": "/usr/bin:/bin", **GOOD, "DEMO_EMAILS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "no route False"


def test_the_user_menu_links_the_sent_emails_only_while_the_demo_keeps_them(
    settings, member_a, client_for
):
    settings.DEMO_EMAILS = True
    assert (
        'href="/demo/emails/">Sent emails (demo)' in client_for(member_a).get("/").content.decode()
    )

    settings.DEMO_EMAILS = False
    assert "Sent emails (demo)" not in client_for(member_a).get("/").content.decode()
