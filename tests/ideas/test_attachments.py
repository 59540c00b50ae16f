"""Attachments: size and type checked on the server, names sanitised, served only to those
who may see the idea, as a download."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ideas import services
from ideas.models import MAX_ATTACHMENT_BYTES, Attachment, IdeaEvent
from portal.errors import DomainError, Forbidden
from tests.ideas.factories import make_idea
from tests.worlds import shared_personas

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def docx_bytes(folder="word/") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes(mimetype="application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", mimetype)
        z.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def _world(people: dict) -> dict:
    """The employee's submitted idea: built once for the module, each test starting from it
    (tests/worlds.py). The world uploads no file."""
    return {"idea": make_idea(people["employee"], people["home_org"], status="submitted")}


globals().update(shared_personas(build=_world, items=("idea",)))


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test its own empty media folder (a refused upload must leave it empty), as in
    tests/ideas/conftest.py: the world has no files to share."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("name, content", [
    ("notat.pdf", PDF), ("skisse.PNG", PNG), ("foto.jpg", b"\xff\xd8\xff\xe0" + b"0" * 20),
    ("anim.gif", b"GIF89a" + b"0" * 10), ("bilde.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
    ("plan.docx", docx_bytes()), ("budsjett.xlsx", docx_bytes("xl/")),
    ("lysark.pptx", docx_bytes("ppt/")), ("tekst.odt", odt_bytes()),
    ("ark.ods", odt_bytes("application/vnd.oasis.opendocument.spreadsheet")),
    ("les-meg.txt", "Behov i hjemmetjenesten – æøå".encode()),
])
def test_allowed_types_are_stored_under_a_random_name(idea, employee, name, content,
                                                      media_root):
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile(name, content))
    assert attachment.original_name == name and attachment.size == len(content)
    assert not attachment.file.name.endswith(name)
    assert attachment.file.name.startswith("ideas/attachments/")
    assert (media_root / attachment.file.name).read_bytes() == content
    assert idea.events.latest("id").kind == "attachment_added"


@pytest.mark.parametrize("name, content, code", [
    ("skript.exe", b"MZ\x90\x00", "file_type"),
    ("side.html", b"<html><script>alert(1)</script>", "file_type"),
    ("bilde.svg", b"<svg onload=alert(1)>", "file_type"),
    ("ingen-endelse", PDF, "file_type"),
    ("forkledd.pdf", b"<html><script>alert(1)</script>", "file_content"),
    ("forkledd.png", PDF, "file_content"),
    ("zip.docx", odt_bytes(), "file_content"),
    ("word-som-excel.xlsx", docx_bytes("word/"), "file_content"),
    ("binær.txt", b"abc\x00def", "file_content"),
    ("tom.pdf", b"", "invalid"),
])
def test_wrong_types_and_disguised_content_are_refused(idea, employee, name, content, code,
                                                       media_root):
    events = IdeaEvent.objects.count()
    with pytest.raises(DomainError) as info:
        services.attachment_add(actor=employee, idea=idea,
                                upload=SimpleUploadedFile(name, content))
    assert info.value.field == "file" and info.value.code == code
    assert not Attachment.objects.exists() and IdeaEvent.objects.count() == events
    assert not any(media_root.rglob("*.*")) if media_root.exists() else True


def test_oversized_file_is_refused(idea, employee):
    big = SimpleUploadedFile("stor.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    with pytest.raises(DomainError) as info:
        services.attachment_add(actor=employee, idea=idea, upload=big)
    assert info.value.code == "too_large" and not Attachment.objects.exists()


@pytest.mark.parametrize("given, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\x.pdf", "x.pdf"),
    ("/var/www/evil.pdf", "evil.pdf"),
    ("rapport\r\nSet-Cookie: x=1.pdf", "rapportSet-Cookie_ x=1.pdf"),
    ('sitat"og;semikolon.pdf', "sitat_og_semikolon.pdf"),
    ("   .pdf", "vedlegg.pdf"),
    ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
])
def test_file_names_are_sanitised(given, shown):
    assert services.sanitise_filename(given) == shown


def test_path_tricks_do_not_escape_the_media_folder(idea, employee, media_root):
    attachment = services.attachment_add(
        actor=employee, idea=idea, upload=SimpleUploadedFile("../../../../tmp/x.pdf", PDF))
    stored = (media_root / attachment.file.name).resolve()
    assert stored.is_relative_to(media_root.resolve()) and stored.read_bytes() == PDF
    assert attachment.original_name == "x.pdf"


def test_colleague_cannot_attach_to_someone_elses_idea(idea, manager):
    with pytest.raises(Forbidden):
        services.attachment_add(actor=manager, idea=idea,
                                upload=SimpleUploadedFile("a.pdf", PDF))
    assert not Attachment.objects.exists()


def test_download_is_an_attachment_with_nosniff(client, idea, employee, manager):
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("plan æ.pdf", PDF))
    client.force_login(manager)  # a colleague who may see the idea
    response = client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert "plan" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_download_is_404_for_other_municipality_and_wrong_idea(client, idea, employee,
                                                               outsider, home_org):
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("plan.pdf", PDF))
    client.force_login(outsider)
    url = reverse("ideas:attachment", args=[idea.pk, attachment.pk])
    assert client.get(url).status_code == 404
    other = make_idea(employee, home_org, status="submitted", title="Annen")
    client.force_login(employee)
    assert client.get(reverse("ideas:attachment",
                              args=[other.pk, attachment.pk])).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_draft_attachment_is_only_for_its_author(client, employee, manager, home_org):
    draft = make_idea(employee, home_org)
    attachment = services.attachment_add(actor=employee, idea=draft,
                                         upload=SimpleUploadedFile("plan.pdf", PDF))
    client.force_login(manager)
    assert client.get(reverse("ideas:attachment",
                              args=[draft.pk, attachment.pk])).status_code == 404


def test_upload_page_refuses_wrong_type_with_a_message(client, idea, employee):
    client.force_login(employee)
    response = client.post(reverse("ideas:attachment-add", args=[idea.pk]),
                           {"file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)
    assert "Filtypen er ikke tillatt" in response.content.decode()
    assert not Attachment.objects.exists()


def test_remove_deletes_the_file_after_commit(idea, employee, media_root,
                                             django_capture_on_commit_callbacks):
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("plan.pdf", PDF))
    path = media_root / attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.attachment_remove(actor=employee, attachment=attachment)
    assert not path.exists() and not Attachment.objects.exists()
    assert idea.events.latest("id").kind == "attachment_removed"


@pytest.mark.parametrize("given, shown", [
    ("rapport\x00.exe.pdf", "rapport.exe.pdf"),  # NUL: no truncation trick
    ("faktura\u202efdp.exe", "fakturafdp.exe"),  # right-to-left override removed
    ("C:\\Users\\ola\\plan.pdf", "plan.pdf"),  # a Windows absolute path
    ("../", "vedlegg"),
    ("Re\u0301sume\u0301.pdf", "Résumé.pdf"),  # decomposed unicode is composed (NFC)
])
def test_more_file_name_tricks_are_neutralised(given, shown):
    assert services.sanitise_filename(given) == shown


@pytest.mark.parametrize("name, content", [
    ("rapport.pdf\x00.exe", b"MZ\x90\x00"),  # NUL before the real extension
    ("faktura\u202efdp.exe", b"MZ\x90\x00"),  # looks like "faktura.pdf" on screen
    ("program.exe.pdf", b"MZ\x90\x00"),  # renamed executable: the bytes say so
])
def test_disguised_executables_are_refused(idea, employee, name, content, media_root):
    events = IdeaEvent.objects.count()
    with pytest.raises(DomainError):
        services.attachment_add(actor=employee, idea=idea,
                                upload=SimpleUploadedFile(name, content))
    assert not Attachment.objects.exists() and IdeaEvent.objects.count() == events


def test_images_are_downloaded_too_never_rendered_inline(client, idea, employee, manager):
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("skisse.png", PNG))
    client.force_login(manager)
    response = client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_unicode_name_gets_a_safe_content_disposition(client, idea, employee, manager):
    attachment = services.attachment_add(
        actor=employee, idea=idea, upload=SimpleUploadedFile('Nøkkel "rutiner".pdf', PDF))
    client.force_login(manager)
    header = client.get(reverse("ideas:attachment",
                                args=[idea.pk, attachment.pk]))["Content-Disposition"]
    assert "\n" not in header and '"rutiner"' not in header
    assert "filename*=utf-8''N%C3%B8kkel" in header


def test_shared_idea_attachment_follows_the_idea_visibility(client, employee, home_org,
                                                            outsider, network):
    """A partner municipality that may see a network idea may download its attachments;
    once the idea is confidential, it gets 404 like the idea itself."""
    shared = make_idea(employee, home_org, status="submitted", visibility="network")
    attachment = services.attachment_add(actor=employee, idea=shared,
                                         upload=SimpleUploadedFile("plan.pdf", PDF))
    url = reverse("ideas:attachment", args=[shared.pk, attachment.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 200
    services.idea_update(actor=employee, idea=shared, is_confidential=True)
    assert client.get(url).status_code == 404


def test_no_attachment_after_the_idea_is_closed(idea, employee, coordinator):
    services.idea_start_review(actor=coordinator, idea=idea)
    services.idea_park(actor=coordinator, idea=idea)
    services.idea_resume(actor=coordinator, idea=idea)
    services.idea_reject(actor=coordinator, idea=idea, reason="Nei")
    with pytest.raises(Forbidden):
        services.attachment_add(actor=employee, idea=idea,
                                upload=SimpleUploadedFile("a.pdf", PDF))
    assert not Attachment.objects.exists()


def test_anonymous_visitor_is_sent_to_login_and_gets_no_bytes(client, idea, employee):
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("notat.pdf", PDF))
    response = client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert PDF not in response.content


def test_the_media_folder_is_not_served_by_url(client, idea, employee, manager, settings):
    """Uploaded files are reachable only through the access-checked view: neither the URL
    configuration nor WhiteNoise (static files only) serves MEDIA_URL."""
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("notat.pdf", PDF))
    client.force_login(manager)
    for path in (settings.MEDIA_URL + attachment.file.name,
                 "/static/" + attachment.file.name, "/" + attachment.file.name):
        response = client.get(path)
        assert response.status_code == 404, path
        assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_html_inside_a_text_file_is_downloaded_as_plain_text_in_a_sandbox(client, idea,
                                                                         employee, manager):
    """A .txt holding markup passes the type check (it is text) but can never run: it is
    sent as text/plain, as a download, with nosniff and a sandboxing CSP."""
    body = b"<html><script>alert(1)</script></html>"
    attachment = services.attachment_add(actor=employee, idea=idea,
                                         upload=SimpleUploadedFile("side.txt", body))
    client.force_login(manager)
    response = client.get(reverse("ideas:attachment", args=[idea.pk, attachment.pk]))
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert attachment.file.name.endswith(".txt") and "side" not in attachment.file.name
