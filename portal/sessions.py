"""The database session store, which also reads the data version (portal.data_version).

The session is the first row a signed-in request reads, so the version read in the same
statement is read before anything a page shows — the order portal.page_cache needs — and a
cached page costs no query of its own for it. The same query clears the transaction's mark
of a written version (portal.data_version), which matters only where requests share one
transaction: the test suite's."""

from __future__ import annotations

import logging

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db.models.expressions import RawSQL
from django.utils import timezone

from portal import data_version


class SessionStore(db.SessionStore):
    # The version read with the session; None if it was not (no session row, or SQLite).
    data_version: int | None = None

    def _get_session_from_db(self):
        if not data_version.supported():
            return super()._get_session_from_db()
        try:
            session = (self.model.objects
                       .annotate(data_version=RawSQL(data_version.CURRENT_SQL, ()),
                                 data_version_mark=RawSQL(data_version.CLEAR_MARK_SQL, ()))
                       .get(session_key=self.session_key, expire_date__gt=timezone.now()))
        except (self.model.DoesNotExist, SuspiciousOperation) as error:  # as Django's store
            if isinstance(error, SuspiciousOperation):
                logging.getLogger(f"django.security.{type(error).__name__}").warning(str(error))
            self._session_key = None
            return None
        self.data_version = session.data_version
        return session
