"""Issue 16: «Lagre utkast» needs only a title (the need is required to submit, whichever way
it is submitted), and a chosen attachment is never lost silently when the form has errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ideas import services
from ideas.models import Idea, IdeaStatus
from portal.errors import DomainError

CREATE = reverse("ideas:create")
PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
DEFAULTS = {"track": "full", "visibility": "organisation"}  # the selects' preselected values


def test_a_draft_needs_only_a_title(client, employee):
    client.force_login(employee)
    response = client.post(CREATE, {**DEFAULTS, "title": "Sensor på døra", "draft": "1"})
    assert response.status_code == 302
    idea = Idea.objects.get()
    assert (idea.title, idea.need, idea.status) == ("Sensor på døra", "", IdeaStatus.DRAFT)


def test_the_need_is_marked_as_needed_to_submit_not_as_optional(client, employee):
    client.force_login(employee)
    html = client.get(CREATE).content.decode()
    assert "må fylles ut før du sender inn" in html


def test_submitting_without_a_need_is_refused_on_the_field_and_saves_nothing(client, employee):
    client.force_login(employee)
    response = client.post(CREATE, {**DEFAULTS, "title": "Sensor på døra", "submit": "1"})
    assert response.status_code == 400
    assert response.context["form"].errors["need"] == ["Beskriv behovet – hva er problemet i dag?"]
    assert not Idea.objects.exists()


def test_a_draft_without_a_need_cannot_be_submitted_later(employee, home_org):
    idea = services.idea_create(actor=employee, organisation=home_org, title="Bare tittel")
    with pytest.raises(DomainError) as refused:
        services.idea_submit(actor=employee, idea=idea)
    assert refused.value.field == "need"
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT
    services.idea_update(actor=employee, idea=idea, need="Nattevakten må gå runder.")
    assert services.idea_submit(actor=employee, idea=idea).status == IdeaStatus.SUBMITTED
    with pytest.raises(DomainError):  # once submitted, the need stays required
        services.idea_update(actor=employee, idea=idea, need=" ")


def test_a_chosen_attachment_is_not_lost_silently_on_a_form_error(client, employee):
    client.force_login(employee)
    upload = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = client.post(CREATE, {**DEFAULTS, "title": "", "submit": "1",
                                     "attachment": upload})
    assert response.status_code == 400
    html = response.content.decode()
    assert "«plan.pdf» ble ikke lagret fordi skjemaet har feil" in html
    assert not Idea.objects.exists()
