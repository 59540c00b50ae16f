"""An organisation's accessibility statement (tilgjengelighetserklæring, as uustatus.no asks
for) and privacy statement (personvernerklæring): a default text until its administrators
write their own (OrganisationStatement), readable by everybody, also without logging in —
citizens and the supervisory authorities read them.

The text is plain: blank lines separate paragraphs, a line starting with «## » is a heading
and lines starting with «- » make a list. Everything is escaped when shown; no HTML from the
text ever reaches the page (`render_statement`)."""

from __future__ import annotations

from django.db import transaction
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from portal.access import user_can
from portal.errors import DomainError, Forbidden
from portal.models import Organisation, OrganisationStatement, StatementKind, User
from portal.roles import Capability

MAX_LENGTH = 20_000


def default_text(kind: str, organisation: Organisation) -> str:
    """The text shown until the organisation writes its own: what the statement must say,
    with the places to fill in named."""
    name = organisation.name
    if kind == StatementKind.ACCESSIBILITY:
        return _(
            "%(name)s ønsker at alle skal kunne bruke Innoportal, også de som har nedsatt syn, "
            "hørsel, bevegelighet eller kognisjon.\n\n"
            "## Status\n"
            "Innoportal er laget for å oppfylle kravene i WCAG 2.1 på nivå A og AA. Sidene "
            "testes automatisk med axe-core og med tastatur alene.\n\n"
            "## Kjente avvik\n"
            "- Vedlegg som lastes opp av brukerne, er ikke alltid universelt utformet.\n\n"
            "## Tilbakemelding\n"
            "Finner du noe som ikke virker, kontakt %(name)s. Du kan også melde fra til "
            "Tilsynet for universell utforming av IKT (uustatus.no).\n\n"
            "Erklæringen skal fylles ut på uustatus.no; denne siden viser organisasjonens "
            "egen tekst når en administrator har skrevet den."
        ) % {"name": name}
    return _(
        "%(name)s er behandlingsansvarlig for personopplysningene i Innoportal.\n\n"
        "## Hvilke opplysninger\n"
        "- Navn, e-postadresse, rolle og enhet for brukerne\n"
        "- Idéer, kommentarer, prosjekter og gevinster brukerne registrerer\n"
        "- Logg over endringer og innlogginger (revisjonslogg og sikkerhetslogg)\n\n"
        "## Formål og grunnlag\n"
        "Opplysningene brukes til å behandle idéer og følge opp innovasjonsprosjekter i "
        "organisasjonen, med grunnlag i personvernforordningen artikkel 6 nr. 1 bokstav e.\n\n"
        "## Dine rettigheter\n"
        "Du kan se og laste ned opplysningene om deg under «Mine data», og be om retting "
        "eller sletting. Kontakt personvernombudet i %(name)s. Du kan klage til "
        "Datatilsynet."
    ) % {"name": name}


def statement_for(organisation: Organisation, kind: str) -> tuple[str, OrganisationStatement
                                                                  | None]:
    """(text, row): the organisation's own text, or the default and None."""
    row = OrganisationStatement.objects.filter(organisation=organisation, kind=kind).first()
    return (row.body if row else default_text(kind, organisation)), row


def render_statement(text: str) -> SafeString:
    """The plain text as HTML: escaped paragraphs, «## » headings (h2), «- » lists."""
    html: list[str] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in block.strip("\n").split("\n") if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []

        def flush():
            if paragraph:
                html.append("<p>" + "<br>".join(escape(p) for p in paragraph) + "</p>")
                paragraph.clear()
            if items:
                html.append("<ul>" + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>")
                items.clear()

        for line in lines:
            if line.startswith("## "):
                flush()
                html.append(f'<h2 class="ds-heading" data-size="sm">{escape(line[3:])}</h2>')
            elif line.startswith("- "):
                if paragraph:
                    flush()
                items.append(line[2:])
            else:
                if items:
                    flush()
                paragraph.append(line)
        flush()
    return mark_safe("\n".join(html))  # noqa: S308 - every piece of text is escaped above


def statement_save(*, actor: User, organisation: Organisation, kind: str,
                   body: str) -> OrganisationStatement:
    """Write the organisation's own text (the audit trail records who and what)."""
    if not user_can(actor, organisation, Capability.MANAGE_ORGANISATION):
        raise Forbidden(_("Bare organisasjonens administratorer kan endre erklæringene."))
    if kind not in StatementKind.values:
        raise DomainError(_("Ukjent erklæring."), field="kind")
    body = body.strip()
    if not body:
        raise DomainError(_("Skriv en tekst, eller gå tilbake til standardteksten."),
                          field="body")
    if len(body) > MAX_LENGTH:
        raise DomainError(_("Teksten kan være høyst %(n)s tegn.") % {"n": MAX_LENGTH},
                          field="body")
    with transaction.atomic():
        row, _created = OrganisationStatement.objects.select_for_update().get_or_create(
            organisation=organisation, kind=kind,
            defaults={"body": body, "updated_by": actor})
        if not _created and row.body != body:
            row.body, row.updated_by = body, actor
            row.save(update_fields=["body", "updated_by", "updated_at"])
    return row


def statement_reset(*, actor: User, organisation: Organisation, kind: str) -> None:
    """Back to the default text: the organisation's own is deleted (and stays in the trail)."""
    if not user_can(actor, organisation, Capability.MANAGE_ORGANISATION):
        raise Forbidden(_("Bare organisasjonens administratorer kan endre erklæringene."))
    for row in OrganisationStatement.objects.filter(organisation=organisation, kind=kind):
        row.delete()
