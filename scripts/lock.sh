#!/usr/bin/env bash
# Regenerate the lock files and the SBOM from pyproject.toml, in one command:
#
#   scripts/lock.sh
#
# - requirements/base.txt: every runtime dependency, transitive ones included, pinned with the
#   SHA-256 hashes of all its published files (uv pip compile --generate-hashes --universal);
#   the Dockerfile and `dev.py run` install it with pip --require-hashes.
# - requirements/dev.txt: the same plus the `dev` extra (tests, linters); `dev.py test` and CI.
# - sbom.cdx.json: CycloneDX 1.6 JSON of the runtime, made from a scratch environment that the
#   runtime lock was installed into with its hashes checked (so the SBOM lists exactly what
#   the lock installs, with licences and versions). Reproducible: no timestamp or serial.
#
# Run it after changing a pin in pyproject.toml; tests/test_lock.py fails until you do. The
# tools (the `lock` extra's pins) are installed into .lock-tools/ on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=$(command -v python3.11 || command -v python3)
TOOLS=.lock-tools
tool_pins=$("$PY" -c 'import tomllib; print(" ".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["lock"]))')
if [ ! -x "$TOOLS/bin/uv" ] || [ "$(cat "$TOOLS/.pins" 2>/dev/null)" != "$tool_pins" ]; then
  echo "==> installing the lock tools: $tool_pins"
  rm -rf "$TOOLS"
  "$PY" -m venv "$TOOLS"
  # shellcheck disable=SC2086
  "$TOOLS/bin/python" -m pip install --quiet --disable-pip-version-check $tool_pins
  echo "$tool_pins" > "$TOOLS/.pins"
fi
UV="$TOOLS/bin/uv"

compile() {  # compile OUTPUT [--extra NAME]
  local out=$1; shift
  "$UV" pip compile pyproject.toml "$@" --quiet --generate-hashes --universal \
    --python-version 3.11 --custom-compile-command "scripts/lock.sh" --output-file "$out"
}
mkdir -p requirements
echo "==> requirements/base.txt"
compile requirements/base.txt
echo "==> requirements/dev.txt"
compile requirements/dev.txt --extra dev

echo "==> sbom.cdx.json"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$UV" venv --quiet --python "$PY" "$scratch/env"
"$UV" pip install --quiet --require-hashes --python "$scratch/env/bin/python" \
  -r requirements/base.txt
"$TOOLS/bin/cyclonedx-py" environment --pyproject pyproject.toml --mc-type application \
  --output-reproducible --of JSON --output-file sbom.cdx.json "$scratch/env/bin/python"
echo "==> done: requirements/base.txt requirements/dev.txt sbom.cdx.json"
