#!/bin/sh
# Writes the API's OpenAPI schema to docs/api/openapi.yaml (or to $1), as /api/schema/ serves
# it in production: the settings of the tests and PostgreSQL's integer ranges (the schema's
# `maximum` of an integer field comes from the database backend; no connection is made).
# tests/portal/test_api_schema_file.py fails when the committed file differs from this.
set -eu
cd "$(dirname "$0")/.."
PYTHON="${INNOPORTAL_VENV:-.venv}/bin/python"
DJANGO_SETTINGS_MODULE=innoportal.test_settings \
DATABASE_URL=postgres://schema@127.0.0.1:1/schema-generation-only \
    "$PYTHON" manage.py spectacular --skip-checks --validate --fail-on-warn --file "${1:-docs/api/openapi.yaml}"
