"""Issue 16: an edit conflict (409) is not a dead end. The page shows both versions of what
differs, keeps the typed text, and lets the editor keep theirs deliberately (the form now
carries the saved version) or take the other one."""

from django.urls import reverse


def test_a_conflict_shows_both_versions_and_saving_again_keeps_mine(client, manager,
                                                                    project_leader, project):
    url = reverse("projects:edit", args=[project.pk])
    version = project.version
    data = {"need": "Behov", "visibility": "organisation", "version": version,
            "leader": project.leader_id}
    client.force_login(project_leader)
    assert client.post(url, {**data, "title": "Leders tittel"}).status_code == 302

    client.force_login(manager)
    response = client.post(url, {**data, "title": "Min tittel"})
    assert response.status_code == 409
    conflict = response.context["conflict"]
    assert [(str(r["label"]), r["mine"], r["saved"]) for r in conflict.rows] == [
        ("Tittel", "Min tittel", "Leders tittel")]
    html = response.content.decode()
    assert 'value="Min tittel"' in html  # the typed text is kept
    assert f'href="{url}"' in html  # take the other version: the form as saved
    form = response.context["form"]
    assert form["version"].value() == str(version + 1)

    # Keeping mine is deliberate: the returned form saves over the other version.
    again = {**data, "title": "Min tittel", "version": form["version"].value()}
    assert client.post(url, again).status_code == 302
    project.refresh_from_db()
    assert (project.title, project.version) == ("Min tittel", version + 2)
