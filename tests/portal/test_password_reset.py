"""Password reset from the queue (issue 13): the page only enqueues, the same for known and
unknown addresses, so its answer time tells nothing; the worker looks up and sends a mail
whose link works."""

import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal import tasks
from tests.factories import UserFactory

URL = "/accounts/password_reset/"


@pytest.fixture
def kari(db):
    return UserFactory(username="kari", email="kari@example.no")


def _post(client, email):
    with CaptureQueriesContext(connection) as queries, \
            mock.patch.object(tasks.password_reset_send, "delay_on_commit") as enqueue:
        response = client.post(URL, {"email": email})
    return response, enqueue, len(queries)


def test_the_page_enqueues_and_sends_nothing_itself(client, kari, mailoutbox):
    response, enqueue, _queries = _post(client, "kari@example.no")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mailoutbox == []
    enqueue.assert_called_once_with(email="kari@example.no", domain="testserver",
                                    use_https=False, language="nb")


def test_known_and_unknown_addresses_get_the_same_work(client, kari, mailoutbox):
    known, known_enqueue, known_queries = _post(client, "kari@example.no")
    unknown, unknown_enqueue, unknown_queries = _post(client, "ingen@example.no")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known_enqueue.call_count == unknown_enqueue.call_count == 1
    # No lookup of the address in the request: the same queries (none) either way.
    assert known_queries == unknown_queries == 0
    assert mailoutbox == []


def test_the_task_sends_a_mail_whose_link_sets_a_new_password(client, kari, mailoutbox):
    assert tasks.password_reset_send("kari@example.no", "testserver", False, "nb") == 1
    [mail] = mailoutbox
    assert mail.to == ["kari@example.no"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(set_password_url, {"new_password1": "Nytt-passord-2026",
                                          "new_password2": "Nytt-passord-2026"})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    kari.refresh_from_db()
    assert kari.check_password("Nytt-passord-2026")


def test_the_task_sends_nothing_for_an_unknown_address(mailoutbox, db):
    assert tasks.password_reset_send("ingen@example.no", "testserver", False, "nb") == 0
    assert mailoutbox == []


def test_the_mail_is_in_the_language_the_page_was_used_in(kari, mailoutbox):
    tasks.password_reset_send("kari@example.no", "testserver", True, "en")
    [mail] = mailoutbox
    assert "https://testserver/accounts/reset/" in mail.body
    assert "Hei," not in mail.body


def test_through_the_queue_the_worker_sends_exactly_one_mail(
        client, kari, mailoutbox, celery_eager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": "kari@example.no"})
    assert len(mailoutbox) == 1
