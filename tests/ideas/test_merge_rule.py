"""The merge rule (README "Security"): a merge carries the merged idea's title, comments,
supports and followers to the surviving idea, so the survivor must reach nobody who could not
read the merged idea — now (the merge is refused) and later (the survivor cannot be shared
wider). Checked through every channel that shows merged content to a partner municipality:
the idea page, the comments API, the notification centre, the e-mail digest and "Mine data"."""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from ideas import services
from ideas.access import merge_may_carry
from ideas.forms import MergeForm
from ideas.models import Comment, Idea
from portal.errors import DomainError
from tests.consumers import run_consumers
from tests.ideas.factories import make_idea
from tests.notifications.helpers import send_notice_mail

SECRET_TITLE = "Patentsak sensorbelte"
SECRET_COMMENT = "Patentsøknaden sendes i mars"


@pytest.fixture
def attempted(api_client, employee, coordinator, outsider, home_org, network):
    """A confidential idea with a comment, and a network-shared idea that a partner
    municipality's admin follows; the coordinator tries to merge the first into the second
    through the API."""
    secret = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title=SECRET_TITLE, is_confidential=True)
    services.comment_add(actor=employee, idea=secret, body=SECRET_COMMENT)
    shared = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title="Delt nattilsyn", visibility="network")
    services.idea_follow(actor=outsider, idea=shared)
    events = (secret.events.count(), shared.events.count())
    api_client.force_authenticate(coordinator)
    response = api_client.post(f"/api/v1/ideas/{secret.pk}/merge/", {"into": shared.pk},
                               format="json")
    api_client.force_authenticate(None)
    run_consumers()
    return {"secret": secret, "shared": shared, "response": response, "events": events}


def test_merging_a_confidential_idea_into_a_shared_one_is_refused_and_changes_nothing(
        attempted):
    response, secret, shared = attempted["response"], attempted["secret"], attempted["shared"]
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "merge_rule" and "merged_into" in body["errors"]
    secret.refresh_from_db()
    assert secret.status == "in_review" and secret.merged_into_id is None
    assert list(Comment.objects.filter(idea=shared)) == []
    assert (secret.events.count(), shared.events.count()) == attempted["events"]


def _idea_page(client, w):
    return client.get(reverse("ideas:detail", args=[w["shared"].pk])).content.decode()


def _comments_api(client, w):
    return client.get(f"/api/v1/ideas/{w['shared'].pk}/comments/").content.decode()


def _notification_centre(client, w):
    return client.get(reverse("notifications:centre")).content.decode()


def _digest(client, w):
    send_notice_mail()
    outbox = [m for m in mail.outbox if w["outsider"].email in m.to]
    return "".join(m.subject + m.body + "".join(str(a[0]) for a in m.alternatives)
                   for m in outbox)


def _personal_data(client, w):
    return json.dumps(json.loads(client.get(reverse("my-data-export")).content),
                      ensure_ascii=False)


@pytest.mark.parametrize("channel", [_idea_page, _comments_api, _notification_centre,
                                     _digest, _personal_data])
def test_nothing_of_the_confidential_idea_reaches_the_partner_municipality(
        client, attempted, outsider, mailoutbox, channel):
    client.force_login(outsider)
    shown = channel(client, {**attempted, "outsider": outsider})
    assert SECRET_TITLE not in shown and SECRET_COMMENT not in shown


@pytest.mark.parametrize("source, into, allowed", [
    ({"is_confidential": True}, {"is_confidential": True}, True),
    ({"is_confidential": True}, {}, True),  # organisation-only, then frozen (below)
    ({"is_confidential": True}, {"visibility": "network"}, False),
    ({"is_confidential": True}, {"visibility": "public"}, False),
    ({}, {"visibility": "network"}, False),
    ({"visibility": "network"}, {"visibility": "public"}, False),
    ({"visibility": "network"}, {"visibility": "network"}, True),
    ({"visibility": "public"}, {}, True),
    ({"visibility": "public"}, {"is_confidential": True}, True),
])
def test_the_merge_rule_table(employee, coordinator, home_org, source, into, allowed):
    merged = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title="Kilde", **source)
    survivor = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                         title="Mål", **into)
    assert merge_may_carry(merged, survivor) is allowed
    if allowed:
        services.idea_merge(actor=coordinator, idea=merged, into=survivor)
        assert Idea.objects.get(pk=merged.pk).merged_into_id == survivor.pk
    else:
        with pytest.raises(DomainError) as refused:
            services.idea_merge(actor=coordinator, idea=merged, into=survivor)
        assert refused.value.code == "merge_rule"
        assert Idea.objects.get(pk=merged.pk).status == "in_review"


