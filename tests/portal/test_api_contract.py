"""Issue 15: the OpenAPI schema is the truth a generated client builds on. Sweeps over the
generated schema, so a new endpoint that breaks a rule fails here: JSON request bodies only
(uploads aside), no free-form response body, one type per concept (`version` an integer,
money a decimal string), pagination and file responses declared, nullability exact."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from tests.portal.test_date_policy import PROJECT_APPS

# The operations that take a file upload besides JSON.
UPLOADS = {("post", "/api/v1/portfolio/import/")}
# The exchange format's own numbers are JSON numbers
# (docs/domain.md "Portfolio exchange format (app `exchange`)").
EXCHANGE_FORMAT = "Portfolio"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _properties(schema):
    """(component, property, its schema) for every property of every component."""
    for name, component in schema["components"]["schemas"].items():
        for prop, node in (component.get("properties") or {}).items():
            yield name, prop, node


def test_request_bodies_are_json_only_except_uploads(schema):
    wrong = []
    for method, path, operation in _operations(schema):
        body = operation.get("requestBody")
        if body is None:
            continue
        expected = ({"application/json", "multipart/form-data"} if (method, path) in UPLOADS
                    else {"application/json"})
        if set(body["content"]) != expected:
            wrong.append(f"{method} {path}: {sorted(body['content'])}")
    assert not wrong, wrong


def test_no_response_body_is_free_form(schema):
    """Every JSON body a client can get has its fields declared (errors included)."""
    free = []
    for method, path, operation in _operations(schema):
        for code, response in operation["responses"].items():
            for media_type, content in (response.get("content") or {}).items():
                if media_type != "application/json":
                    continue
                node = _resolve(schema, content.get("schema", {}))
                if node.get("type") == "array":
                    node = _resolve(schema, node["items"])
                if node.get("type") == "object" and not node.get("properties"):
                    free.append(f"{method} {path} {code}")
                elif not node:
                    free.append(f"{method} {path} {code} (no schema)")
    assert not free, free


def test_version_is_an_integer_everywhere(schema):
    types = {(name, node.get("type")) for name, prop, node in _properties(schema)
             if prop == "version"}
    assert types and {t for _, t in types} == {"integer"}, types


def test_money_is_a_decimal_string_everywhere(schema):
    """Amounts in NOK: decimal strings, never floats that round (the exchange file's numbers
    are exact JSON numbers by its own format)."""
    wrong = [(name, prop, node.get("type"))
             for name, prop, node in _properties(schema)
             if ("nok" in prop or prop.startswith("amount")) and "formula" not in prop
             and not name.startswith(EXCHANGE_FORMAT)
             and (node.get("type"), node.get("format")) != ("string", "decimal")]
    assert not wrong, wrong
    assert any(prop == "realised_nok_per_year" for _, prop, _node in _properties(schema))


def test_paginated_lists_document_page_and_page_size(schema):
    missing = []
    for method, path, operation in _operations(schema):
        content = (operation["responses"].get("200", {}).get("content") or {})
        node = _resolve(schema, content.get("application/json", {}).get("schema", {}))
        if {"next", "previous", "results"} <= set(node.get("properties") or {}):
            names = {p["name"] for p in operation.get("parameters", [])}
            if not {"page", "page_size"} <= names:
                missing.append(f"{method} {path}: {sorted(names)}")
    assert not missing, missing
    assert "/api/v1/indicators/" not in " ".join(missing)


def test_file_formats_are_declared_with_their_media_types(schema):
    """An operation that offers `?format=csv` declares text/csv beside application/json."""
    offered = []
    for method, path, operation in _operations(schema):
        formats = next((p["schema"].get("enum", []) for p in operation.get("parameters", [])
                        if p["name"] == "format"), [])
        if "csv" in formats:
            offered.append(path)
            content = operation["responses"]["200"]["content"]
            assert {"application/json", "text/csv"} <= set(content), path
            assert content["text/csv"]["schema"]["type"] == "string", path
            # An error is JSON whatever was asked for.
            assert set(operation["responses"]["400"]["content"]) == {"application/json"}
    assert {"/api/v1/indicators/", "/api/v1/indicators/summary/"} <= set(offered)


def test_content_rows_take_their_version_on_put_and_patch(schema):
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/projects/{project_pk}/")
             and p.endswith("{id}/")]
    assert len(paths) == 8
    for path in paths:
        for method in ("put", "patch"):
            body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
            node = _resolve(schema, body["schema"])
            assert node["properties"]["version"]["type"] == "integer", (method, path)


def test_nullable_fields_say_so(schema):
    plan = schema["components"]["schemas"]["BenefitPlan"]["properties"]
    assert plan["updated_at"].get("nullable") is True
    job = schema["components"]["schemas"]["IndicatorJob"]["properties"]
    assert all(job[name].get("nullable") for name in ("quarter", "organisation",
                                                      "started_at", "finished_at"))


def test_dates_and_times_are_iso_formats(schema):
    """`…_on`, `start`/`end` are ISO dates, `…_at` ISO date-times, also where a method
    field computes them (a client gets a date object, not a string to parse)."""
    wrong = [(name, prop, node.get("format")) for name, prop, node in _properties(schema)
             if ((prop.endswith("_on") or prop in ("on", "start", "end"))
                 and node.get("format") != "date")
             or (prop.endswith("_at") and node.get("format") != "date-time")]
    assert not wrong, wrong
    assert schema["components"]["schemas"]["BenefitPlan"]["properties"]["next_due_on"][
        "format"] == "date"


def _model_field(model, source: str):
    """The model field a dotted serializer source ends on, or None (a method, a property)."""
    field = None
    for part in source.split("."):
        if model is None:
            return None
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
    return field


def test_every_serializer_field_over_a_nullable_column_allows_null():
    """A field declared by hand (`PrimaryKeyRelatedField(read_only=True)`) does not take the
    column's nullability as a generated one does: the schema then says "integer" while the
    API answers null (the fuzz found `Member.unit`). Every field of every ModelSerializer of
    the project whose source ends on a nullable column must allow null."""
    import innoportal.urls  # noqa: F401  (imports every API view and its serializers)

    todo, seen, wrong = [serializers.ModelSerializer], [], []
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        model = getattr(getattr(cls, "Meta", None), "model", None)
        if cls.__module__.split(".")[0] not in PROJECT_APPS or model is None:
            continue
        seen.append(cls.__name__)
        for name, field in cls().fields.items():
            column = None if field.source == "*" else _model_field(model, field.source)
            # a column of the row (not a reverse relation's rows, not a many-to-many)
            if column is not None and column.concrete and not column.many_to_many \
                    and column.null and not field.allow_null:
                wrong.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert wrong == []
    assert {"MemberSerializer", "IdeaSerializer", "ProjectSerializer"} <= set(seen)
