"""The session store: Django's database sessions, whose read (one query on every request with a
session cookie) has its SQL written once per process (config.sql_once; issue 16, item 3).

Only the read differs: a live session by its key (`expire_date` after now), as Django's
`SessionStore._get_session_from_db` asks it; a missing or expired one forgets the key, as
Django's does. Writing, creating, deleting and clearing expired sessions are Django's own.
"""

from __future__ import annotations

import datetime

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.sql_once import SqlOnce

_LIVE_SESSION = SqlOnce(
    Session,
    lambda session_key, now: Session.objects.filter(session_key=session_key, expire_date__gt=now)[
        :1
    ],
    session_key=str,
    now=datetime.datetime,
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if not self.session_key:  # no key: Django's own path (it finds nothing)
            return super()._get_session_from_db()
        session = _LIVE_SESSION.first(session_key=self.session_key, now=timezone.now())
        if session is None:
            self._session_key = None
        return session
