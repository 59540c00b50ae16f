"""Languages: bokmål by default, nynorsk and English by choice. The switch keeps a signed-in
user's choice on the user; that choice is used on every page they open (whatever cookie the
browser has) and follows them at login; the browser's Accept-Language never switches the
language; mails to a user outside a request are written in their language."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from overview.personal_data import personal_data_sections
from portal import services
from portal.languages import language_for
from portal.roles import Role
from tests.factories import UserFactory

NYNORSK = "Hopp til hovudinnhaldet"
BOKMAL = "Hopp til hovedinnhold"
ENGLISH = "Skip to main content"
COOKIE = settings.LANGUAGE_COOKIE_NAME


def page_language(response) -> str:
    html = response.content.decode()
    language = response.wsgi_request.LANGUAGE_CODE
    marker = {"nn": NYNORSK, "nb": BOKMAL, "en": ENGLISH}[language]
    assert f'<html lang="{language}"' in html and marker in html, language
    return language


@pytest.mark.django_db
def test_nynorsk_is_offered_beside_bokmal_and_english():
    assert [code for code, _name in settings.LANGUAGES] == ["nb", "nn", "en"]
    assert settings.LANGUAGE_CODE == "nb"


def test_a_signed_in_nynorsk_user_sees_nynorsk_without_any_cookie(client, employee):
    employee.language = "nn"
    employee.save()
    client.force_login(employee)
    assert COOKIE not in client.cookies
    response = client.get(reverse("home"))
    assert page_language(response) == "nn"
    assert response["Content-Language"] == "nn"
    html = response.content.decode()
    assert "Idear" in html and "Logg ut" in html and "Varsel" in html


def test_the_users_choice_beats_the_cookie_of_the_browser(client, employee):
    employee.language = "nn"
    employee.save()
    client.cookies[COOKIE] = "en"  # left by somebody else on a shared PC
    client.force_login(employee)
    assert page_language(client.get(reverse("home"))) == "nn"


def test_without_a_choice_a_signed_in_user_gets_the_cookie_or_bokmal(client, employee):
    assert employee.language == ""
    client.force_login(employee)
    assert page_language(client.get(reverse("home"))) == "nb"
    client.cookies[COOKIE] = "en"
    assert page_language(client.get(reverse("home"))) == "en"


def test_the_header_offers_the_two_other_languages(client, employee):
    client.force_login(employee)
    html = client.get(reverse("home")).content.decode()
    assert 'value="nn" class="ds-button" data-variant="tertiary" data-size="sm" ' \
           'lang="nn">Nynorsk</button>' in html
    assert 'lang="en">English</button>' in html and 'value="nb"' not in html
    employee.language = "nn"
    employee.save()
    html = client.get(reverse("home")).content.decode()
    assert 'lang="nb">Bokmål</button>' in html and 'lang="en">English</button>' in html
    assert 'value="nn"' not in html


def test_the_switch_sets_nynorsk_for_a_visitor(client, db):
    response = client.post(reverse("set_language"), {"language": "nn", "next": "/"})
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == "nn"
    assert page_language(client.get(reverse("login"))) == "nn"


def test_the_switch_keeps_a_signed_in_users_choice(client, employee):
    client.force_login(employee)
    response = client.post(reverse("set_language"), {"language": "nn", "next": "/ideas/"})
    assert response.status_code == 302 and response["Location"] == "/ideas/"
    employee.refresh_from_db()
    assert employee.language == "nn"
    # Another browser, no cookie: still nynorsk.
    other = client.__class__()
    other.force_login(employee)
    assert page_language(other.get(reverse("home"))) == "nn"
    # And back to bokmål, explicitly.
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    employee.refresh_from_db()
    assert employee.language == "nb"
    assert page_language(other.get(reverse("home"))) == "nb"


@pytest.mark.parametrize("language", ["xx", "de", ""])
def test_the_switch_stores_no_language_that_is_not_offered(client, employee, language):
    employee.language = "nn"
    employee.save()
    client.force_login(employee)
    response = client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.language == "nn"
    assert page_language(client.get(reverse("home"))) == "nn"


def test_a_get_to_the_switch_changes_nothing(client, employee):
    client.force_login(employee)
    response = client.get(reverse("set_language"), {"language": "nn", "next": "/"})
    assert response.status_code == 302
    employee.refresh_from_db()
    assert employee.language == ""


def test_the_service_refuses_an_unknown_language(employee):
    from portal.errors import DomainError

    with pytest.raises(DomainError) as error:
        services.user_language_set(user=employee, language="sv")
    assert error.value.field == "language"
    employee.refresh_from_db()
    assert employee.language == ""


def test_login_activates_the_users_language_and_the_cookie_follows(client, db):
    UserFactory(username="nynorsk-brukar", language="nn")
    client.cookies[COOKIE] = "en"
    response = client.post(reverse("login"), {"username": "nynorsk-brukar",
                                              "password": "pass-for-tests"})
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == "nn"
    assert page_language(client.get(response["Location"])) == "nn"
    # After logging out the login page stays in the person's language.
    client.post(reverse("logout"))
    assert page_language(client.get(reverse("login"))) == "nn"


def test_login_without_a_choice_leaves_the_cookie_alone(client, db):
    UserFactory(username="utan-val")
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("login"), {"username": "utan-val",
                                              "password": "pass-for-tests"})
    assert response.status_code == 302
    assert client.cookies[COOKIE].value == "en"
    assert page_language(client.get(response["Location"])) == "en"


@pytest.mark.parametrize("accept", ["nn", "nn-NO,nn;q=0.9", "en-GB,en;q=0.9", "nb;q=0.1,nn"])
def test_accept_language_still_does_not_switch_the_language(client, employee, accept):
    assert page_language(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept)) == "nb"
    client.force_login(employee)
    assert page_language(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept)) == "nb"


def test_language_for_mails_is_the_choice_or_bokmal(db):
    assert language_for(UserFactory(language="nn")) == "nn"
    assert language_for(UserFactory(language="en")) == "en"
    assert language_for(UserFactory(language="")) == "nb"
    assert language_for(UserFactory(language="sv")) == "nb"  # no longer offered


def test_the_welcome_mail_is_in_the_new_persons_language_not_the_admins(
        org_admin, home_org, mailoutbox, django_capture_on_commit_callbacks):
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.member_add(actor=org_admin, organisation=home_org, email="ny@example.no",
                            role=Role.EMPLOYEE)
    [welcome] = mailoutbox
    assert welcome.subject == "Du har fått tilgang til Innoportal"
    assert "Brukernavnet ditt er ny@example.no." in welcome.body


def test_my_data_shows_the_chosen_language(employee):
    def profile(user):
        [section] = [s for s in personal_data_sections(user) if s.key == "profile"]
        return section.rows[0]["language"]

    assert profile(employee) == "Ikke valgt (bokmål)"
    employee.language = "nn"
    employee.save()
    assert profile(employee) == "Norsk nynorsk"
