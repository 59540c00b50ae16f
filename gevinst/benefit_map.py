"""Server-side layout of the benefit map (gevinstkart) as SVG geometry.

Columns by kind, left to right: preconditions and actions → effects → benefits → goals; rows by
each node's order. The template draws boxes and arrows from these numbers (inline SVG, no
script, no style attributes: the CSP forbids both)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from gevinst.models import BenefitMapEdge, BenefitMapNode, NodeKind

COLUMN_OF = {NodeKind.PRECONDITION: 0, NodeKind.ACTION: 0, NodeKind.EFFECT: 1,
             NodeKind.BENEFIT: 2, NodeKind.GOAL: 3}


def arrow_goes_backwards(source_kind: str, target_kind: str) -> bool:
    """The map reads left to right, from what is done to what is won (precondition/action →
    effect → benefit → goal). An arrow back (a goal → an action) says nothing true and was
    drawn as a misleading double arrow over the forward one: refused (services)."""
    return COLUMN_OF[NodeKind(target_kind)] < COLUMN_OF[NodeKind(source_kind)]


BOX_W, BOX_H, COL_GAP, ROW_GAP, MARGIN, HEADER = 190, 64, 70, 22, 10, 30
LINE_CHARS, MAX_LINES = 26, 3


@dataclass
class Box:
    id: int
    kind: str
    kind_label: str
    label: str
    x: int
    y: int
    lines: list[dict] = field(default_factory=list)
    benefit_id: int | None = None
    w: int = BOX_W
    h: int = BOX_H


@dataclass
class Arrow:
    x1: int
    y1: int
    x2: int
    y2: int
    label: str


def _lines(label: str, x: int, y: int) -> list[dict]:
    wrapped = textwrap.wrap(label, LINE_CHARS) or [""]
    if len(wrapped) > MAX_LINES:
        wrapped = wrapped[:MAX_LINES]
        wrapped[-1] = wrapped[-1][:LINE_CHARS - 1] + "…"
    top = y + BOX_H // 2 - (len(wrapped) - 1) * 8 + 5
    return [{"text": t, "x": x + BOX_W // 2, "y": top + i * 16} for i, t in enumerate(wrapped)]


def layout(nodes: list[BenefitMapNode], edges: list[BenefitMapEdge]) -> dict:
    columns: dict[int, list[BenefitMapNode]] = {0: [], 1: [], 2: [], 3: []}
    for node in sorted(nodes, key=lambda n: (n.order, n.id)):
        columns[COLUMN_OF[node.kind]].append(node)
    boxes: dict[int, Box] = {}
    for col, members in columns.items():
        x = MARGIN + col * (BOX_W + COL_GAP)
        for row, node in enumerate(members):
            y = HEADER + MARGIN + row * (BOX_H + ROW_GAP)
            boxes[node.pk] = Box(node.pk, node.kind, NodeKind(node.kind).label, node.label, x, y,
                                 _lines(node.label, x, y), benefit_id=node.benefit_id)
    arrows = []
    for edge in edges:
        a, b = boxes.get(edge.source_id), boxes.get(edge.target_id)
        if a is None or b is None:
            continue
        if b.x > a.x:
            x1, y1, x2, y2 = a.x + a.w, a.y + a.h // 2, b.x - 2, b.y + b.h // 2
        elif b.x < a.x:
            x1, y1, x2, y2 = a.x, a.y + a.h // 2, b.x + b.w + 2, b.y + b.h // 2
        else:  # same column: from the bottom (or top) edge to the other box
            if b.y > a.y:
                x1, y1, x2, y2 = a.x + a.w // 2, a.y + a.h, b.x + b.w // 2, b.y - 2
            else:
                x1, y1, x2, y2 = a.x + a.w // 2, a.y, b.x + b.w // 2, b.y + b.h + 2
        arrows.append(Arrow(x1, y1, x2, y2, f"{a.label} → {b.label}"))
    rows = max((len(m) for m in columns.values()), default=0)
    headers = [{"x": MARGIN + col * (BOX_W + COL_GAP) + BOX_W // 2, "label": label}
               for col, label in enumerate([_("Forutsetninger og tiltak"), _("Effekter"),
                                            _("Gevinster"), _("Mål")])]
    return {"boxes": list(boxes.values()), "arrows": arrows, "headers": headers,
            "width": MARGIN * 2 + 4 * BOX_W + 3 * COL_GAP,
            "height": HEADER + MARGIN * 2 + max(rows, 1) * (BOX_H + ROW_GAP),
            "empty": not boxes}


def project_map(project) -> dict:
    nodes = list(project.map_nodes.all())
    edges = list(project.map_edges.all())
    return layout(nodes, edges)
