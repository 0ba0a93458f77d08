"""The API token a person creates on their profile page works against the API, once shown."""

from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient


def test_a_member_creates_an_api_token_that_authenticates_them(client_for, member_a):
    response = client_for(member_a).post("/profile/api-token/")

    assert response.status_code == 200
    token = Token.objects.get(user=member_a)
    assert token.key in response.content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["user"]["email"] == member_a.email


def test_a_new_token_replaces_the_old_one(client_for, member_a):
    client = client_for(member_a)
    client.post("/profile/api-token/")
    old = Token.objects.get(user=member_a).key
    client.post("/profile/api-token/")

    assert Token.objects.filter(user=member_a).count() == 1
    assert Token.objects.get(user=member_a).key != old
    assert old not in client.get("/profile/").content.decode()


def test_an_anonymous_visitor_cannot_create_a_token(client, db):
    response = client.post("/profile/api-token/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Token.objects.count() == 0


def test_creating_a_token_needs_a_post(client_for, member_a):
    assert client_for(member_a).get("/profile/api-token/").status_code == 405
    assert not Token.objects.filter(user=member_a).exists()