def test_the_survivor_cannot_be_shared_wider_than_what_was_merged_into_it(
        api_client, employee, coordinator, home_org):
    secret = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title=SECRET_TITLE, is_confidential=True)
    services.comment_add(actor=employee, idea=secret, body=SECRET_COMMENT)
    survivor = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                         title="Intern idé")
    services.idea_merge(actor=coordinator, idea=secret, into=survivor)
    events = survivor.events.count()
    api_client.force_authenticate(coordinator)
    for change in ({"visibility": "network"}, {"visibility": "public"}):
        response = api_client.patch(f"/api/v1/ideas/{survivor.pk}/", change, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "merge_rule"
        assert "visibility" in response.json()["errors"]
    survivor.refresh_from_db()
    assert survivor.visibility == "organisation" and survivor.events.count() == events
    # Narrower is always allowed.
    services.idea_update(actor=coordinator, idea=survivor, is_confidential=True)
    assert Idea.objects.get(pk=survivor.pk).is_confidential


def test_a_shared_idea_merged_into_a_narrower_one_does_not_name_it_to_partners(
        client, employee, coordinator, outsider, home_org, network):
    shared = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title="Delt nattilsyn", visibility="network")
    secret = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title=SECRET_TITLE, is_confidential=True)
    services.idea_merge(actor=coordinator, idea=shared, into=secret)
    client.force_login(outsider)
    page = client.get(reverse("ideas:detail", args=[shared.pk])).content.decode()
    assert "Delt nattilsyn" in page and SECRET_TITLE not in page
    assert reverse("ideas:detail", args=[secret.pk]) not in page
    client.force_login(employee)
    page = client.get(reverse("ideas:detail", args=[shared.pk])).content.decode()
    assert SECRET_TITLE in page


def test_the_api_list_names_only_the_survivors_the_reader_may_see_in_one_query(
        api_client, employee, coordinator, outsider, home_org, network,
        django_assert_num_queries):
    """The list reads the survivors of a page's merged ideas in one query (ideas.selectors
    mark_survivors_shown), however many were merged, and names each only to its readers."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def merged(title, **into):
        source = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                           title=title, visibility="network")
        survivor = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                             title=f"Mål for {title}", visibility="network", **into)
        services.idea_merge(actor=coordinator, idea=source, into=survivor)
        return source, survivor

    def named(user):
        api_client.force_authenticate(user)
        response = api_client.get("/api/v1/ideas/")
        return {r["id"]: r["merged_into"] for r in response.json()["results"]}

    hidden = merged("Delt nattilsyn", is_confidential=True)
    with CaptureQueriesContext(connection) as one:
        named(outsider)
    shown = [merged(f"Delt idé {i}") for i in range(3)]
    with django_assert_num_queries(len(one.captured_queries)):
        seen = named(outsider)
    assert seen[hidden[0].pk] is None and hidden[1].pk not in seen
    assert all(seen[source.pk] == survivor.pk for source, survivor in shown)
    assert named(employee)[hidden[0].pk] == hidden[1].pk


def test_the_idea_page_shows_the_refusal_as_a_message(client, coordinator, employee, home_org,
                                                      network):
    secret = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title=SECRET_TITLE, is_confidential=True)
    shared = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title="Delt nattilsyn", visibility="network")
    client.force_login(coordinator)
    response = client.post(reverse("ideas:transition", args=[secret.pk]),
                           {"action": "merge", "into": shared.pk}, follow=True)
    assert response.status_code == 200
    assert "ikke slås sammen med en delt eller offentlig idé" in response.content.decode()
    assert Idea.objects.get(pk=secret.pk).status == "in_review"


REACHES = [(visibility, confidential) for visibility in ("organisation", "network", "public")
           for confidential in (False, True)]


def test_the_merge_form_offers_exactly_the_targets_the_merge_rule_allows(
        employee, coordinator, home_org):
    """Before: every active idea of the organisation was offered, and a target the rule
    refuses was refused only after posting. Every reach of source × target, against
    merge_may_carry itself."""
    ideas = [make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title=f"{visibility} {confidential}", visibility=visibility,
                       is_confidential=confidential) for visibility, confidential in REACHES]
    refused = 0
    for source in ideas:
        offered = set(MergeForm(idea=source).fields["into"].queryset)
        allowed = {into for into in ideas if into != source and merge_may_carry(source, into)}
        assert offered == allowed, source.title
        refused += len(ideas) - 1 - len(allowed)
    assert refused > 0


def test_the_idea_page_offers_no_target_the_rule_refuses(client, coordinator, employee,
                                                         home_org):
    secret = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title=SECRET_TITLE, is_confidential=True)
    shared = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                       title="Delt nattilsyn", visibility="network")
    internal = make_idea(employee, home_org, status="in_review", coordinator=coordinator,
                         title="Intern vaktplan", visibility="organisation")
    client.force_login(coordinator)
    assert _merge_choices(client, secret) == {"", str(internal.pk)}
    assert _merge_choices(client, shared) == {"", str(internal.pk), str(secret.pk)}


def _merge_choices(client, idea) -> set[str]:
    page = client.get(reverse("ideas:detail", args=[idea.pk])).content.decode()
    select = re.search(r'<select name="into".*?</select>', page, re.S).group(0)
    return set(re.findall(r'<option value="([^"]*)"', select))
