"""Attachments: size and type are checked on the server, by extension and by the file's own
first bytes; the stored name is random and the uploader's name is kept only for display."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import PurePosixPath

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from ideas.access import may_attach
from ideas.events import IdeaEventKind, idea_event_record
from ideas.models import ALLOWED_ATTACHMENT_EXTENSIONS, MAX_ATTACHMENT_BYTES, Attachment, Idea
from portal.errors import DomainError, Forbidden
from portal.models import User

CONTENT_TYPES = {
    ".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".txt": "text/plain; charset=utf-8",
}
# Office Open XML packages: the folder that says which application wrote them.
OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
MAX_NAME_LENGTH = 150


def sanitise_filename(name: str) -> str:
    """A display name without paths, control characters or characters that break headers."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = PurePosixPath(name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'[<>:"/|?*;]', "_", name).strip()
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix.strip(" .")[:20]
    stem = stem[:MAX_NAME_LENGTH - len(suffix) - 1].strip(" .") or _("vedlegg")
    return f"{stem}.{suffix}" if suffix else stem


def _looks_like(suffix: str, upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if suffix == ".pdf":
        return head.startswith(b"%PDF-")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if suffix == ".webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if suffix in OOXML_PART or suffix in (".odt", ".ods"):
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(upload) as package:
                names = package.namelist()
                if suffix in OOXML_PART:
                    return ("[Content_Types].xml" in names
                            and any(n.startswith(OOXML_PART[suffix]) for n in names))
                expected = CONTENT_TYPES[suffix].encode()
                return "mimetype" in names and package.read("mimetype").strip() == expected
        except (zipfile.BadZipFile, KeyError, OSError):
            return False
        finally:
            upload.seek(0)
    if suffix == ".txt":
        for chunk in upload.chunks():
            if b"\x00" in chunk:  # binary, not text
                upload.seek(0)
                return False
        upload.seek(0)
        return True
    return False


def attachment_validate(upload: UploadedFile) -> tuple[str, str]:
    """(display name, content type), or a DomainError on the `file` field."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("Filen er for stor (maks %(mb)s MB).")
                          % {"mb": MAX_ATTACHMENT_BYTES // (1024 * 1024)},
                          code="too_large", field="file")
    if upload.size == 0:
        raise DomainError(_("Filen er tom."), field="file")
    name = sanitise_filename(upload.name)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ALLOWED_ATTACHMENT_EXTENSIONS:
        raise DomainError(_("Filtypen er ikke tillatt. Bruk PDF, bilde (PNG, JPEG, GIF, WebP), "
                            "Word, Excel, PowerPoint, OpenDocument eller tekst."),
                          code="file_type", field="file")
    if not _looks_like(suffix, upload):
        raise DomainError(_("Innholdet i filen stemmer ikke med filtypen %(suffix)s.")
                          % {"suffix": suffix}, code="file_content", field="file")
    return name, CONTENT_TYPES[suffix]


def attachment_add(*, actor: User, idea: Idea, upload: UploadedFile) -> Attachment:
    refused = _("Du kan ikke legge ved filer på denne idéen.")
    if not may_attach(actor, idea):
        raise Forbidden(refused)
    name, content_type = attachment_validate(upload)
    with transaction.atomic():
        # Checked again under the lock: nothing is attached to an idea that a coordinator
        # approved, rejected or merged meanwhile.
        locked = Idea.objects.select_for_update().get(pk=idea.pk)
        if not may_attach(actor, locked):
            raise Forbidden(refused)
        attachment = Attachment(idea=locked, original_name=name, content_type=content_type,
                                size=upload.size, uploaded_by=actor)
        attachment.file.save(name, upload, save=False)
        stored = attachment.file.name
        try:
            attachment.save()
            idea_event_record(idea=locked, actor=actor, kind=IdeaEventKind.ATTACHMENT_ADDED,
                              attachment_id=attachment.pk, name=name)
        except Exception:
            attachment.file.storage.delete(stored)
            raise
    return attachment


def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    storage, stored = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        idea = Idea.objects.select_for_update().get(pk=attachment.idea_id)
        if not may_attach(actor, idea):
            raise Forbidden(_("Du kan ikke fjerne vedlegg fra denne idéen."))
        deleted, _rows = Attachment.objects.filter(pk=attachment.pk).delete()
        if not deleted:  # a second click: the first one removed it
            return
        idea_event_record(idea=idea, actor=actor, kind=IdeaEventKind.ATTACHMENT_REMOVED,
                          name=attachment.original_name)
        # The file goes only when the row is surely gone.
        transaction.on_commit(lambda: storage.delete(stored))
