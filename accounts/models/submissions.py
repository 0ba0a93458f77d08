"""The models that make a write happen once: a form's one-time token once it was accepted
(FormSubmission) and an API client's `Idempotency-Key` with the answer it got
(IdempotentRequest). accounts/submissions.py writes and reads them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A page form's one-time token (`form_token`), written in the same transaction as what the
    form saved. A repeat with the token is sent to `url` with `message` instead of saving again;
    the unique constraint decides between two submissions that arrive at the same moment."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    path = models.CharField(max_length=500)  # where the form was posted
    url = models.CharField(max_length=500, blank=True)  # where the first submission went
    message = models.CharField(max_length=300, blank=True)  # what a repeat is told
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "token"], name="form_submission_once")
        ]

    def __str__(self) -> str:
        return f"{self.path} ({self.token[:8]}…)"


class IdempotentRequest(models.Model):
    """An API write sent with an `Idempotency-Key` header, and its answer, replayed to a repeat
    with the same key by the same caller (`caller`: the signed-in user's id or a digest of the
    Authorization header). `fingerprint` is a digest of the method, path and body: the same key
    with another request is refused."""

    caller = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(default=0)
    content_type = models.CharField(max_length=100, blank=True)
    location = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "key"], name="idempotent_request_once")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.status}"
